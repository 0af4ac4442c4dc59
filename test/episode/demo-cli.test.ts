import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { readEpisodeLog } from '../../env/episode-log.ts';
import { DEMO_ACTIONS } from '../../env/scenes/demo-house.ts';

const dir = mkdtempSync(join(tmpdir(), 'hearth-demo-'));

function capture(): { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { out.push(a.join(' ')); });
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { err.push(a.join(' ')); });
  return { out, err };
}

afterEach(() => { vi.restoreAllMocks(); });

describe('hearth demo', () => {
  it('prints every step with goal progress and writes a valid episode log', async () => {
    const { out } = capture();
    const path = join(dir, 'sub', 'demo.jsonl');
    expect(await main(['demo', '--log', path, '--seed', '5'])).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('step  1  Walk to kitchen  → [WALK] <kitchen> (2)');
    expect(text).toContain("FAILED (unknown_object): oven isn't available in the environment.");
    expect(text).toContain('goal 5/5');
    expect(text).toMatch(/Success: goal 5\/5, 16 actions \(3 failed\), episode log: .*demo\.jsonl/);
    const log = readEpisodeLog(path);
    expect(log.error).toBeUndefined();
    expect(log.header.seed).toBe(5);
    expect(log.steps).toHaveLength(DEMO_ACTIONS.length);
    expect(log.end).toMatchObject({ success: true, terminated: true });
  });

  it('bad flags are one-line user errors with exit code 2', async () => {
    const { err } = capture();
    expect(await main(['demo', '--seed', 'abc'])).toBe(2);
    expect(await main(['demo', '--compat', 'v2'])).toBe(2);
    expect(await main(['demo', '--bogus'])).toBe(2);
    expect(await main(['demo', '--log', '/proc/no-such-dir/x.jsonl', '--quiet'])).toBe(2);
    expect(err).toHaveLength(4);
    for (const e of err) expect(e).toMatch(/^error: [^\n]+$/);
    expect(err[3]).toContain('/proc/no-such-dir/x.jsonl');
  });
});
