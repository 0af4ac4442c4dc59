import { launchChromium } from './browser.ts';
const [url] = process.argv.slice(2);
const b = await launchChromium();
const page = await b.context.newPage();
page.on('pageerror', (e) => console.log('pageerror', e.message));
await page.goto(url);
await page.waitForFunction(() => window.hearth?.ready, null, { timeout: 60000 });
const r = await page.evaluate(`(() => {
  const { stage, replay, THREE } = window.__probe;
  const out = {};
  const ms = () => window.hearth.renderMs(15);
  const meshes = [];
  stage.scene.traverse((o) => { if (o.isMesh) meshes.push(o); });
  const bodies = meshes.find((m) => m.name === 'bodies');
  for (const m of meshes) m.visible = false;
  out.none = ms();
  bodies.visible = true;
  out.instanced = ms();
  bodies.visible = false;
  const geos = [];
  const mat = new THREE.Matrix4();
  for (let i = 0; i < bodies.count; i++) { bodies.getMatrixAt(i, mat); const g = bodies.geometry.clone(); g.applyMatrix4(mat); geos.push(g); }
  // manual merge
  const n = geos.length; const pos = new Float32Array(n * 24 * 3); const col = new Float32Array(n * 24 * 3); const idx = [];
  geos.forEach((g, k) => { pos.set(g.attributes.position.array, k * 72); col.set(g.attributes.color.array, k * 72); for (const i of g.index.array) idx.push(i + k * 24); });
  const merged = new THREE.BufferGeometry(); merged.setAttribute('position', new THREE.BufferAttribute(pos, 3)); merged.setAttribute('color', new THREE.BufferAttribute(col, 3)); merged.setIndex(idx);
  const mm = new THREE.Mesh(merged, new THREE.MeshBasicMaterial({ vertexColors: true }));
  stage.scene.add(mm);
  out.merged = ms();
  mm.visible = false;
  out.none2 = ms();
  bodies.visible = true; out.instanced2 = ms(); bodies.visible = false; mm.visible = true; out.merged2 = ms();
  return out;
})()`);
console.log(r);
await b.close();
