/**
 * Screenshot of a replay for the README: `npx tsx test/viewer/screenshot.ts EPISODE.jsonl OUT.png [STEP]`.
 * Without STEP it shows the first step whose E2CL correction was used (else the first failed
 * step, else the last step). Uses the same headless Chromium as the browser tests.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ensureBuilt } from '../../viewer/build.ts';
import { serveViewer } from '../../viewer/server.ts';
import { parseEpisodeLog } from '../../viewer/src/parse-log.ts';
import { launchChromium } from './browser.ts';

const [episode, out, stepArg] = process.argv.slice(2);
if (!episode || !out) {
  console.error('usage: npx tsx test/viewer/screenshot.ts EPISODE.jsonl OUT.png [STEP]');
  process.exit(2);
}
const log = parseEpisodeLog(readFileSync(episode, 'utf8'));
const step = stepArg !== undefined ? Number(stepArg)
  : (log.steps.find((s) => s.speculative?.used)?.t ?? log.steps.find((s) => !s.ok)?.t ?? log.steps.length);
await ensureBuilt((s) => console.error(s));
const server = await serveViewer([{ name: basename(episode), path: episode }], 0);
const browser = await launchChromium({ width: 1280, height: 720 });
const dir = mkdtempSync(join(tmpdir(), 'hearth-shot-'));
try {
  const page = await browser.context.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => window.hearth?.ready === true, null, { timeout: 60_000 });
  await page.evaluate((k) => window.hearth!.seek(k), step);
  await page.waitForTimeout(500);
  await page.screenshot({ path: out });
  console.log(`wrote ${out} (step ${step} of ${log.steps.length})`);
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
