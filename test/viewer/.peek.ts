import { launchChromium } from './browser.ts';
const [url, out, steps, mode] = process.argv.slice(2);
const b = await launchChromium();
const page = await b.context.newPage();
page.on('console', (m) => { if (m.type() === 'error') console.log('console', m.type(), m.text()); });
page.on('pageerror', (e) => console.log('pageerror', e.message));
await page.goto(url);
await page.waitForFunction(() => window.hearth?.ready, null, { timeout: 20000 });
if (steps) { await page.evaluate((k) => window.hearth!.seek(k), Number(steps)); }
if (mode) await page.click(`#cameras button[data-mode="${mode}"]`);
await page.waitForTimeout(500);
await page.screenshot({ path: out });
await b.close();
