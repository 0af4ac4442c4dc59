import { launchChromium } from './browser.ts';
const [url] = process.argv.slice(2);
const b = await launchChromium();
const page = await b.context.newPage();
await page.goto(url);
await page.waitForFunction(() => window.hearth?.ready, null, { timeout: 60000 });
for (let rep = 0; rep < 2; rep++) console.log(await page.evaluate(`(() => {
  const { stage, replay } = window.__probe;
  const out = {};
  const N = 30;
  out.renderOnly = window.hearth.renderMs(N);
  let t0 = performance.now(); for (let i = 0; i < N; i++) { replay.seek(300 + i + ${rep * 40}, 0.01); replay.tick(0.016); } out.seekFlushNoRender = (performance.now() - t0) / N;
  t0 = performance.now(); for (let i = 0; i < N; i++) { replay.seek(400 + i + ${rep * 40}, 0.01); replay.tick(0.016); window.hearth.renderMs(1); } out.seekFlushRender = (performance.now() - t0) / N;
  t0 = performance.now(); for (let i = 0; i < N; i++) { replay.solid.dirty = true; replay.solid.flush(); window.hearth.renderMs(1); } out.uploadRender = (performance.now() - t0) / N;
  out.renderOnly2 = window.hearth.renderMs(N);
  return out;
})()`));
await b.close();
