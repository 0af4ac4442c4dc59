/**
 * Issue 22, one test per defect the CLI fuzz found: every one failed on the code before the
 * fix (a stack trace, a late error, a silently accepted input, or no output for minutes).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseIntStrict } from '../../cli/args.ts';
import { main, reportFailure } from '../../cli/main.ts';
import { checkOutputDir } from '../../cli/output-paths.ts';
import { readCheckpoint } from '../../agent/checkpoint.ts';
import { readPairsJsonl } from '../../alignment/lm-data.ts';
import { serveModel } from '../../agent/backends/serve.ts';
import { decodeUtf8, readText } from '../../env/text.ts';
import { BatchedDecoder } from '../../exploration/batching.ts';
import { DEFAULT_POLICY } from '../../exploration/policy.ts';
import { runRollout } from '../../exploration/rollout.ts';
import { ScriptedModel, toyFactory, toyTask } from '../e2cl/doubles.ts';
import { ACTION_CORPUS, CharNgramModel } from '../backends/char-ngram-model.ts';
import { REPO_ROOT } from '../support/vh-data.ts';
import { HEARTH, inTmpfs, TMPFS } from '../support/tmpfs.ts';
import { type CliOut, runCliCaptured } from '../support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'hearth-issue22-'));
const file = (name: string, content: string | Uint8Array): string => { const p = join(dir, name); writeFileSync(p, content); return p; };
const BOM = '\uFEFF';
const A_FILE = file('a-file', 'x\n');

type Out = CliOut;
const run = runCliCaptured;

function oneLineError(r: Out, pattern: RegExp): void {
  expect(r.err).toMatch(pattern);
  expect(r.code).toBe(2);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(/^error: /);
  expect(r.err).not.toMatch(/\n\s+at |node:internal/);
}

/** A directory that looks like a checkpoint to path checks (the model is never loaded in these tests). */
function fakeCheckpoint(name: string, settings?: unknown): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'manifest.json'), '{}');
  if (settings !== undefined) writeFileSync(join(d, 'e2cl.json'), JSON.stringify(settings));
  return d;
}

afterEach(() => { delete process.env.HEARTH_DEBUG; });

describe('(1) one error boundary', () => {
  it('an unexpected error is one line naming it and a crash file with the full trace, exit 1', () => {
    const errs: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((m: unknown) => { errs.push(String(m)); });
    try {
      const code = reportFailure(new TypeError('boom'), 'e2cl');
      expect(code).toBe(1);
      expect(errs).toHaveLength(1);
      expect(errs[0]).toMatch(/^error: internal error in `hearth e2cl`: TypeError: boom \(at test\/cli\/issue22\.test\.ts:\d+\); full trace in (\S+hearth-crash-\S+\.log)/);
      const crash = /full trace in (\S+\.log)/.exec(errs[0])![1];
      expect(readFileSync(crash, 'utf8')).toMatch(/TypeError: boom\n\s+at /);
      rmSync(crash);
    } finally { spy.mockRestore(); }
  });

  it('HEARTH_DEBUG=1 prints the trace instead', () => {
    process.env.HEARTH_DEBUG = '1';
    const errs: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((m: unknown) => { errs.push(String(m)); });
    try {
      expect(reportFailure(new Error('deep'), 'eval')).toBe(1);
      expect(errs.join('\n')).toMatch(/full trace follows\nError: deep\n\s+at /);
    } finally { spy.mockRestore(); }
  });

  it('a file-system error on a path is a user error: one line, exit 2', () => {
    const errs: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((m: unknown) => { errs.push(String(m)); });
    try {
      const e = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', path: '/x/y', syscall: 'write' });
      expect(reportFailure(e, 'train-lm')).toBe(2);
      expect(errs).toEqual(['error: cannot write /x/y: disk full (free disk space or choose another disk)']);
    } finally { spy.mockRestore(); }
  });

  it('an error in an RxJS subscriber (an episode-log sink) rejects the rollout instead of escaping as unhandled', async () => {
    const tasks = [toyTask('g/0', ['Walk to kitchen'])];
    const dec = new BatchedDecoder(new ScriptedModel({ experts: new Map(tasks.map((t) => [t.title, t.expertNL!])) }));
    const r = runRollout(tasks, dec, { factory: toyFactory, policy: DEFAULT_POLICY, speculative: false }, () => { throw new Error('log sink failed'); });
    await expect(r.promise).rejects.toThrow('log sink failed');
    dec.close();
  });

  it('an error after the wasm backend loaded is one line, never the emscripten module source (real process)', async () => {
    const script = file('late-error.mjs', [
      `const { installProcessBoundary } = await import(${JSON.stringify(join(REPO_ROOT, 'cli/main.ts'))});`,
      'installProcessBoundary();',
      `const { initBackend } = await import(${JSON.stringify(join(REPO_ROOT, 'agent/tfjs.ts'))});`,
      "await initBackend('wasm');",
      "setTimeout(() => { throw new RangeError('late failure'); }, 10);",
      "Promise.reject(new Error('never awaited'));",
    ].join('\n'));
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(r.stderr).not.toMatch(/var Module|WasmBackendModule|\n\s+at /);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: internal error in `hearth`: Error: never awaited/);
    expect(r.code).toBe(1);
    const crash = /full trace in (\S+\.log)/.exec(r.stderr)?.[1];
    if (crash) rmSync(crash, { force: true });
  });
});

