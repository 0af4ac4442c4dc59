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
  /** Drawing-buffer resolution relative to the canvas's CSS size (see `adapt`). */
  scale = 1;
  /** Whether `adapt` may lower the resolution (off with `?fullres=1`). */
  adaptive = true;
  private lastRender = 0;
  private frameMs = 16;
  private lastScaleChange = 0;

  constructor(private readonly host: HTMLElement) {
    // No MSAA: a software renderer pays for it on every pixel; the boxes' edges read well without.
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
    this.renderer.setPixelRatio(this.scale);
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

  /**
   * Adaptive resolution. While frames come back to back (playing, scrubbing, walking) and take
   * longer than ~33 ms, draw fewer pixels (down to half the resolution); when they are quick,
   * or as soon as the scene is still, return to full resolution. A software renderer spends
   * most of a frame per pixel (rasterizing, then copying the canvas to the page), so this is
   * what keeps a large replay above 30 fps there; on a GPU it never triggers.
   */
  private adapt(now: number): void {
    if (!this.adaptive) return;
    const gap = now - this.lastRender;
    if (gap > 250) {
      this.frameMs = 16;
      if (this.scale < 1) this.setScale(1, now);
      return;
    }
    this.frameMs = this.frameMs * 0.8 + gap * 0.2;
    if (now - this.lastScaleChange < 400) return;
    if (this.frameMs > 34 && this.scale > 0.5) this.setScale(Math.max(0.5, this.scale * 0.8), now);
    else if (this.frameMs < 22 && this.scale < 1) this.setScale(Math.min(1, this.scale * 1.15), now);
  }

  private setScale(scale: number, now: number): void {
    this.scale = scale;
    this.lastScaleChange = now;
    this.renderer.setPixelRatio(scale);
    this.resize();
  }

  /** Render if anything changed; returns whether it rendered. A still scene is re-drawn once at full resolution. */
  renderIfDirty(now = performance.now()): boolean {
    if (!this.dirty) {
      if (this.scale < 1 && now - this.lastRender > 250) { this.setScale(1, now); this.dirty = true; } else return false;
    }
    this.adapt(now);
    this.dirty = false;
    this.renderer.render(this.scene, this.camera);
    this.renderedFrames++;
    this.lastRender = now;
    return true;
  }
}
