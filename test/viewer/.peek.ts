import { launchChromium } from './browser.ts';
const [url, out, steps] = process.argv.slice(2);
const b = await launchChromium();
const page = await b.context.newPage();
page.on('console', (m) => console.log('console', m.type(), m.text()));
page.on('pageerror', (e) => console.log('pageerror', e.message));
await page.goto(url);
await page.waitForFunction(() => window.hearth?.ready, null, { timeout: 20000 });
if (steps) { await page.evaluate((k) => window.hearth!.seek(k), Number(steps)); await page.waitForTimeout(300); }
await page.screenshot({ path: out });
console.log(await page.evaluate(() => ({ step: window.hearth!.step(), pos: window.hearth!.characterPosition(), n: window.hearth!.stepCount })));
await b.close();
