/**
 * A unit box whose faces carry fixed shades (top brightest, bottom darkest) as vertex colours,
 * drawn with an unlit material: it reads as lit from above, and costs a software renderer
 * (SwiftShader, headless Chromium) far less per pixel than a lit material. Instance colours
 * multiply the shades.
 */
import * as THREE from 'three';

/** BoxGeometry face order: +x, -x, +y, -y, +z, -z (4 vertices each). */
const SHADES = [0.8, 0.68, 1.0, 0.5, 0.9, 0.74];

export function shadedBoxGeometry(): THREE.BoxGeometry {
  const g = new THREE.BoxGeometry(1, 1, 1);
  const colors = new Float32Array(g.attributes.position.count * 3);
  for (let face = 0; face < 6; face++) {
    for (let v = 0; v < 4; v++) colors.fill(SHADES[face], (face * 4 + v) * 3, (face * 4 + v) * 3 + 3);
  }
  g.setAttribute('color', new THREE.BufferAttribute(colors, 3));
  return g;
}

export function shadedMaterial(color = 0xffffff): THREE.MeshBasicMaterial {
  return new THREE.MeshBasicMaterial({ color, vertexColors: true });
}
