/**
 * Issue 22's fuzz as a property: every command, driven with generated bad flags and bad files
 * (malformed integers, bad enums, bad JSON configs, output paths that are files or unwritable,
 * input paths that are directories, missing or not UTF-8, conflicting, repeated, unknown and
 * value-less flags, stray arguments), answers with exit 2 and exactly one `error:` line on
 * stderr: never a stack trace, never library source, nothing on stdout, and no work started.
 *
 * Most cases call the CLI's `main` in-process (fast); a few run the real `hearth` process, which
 * also goes through bin/hearth.mjs and the process-level boundary. Seeded: HEARTH_FUZZ_SEED and
 * HEARTH_FUZZ_RUNS (default 150 in-process cases) vary it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { decodeUtf8, firstInvalidUtf8 } from '../../env/text.ts';
import { REPO_ROOT } from '../support/vh-data.ts';
import { type CliOut, runCliCaptured } from '../support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'hearth-fuzz-'));
const file = (name: string, content: string | Uint8Array): string => { const p = join(dir, name); writeFileSync(p, content); return p; };
const A_FILE = file('a-file.txt', 'not what you want\n');
const GOOD_DATA = file('pairs.jsonl', '{"input": "a", "output": "b"}\n');
const FAKE_CK = join(dir, 'ck');
mkdirSync(FAKE_CK);
writeFileSync(join(FAKE_CK, 'manifest.json'), '{}');
const SEED = Number(process.env.HEARTH_FUZZ_SEED ?? 22);
const RUNS = Number(process.env.HEARTH_FUZZ_RUNS ?? 150);

const BAD_INT = ['', '1e20', '0x10', '1.5', 'abc', '9007199254740993', ' 3', '+4', '١٢', 'NaN', 'Infinity', '--5'];
const BAD_NUM = ['', 'abc', '0x10', 'NaN', 'Infinity', '1e999', '-1e999', ' 1', '1,5'];
const BAD_ENUM = ['', 'x', 'V1', 'none ', '🙂', '--'];
const BAD_BACKEND = ['', 'foo', 'WASM', 'gpu'];
const BAD_JSON = ['{oops', '[]', 'null', '"x"', '{"vocab": 5}', '{"maxSteps": 0}', '{"layers": 1.5}', '\uFEFF{oops', '{"teacherFree": {"samples": "4"}}', '{"__proto__": {"x": 1}}', '{"d": 7, "heads": 2}'];
const BAD_DIR_OUT = [A_FILE, '/proc/hearth-fuzz/out', join(A_FILE, 'sub')];
const BAD_FILE_OUT = [dir, '/proc/hearth-fuzz/out.jsonl', join(A_FILE, 'sub.jsonl')];
const BAD_FILE_IN = [dir, join(dir, 'missing.json'), file('latin1.json', Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d])), file('empty.json', ''),
  file('binary.json', Buffer.from([0, 1, 2, 0xff, 0xfe])), file('bom-bad.json', '\uFEFF{"nodes": oops')];

type Pool = readonly string[];
interface CommandSpec { name: string; base: string[]; flags: Record<string, Pool>; booleans?: string[] }

/** Per command: valid context (`base`) and flags whose every pooled value is bad. */
const COMMANDS: CommandSpec[] = [
  { name: 'exec', base: [], flags: { graph: BAD_FILE_IN, script: BAD_FILE_IN, batch: BAD_FILE_IN, compat: BAD_ENUM, repeat: BAD_INT } },
  { name: 'tasks', base: ['list', '--set', 'generated'], flags: { seed: BAD_INT, count: BAD_INT, split: BAD_ENUM, out: BAD_DIR_OUT } },
  { name: 'tasks', base: ['generate', '--set', 'generated', '--count', '2'], flags: { seed: BAD_INT, split: BAD_ENUM, out: BAD_DIR_OUT } },
  { name: 'plan', base: ['--set', 'generated'], flags: { seed: BAD_INT, count: BAD_INT, split: BAD_ENUM, 'time-limit': BAD_INT, prefix: BAD_FILE_IN } },
  { name: 'run', base: ['--task', 'generated/s1/0001', '--agent', 'random'], flags: { seed: BAD_INT, 'max-steps': BAD_INT, compat: BAD_ENUM, format: BAD_ENUM, log: BAD_FILE_OUT } },
  { name: 'demo', base: [], flags: { seed: BAD_INT, compat: BAD_ENUM, log: BAD_FILE_OUT } },
  {
    name: 'train-lm', base: ['--data', GOOD_DATA],
    flags: {
      steps: BAD_INT, batch: BAD_INT, layers: BAD_INT, d: BAD_INT, heads: BAD_INT, ctx: BAD_INT, vocab: BAD_INT, warmup: BAD_INT, seed: BAD_INT,
      'save-every': BAD_INT, dropout: BAD_NUM, lr: BAD_NUM, positions: BAD_ENUM, checkpoint: BAD_DIR_OUT, data: BAD_FILE_IN,
    },
  },
  { name: 'generate', base: ['--prompt', 'hi', '--checkpoint', FAKE_CK], flags: { 'max-tokens': BAD_INT, temperature: BAD_NUM, 'top-p': BAD_NUM, seed: BAD_INT } },
  { name: 'eval', base: ['--checkpoint', FAKE_CK], flags: { backend: BAD_BACKEND, split: BAD_ENUM, seed: BAD_INT, count: BAD_INT, log: BAD_DIR_OUT, checkpoint: [A_FILE, join(dir, 'nope')] } },
  {
    name: 'e2cl', base: [], booleans: ['quick', 'full', 'tiny'],
    flags: {
      seed: BAD_INT, train: BAD_INT, eval: BAD_INT, 'eval-seen': BAD_INT, 'log-episodes': BAD_INT, workers: BAD_INT, epochs: BAD_INT, history: BAD_INT,
      detail: BAD_ENUM, corrector: BAD_ENUM, 'teacher-correction': BAD_ENUM, recipe: BAD_JSON, model: BAD_JSON, out: BAD_DIR_OUT, 'llm-url': ['http://127.0.0.1:9/v1'], 'max-hours': BAD_NUM, backend: BAD_BACKEND,
    },
  },
  { name: 'serve', base: [], flags: { port: BAD_INT, timeout: BAD_INT, retries: BAD_INT, 'prompts-per-request': BAD_INT, checkpoint: [A_FILE, join(dir, 'nope')] } },
  { name: 'view', base: [A_FILE], flags: { port: BAD_INT, export: BAD_FILE_OUT } },
  { name: 'bench', base: ['train'], flags: { layers: BAD_INT, d: BAD_INT, heads: BAD_INT, ctx: BAD_INT, batch: BAD_INT, vocab: BAD_INT, steps: BAD_INT } },
  { name: 'conformance', base: [], flags: { data: [A_FILE, join(dir, 'nope')] } },
];

