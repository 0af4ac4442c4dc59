/**
 * `npm run bench:viewer`: frames per second of the replay viewer on a 1,000-step episode on the
 * largest VirtualHome scene (TestScene1_graph.json, 437 nodes, from HEARTH_VH_DATA), in headless
 * Chromium with software WebGL (SwiftShader). The episode is synthesized at run time
 * (test/viewer/make-log.ts) and served by the viewer's own server.
 *
 * fps = requestAnimationFrame callbacks over 5 s, counted in the page, with the number of frames
 * that actually rendered (and the adaptive resolution the viewer settled at). Loads, each after
 * a 2 s warm-up: playing at 4 steps/s (the character walks most frames), playing at 64 steps/s
 * (a diff applied every frame), scrubbing by slider input events (a sweep end to end in 5 s,
 * and a jump to a random step every frame, up to 1,000 diffs crossed), and for comparison 64
 * steps/s with the adaptive resolution off. The reference, measured in the same run and
 * browser, is the rAF rate of a blank page: the ratio says how close the viewer gets to the
 * display rate. Target: ≥ 30 fps. `HEARTH_FPS_VIEWPORT=WxH` changes the page size (1280x720).
 * Exit code 1 when a load misses the target.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../env/files.ts';
import { ensureBuilt } from '../viewer/build.ts';
import { serveViewer } from '../viewer/server.ts';
import { HAVE_CHROMIUM, CHROMIUM, launchChromium } from '../test/viewer/browser.ts';
import { synthesizeLog } from '../test/viewer/make-log.ts';

const SECONDS = 5;
/** Let the adaptive resolution settle before counting. */
const WARMUP_MS = 2000;
const STEPS = 1000;
const vhData = resolve(process.env.HEARTH_VH_DATA ?? '../shared/virtualhome');
const graphPath = join(vhData, 'graphs', 'TestScene1_graph.json');

if (!HAVE_CHROMIUM) {
  console.error(`bench:viewer needs Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  process.exit(2);
}
let scene;
try {
  scene = JSON.parse(readFileSync(graphPath, 'utf8'));
} catch (e) {
  console.error(`bench:viewer needs ${graphPath} (set HEARTH_VH_DATA to the VirtualHome data folder): ${(e as Error).message}`);
  process.exit(2);
}

await ensureBuilt((s) => console.error(s));
const dir = mkdtempSync(join(tmpdir(), 'hearth-fps-'));
const logPath = join(dir, 'testscene1-1000.jsonl');
writeFileAtomic(logPath, synthesizeLog(scene, { steps: STEPS, seed: 7 }), { what: 'episode log' });
const server = await serveViewer([{ name: 'testscene1-1000.jsonl', path: logPath }], 0);
const [vw, vh] = (process.env.HEARTH_FPS_VIEWPORT ?? '1280x720').split('x').map(Number);
const browser = await launchChromium({ width: vw, height: vh });

/** Count rAF callbacks (and rendered frames) for SECONDS, inside the page. */
const COUNT = `(async (seconds) => {
  const h = window.hearth;
  const r0 = h ? h.rendered() : 0;
  let n = 0;
  await new Promise((done) => {
    const t0 = performance.now();
    const f = (now) => { n++; if (now - t0 < seconds * 1000) requestAnimationFrame(f); else done(); };
    requestAnimationFrame(f);
  });
  return { fps: n / seconds, renderedFps: h ? (h.rendered() - r0) / seconds : 0, scale: h ? h.scale() : 1 };
})`;

try {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('about:blank');
  const blank = await page.evaluate(`${COUNT}(${SECONDS})`) as { fps: number };

  const t0 = Date.now();
  await page.goto(server.url);
  await page.waitForFunction(() => window.hearth?.ready, null, { timeout: 60_000 });
  const loadMs = Date.now() - t0;
  const info = await page.evaluate(() => ({ steps: window.hearth!.stepCount, calls: window.hearth!.drawCalls() }));

  const results: { load: string; fps: number; renderedFps: number; scale?: number; informational?: boolean }[] = [];
  for (const speed of [4, 64]) {
    await page.evaluate((s) => { window.hearth!.seek(0); window.hearth!.play(s); }, speed);
    await page.waitForTimeout(WARMUP_MS);
    const r = await page.evaluate(`${COUNT}(${SECONDS})`) as { fps: number; renderedFps: number; scale: number };
    results.push({ load: `playing at ${speed} steps/s`, ...r });
  }
  // Scrubbing as a user drags the slider (an input event every frame): a sweep across the whole
  // episode in 5 s, then the stress case, a jump to a random step every frame.
  // Strings, not functions: tsx's keep-names helper does not exist inside the page.
  const scrubLoop = (pick: string): string => `(() => {
    const h = window.hearth;
    if (document.getElementById('play').textContent !== '▶') document.getElementById('play').click(); // pause
    const slider = document.getElementById('scrub');
    let x = 12345;
    const t0 = performance.now();
    window.__scrubbing = true;
    const f = (now) => {
      if (!window.__scrubbing) return;
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      slider.value = String(${pick});
      slider.dispatchEvent(new Event('input'));
      requestAnimationFrame(f);
    };
    requestAnimationFrame(f);
  })()`;
  for (const [load, pick] of [
    ['scrubbing: sweeping the slider (5 s end to end)', 'Math.round((((now - t0) / 5000) % 1) * h.stepCount)'],
    ['scrubbing: a random step every frame', 'x % (h.stepCount + 1)'],
  ]) {
    await page.evaluate(scrubLoop(pick));
    await page.waitForTimeout(WARMUP_MS);
    const r = await page.evaluate(`${COUNT}(${SECONDS})`) as { fps: number; renderedFps: number; scale: number };
    await page.evaluate('window.__scrubbing = false');
    results.push({ load, ...r });
  }

  // The same 64 steps/s playback with the adaptive resolution off, for comparison.
  await page.goto(`${server.url}?fullres=1`);
  await page.waitForFunction(() => window.hearth?.ready, null, { timeout: 60_000 });
  await page.evaluate(() => { window.hearth!.seek(0); window.hearth!.play(64); });
  await page.waitForTimeout(WARMUP_MS);
  const full = await page.evaluate(`${COUNT}(${SECONDS})`) as { fps: number; renderedFps: number; scale: number };
  results.push({ load: 'playing at 64 steps/s, full resolution', ...full, informational: true });

  console.log(`viewer fps: TestScene1 (${scene.nodes.length} nodes), ${info.steps}-step episode, ${vw}x${vh} page, headless Chromium + SwiftShader`);
  console.log(`  load to first frame: ${loadMs} ms; draw calls per frame: ${info.calls}`);
  console.log(`  reference: blank page rAF rate ${blank.fps.toFixed(1)} fps`);
  for (const r of results) {
    console.log(`  ${r.load.padEnd(48)} ${r.fps.toFixed(1).padStart(5)} fps (rendered ${r.renderedFps.toFixed(1)}/s, resolution ×${(r.scale ?? 1).toFixed(2)})`
      + `  ratio to blank ${(r.fps / blank.fps).toFixed(2)}  ${r.informational ? '(for comparison)' : r.fps >= 30 ? 'meets the 30 fps target' : 'MISSES the 30 fps target'}`);
  }
  if (errors.length) console.log(`  page errors: ${errors.join('; ')}`);
  process.exitCode = results.every((r) => r.informational || r.fps >= 30) && errors.length === 0 ? 0 : 1;
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
