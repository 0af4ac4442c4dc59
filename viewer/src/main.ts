/**
 * The replay viewer's entry: find the episode, read it (a bad line is named in a banner and
 * the steps before it still play), build the 3D scene once, wire the step list, the timeline
 * and the camera buttons, and run the frame loop. `window.hearth` exposes a little state for
 * the browser tests and the fps benchmark.
 */
import { installHover } from './hover.ts';
import type { ParsedLog } from './parse-log.ts';
import { parseEpisodeLog } from './parse-log.ts';
import { Replay } from './replay.ts';
import { findSource, showChooser } from './source.ts';
import { type CameraMode, Stage } from './stage.ts';
import { StepList } from './step-list.ts';
import { Timeline } from './timeline.ts';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

export interface HearthDebug {
  ready: boolean;
  error?: string;
  stepCount: number;
  step(): number;
  seek(k: number): void;
  play(speed?: number): void;
  characterPosition(): [number, number];
  /** Animation frames run, and frames actually rendered. */
  frames: number;
  rendered(): number;
  /** Draw calls of the last rendered frame. */
  drawCalls(): number;
  /** Mean milliseconds of `n` forced renders (finished with a pixel read, so the GPU work counts). */
  renderMs(n: number): number;
  /** The current drawing-buffer scale (adaptive resolution, 0.5..1). */
  scale(): number;
  /** Render now and count the distinct colours on a 32×32 grid of the canvas (1 = blank). */
  distinctColours(): number;
}

declare global {
  interface Window { hearth?: HearthDebug }
}

function banner(text: string): void {
  const b = $('banner');
  b.textContent = text;
  b.hidden = false;
}

function start(log: ParsedLog, name: string): void {
  if (log.error) {
    banner(`${name}: ${log.error.message}. ${log.header ? `Showing the ${log.steps.length} step${log.steps.length === 1 ? '' : 's'} before line ${log.error.line}.` : ''}`);
  }
  if (!log.header) {
    window.hearth = { ready: true, error: log.fatal, stepCount: 0, step: () => 0, seek: () => {}, play: () => {}, characterPosition: () => [0, 0], frames: 0, rendered: () => 0, drawCalls: () => 0, renderMs: () => 0, distinctColours: () => 0, scale: () => 1 };
    if (!log.error) banner(`${name}: ${log.fatal ?? 'no header'}`);
    return;
  }
  const header = log.header;
  const steps = log.steps;
  const task = header.task;
  $('task').textContent = [task?.title ?? task?.id, task?.description].filter(Boolean).join(': ') || name;
  document.title = `Hearth replay: ${task?.title ?? name}`;

  const stage = new Stage($('view'));
  stage.adaptive = new URLSearchParams(location.search).get('fullres') !== '1';
  const replay = new Replay(header, steps, stage);
  installHover(stage.renderer.domElement, stage.camera, replay.solid, replay.objects, replay.world, $('tip'));

  const goalAt = (k: number): { satisfied: number; total: number } | undefined =>
    k > 0 ? steps[k - 1].goal : (log.end?.goal && steps.length === 0 ? log.end.goal : undefined);
  const list = new StepList($('steps') as HTMLOListElement, steps, (k) => { timeline.pause(); go(k, timeline.walkSeconds(), true); }, log.utterances);
  const show = (k: number): void => {
    list.highlight(k);
    const g = goalAt(k);
    const text = g ? `goal ${g.satisfied}/${g.total}` : '';
    $('goalfill').style.width = g && g.total > 0 ? `${(100 * g.satisfied) / g.total}%` : '0';
    $('goaltext').textContent = text || 'goal —';
    timeline.show(k, text);
  };
  // The DOM (list highlight, labels) follows the replay once per frame, however many seeks came in.
  let shown = -1;
  let shownAt = 0;
  const go = (k: number, walk: number, immediate: boolean): void => {
    replay.seek(k, walk);
    if (immediate) { shown = replay.current; shownAt = performance.now(); show(shown); }
  };
  const timeline = new Timeline({
    play: $('play'), back: $('back'), forward: $('forward'), first: $('first'), last: $('last'),
    scrub: $('scrub'), speed: $('speed'), label: $('steplabel'),
  }, steps.length, go, () => replay.current);

  const cameraButtons = Array.from(document.querySelectorAll<HTMLButtonElement>('#cameras button'));
  cameraButtons.forEach((b) => b.addEventListener('click', () => {
    cameraButtons.forEach((o) => o.classList.toggle('active', o === b));
    stage.setMode(b.dataset.mode as CameraMode, replay.character.position());
  }));

  const debug: HearthDebug = {
    ready: false, stepCount: steps.length, frames: 0,
    step: () => replay.current,
    seek: (k) => go(k, 0, true),
    play: (speed) => {
      if (speed !== undefined) $<HTMLSelectElement>('speed').value = String(speed);
      timeline.play();
    },
    characterPosition: () => replay.character.position(),
    rendered: () => stage.renderedFrames,
    drawCalls: () => stage.renderer.info.render.calls,
    scale: () => stage.scale,
    renderMs: (n) => {
      const gl = stage.renderer.getContext();
      const px = new Uint8Array(4);
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        stage.invalidate();
        stage.renderIfDirty();
        gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
      }
      return (performance.now() - t0) / n;
    },
    distinctColours: () => {
      stage.invalidate();
      stage.renderIfDirty();
      const gl = stage.renderer.getContext();
      const w = gl.drawingBufferWidth;
      const h = gl.drawingBufferHeight;
      const px = new Uint8Array(w * h * 4);
      gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, px);
      const seen = new Set<number>();
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 32; x++) {
          const i = (Math.floor(((y + 0.5) * h) / 32) * w + Math.floor(((x + 0.5) * w) / 32)) * 4;
          seen.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
        }
      }
      return seen.size;
    },
  };
  window.hearth = debug;
  let last = performance.now();
  const frame = (now: number): void => {
    const dt = Math.min(0.1, (now - last) / 1000);
    last = now;
    timeline.tick(dt);
    replay.tick(dt);
    // While playing or scrubbing, the list and labels catch up at most 10 times a second: no one
    // reads them at 64 steps/s, and restyling the list every frame costs a software-rendered page
    // most of its frame. Discrete actions (a step, a click) update them at once (see `go`).
    if (replay.current !== shown && now - shownAt >= 100) { shown = replay.current; shownAt = now; show(shown); }
    const [x, z] = replay.character.position();
    stage.follow(x, z);
    stage.renderIfDirty(now);
    debug.frames++;
    if (!debug.ready && stage.renderedFrames > 0) debug.ready = true;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

async function boot(): Promise<void> {
  const source = await findSource();
  if (source.kind === 'error') {
    banner(source.message);
    window.hearth = { ready: true, error: source.message, stepCount: 0, step: () => 0, seek: () => {}, play: () => {}, characterPosition: () => [0, 0], frames: 0, rendered: () => 0, drawCalls: () => 0, renderMs: () => 0, distinctColours: () => 0, scale: () => 1 };
    return;
  }
  if (source.kind === 'choose') {
    showChooser($('chooser'), $('episodes'), source.episodes);
    window.hearth = { ready: true, stepCount: 0, step: () => 0, seek: () => {}, play: () => {}, characterPosition: () => [0, 0], frames: 0, rendered: () => 0, drawCalls: () => 0, renderMs: () => 0, distinctColours: () => 0, scale: () => 1 };
    return;
  }
  start(parseEpisodeLog(source.text), source.name);
}

void boot();
