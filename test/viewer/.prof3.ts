import { launchChromium } from './browser.ts';
const [url] = process.argv.slice(2);
const b = await launchChromium();
const page = await b.context.newPage();
page.on('pageerror', (e) => console.log('pageerror', e.message));
await page.goto(url);
await page.waitForFunction(() => window.hearth?.ready, null, { timeout: 60000 });
const r = await page.evaluate(`(() => {
  const { stage, replay } = window.__probe;
  const out = {};
  const ms = () => window.hearth.renderMs(15);
  const meshes = [];
  stage.scene.traverse((o) => { if (o.isMesh) meshes.push(o); });
  for (const m of meshes) m.visible = false;
  out.none = ms();
  for (const m of meshes) { m.visible = true; out[m.name || m.geometry.type] = [ms(), m.count, m.geometry.attributes.position.count]; m.visible = false; }
  for (const m of meshes) m.visible = true;
  out.all = ms();
  return out;
})()`);
console.log(r);
await b.close();
