/**
 * `hearth e2cl --seeds N` (issue 13 item 8): the whole E2CL run once per seed (S, S+1, …,
 * S+N−1; S from --seed), each into `OUT/seed-<s>/` as an ordinary run directory (its own
 * report, resumable), then the claim judged per seed and pooled (suites/e2cl-report.ts
 * `seedClaim`): `OUT/seeds.md` and `OUT/seeds.json`.
 */
import { join, resolve } from 'node:path';
import { HearthError } from '../../env/errors.ts';
import { writeFileAtomic } from '../../env/files.ts';
import { taskById } from '../../env/tasks/index.ts';
import type { Task } from '../../env/task.ts';
import { loadRun, runTaskId } from '../../suites/diagnose/run-dir.ts';
import { sceneKey } from '../../exploration/task-source.ts';
import { comparisonTable, seedClaim, type SeedRun } from '../../suites/e2cl-report.ts';
import { parseIntStrict } from '../args.ts';

/** argv without the flags the per-seed runs set themselves. */
function without(argv: readonly string[], names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const name = a.startsWith('--') ? a.slice(2).split('=')[0] : '';
    if (names.includes(name)) { if (!a.includes('=')) i++; continue; }
    out.push(a);
  }
  return out;
}

/** The value of `--name` in argv (either form), or undefined. */
function valueOf(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${name}`) return argv[i + 1];
    if (argv[i].startsWith(`--${name}=`)) return argv[i].slice(name.length + 3);
  }
  return undefined;
}

export interface SeedsPlan { seeds: number[]; out: string; runArgv: (seed: number) => string[] }

/** Which runs `--seeds N` makes: checked before any work. */
export function planSeeds(argv: readonly string[], defaultSeed: number, defaultOut: string): SeedsPlan {
  const n = parseIntStrict(valueOf(argv, 'seeds') ?? '', '--seeds', 1, 20);
  const seedText = valueOf(argv, 'seed');
  const base = seedText === undefined ? defaultSeed : parseIntStrict(seedText, '--seed');
  const out = resolve(valueOf(argv, 'out') ?? defaultOut);
  const rest = without(argv, ['seeds', 'seed', 'out']);
  const seeds = Array.from({ length: n }, (_, k) => base + k);
  return { seeds, out, runArgv: (s) => [...rest, '--seed', String(s), '--out', join(out, `seed-${s}`)] };
}

export async function runSeeds(plan: SeedsPlan, runOne: (argv: string[]) => Promise<number>, resamples: number): Promise<number> {
  for (const s of plan.seeds) {
    process.stderr.write(`e2cl: seed ${s} (${plan.seeds.indexOf(s) + 1} of ${plan.seeds.length}) → ${join(plan.out, `seed-${s}`)}\n`);
    const code = await runOne(plan.runArgv(s));
    if (code !== 0) throw new HearthError('e2cl.seed', `the run of seed ${s} ended with exit code ${code}`, `rerun the same command to resume it (${join(plan.out, `seed-${s}`)})`);
  }
  const runs: SeedRun[] = plan.seeds.map((s) => {
    const run = loadRun(join(plan.out, `seed-${s}`));
    const cache = new Map<string, Task>();
    const data = run.tasks.dir ?? undefined;
    const cluster = (id: string): string => {
      let t = cache.get(id);
      if (!t) cache.set(id, (t = taskById(runTaskId(run, id), data ? { data } : {})));
      return sceneKey(t);
    };
    return { seed: s, evals: Object.fromEntries(run.evals.map((e) => [e.model, e.episodes])), cluster };
  });
  const claim = seedClaim(runs, { seed: plan.seeds[0], resamples });
  const md = [
    `# Hearth E2CL over ${plan.seeds.length} seeds (${plan.seeds.join(', ')})`, '',
    `Claim (issue 13): in every seed e2cl + speculative inference ahead of bc on the unseen split by ≥ 5 points of success and of step executability, and the paired test pooled over seeds (cluster bootstrap over (seed, scene)) p < 0.05: **${claim.pass ? 'HOLDS' : 'DOES NOT HOLD'}**.`, '',
    ...claim.checks.map((c) => `- ${c.pass ? 'PASS' : 'MISS'}: ${c.name} (${c.detail})`), '',
    ...claim.perSeed.flatMap((p) => [`## Seed ${p.seed}`, '', `Report: seed-${p.seed}/report.md`, '', comparisonTable(p.comparisons), '']),
    '## Pooled', '', comparisonTable(claim.pooled), '',
  ].join('\n');
  writeFileAtomic(join(plan.out, 'seeds.md'), md);
  const nan = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);
  writeFileAtomic(join(plan.out, 'seeds.json'), JSON.stringify({ seeds: plan.seeds, ...claim }, nan, 2));
  process.stdout.write(`\n${md}\nreport: ${join(plan.out, 'seeds.md')}\n`);
  return 0;
}
