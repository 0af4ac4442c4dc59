import { launchChromium } from './browser.ts';
const [url] = process.argv.slice(2);
const b = await launchChromium();
const page = await b.context.newPage();
page.on('pageerror', (e) => console.log('pageerror', e.message));
await page.goto(url);
await page.waitForFunction(() => window.hearth?.ready, null, { timeout: 60000 });
console.log(await page.evaluate(`(() => {
  const { stage, replay } = window.__probe;
  const out = {};
  let t0 = performance.now(); for (let i = 1; i <= 200; i++) replay.seek(i, 0.3); out.replaySeek1 = (performance.now() - t0) / 200;
  t0 = performance.now(); for (let i = 0; i < 50; i++) { replay.tick(0.016); } out.tickFlush = (performance.now() - t0) / 50;
  t0 = performance.now(); for (let i = 0; i < 50; i++) { replay.seek(i % 2 ? 200 : 201, 0.3); replay.tick(0.016); } out.seekTick = (performance.now() - t0) / 50;
  t0 = performance.now(); for (let i = 0; i < 50; i++) { replay.solid.set(5, new replay.character.group.matrix.constructor(), { r: 1, g: 1, b: 1 }); replay.solid.flush(); } out.flush = (performance.now() - t0) / 50;
  t0 = performance.now(); for (let i = 1; i <= 100; i++) window.hearth.seek(200 + i); out.fullSeek1 = (performance.now() - t0) / 100;
  return out;
})()`));
await b.close();
