/**
 * The suite report's per-task drill-down links open the replay viewer on that episode (issue
 * 18): a small suite is run with episode logs, its report.html is read, the viewer serves the
 * run directory as `hearth view RUN_DIR` does, and each link (pointed at that server) opens, in
 * Chromium, the episode it names: its task and its number of steps. The report also links
 * results.json and results.csv. Skips with a message without Chromium (fails in CI).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveEpisodes } from '../../cli/commands/view.ts';
import { runSuite } from '../../suites/runner.ts';
import { checkSuite, specHash } from '../../suites/spec.ts';
import { VIEWER } from '../../suites/suite-report.ts';
import { ensureBuilt } from '../../viewer/build.ts';
import { serveViewer, type ViewerServer } from '../../viewer/server.ts';
import { BROWSER_REQUIRED, CHROMIUM, HAVE_CHROMIUM, type Launched, launchChromium } from '../viewer/browser.ts';

const maybe = HAVE_CHROMIUM ? describe : describe.skip;
if (!HAVE_CHROMIUM) {
  if (BROWSER_REQUIRED) describe('suite report links in Chromium', () => { it('needs Chromium', () => { throw new Error(`Chromium not found at ${CHROMIUM}`); }); });
  else console.warn(`[hearth] Chromium not found at ${CHROMIUM}: skipping the suite report's viewer-link test (apt-get install -y chromium)`);
}

maybe('suite report: drill-down links open the viewer on that episode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-suite-report-'));
  const out = join(dir, 'run');
  let server: ViewerServer;
  let browser: Launched;
  let html: string;

  beforeAll(async () => {
    const spec = checkSuite({
      name: 'links', tasks: { set: 'generated', splits: ['unseen'], count: 3, maxExpertSteps: 6 }, budgets: { maxSteps: 10 },
      agents: [{ name: 'planner', kind: 'planner' }, { name: 'random', kind: 'random' }],
    }, 'links.json', dir);
    await runSuite({ spec, file: join(dir, 'links.json'), hash: specHash(spec) }, { out, resume: false, quiet: true });
    html = readFileSync(join(out, 'report.html'), 'utf8');
    await ensureBuilt();
    server = await serveViewer(resolveEpisodes(out), 0);
    browser = await launchChromium({ width: 800, height: 600 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every episode has a link; each opens its own episode', async () => {
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { episodes: Array<{ log: string; steps: unknown[]; task: string }> };
    expect(results.episodes).toHaveLength(6);
    const links = [...html.matchAll(/<a class="view" href="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));
    expect(links.map((l) => decodeURIComponent(new URL(l).searchParams.get('name')!)).sort()).toEqual(results.episodes.map((e) => e.log).sort());
    expect(links.every((l) => l.startsWith(VIEWER))).toBe(true);
    expect(html).toContain('<a href="results.json">results.json</a>');
    expect(html).toContain('<a href="results.csv">results.csv</a>');
    // Two episodes of different tasks and lengths (a planner's and a random agent's), opened from their links.
    for (const e of [results.episodes[0], results.episodes[results.episodes.length - 1]]) {
      const link = links.find((l) => new URL(l).searchParams.get('name') === e.log)!;
      const page = await browser.context.newPage();
      await page.goto(link.replace(VIEWER, server.url.endsWith('/') ? server.url : `${server.url}/`));
      await page.waitForFunction(() => window.hearth?.ready === true, null, { timeout: 60_000 });
      const header = JSON.parse(readFileSync(join(out, e.log), 'utf8').split('\n')[0]) as { task: { id: string; title?: string } };
      expect(await page.evaluate(() => window.hearth!.error)).toBeUndefined();
      expect(await page.evaluate(() => window.hearth!.stepCount)).toBe(e.steps.length);
      expect(await page.textContent('#task')).toContain(header.task.title ?? header.task.id);
      await page.close();
    }
    // A name the server does not list is an error on the page, not another episode.
    const page = await browser.context.newPage();
    await page.goto(`${server.url}${server.url.endsWith('/') ? '' : '/'}?name=${encodeURIComponent('logs/planner/nothing.jsonl')}`);
    await page.waitForFunction(() => window.hearth?.ready === true, null, { timeout: 60_000 });
    expect(await page.evaluate(() => window.hearth!.error)).toMatch(/no episode named logs\/planner\/nothing\.jsonl/);
    await page.close();
  }, 180_000);
});
