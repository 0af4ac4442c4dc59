import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';

async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [], err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { out.push(a.join(' ')); });
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { err.push(a.join(' ')); });
  // `tasks list` streams its lines to stdout directly (waiting for a slow reader), not through console.log.
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(...String(chunk).split('\n').filter((l) => l !== ''));
    return true;
  });
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, out, err };
}

afterEach(() => { vi.restoreAllMocks(); });

describe('hearth tasks', () => {
  it('list --json prints one JSON line per task with id, title and split', async () => {
    const r = await run('tasks', 'list', '--set', 'generated', '--seed', '77', '--count', '5', '--split', 'seen', '--json');
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(5);
    const rows = r.out.map((l) => JSON.parse(l) as { id: string; title: string; split: string });
    expect(rows.map((x) => x.id)).toEqual([0, 1, 2, 3, 4].map((i) => `generated/s77/seen/000${i}`));
    for (const row of rows) { expect(row.split).toBe('seen'); expect(row.title.length).toBeGreaterThan(3); }
  });

  it('show prints a task from its id alone', async () => {
    const r = await run('tasks', 'show', 'generated/s77/0003');
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe('generated/s77/0003  [train]');
    expect(r.out.join('\n')).toMatch(/goal:\n {2}\S+/);
    const j = await run('tasks', 'show', 'generated/s77/0003', '--json');
    expect(JSON.parse(j.out[0]).id).toBe('generated/s77/0003');
  });

  it('generate --out writes one JSON file per task and checks them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-tasks-'));
    const r = await run('tasks', 'generate', '--set', 'generated', '--seed', '5', '--count', '12', '--out', dir);
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toMatch(/12 tasks \(generated, seed 5\): 12 valid, 0 invalid/);
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(12);
    expect(files[0]).toBe('generated__s5__0000.json');
    const task = JSON.parse(readFileSync(join(dir, files[0]), 'utf8'));
    expect(task.id).toBe('generated/s5/0000');
    expect(task.scene.nodes.length).toBeGreaterThan(30);
  });

  it('bad input is one line and exit code 2', async () => {
    for (const argv of [['tasks', 'list', '--set', 'generated', '--split', 'test'], ['tasks', 'list', '--set', 'nope'],
      ['tasks', 'show', 'generated/s1/zz'], ['tasks', 'frobnicate'], ['tasks', 'list']]) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(/^error: /);
    }
  });
});
