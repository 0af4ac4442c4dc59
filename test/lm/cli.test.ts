import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { readCheckpoint } from '../../agent/checkpoint.ts';

const tmp = mkdtempSync(join(tmpdir(), 'hearth-lm-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('hearth train-lm / generate / bench', () => {
  it('trains from {input, output} and messages JSONL, then generates from the checkpoint', async () => {
    const data = join(tmp, 'd.jsonl');
    writeFileSync(data, [
      ...Array.from({ length: 12 }, (_, i) => JSON.stringify({ input: `n ${i} :`, output: ` ${i % 3}` })),
      JSON.stringify({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }] }),
    ].join('\n'));
    const ck = join(tmp, 'ck');
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(await main(['train-lm', '--data', data, '--checkpoint', ck, '--steps', '3', '--layers', '1', '--d', '16', '--heads', '2', '--ctx', '32', '--vocab', '270'])).toBe(0);
    const { manifest } = readCheckpoint(ck);
    expect(manifest.step).toBe(3);
    expect(manifest.backend).toBe('wasm');
    expect(manifest.dataHash).toMatch(/^[0-9a-f]{64}$/);
    expect(err.mock.calls.some((c) => String(c[0]).startsWith('backend: wasm'))).toBe(true);
    expect(await main(['generate', '--checkpoint', ck, '--prompt', 'n 1 :', '--prompt', 'hi', '--max-tokens', '3', '--json'])).toBe(0);
    const out = JSON.parse(String(log.mock.calls.at(-1)![0])) as { completions: string[] };
    expect(out.completions).toHaveLength(2);
    expect(await main(['bench', 'decode', '--layers', '1', '--d', '16', '--heads', '2', '--ctx', '16', '--batch', '2', '--vocab', '270', '--steps', '4', '--json'])).toBe(0);
    expect(JSON.parse(String(log.mock.calls.at(-1)![0])).tokensPerSecond).toBeGreaterThan(0);
    err.mockRestore();
    log.mockRestore();
  });

  it('bad input is a one-line error naming the file and line (exit 2)', async () => {
    const bad = join(tmp, 'bad.jsonl');
    writeFileSync(bad, '{"input": "a", "output": "b"}\n{"input": 3}\n');
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await main(['train-lm', '--data', bad, '--checkpoint', join(tmp, 'x')])).toBe(2);
    expect(String(err.mock.calls.at(-1)![0])).toContain(`${bad}:2`);
    expect(existsSync(join(tmp, 'x'))).toBe(false);
    expect(await main(['generate', '--checkpoint', join(tmp, 'missing'), '--prompt', 'x'])).toBe(2);
    err.mockRestore();
  });
});
