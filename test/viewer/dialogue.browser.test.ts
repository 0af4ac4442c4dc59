/**
 * The viewer on an interactive episode (a simulated user's dialogue, dialogue/): the dialogue is
 * listed beside the replay, each round's utterances around its steps, and steps still replay.
 * Chromium as in viewer.browser.test.ts (skipped with a message when absent, required in CI).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listeningAgent } from '../../dialogue/agents.ts';
import { sampleProfile } from '../../dialogue/profile.ts';
import { runDialogue } from '../../dialogue/session.ts';
import { SimulatedUser } from '../../dialogue/user.ts';
import { ensureBuilt } from '../../viewer/build.ts';
import { serveViewer, type ViewerServer } from '../../viewer/server.ts';
import { parseEpisodeLog } from '../../viewer/src/parse-log.ts';
import { BROWSER_REQUIRED, CHROMIUM, HAVE_CHROMIUM, type Launched, launchChromium } from './browser.ts';

const dir = mkdtempSync(join(tmpdir(), 'hearth-viewer-dialogue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('viewer log reader on a dialogue log', () => {
  it('reads utterances and step rounds', async () => {
    const path = join(dir, 'parse.jsonl');
    const r = await runDialogue(new SimulatedUser(sampleProfile(3), { rounds: 3, seed: 3 }), listeningAgent, { logPath: path });
    const log = parseEpisodeLog(readFileSync(path, 'utf8'));
    expect(log.error).toBeUndefined();
    expect(log.utterances.map((u) => u.text)).toEqual(r.transcript.map((u) => u.text));
    expect(log.steps.map((s) => s.round)).toEqual(r.rounds.flatMap((x) => Array.from({ length: x.actions }, () => x.round)));
  });
});

if (!HAVE_CHROMIUM && BROWSER_REQUIRED) {
  describe('dialogue in the viewer', () => { it('needs Chromium', () => { throw new Error(`Chromium not found at ${CHROMIUM}`); }); });
} else if (!HAVE_CHROMIUM) {
  describe.skip(`dialogue in the viewer (skipped: no Chromium at ${CHROMIUM})`, () => { it('needs Chromium', () => {}); });
} else {
  describe('dialogue in the viewer', () => {
    let server: ViewerServer;
    let browser: Launched;
    const path = join(dir, 'dialogue.jsonl');
    beforeAll(async () => {
      await runDialogue(new SimulatedUser(sampleProfile(4), { rounds: 2, seed: 4 }), listeningAgent, { logPath: path });
      await ensureBuilt();
      server = await serveViewer([{ name: 'dialogue.jsonl', path }], 0);
      browser = await launchChromium({ width: 1280, height: 720 });
    }, 240_000);
    afterAll(async () => { await browser?.close(); await server?.close(); });

    it('lists each round\'s utterances around its steps, and steps still replay', async () => {
      const log = parseEpisodeLog(readFileSync(path, 'utf8'));
      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}?episode=0`);
      await page.waitForFunction(() => window.hearth?.ready === true, null, { timeout: 60_000 });
      const rows = await page.$$eval('#steps li', (lis) => lis.map((li) => ({ cls: li.className, t: (li as HTMLElement).dataset.t ?? null, text: li.textContent ?? '' })));
      expect(rows.filter((r) => r.cls.startsWith('utterance'))).toHaveLength(log.utterances.length);
      expect(rows.filter((r) => r.t !== null)).toHaveLength(log.steps.length + 1);
      // Reading order: the rules, round 1's instruction and plan, its steps, its reaction, then round 2.
      expect(rows[1].text).toContain('House rules');
      const firstStep = rows.findIndex((r) => r.t === '1');
      const plan1 = rows.findIndex((r) => r.text.includes('(plan, round 1)'));
      const reaction1 = rows.findIndex((r) => r.text.includes('(reaction, round 1)'));
      const instruction2 = rows.findIndex((r) => r.text.includes('(instruction, round 2)'));
      expect(plan1).toBeGreaterThan(0);
      expect(plan1).toBeLessThan(firstStep);
      const lastRound1 = log.steps.filter((s) => s.round === 1).length;
      expect(rows.findIndex((r) => r.t === String(lastRound1))).toBeLessThan(reaction1);
      expect(reaction1).toBeLessThan(instruction2);
      await page.click('#steps li[data-t="2"]');
      await page.waitForFunction(() => window.hearth!.step() === 2);
      expect(errors).toEqual([]);
      await page.close();
    }, 120_000);
  });
}
