/**
 * The replay viewer in a real browser: Debian's Chromium (headless, software WebGL) driven by
 * playwright-core, against the viewer built with Vite and served by viewer/server.ts, on a real
 * episode log (the demo house, written by env's EpisodeLogWriter), a synthesized E2CL log with
 * corrections, a truncated log, and an exported single-file HTML.
 *
 * Skips with a message when Chromium is absent; fails instead in CI (CI set) or with
 * HEARTH_REQUIRE_BROWSER=1. Screenshots go to test/artifacts/ (gitignored); with
 * HEARTH_UPDATE_SCREENSHOT=1 the README's docs/viewer-replay.png is rewritten too.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../viewer/build.ts';
import { exportHtml } from '../../viewer/export.ts';
import { serveViewer, type ViewerServer } from '../../viewer/server.ts';
import { parseEpisodeLog } from '../../viewer/src/parse-log.ts';
import { REPO_ROOT } from '../support/vh-data.ts';
import { BROWSER_REQUIRED, CHROMIUM, HAVE_CHROMIUM, type Launched, launchChromium } from './browser.ts';
import { type Fixtures, makeFixtures } from './fixtures.ts';

const ARTIFACTS = resolve(REPO_ROOT, 'test/artifacts');

if (!HAVE_CHROMIUM && BROWSER_REQUIRED) {
  describe('viewer in Chromium', () => {
    it('needs Chromium', () => {
      throw new Error(`Chromium not found at ${CHROMIUM}: the browser tests are required here (CI or HEARTH_REQUIRE_BROWSER=1); install it with apt-get install -y chromium`);
    });
  });
} else if (!HAVE_CHROMIUM) {
  console.warn(`[hearth] Chromium not found at ${CHROMIUM}: skipping the viewer's browser tests (apt-get install -y chromium)`);
  describe.skip(`viewer in Chromium (skipped: no Chromium at ${CHROMIUM})`, () => { it('needs Chromium', () => {}); });
} else {
  describe('viewer in Chromium', () => {
    let fx: Fixtures;
    let server: ViewerServer;
    let browser: Launched;

    beforeAll(async () => {
      fx = makeFixtures(mkdtempSync(join(tmpdir(), 'hearth-viewer-browser-')));
      await ensureBuilt();
      server = await serveViewer([
        { name: 'demo.jsonl', path: fx.demo }, { name: 'e2cl.jsonl', path: fx.e2cl }, { name: 'truncated.jsonl', path: fx.truncated },
      ], 0);
      browser = await launchChromium({ width: 1280, height: 720 });
      mkdirSync(ARTIFACTS, { recursive: true });
    });
    afterAll(async () => {
      await browser?.close();
      await server?.close();
      if (fx) rmSync(fx.dir, { recursive: true, force: true });
    });

    /** Open a page and collect its console errors and uncaught exceptions. */
    async function open(url: string): Promise<{ page: Page; errors: string[] }> {
      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url);
      await page.waitForFunction(() => window.hearth?.ready === true, null, { timeout: 60_000 });
      return { page, errors };
    }

    const current = (page: Page): Promise<string | undefined> =>
      page.$eval('#steps li.current', (li) => (li as HTMLElement).dataset.t).catch(() => undefined);

    it('loads the demo episode, draws the house and lists every step', async () => {
      const { page, errors } = await open(`${server.url}?episode=0`);
      const log = parseEpisodeLog(readFileSync(fx.demo, 'utf8'));
      expect(await page.evaluate(() => window.hearth!.stepCount)).toBe(log.steps.length);
      expect(await page.locator('#steps li').count()).toBe(log.steps.length + 1);
      expect(await page.textContent('#task')).toContain(log.header!.task!.title!);
      // A drawn scene has many colours (floors, walls, furniture); a blank or failed canvas has one.
      expect(await page.evaluate(() => window.hearth!.distinctColours())).toBeGreaterThan(15);
      expect(await current(page)).toBe('0');
      expect(errors).toEqual([]);
      await page.close();
    });

    it('steps forward: the highlighted step and the character position change', async () => {
      const { page, errors } = await open(`${server.url}?episode=0`);
      const before = await page.evaluate(() => window.hearth!.characterPosition());
      await page.click('#forward');
      await page.waitForFunction(() => window.hearth!.step() === 1);
      expect(await current(page)).toBe('1');
      // Step 1 is "Walk to kitchen" (the next room): the character walks more than a metre.
      await page.waitForFunction(([x, z]) => {
        const [a, b] = window.hearth!.characterPosition();
        return Math.hypot(a - x, b - z) > 1;
      }, before, { timeout: 15_000 });
      await page.click('#back');
      await page.waitForFunction(() => window.hearth!.step() === 0);
      expect(await current(page)).toBe('0');
      expect(await page.textContent('#steplabel')).toMatch(/^step 0 \//);
      expect(errors).toEqual([]);
      await page.close();
    });

    it('shows a failed step with the environment message in red', async () => {
      const log = parseEpisodeLog(readFileSync(fx.demo, 'utf8'));
      const failed = log.steps.find((s) => !s.ok && s.failure)!;
      expect(failed).toBeDefined();
      const { page, errors } = await open(`${server.url}?episode=0`);
      await page.click(`#steps li[data-t="${failed.t}"]`);
      await page.waitForFunction((t) => window.hearth!.step() === t, failed.t);
      expect(await current(page)).toBe(String(failed.t));
      const result = page.locator(`#steps li[data-t="${failed.t}"] .result.failure`);
      expect(await result.textContent()).toContain(failed.failure!.message);
      const colour = await result.evaluate((e) => getComputedStyle(e).color);
      const [r, g, b] = colour.match(/\d+/g)!.map(Number);
      expect(r).toBeGreaterThan(150);
      expect(g).toBeLessThan(80);
      expect(b).toBeLessThan(80);
      expect(errors).toEqual([]);
      await page.close();
    });

    it('shows E2CL predicted feedback and the corrected action, and plays to the end', async () => {
      const { page, errors } = await open(`${server.url}?episode=1`);
      const log = parseEpisodeLog(readFileSync(fx.e2cl, 'utf8'));
      const corrected = log.steps.find((s) => s.speculative?.used && s.speculative.correction)!;
      const row = page.locator(`#steps li[data-t="${corrected.t}"] .speculative`);
      expect(await row.textContent()).toContain(`predicted feedback: ${corrected.speculative!.predictedFeedback}`);
      expect(await row.locator('.correction.used').textContent()).toContain(corrected.speculative!.correction!);
      await page.selectOption('#speed', '64');
      await page.click('#play');
      await page.waitForFunction((n) => window.hearth!.step() === n, log.steps.length, { timeout: 30_000 });
      expect(await current(page)).toBe(String(log.steps.length));
      const g = log.steps[log.steps.length - 1].goal;
      expect(await page.textContent('#goaltext')).toBe(`goal ${g.satisfied}/${g.total}`);
      // Scrub back to the start: the highlight follows (the list catches up with scrubbing at 10 Hz).
      await page.locator('#scrub').fill('0');
      await page.waitForFunction(() => window.hearth!.step() === 0);
      await page.waitForSelector('#steps li.current[data-t="0"]', { timeout: 5_000 });
      expect(await page.textContent('#steplabel')).toMatch(/^step 0 \//);
      expect(errors).toEqual([]);
      await page.close();
    });

    it('names the bad line of a truncated log and still replays the steps before it', async () => {
      const { page, errors } = await open(`${server.url}?episode=2`);
      const banner = page.locator('#banner');
      expect(await banner.isVisible()).toBe(true);
      const text = (await banner.textContent()) ?? '';
      expect(text).toContain(`line ${fx.truncatedLine}`);
      expect(text).toContain('truncated');
      expect(text).toContain(`Showing the ${fx.truncatedLine - 2} steps before line ${fx.truncatedLine}`);
      expect(await page.locator('#steps li').count()).toBe(fx.truncatedLine - 2 + 1);
      await page.click('#last');
      await page.waitForFunction((n) => window.hearth!.step() === n, fx.truncatedLine - 2);
      expect(await page.evaluate(() => window.hearth!.distinctColours())).toBeGreaterThan(15);
      expect(errors).toEqual([]);
      await page.close();
    });

    it('switches camera modes and names objects on hover', async () => {
      const { page, errors } = await open(`${server.url}?episode=0`);
      await page.evaluate(() => window.hearth!.seek(8));
      await page.click('#cameras button[data-mode="plan"]');
      expect(await page.evaluate(() => window.hearth!.distinctColours())).toBeGreaterThan(15);
      const box = (await page.locator('#view canvas').boundingBox())!;
      let label = '';
      for (let y = 0.2; y < 0.9 && !label; y += 0.05) {
        for (let x = 0.2; x < 0.9 && !label; x += 0.05) {
          await page.mouse.move(box.x + x * box.width, box.y + y * box.height);
          // Picking runs in the next animation frame: wait for two.
          await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
          if (await page.locator('#tip').isVisible()) label = (await page.textContent('#tip')) ?? '';
        }
      }
      expect(label).toMatch(/^[a-z_]+ \(\d+\)/);
      await page.click('#cameras button[data-mode="follow"]');
      expect(await page.evaluate(() => window.hearth!.distinctColours())).toBeGreaterThan(15);
      await page.click('#cameras button[data-mode="orbit"]');
      await page.mouse.move(0, 0);
      await page.screenshot({ path: join(ARTIFACTS, 'viewer-replay.png') });
      if (process.env.HEARTH_UPDATE_SCREENSHOT === '1') {
        mkdirSync(resolve(REPO_ROOT, 'docs'), { recursive: true });
        copyFileSync(join(ARTIFACTS, 'viewer-replay.png'), resolve(REPO_ROOT, 'docs/viewer-replay.png'));
      }
      expect(errors).toEqual([]);
      await page.close();
    });

    it('opens an exported single-file HTML from disk', async () => {
      const out = join(fx.dir, 'export.html');
      writeFileSync(out, exportHtml(readFileSync(fx.e2cl, 'utf8'), 'e2cl.jsonl'));
      const html = readFileSync(out, 'utf8');
      expect(html).not.toMatch(/<script[^>]*src=/);
      expect(html).not.toMatch(/<link[^>]*stylesheet/);
      const { page, errors } = await open(pathToFileURL(out).href);
      const n = parseEpisodeLog(readFileSync(fx.e2cl, 'utf8')).steps.length;
      expect(await page.evaluate(() => window.hearth!.stepCount)).toBe(n);
      expect(await page.evaluate(() => window.hearth!.distinctColours())).toBeGreaterThan(15);
      expect(errors).toEqual([]);
      await page.close();
    });
  });
}
