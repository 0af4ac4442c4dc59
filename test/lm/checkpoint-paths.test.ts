/**
 * Every command that takes `--checkpoint` (serve, eval, generate) accepts the same paths
 * through one resolver: a model directory as `hearth e2cl` writes it (its final epoch), an
 * epoch directory, or a `hearth train-lm` directory; each prints the directory it loaded on
 * one stderr line. Real processes of the real CLI on a tiny checkpoint made by `train-lm`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeCheckpoint, resolveCheckpointDir } from '../../agent/checkpoint.ts';
import { hearth, makeModelDir, spawnServe } from '../support/tiny-checkpoint.ts';

const tmp = mkdtempSync(join(tmpdir(), 'hearth-ck-paths-'));
let ck: { model: string; epoch1: string; epoch2: string };

beforeAll(async () => { ck = await makeModelDir(tmp); }, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The stderr lines that say which checkpoint was loaded. */
const loadedLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('checkpoint: '));

describe('resolveCheckpointDir', () => {
  it('model directory → final.json epoch; without final.json → latest epoch with a manifest; epoch dir → itself', () => {
    expect(resolveCheckpointDir(ck.model)).toMatchObject({ dir: ck.epoch2, how: 'final', epoch: 2 });
    expect(resolveCheckpointDir(ck.epoch1)).toMatchObject({ dir: ck.epoch1, how: 'checkpoint' });
    const partial = join(tmp, 'partial');
    mkdirSync(join(partial, 'epoch-1'), { recursive: true });
    mkdirSync(join(partial, 'epoch-3'), { recursive: true }); // an interrupted epoch: no manifest
    writeFileSync(join(partial, 'epoch-1', 'manifest.json'), '{}');
    expect(resolveCheckpointDir(partial)).toMatchObject({ dir: join(partial, 'epoch-1'), how: 'latest', epoch: 1 });
    expect(describeCheckpoint(resolveCheckpointDir(ck.model))).toBe(`checkpoint: ${ck.epoch2} (final epoch 2 of model directory ${ck.model})`);
    const broken = join(tmp, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'final.json'), '{"epoch": 7}');
    expect(() => resolveCheckpointDir(broken)).toThrow(/names epoch 7, but .*epoch-7 holds no manifest.json/);
    expect(() => resolveCheckpointDir(join(tmp, 'nope'))).toThrow(/does not exist/);
  });
});

describe('--checkpoint: serve, eval and generate take the same paths', () => {
  it('a model directory and its final epoch directory load the same weights, and each command says which', async () => {
    const paths = [ck.model, ck.epoch2];
    const [gens, evals] = await Promise.all([
      Promise.all(paths.map((p) => hearth(['generate', '--checkpoint', p, '--prompt', 'n 1 :', '--max-tokens', '4', '--json']))),
      Promise.all(paths.map((p) => hearth(['eval', '--checkpoint', p, '--count', '1', '--json']))),
    ]);
    for (const r of [...gens, ...evals]) expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(gens[0].stdout).completions).toEqual(JSON.parse(gens[1].stdout).completions);
    for (const r of evals) expect(JSON.parse(r.stdout).checkpoint).toBe(ck.epoch2);
    expect(JSON.parse(evals[0].stdout).counts).toEqual(JSON.parse(evals[1].stdout).counts);
    const expected = [`checkpoint: ${ck.epoch2} (final epoch 2 of model directory ${ck.model})`, `checkpoint: ${ck.epoch2}`];
    gens.forEach((r, i) => expect(loadedLines(r.stderr)).toEqual([expected[i]]));
    evals.forEach((r, i) => expect(loadedLines(r.stderr)).toEqual([expected[i]]));

    for (const [i, p] of paths.entries()) {
      const srv = await spawnServe(['--checkpoint', p, '--quiet']);
      try {
        expect(loadedLines(srv.stderr())).toEqual([expected[i]]);
        const r = await fetch(`${srv.url}/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: 'n 1 :', max_tokens: 4, temperature: 0 }) });
        expect(r.status).toBe(200);
        expect((await r.json()).choices[0].text).toBe(JSON.parse(gens[0].stdout).completions[0]);
      } finally {
        srv.proc.kill('SIGTERM');
        await srv.exited;
      }
    }
  }, 180_000);

  it('a directory with no checkpoint is the same one-line error (exit 2) for all three', async () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    const runs = await Promise.all([
      hearth(['generate', '--checkpoint', empty, '--prompt', 'x']),
      hearth(['eval', '--checkpoint', empty, '--count', '1']),
      hearth(['serve', '--checkpoint', empty, '--port', '0'], 30_000),
    ]);
    for (const r of runs) {
      expect(r.code).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`${empty} holds no model checkpoint`);
    }
  }, 60_000);
});
