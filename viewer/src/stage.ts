/**
 * The renderer, lights and camera, with three ways to look: orbit (drag to turn, wheel to
 * zoom), follow (the orbit target tracks the character) and plan (straight down, no turning).
 * Renders only when something changed, so an idle replay costs nothing.
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';

export type CameraMode = 'orbit' | 'follow' | 'plan';

export interface Bounds { x0: number; x1: number; z0: number; z1: number }

export class Stage {
  readonly renderer: THREE.WebGLRenderer;
  readonly scene = new THREE.Scene();
  readonly camera: THREE.PerspectiveCamera;
  readonly controls: OrbitControls;
  mode: CameraMode = 'orbit';
  private dirty = true;
  private bounds: Bounds = { x0: -5, x1: 5, z0: -5, z1: 5 };
  renderedFrames = 0;

  constructor(private readonly host: HTMLElement) {
    this.renderer = new THREE.WebGLRenderer({ antialias: false });
    this.renderer.setPixelRatio(1);
    this.renderer.setClearColor(0xf4f1ea);
    host.appendChild(this.renderer.domElement);
    this.camera = new THREE.PerspectiveCamera(50, 1, 0.1, 500);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.enableDamping = false;
    this.controls.addEventListener('change', () => { this.dirty = true; });
    this.scene.add(new THREE.HemisphereLight(0xffffff, 0x8d8577, 1.6));
    const sun = new THREE.DirectionalLight(0xffffff, 1.4);
    sun.position.set(6, 12, 4);
    this.scene.add(sun);
    new ResizeObserver(() => this.resize()).observe(host);
    this.resize();
  }

  resize(): void {
    const w = Math.max(1, this.host.clientWidth);
    const h = Math.max(1, this.host.clientHeight);
    this.renderer.setSize(w, h);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.dirty = true;
  }

  /** Frame the whole house (called once the house is built, and when changing mode). */
  frame(b: Bounds): void {
    this.bounds = b;
    this.setMode(this.mode);
  }

  setMode(mode: CameraMode, follow?: [number, number]): void {
    this.mode = mode;
    const b = this.bounds;
    const cx = (b.x0 + b.x1) / 2;
    const cz = (b.z0 + b.z1) / 2;
    const span = Math.max(b.x1 - b.x0, b.z1 - b.z0, 4);
    this.controls.enableRotate = mode !== 'plan';
    if (mode === 'plan') {
      this.controls.target.set(cx, 0, cz);
      this.camera.position.set(cx, span * 1.15 / Math.min(1, this.camera.aspect), cz + 0.001);
    } else if (mode === 'follow' && follow) {
      this.controls.target.set(follow[0], 0.6, follow[1]);
      this.camera.position.set(follow[0] + 3.5, 5, follow[1] + 5);
    } else {
      this.controls.target.set(cx, 0, cz);
      // Far enough back for the whole house to fit the 50° field of view, looking down at ~50°.
      const d = span * 1.3 / Math.min(1, this.camera.aspect);
      this.camera.position.set(cx + d * 0.1, d * 0.8, cz + d * 0.7);
    }
    this.controls.update();
    this.dirty = true;
  }

  /** In follow mode, move the orbit target (and the camera with it) to the character. */
  follow(x: number, z: number): void {
    if (this.mode !== 'follow') return;
    const t = this.controls.target;
    const dx = x - t.x;
    const dz = z - t.z;
    if (Math.abs(dx) + Math.abs(dz) < 1e-4) return;
    t.x += dx; t.z += dz;
    this.camera.position.x += dx;
    this.camera.position.z += dz;
    this.controls.update();
    this.dirty = true;
  }

  invalidate(): void { this.dirty = true; }

  /** Render if anything changed; returns whether it rendered. */
  renderIfDirty(): boolean {
    if (!this.dirty) return false;
    this.dirty = false;
    this.renderer.render(this.scene, this.camera);
    this.renderedFrames++;
    return true;
  }
}
