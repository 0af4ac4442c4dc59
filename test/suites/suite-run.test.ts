/**
 * `hearth suite run` end to end (issue 18): the quick example (planner, random agent, a tiny
 * local checkpoint with and without speculative inference) runs in CI time and the planner
 * solves every task; a run killed with SIGKILL (twice) and resumed has every episode exactly
 * once and the same results as an uninterrupted run; a suite against `hearth serve` over HTTP
 * gives the same episodes and metrics as the same checkpoint in process.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEARTH, hearth, spawnServe, trainTinyActionModel } from '../support/tiny-checkpoint.ts';

const QUICK = resolve(import.meta.dirname, '../../suites/examples/quick.yaml');
const dir = mkdtempSync(join(tmpdir(), 'hearth-suite-run-'));
const ckpt = join(dir, 'ckpt');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  await trainTinyActionModel(ckpt);
  process.env.HEARTH_CHECKPOINT = ckpt; // the quick suite's checkpoint (children inherit it)
});

interface Summary { agent: string; split: string; episodes: number; metrics: Record<string, { value: number; lo: number; hi: number } | null> }
interface Results { summary: Summary[]; episodes: Array<{ key: string; agent: string; task: string; calls: number; steps: Array<{ action: string; ok: boolean }> }> }

const readJson = <T>(p: string): T => JSON.parse(readFileSync(p, 'utf8')) as T;
const ledgerLines = (out: string): string[] => (existsSync(join(out, 'episodes.jsonl')) ? readFileSync(join(out, 'episodes.jsonl'), 'utf8').split('\n').filter((l) => l !== '') : []);

/** Start `hearth suite run`, SIGKILL it once its ledger has `atLeast` episodes; resolves with the ledger's count then. */
function runAndKill(args: string[], out: string, atLeast: number): Promise<number> {
  const proc = spawn(process.execPath, [HEARTH, 'suite', 'run', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (c: Buffer) => { err += c.toString(); });
  return new Promise((ok, fail) => {
    const timer = setInterval(() => {
      if (ledgerLines(out).length >= atLeast) { proc.kill('SIGKILL'); clearInterval(timer); }
    }, 5);
    proc.on('exit', (code, signal) => {
      clearInterval(timer);
      if (signal !== 'SIGKILL') fail(new Error(`the run ended by itself (code ${code}) before it was killed: ${err}`));
      else ok(ledgerLines(out).length);
    });
  });
}

describe('hearth suite run', () => {
  it('runs the quick example: planner, random, checkpoint ± speculative on seen/unseen; the planner solves every task', async () => {
    const out = join(dir, 'quick');
    const r = await hearth(['suite', 'run', QUICK, '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.ms).toBeLessThan(60_000);
    const j = JSON.parse(r.stdout) as { ran: number; skipped: number; summary: Summary[] };
    expect(j.ran).toBe(32);
    const agents = [...new Set(j.summary.map((s) => s.agent))];
    expect(agents).toEqual(['planner', 'random', 'checkpoint', 'checkpoint+spec']);
    for (const split of ['seen', 'unseen', 'all']) {
      const p = j.summary.find((s) => s.agent === 'planner' && s.split === split)!;
      expect(p.metrics.successRate).toEqual({ value: 1, lo: 1, hi: 1 });
      expect(p.metrics.stepExecutability!.value).toBe(1);
    }
    expect(j.summary.find((s) => s.agent === 'random' && s.split === 'all')!.metrics.successRate!.value).toBeLessThan(1);
    // Speculative inference made model calls beyond one per step.
    const res = readJson<Results>(join(out, 'results.json'));
    const calls = (a: string): number => res.episodes.filter((e) => e.agent === a).reduce((n, e) => n + e.calls, 0);
    expect(calls('checkpoint+spec')).toBeGreaterThan(calls('checkpoint'));
    const csv = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(33);
    expect(csv[0]).toBe('key,suite,task,split,agent,seed,repetition,success,goal_satisfied,goal_total,steps,failed_steps,reason,calls');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('Per task');
    expect(html).toContain('checkpoint+spec');
    expect(html).toContain('95% percentile-bootstrap intervals over tasks');
    // Every episode has its episode log (the viewer's input), linked from the drill-down.
    const logged = readJson<{ episodes: Array<{ log: string }> }>(join(out, 'results.json')).episodes;
    expect(logged.every((e) => existsSync(join(out, e.log)))).toBe(true);
    expect(html).toContain(`href="${logged[0].log}"`);
    // The directory is a ledger: without --resume it is refused; with it nothing runs again.
    const again = await hearth(['suite', 'run', QUICK, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds episodes.*--resume/);
    const before = readFileSync(join(out, 'results.json'), 'utf8');
    const resumed = await hearth(['suite', 'run', QUICK, '--out', out, '--resume', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ ran: 0, skipped: 32 });
    expect(readFileSync(join(out, 'results.json'), 'utf8')).toBe(before);
  });

  it('after SIGKILL (twice, and a torn last line) --resume runs every episode exactly once, with the results of an uninterrupted run', async () => {
    const suite = join(dir, 'resume.yaml');
    writeFileSync(suite, `name: resume
tasks: {set: generated, splits: [seen, unseen], count: 4, maxExpertSteps: 6}
seeds: [0, 1]
budgets: {maxSteps: 10}
agents:
  - {name: planner, kind: planner}
  - {name: random, kind: random}
  - {name: lm, kind: checkpoint, path: ${ckpt}, speculative: both}
`);
    const total = 8 * 4 * 2;
    const ref = join(dir, 'ref');
    const full = await hearth(['suite', 'run', suite, '--out', ref, '--quiet']);
    expect(full.code, full.stderr).toBe(0);
    const out = join(dir, 'killed');
    const first = await runAndKill([suite, '--out', out, '--quiet'], out, 12);
    expect(first).toBeGreaterThanOrEqual(12);
    expect(first).toBeLessThan(total);
    const second = await runAndKill([suite, '--out', out, '--resume', '--quiet'], out, 36);
    expect(second).toBeGreaterThanOrEqual(36);
    expect(second).toBeLessThan(total);
    // A kill in the middle of an append leaves a line without its newline: it is cut off.
    appendFileSync(join(out, 'episodes.jsonl'), '{"key":"resume|generated/s0/unseen/00');
    const last = await hearth(['suite', 'run', suite, '--out', out, '--resume']);
    expect(last.code, last.stderr).toBe(0);
    expect(last.stderr).toContain(`resuming in ${out}: ${second} of ${total} episodes already done (an unfinished last line`);
    const keys = ledgerLines(out).map((l) => (JSON.parse(l) as { key: string }).key);
    expect(keys).toHaveLength(total);
    expect(new Set(keys).size).toBe(total);
    expect(new Set(keys)).toEqual(new Set(ledgerLines(ref).map((l) => (JSON.parse(l) as { key: string }).key)));
    expect(readJson<unknown>(join(out, 'results.json'))).toEqual(readJson<unknown>(join(ref, 'results.json')));
    expect(readFileSync(join(out, 'results.csv'), 'utf8')).toBe(readFileSync(join(ref, 'results.csv'), 'utf8'));
    // Each episode's log is whole (a killed episode's partial log was rewritten when it ran again).
    for (const l of ledgerLines(out)) {
      const log = readFileSync(join(out, (JSON.parse(l) as { log: string }).log), 'utf8').trim().split('\n');
      expect(JSON.parse(log[log.length - 1])).toMatchObject({ type: 'end' });
    }
    // Another spec in the same directory is refused.
    writeFileSync(suite, readFileSync(suite, 'utf8').replace('maxSteps: 10', 'maxSteps: 11'));
    const changed = await hearth(['suite', 'run', suite, '--out', out, '--resume']);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain('its spec differs');
  });

  it('--workers 2: two processes, each episode once, the results of one process', async () => {
    const suite = join(dir, 'workers.yaml');
    writeFileSync(suite, `name: workers
tasks: {set: generated, splits: [seen, unseen], count: 3, maxExpertSteps: 6}
seeds: [0, 1]
budgets: {maxSteps: 8}
agents:
  - {name: planner, kind: planner}
  - {name: random, kind: random}
  - {name: lm, kind: checkpoint, path: ${ckpt}}
`);
    const one = await hearth(['suite', 'run', suite, '--out', join(dir, 'w1'), '--quiet']);
    expect(one.code, one.stderr).toBe(0);
    const two = await hearth(['suite', 'run', suite, '--out', join(dir, 'w2'), '--workers', '2', '--json']);
    expect(two.code, two.stderr).toBe(0);
    expect(JSON.parse(two.stdout)).toMatchObject({ planned: 36, ran: 36, workers: 2 });
    const keys = (f: string) => readFileSync(join(dir, 'w2', f), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { key: string }).key);
    const a = keys('episodes.w0.jsonl');
    const b = keys('episodes.w1.jsonl');
    expect(a.length + b.length).toBe(36);
    expect(new Set([...a, ...b]).size).toBe(36);
    expect(Math.abs(a.length - b.length)).toBeLessThanOrEqual(1);
    expect(readFileSync(join(dir, 'w2', 'results.json'), 'utf8')).toBe(readFileSync(join(dir, 'w1', 'results.json'), 'utf8'));
  });

  it('a suite against hearth serve over HTTP gives the same episodes and metrics as the checkpoint in process; replayed offline, the same results byte for byte', async () => {
    const srv = await spawnServe(['--checkpoint', ckpt, '--quiet', '--model-id', 'tiny']);
    const cache = join(dir, 'http-cache.jsonl');
    const http = join(dir, 'http.json');
    const replayed = join(dir, 'http-replayed');
    try {
      const suite = http;
      process.env.HEARTH_TEST_CACHE_MODE = 'record';
      writeFileSync(suite, JSON.stringify({
        name: 'http', tasks: { set: 'generated', splits: ['seen', 'unseen'], count: 3, maxExpertSteps: 6 }, budgets: { maxSteps: 8, maxTokens: 12, feedbackTokens: 4 },
        agents: [
          { name: 'local', kind: 'checkpoint', path: ckpt, speculative: 'both' },
          { name: 'http', kind: 'openai', baseUrl: srv.url, model: 'tiny', api: 'completions', speculative: 'both', cache, cacheMode: '${HEARTH_TEST_CACHE_MODE}' },
        ],
      }, null, 2));
      const out = join(dir, 'http');
      const r = await hearth(['suite', 'run', suite, '--out', out, '--quiet']);
      expect(r.code, r.stderr).toBe(0);
      const res = readJson<Results>(join(out, 'results.json'));
      for (const [a, b] of [['local', 'http'], ['local+spec', 'http+spec']]) {
        const of = (agent: string) => res.episodes.filter((e) => e.agent === agent).map((e) => ({ task: e.task, steps: e.steps }));
        expect(of(b)).toEqual(of(a));
        expect(of(a).some((e) => e.steps.some((s) => s.action !== ''))).toBe(true);
        for (const split of ['seen', 'unseen', 'all']) {
          expect(res.summary.find((s) => s.agent === b && s.split === split)!.metrics).toEqual(res.summary.find((s) => s.agent === a && s.split === split)!.metrics);
        }
      }
    } finally {
      srv.proc.kill();
      await srv.exited;
    }
    // The server is gone: the same suite in replay mode is scored from the cache alone.
    process.env.HEARTH_TEST_CACHE_MODE = 'replay';
    const r = await hearth(['suite', 'run', http, '--out', replayed, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(replayed, 'results.json'), 'utf8')).toBe(readFileSync(join(dir, 'http', 'results.json'), 'utf8'));
    expect(readFileSync(join(replayed, 'results.csv'), 'utf8')).toBe(readFileSync(join(dir, 'http', 'results.csv'), 'utf8'));
  });
});
