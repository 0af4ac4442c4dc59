/**
 * A tiny model directory as `hearth e2cl` lays one out (`<model>/epoch-1`, `<model>/epoch-2`,
 * `<model>/final.json`), each epoch written by the real `hearth train-lm` (1 and 2 steps of a
 * one-layer, d 32, ctx 64 model: seconds).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

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
