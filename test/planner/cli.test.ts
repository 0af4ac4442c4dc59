/**
 * `hearth plan` and `hearth run`, end to end through the CLI's dispatcher (in process, with
 * console output captured).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { readEpisodeLog } from '../../env/episode-log.ts';
import { getTaskSet } from '../../env/tasks/index.ts';
import { main } from '../../cli/main.ts';

const dir = mkdtempSync(join(tmpdir(), 'hearth-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function hearth(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { out.push(a.join(' ')); });
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { err.push(a.join(' ')); });
  try {
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

const firstId = getTaskSet('generated').list({ seed: 3, count: 1 })[0].id;

describe('hearth plan', () => {
  it('--task prints the plan with NL actions and says it executes and satisfies the goal', async () => {
    const r = await hearth('plan', '--task', firstId);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Task ${firstId}`);
    expect(r.out).toMatch(/\[WALK\] <\w+> \(\d+\)\s+Walk to /);
    expect(r.out).toContain('executes: yes; satisfies the goal: yes');
  });

  it('--set --json prints one JSON line per task with the documented fields', async () => {
    const r = await hearth('plan', '--set', 'generated', '--seed', '3', '--count', '5', '--json');
    expect(r.code).toBe(0);
    const rows = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(['id', 'solved', 'executes', 'satisfies', 'ms', 'steps', 'reason']);
      expect(typeof row.ms).toBe('number');
    }
    expect(rows[0].id).toBe(firstId);
    expect(r.err).toMatch(/generated: solved \d+\/5/);
  });

  it('--prefix plans from the state after executed lines', async () => {
    const task = getTaskSet('generated').list({ seed: 3, count: 1 })[0];
    const seat = task.scene.nodes.find((n) => n.properties.includes('SITTABLE'))!;
    const file = join(dir, 'prefix.txt');
    writeFileSync(file, `[WALK] <${seat.class_name}> (${seat.id})\n[SIT] <${seat.class_name}> (${seat.id})\n`);
    const r = await hearth('plan', '--task', firstId, '--prefix', file);
    expect(r.out).toContain('From the state after 2 prefix lines');
    expect(r.out).toContain('executes: yes; satisfies the goal: yes');
  });

  it('rejects bad usage with one line and exit code 2', async () => {
    expect((await hearth('plan')).code).toBe(2);
    const r = await hearth('plan', '--task', 'nosuchset/1');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: /);
    expect((await hearth('plan', '--set', 'generated', '--split', 'bogus')).err).toMatch(/--split must be/);
  });
});

describe('hearth run', () => {
  it('the planner agent solves the task in a script episode and the log validates', async () => {
    // An NL episode is not always solvable (E2CL's grounding keeps a name on its first
    // instance); the script format names ids, so the teacher must always get there.
    const log = join(dir, 'planner.jsonl');
    const task = getTaskSet('generated').list({ seed: 3, count: 3 })[2];
    const r = await hearth('run', '--task', task.id, '--agent', 'planner', '--format', 'script', '--log', log);
    expect(r.code).toBe(0);
    const parsed = readEpisodeLog(log);
    expect(parsed.error).toBeUndefined();
    expect(parsed.header.task?.id).toBe(task.id);
    expect(parsed.steps.at(-1)!.action).toBe('END');
    expect(parsed.steps.slice(0, -1).every((s) => s.ok)).toBe(true);
    expect(parsed.end?.success).toBe(true);
    expect(r.out).toContain('Success');
  });

  it('the planner agent speaks NL actions in an NL episode (or says why it is stuck)', async () => {
    const log = join(dir, 'planner-nl.jsonl');
    const r = await hearth('run', '--task', firstId, '--agent', 'planner', '--log', log, '--quiet');
    const parsed = readEpisodeLog(log);
    expect(parsed.steps.at(-1)!.action).toBe('END');
    for (const s of parsed.steps.slice(0, -1)) {
      expect(s.action).toMatch(/^[A-Z][a-z]/); // `Walk to kitchen`, not a script line
      expect(s.ok).toBe(true); // the teacher never proposes a step the simulator refuses
    }
    if (!parsed.end?.success) expect(r.out).toMatch(/planner: .+/);
  });

  it('the random agent is seeded: same seed, same actions', async () => {
    const a = join(dir, 'r1.jsonl'), b = join(dir, 'r2.jsonl');
    await hearth('run', '--task', firstId, '--agent', 'random', '--seed', '4', '--log', a, '--max-steps', '8', '--quiet');
    await hearth('run', '--task', firstId, '--agent', 'random', '--seed', '4', '--log', b, '--max-steps', '8', '--quiet');
    const sa = readEpisodeLog(a).steps.map((s) => s.action);
    expect(sa).toHaveLength(8);
    expect(readEpisodeLog(b).steps.map((s) => s.action)).toEqual(sa);
  });

  it('a script agent replays a file of script lines', async () => {
    const task = getTaskSet('generated').list({ seed: 3, count: 1 })[0];
    const planOut = await hearth('plan', '--task', task.id, '--json');
    const program = (JSON.parse(planOut.out) as { plan: string[] }).plan;
    const file = join(dir, 'program.txt');
    writeFileSync(file, program.join('\n') + '\n');
    const log = join(dir, 'script.jsonl');
    const r = await hearth('run', '--task', task.id, '--agent', `script:${file}`, '--log', log, '--quiet');
    expect(r.out).toContain('Success');
    expect(readEpisodeLog(log).end?.success).toBe(true);
  });

  it('names a missing script file and an unknown agent', async () => {
    expect((await hearth('run', '--task', firstId, '--agent', 'script:/nonexistent/x.txt')).err).toMatch(/cannot read the agent script/);
    expect((await hearth('run', '--task', firstId, '--agent', 'oracle')).err).toMatch(/unknown agent "oracle"/);
  });
});
