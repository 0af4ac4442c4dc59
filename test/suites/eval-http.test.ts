/**
 * Agents over HTTP in every evaluation (issue 18): `hearth eval --base-url` and `hearth suite
 * run FILE --base-url` against a real `hearth serve` of a tiny checkpoint give the same
 * episodes and metrics as that checkpoint in process; with the server stopped, both re-score
 * from the record/replay cache alone, byte-identical.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineErrors, hearth, type Served, spawnServe, trainTinyActionModel } from '../support/tiny-checkpoint.ts';

const dir = mkdtempSync(join(tmpdir(), 'hearth-eval-http-'));
const ckpt = join(dir, 'ckpt');
let srv: Served | undefined;

beforeAll(async () => {
  await trainTinyActionModel(ckpt);
  srv = await spawnServe(['--checkpoint', ckpt, '--quiet', '--model-id', 'tiny']);
}, 120_000);

afterAll(async () => {
  if (srv) { srv.proc.kill('SIGKILL'); await srv.exited; }
  rmSync(dir, { recursive: true, force: true });
});

/** Every step's action of every log in `d`, by file name. */
const logActions = (d: string): Record<string, string[]> => Object.fromEntries(readdirSync(d).sort().map((f) => [f,
  readFileSync(join(d, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; action?: { text?: string } | string })
    .filter((x) => x.type === 'step').map((x) => JSON.stringify(x.action))]));

describe('evaluations over HTTP', () => {
  it('hearth eval --base-url: the metrics and episodes of the checkpoint in process; replayed offline, byte-identical', async () => {
    const common = ['--count', '4', '--split', 'unseen', '--speculative', '--json'];
    const local = await hearth(['eval', '--checkpoint', ckpt, ...common, '--log', join(dir, 'eval-local')]);
    expect(local.code, local.stderr).toBe(0);
    const cache = join(dir, 'eval-cache.jsonl');
    const http = await hearth(['eval', '--base-url', srv!.url, '--model', 'tiny', '--cache', cache, '--cache-mode', 'record', ...common, '--log', join(dir, 'eval-http')]);
    expect(http.code, http.stderr).toBe(0);
    const { checkpoint, ...a } = JSON.parse(local.stdout) as Record<string, unknown>;
    const { model, baseUrl, ...b } = JSON.parse(http.stdout) as Record<string, unknown>;
    expect(checkpoint).toBe(ckpt);
    expect([model, baseUrl]).toEqual(['openai:tiny', srv!.url]);
    expect(b).toEqual(a);
    expect(a.episodes).toBe(4);
    const actions = logActions(join(dir, 'eval-local'));
    expect(Object.keys(actions)).toHaveLength(4);
    expect(Object.values(actions).flat().length).toBeGreaterThan(0);
    expect(logActions(join(dir, 'eval-http'))).toEqual(actions);
    // No server: the cache alone.
    const replay = await hearth(['eval', '--base-url', 'http://127.0.0.1:9/v1', '--model', 'tiny', '--cache', cache, '--cache-mode', 'replay', ...common]);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout.replace('http://127.0.0.1:9/v1', srv!.url)).toBe(http.stdout);
  }, 180_000);

  it('hearth suite run --base-url adds a served agent beside the checkpoint: the same episodes and metrics; replayed offline, the same files', async () => {
    const suite = join(dir, 'suite.json');
    writeFileSync(suite, JSON.stringify({
      name: 'http-flags', tasks: { set: 'generated', splits: ['seen', 'unseen'], count: 3, maxExpertSteps: 6 }, budgets: { maxSteps: 8, maxTokens: 12, feedbackTokens: 4 },
      agents: [{ name: 'planner', kind: 'planner' }, { name: 'local', kind: 'checkpoint', path: ckpt, speculative: false }],
    }));
    const cache = join(dir, 'suite-cache.jsonl');
    const out = join(dir, 'suite-http');
    const r = await hearth(['suite', 'run', suite, '--out', out, '--base-url', srv!.url, '--model', 'tiny', '--cache', cache, '--cache-mode', 'record', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      agents: Array<{ name: string; kind: string }>; summary: Array<{ agent: string; split: string; metrics: unknown }>; episodes: Array<{ agent: string; task: string; steps: unknown[] }>;
    };
    expect(res.agents.map((a) => `${a.name}:${a.kind}`)).toEqual(['planner:planner', 'local:checkpoint', 'served:openai']);
    const of = (agent: string) => res.episodes.filter((e) => e.agent === agent).map((e) => ({ task: e.task, steps: e.steps }));
    expect(of('served')).toHaveLength(6);
    expect(of('served')).toEqual(of('local'));
    for (const split of ['seen', 'unseen', 'all']) {
      const m = (agent: string) => res.summary.find((s) => s.agent === agent && s.split === split)!.metrics;
      expect(m('served')).toEqual(m('local'));
    }
    // Offline, another address: replayed from the cache under the same spec hash, byte-identical results.
    const replayed = join(dir, 'suite-replayed');
    const again = await hearth(['suite', 'run', suite, '--out', replayed, '--base-url', 'http://127.0.0.1:9/v1', '--model', 'tiny', '--cache', cache, '--cache-mode', 'replay', '--quiet']);
    expect(again.code, again.stderr).toBe(0);
    for (const f of ['results.json', 'results.csv']) expect(readFileSync(join(replayed, f), 'utf8'), f).toBe(readFileSync(join(out, f), 'utf8'));
  }, 180_000);

  it('--base-url mistakes are one error line', async () => {
    await expectOneLineErrors([
      [['eval', '--checkpoint', ckpt, '--base-url', srv!.url], /--checkpoint and --base-url .* name two models/],
      [['suite', 'run', join(dir, 'suite.json'), '--model', 'tiny'], /--model needs --base-url URL/],
      [['suite', 'run', join(dir, 'suite.json'), '--base-url', 'ftp://x'], /--base-url must be an http:\/\/ or https:\/\/ URL/],
    ]);
  }, 120_000);
});