describe('(2) one-line errors instead of stack traces', () => {
  it('train-lm --data given a directory', async () => {
    oneLineError(await run(['train-lm', '--data', dir, '--checkpoint', join(dir, 'ck-a')]), /data file .* is a directory/);
  });

  it('train-lm with an odd rotary head width is a usage error, not an internal one (found by exploring)', async () => {
    oneLineError(await run(['train-lm', '--data', dir, '--d', '6', '--heads', '2']), /--d \/ --heads \(3\) must be even with rotary positions/);
  });

  it('train-lm --checkpoint that is a file or cannot be written is refused before training', async () => {
    const data = file('pairs.jsonl', '{"input": "a", "output": "b"}\n');
    const r = await run(['train-lm', '--data', data, '--checkpoint', A_FILE, '--steps', '1']);
    oneLineError(r, /--checkpoint .*a-file is a file, not a directory/);
    oneLineError(await run(['train-lm', '--data', data, '--checkpoint', '/proc/hearth-no/ck', '--steps', '1']), /--checkpoint \/proc\/hearth-no\/ck is not writable/);
    oneLineError(await run(['train-lm', '--data', data, '--checkpoint', join(A_FILE, 'ck'), '--steps', '1']), /cannot be created: .*a-file is a file/);
  });

  it('a disk without room for the checkpoints is found before training', () => {
    expect(() => checkOutputDir(join(dir, 'ck-room'), '--checkpoint', { needBytes: 50 * 2 ** 20, free: () => 2 ** 20 }))
      .toThrow(/--checkpoint .*ck-room: the disk has 1 MiB free, and this run needs about 50 MiB/);
    expect(() => checkOutputDir(join(dir, 'ck-room'), '--checkpoint', { needBytes: 1, free: () => 2 ** 30 })).not.toThrow();
  });

  it.skipIf(!TMPFS.ok)('train-lm on a full disk (a 256 KiB tmpfs) stops before the first step, exit 2, one line', () => {
    const data = file('pairs-disk.jsonl', Array.from({ length: 20 }, (_, i) => JSON.stringify({ input: `q${i} `, output: `a${i}` })).join('\n'));
    const run = inTmpfs(256, [[process.execPath, HEARTH, 'train-lm', '--data', data, '--checkpoint', '$MOUNT/ck', '--steps', '30', '--save-every', '10']]);
    const [r] = run.results;
    expect(r.stderr).not.toMatch(/step \d+\//);
    expect(r.stderr).toMatch(/--checkpoint .*\/ck: the disk has 0\.\d+ MiB free, and this run needs about \d+ MiB/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.status).toBe(2);
  });

  it('eval --checkpoint given a file', async () => {
    oneLineError(await run(['eval', '--checkpoint', A_FILE]), /a-file(?: is a file, not a directory|: a part of the path is not a directory)/);
  });

  it('e2cl --out that is a file or cannot be written', async () => {
    oneLineError(await run(['e2cl', '--tiny', '--out', A_FILE]), /--out .*a-file is a file, not a directory/);
    oneLineError(await run(['e2cl', '--tiny', '--out', '/proc/hearth-no/run']), /--out \/proc\/hearth-no\/run is not writable/);
  });

  it('tasks list --count 10000000 prints as it generates (real process, first lines within seconds)', async () => {
    const lines = await new Promise<string[]>((resolve, reject) => {
      const child = spawn(process.execPath, ['--max-old-space-size=96', join(REPO_ROOT, 'bin/hearth.mjs'), 'tasks', 'list', '--set', 'generated', '--count', '10000000'],
        { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no 50 lines within 30 s; got ${JSON.stringify(text.slice(0, 200))}`)); }, 30_000);
      child.stdout.on('data', (d: Buffer) => {
        text += d.toString();
        const got = text.split('\n');
        if (got.length > 50) { clearTimeout(timer); child.kill('SIGKILL'); resolve(got.slice(0, 50)); }
      });
    });
    expect(lines[0]).toMatch(/^generated\/s0\/0000\ttrain\t/);
    expect(lines[49]).toMatch(/^generated\/s0\/0049\t/);
  });
});

describe('(3) configs and output paths are checked before any work', () => {
  it('a bad maxSteps in --recipe names the flag and the field', async () => {
    oneLineError(await run(['e2cl', '--tiny', '--recipe', '{"maxSteps": 0}', '--out', join(dir, 'never')]), /--recipe: "maxSteps" must be a positive integer ≤ 10000, got 0/);
    oneLineError(await run(['e2cl', '--recipe', '{"teacherFree": {"samples": -2}}']), /--recipe: "teacherFree\.samples" must be a positive integer ≤ 1000, got -2/);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('e2cl --backend is checked before the exploration that precedes the first training', async () => {
    oneLineError(await run(['e2cl', '--tiny', '--backend', 'foo', '--out', join(dir, 'never-backend')]), /--backend must be one of tensorflow, wasm, cpu, got "foo"/);
    expect(existsSync(join(dir, 'never-backend'))).toBe(false);
  });

  it('--model is checked against its schema (vocab 5 used to crash after training started)', async () => {
    oneLineError(await run(['e2cl', '--tiny', '--model', '{"vocab": 5}']), /--model: "vocab" must be an integer in \[259, 1048576\], got 5/);
  });

  it("a bad maxSteps in a checkpoint's e2cl.json names the file and the field", async () => {
    const ck = fakeCheckpoint('ck-settings', { prompt: {}, actionTokens: 8, feedbackTokens: 3, maxSteps: -1 });
    oneLineError(await run(['eval', '--checkpoint', ck, '--count', '1']), /ck-settings\/e2cl\.json: "maxSteps" must be a positive integer ≤ 10000, got -1/);
  });

  it('eval --log that is a file is refused before the model loads', async () => {
    const ck = fakeCheckpoint('ck-log');
    oneLineError(await run(['eval', '--checkpoint', ck, '--log', A_FILE]), /--log .*a-file is a file, not a directory/);
  });

  it('view --export into a directory, run/demo --log into a directory', async () => {
    const log = file('ep.jsonl', '{}\n');
    oneLineError(await run(['view', '--export', dir, log]), /--export .* is a directory, not a file/);
    oneLineError(await run(['demo', '--log', dir]), /--log .* is a directory, not a file/);
  });
});

describe('(4) strict inputs', () => {
  it('integers: decimal digits within the safe range only', async () => {
    for (const bad of ['1e20', '0x10', '', ' 7', '1.0', '9007199254740992', '-9007199254740992', '+3']) {
      expect(() => parseIntStrict(bad, '--seed')).toThrow(/--seed must be an integer/);
    }
    expect(parseIntStrict('9007199254740991', '--seed')).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseIntStrict('-12', '--seed')).toBe(-12);
    oneLineError(await run(['tasks', 'list', '--set', 'generated', '--seed', '9007199254740993']), /beyond 2\^53-1/);
    oneLineError(await run(['tasks', 'list', '--set', 'generated', '--count', '']), /--count must be an integer ≥ 0, got ""/);
    oneLineError(await run(['e2cl', '--seed', '0x10']), /--seed must be an integer, got "0x10"/);
  });

  it('a BOM is stripped from every text input; invalid UTF-8 names the file, line and byte offset', async () => {
    expect(readText(file('bom.txt', `${BOM}hello`))).toBe('hello');
    expect(readPairsJsonl(file('bom.jsonl', `${BOM}{"input": "a", "output": "b"}\n`))).toEqual([{ input: 'a', output: 'b' }]);
    const graph = { nodes: [{ id: 1, class_name: 'kitchen', category: 'Rooms', properties: [], states: [] },
      { id: 2, class_name: 'character', category: 'Characters', properties: [], states: [] }],
    edges: [{ from_id: 2, relation_type: 'INSIDE', to_id: 1 }] };
    const r = await run(['exec', '--graph', file('bom-graph.json', `${BOM}${JSON.stringify(graph)}`), '--script', file('bom.txt2', `${BOM}[Walk] <kitchen> (1)\n`), '--json']);
    expect(r.code).toBe(0);
    const bad = Buffer.concat([Buffer.from('{"a": 1}\n{"b": "x'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]);
    expect(() => decodeUtf8(bad, 'f.jsonl')).toThrow('f.jsonl: invalid UTF-8 at line 2, byte offset 17 (byte 0xc3)');
    oneLineError(await run(['train-lm', '--data', file('bad-utf8.jsonl', bad), '--checkpoint', join(dir, 'ck-utf8')]), /bad-utf8\.jsonl: invalid UTF-8 at line 2, byte offset 17/);
  });

  it('an HTTP body with a BOM is accepted; invalid UTF-8 is a 400 naming the offset', async () => {
    const srv = await serveModel(new CharNgramModel(ACTION_CORPUS), { modelId: 'm', port: 0 });
    try {
      const body = JSON.stringify({ model: 'm', prompt: 'Task: turn on the tv', max_tokens: 2 });
      const ok = await fetch(`${srv.url}/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `${BOM}${body}` });
      expect(ok.status).toBe(200);
      const bad = await fetch(`${srv.url}/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat([Buffer.from('{"prompt": "'), Buffer.from([0xff]), Buffer.from('"}')]) });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(await bad.json())).toMatch(/invalid UTF-8 at line 1, byte offset 12/);
    } finally { await srv.close(); }
  });

  it('a checkpoint of NaN weights is refused when loaded', () => {
    const ck = join(dir, 'nan-ck');
    mkdirSync(ck, { recursive: true });
    writeFileSync(join(ck, 'manifest.json'), JSON.stringify({
      format: 'hearth-lm/1', config: { vocabSize: 259, ctx: 8, layers: 1, d: 4, heads: 2, mlpRatio: 4, positions: 'rope', dropout: 0 },
      tokenizer: { type: 'byte-bpe' }, groups: { weights: { file: 'weights.bin', tensors: [{ name: 'w', shape: [2], offset: 0 }] } },
    }));
    writeFileSync(join(ck, 'weights.bin'), new Uint8Array(new Float32Array([0.5, 0.25]).buffer));
    expect(readCheckpoint(ck).groups.weights.get('w')!.data).toEqual(new Float32Array([0.5, 0.25]));
    writeFileSync(join(ck, 'weights.bin'), new Uint8Array(new Float32Array([0.5, Number.NaN]).buffer));
    expect(() => readCheckpoint(ck)).toThrow(/weights\.bin holds a non-finite value \(NaN\) at float 1/);
  });

  it('conflicting and repeated flags are rejected', async () => {
    oneLineError(await run(['e2cl', '--tiny', '--full']), /choose one of --full and --tiny/);
    oneLineError(await run(['e2cl', '--seed', '1', '--seed', '2']), /--seed is given twice/);
    oneLineError(await run(['e2cl', '--llm-url', 'http://x']), /--llm-url goes only with --corrector llm/);
    oneLineError(await run(['tasks', 'show', 'generated/s1/0001', '--count', '3']), /--count goes only with tasks list or tasks generate/);
    oneLineError(await run(['plan', '--set', 'generated', '--prefix', A_FILE]), /--prefix goes only with --task/);
    oneLineError(await run(['view', '--export', join(dir, 'x.html'), '--port', '9', A_FILE]), /--port goes only with the viewer server/);
    oneLineError(await run(['e2cl', '--out', '--quiet']), /--out needs a value, got the option --quiet/);
  });

  it('no command at all: the list of commands, and exit 2 with its one error line', async () => {
    const r = await run([]);
    expect(r.out).toMatch(/^usage: hearth <command>/);
    oneLineError(r, /^error: no command given/);
  });

  it('an empty exec --batch file is an error like an empty script', async () => {
    oneLineError(await run(['exec', '--batch', file('empty.jsonl', '\n\n'), '--graphs', dir]), /empty\.jsonl has no records/);
  });

  it('conformance rejects a stray positional', async () => {
    oneLineError(await run(['conformance', 'golden']), /unexpected argument "golden"/);
  });
});
