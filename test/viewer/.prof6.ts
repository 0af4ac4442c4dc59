import { launchChromium } from './browser.ts';
const [url] = process.argv.slice(2);
const b = await launchChromium();
const page = await b.context.newPage();
page.on('pageerror', (e) => console.log('pageerror', e.message));
await page.goto(url);
await page.waitForFunction(() => window.hearth?.ready, null, { timeout: 60000 });
console.log(await page.evaluate(`(() => {
  const { stage, replay, THREE } = window.__probe;
  const out = {};
  const m = new THREE.Matrix4(); const c = new THREE.Color(1,1,1);
  out.renderOnly = window.hearth.renderMs(20);
  let t0 = performance.now(); for (let i = 0; i < 20; i++) { replay.solid.set(5, m, c); replay.solid.flush(); window.hearth.renderMs(1); } out.uploadRender = (performance.now() - t0) / 20;
  out.renderOnly2 = window.hearth.renderMs(20);
  t0 = performance.now(); for (let i = 0; i < 20; i++) { replay.glow.set(0, m, c); replay.glow.flush(); window.hearth.renderMs(1); } out.glowUploadRender = (performance.now() - t0) / 20;
  t0 = performance.now(); for (let i = 0; i < 20; i++) { replay.character.moveTo(i, 0, 0); window.hearth.renderMs(1); } out.charMoveRender = (performance.now() - t0) / 20;
  return out;
})()`));
await b.close();