/** Extra trouble added to some cases: an unknown flag, a stray argument, a value-less flag at the end. */
const EXTRAS: Array<(c: CommandSpec) => string[]> = [
  () => ['--bogus-flag', '1'],
  () => ['stray-argument'],
  (c) => [`--${Object.keys(c.flags)[0]}`],
];

const caseArb = fc.constantFrom(...COMMANDS).chain((c) => fc.record({
  command: fc.constant(c),
  pairs: fc.array(fc.constantFrom(...Object.keys(c.flags)).chain((f) => fc.constantFrom(...c.flags[f]).map((v) => [`--${f}`, v])), { minLength: 1, maxLength: 3 }),
  equals: fc.boolean(),
  booleans: fc.subarray(c.booleans ?? []),
  extra: fc.option(fc.constantFrom(...EXTRAS), { freq: 3 }),
}).map(({ command, pairs, equals, booleans, extra }) => {
  const flagArgs = pairs.flatMap(([f, v]) => (equals || v.startsWith('-') ? [`${f}=${v}`] : [f, v]));
  return [command.name, ...command.base, ...booleans.map((b) => `--${b}`), ...flagArgs, ...(extra ? extra(command) : [])];
}));

type Out = CliOut;
const inProcess = runCliCaptured;

function realProcess(argv: string[]): Promise<Out> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO_ROOT, 'bin/hearth.mjs'), ...argv], { cwd: dir, timeout: 60_000, maxBuffer: 1 << 22 },
      (e, stdout, stderr) => resolve({ code: e ? (typeof e.code === 'number' ? e.code : 99) : 0, err: stderr, out: stdout }));
  });
}

const TRACE = /\n\s+at |node:internal|\.(?:js|ts|mjs):\d+:\d+|var Module|WasmBackendModule|^\s*\^\s*$/m;

function check(argv: string[], r: Out): void {
  const shown = JSON.stringify(argv);
  expect(r.err, shown).not.toMatch(TRACE);
  expect(r.out, shown).toBe('');
  expect(r.err.endsWith('\n') ? r.err.slice(0, -1).split('\n') : [r.err], shown).toHaveLength(1);
  expect(r.err, shown).toMatch(/^error: \S/);
  expect(r.err.length, shown).toBeLessThan(2000);
  expect(r.code, `${shown}: ${r.err}`).toBe(2);
}

describe('hearth under generated bad input (property)', () => {
  it('every command answers bad flags and files with one error line and exit 2 (in-process main)', async () => {
    await fc.assert(fc.asyncProperty(caseArb, async (argv) => { check(argv, await inProcess(argv)); }), { numRuns: RUNS, seed: SEED });
  });

  it('text: a BOM is stripped alike from any text; invalid UTF-8 is found exactly where the strict decoder fails', () => {
    const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => {
      expect(decodeUtf8(Buffer.from(`\uFEFF${s}`), 'x')).toBe(s);
      expect(decodeUtf8(Buffer.from(s), 'x')).toBe(s.startsWith('\uFEFF') ? s.slice(1) : s);
    }), { numRuns: 200, seed: SEED });
    const bytes = fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x80, 0xbf, 0xc0, 0xc2, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0x0a)), { maxLength: 24 })
      .map((a) => Uint8Array.from(a));
    fc.assert(fc.property(bytes, (b) => {
      const at = firstInvalidUtf8(b);
      let valid = true;
      try { strict.decode(b); } catch { valid = false; }
      expect(at === -1).toBe(valid);
      if (at >= 0) {
        expect(() => strict.decode(b.subarray(0, at))).not.toThrow();
        const line = 1 + [...b.subarray(0, at)].filter((x) => x === 0x0a).length;
        expect(() => decodeUtf8(b, 'f')).toThrow(`f: invalid UTF-8 at line ${line}, byte offset ${at}`);
      }
    }), { numRuns: 2000, seed: SEED });
  });

  it('the same through the real process (bin/hearth.mjs)', async () => {
    const cases = fc.sample(caseArb, { numRuns: 8, seed: SEED + 1 });
    for (const argv of cases) check(argv, await realProcess(argv));
  });
});
