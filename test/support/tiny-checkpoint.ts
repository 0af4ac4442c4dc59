/**
 * A tiny model directory as `hearth e2cl` lays one out (`<model>/epoch-1`, `<model>/epoch-2`,
 * `<model>/final.json`), each epoch written by the real `hearth train-lm` (1 and 2 steps of a
 * one-layer, d 32, ctx 64 model: seconds).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';

export const HEARTH = resolve(import.meta.dirname, '../../bin/hearth.mjs');

export interface Run { code: number | null; stdout: string; stderr: string; ms: number }

/** Run `hearth ...` as a process; resolves when it exits (or is killed after `timeoutMs`). */
export function hearth(args: string[], timeoutMs = 120_000): Promise<Run> {
  const t0 = Date.now();
  const proc = spawn(process.execPath, [HEARTH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
  proc.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  return new Promise((ok) => proc.on('close', (code) => { clearTimeout(timer); ok({ code, stdout, stderr, ms: Date.now() - t0 }); }));
}

/** `<root>/checkpoints/bc` with epochs 1 (step 1) and 2 (step 2) and final.json naming epoch 2. */
export async function makeModelDir(root: string): Promise<{ model: string; epoch1: string; epoch2: string }> {
  const data = join(root, 'd.jsonl');
  mkdirSync(root, { recursive: true });
  writeFileSync(data, Array.from({ length: 12 }, (_, i) => JSON.stringify({ input: `n ${i} :`, output: ` ${i % 3}` })).join('\n'));
  const model = join(root, 'checkpoints', 'bc');
  const size = ['--layers', '1', '--d', '32', '--heads', '2', '--ctx', '64', '--vocab', '270'];
  const runs = await Promise.all([1, 2].map((e) => hearth(['train-lm', '--data', data, '--checkpoint', join(model, `epoch-${e}`), '--steps', String(e), ...size])));
  for (const r of runs) if (r.code !== 0) throw new Error(`train-lm failed: ${r.stderr}`);
  writeFileSync(join(model, 'final.json'), JSON.stringify({ epoch: 2 }));
  return { model, epoch1: join(model, 'epoch-1'), epoch2: join(model, 'epoch-2') };
}

export interface Served { url: string; root: string; proc: ChildProcess; stderr: () => string; exited: Promise<number | null> }

/** Spawn `hearth serve ...`; resolves with its API root once it prints the bound address. */
export function spawnServe(args: string[], timeoutMs = 60_000): Promise<Served> {
  const proc = spawn(process.execPath, [HEARTH, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  const exited = new Promise<number | null>((ok) => proc.on('exit', (code) => ok(code)));
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); fail(new Error(`hearth serve did not listen within ${timeoutMs} ms: ${err}`)); }, timeoutMs);
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)\/v1/.exec(out);
      if (m) { clearTimeout(timer); ok({ url: `${m[1]}/v1`, root: m[1], proc, stderr: () => err, exited }); }
    });
    void exited.then((code) => { clearTimeout(timer); fail(new Error(`hearth serve exited with ${code} before listening: ${err}`)); });
  });
}

/**
 * A tiny `hearth train-lm` checkpoint at `path` that emits NL-looking actions (40 steps of a
 * one-layer d 32 model on "stepN: <action>" pairs: seconds). Its data file goes beside it.
 */
export async function trainTinyActionModel(path: string): Promise<string> {
  const acts = ['Walk to kitchen', 'Walk to bedroom', 'Grab cup', 'Switch on tv', 'Open fridge', 'Walk to living room'];
  const data = `${path}.data.jsonl`;
  writeFileSync(data, Array.from({ length: 24 }, (_, i) => JSON.stringify({ input: `step${(i % 5) + 1}: `, output: ` ${acts[i % acts.length]}` })).join('\n'));
  const r = await hearth(['train-lm', '--data', data, '--checkpoint', path, '--steps', '40', '--layers', '1', '--d', '32', '--heads', '2', '--ctx', '64', '--vocab', '270', '--lr', '0.01']);
  if (r.code !== 0) throw new Error(`train-lm failed: ${r.stderr}`);
  return path;
}

/** Each `hearth ARGS` exits 2 with exactly one stderr line matching its pattern (user errors: no stack traces). */
export async function expectOneLineErrors(cases: Array<[string[], RegExp]>): Promise<void> {
  for (const [args, want] of cases) {
    const r = await hearth(args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
    expect(r.stderr).toMatch(want);
  }
}
