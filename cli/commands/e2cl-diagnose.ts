/**
 * `hearth e2cl diagnose RUN_DIR [--json]`: why the models of a finished E2CL run fail
 * (suites/diagnose): failures by code and cause and how many are readable from the prompt,
 * the model's feedback gate per proposal beside a prompt-only rule baseline, repeated
 * corrections, familiar vs novel objects. Writes `diagnosis.md` and `diagnosis.svg` into the
 * run directory; prints the Markdown (or one JSON object with `--json`).
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HearthError } from '../../env/errors.ts';
import { writeFileAtomic } from '../../env/files.ts';
import { Progress } from '../../exploration/progress.ts';
import { diagnoseRunDir, diagnosisChart, diagnosisJson, reportSections } from '../../suites/diagnose/index.ts';
import { boolFlag, parseArgs } from '../args.ts';

export const DIAGNOSE_USAGE = 'hearth e2cl diagnose RUN_DIR [--json] [--quiet]';

export async function runDiagnose(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { json: { type: 'boolean' }, quiet: { type: 'boolean' } }, DIAGNOSE_USAGE);
  if (args.positionals.length !== 1) {
    throw new HearthError('cli.usage', args.positionals.length ? `expected one run directory, got ${args.positionals.length} arguments` : 'missing the run directory', `usage: ${DIAGNOSE_USAGE}`);
  }
  const dir = resolve(args.positionals[0]);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new HearthError('cli.input', `run directory ${dir} does not exist`, 'pass a directory written by `hearth e2cl` (e.g. runs/<timestamp>)');
  }
  let progress: Progress | undefined;
  const r = diagnoseRunDir(dir, {
    onProgress: (_done, total) => {
      progress ??= new Progress('diagnose: replaying episodes', total, boolFlag(args, 'quiet'));
      progress.tick(1);
    },
  });
  const md = `# Diagnosis of ${dir}\n\n${reportSections(r).map((s) => `## ${s.title}\n\n${s.markdown}`).join('\n\n')}`;
  writeFileAtomic(join(dir, 'diagnosis.md'), md);
  writeFileAtomic(join(dir, 'diagnosis.svg'), `${diagnosisChart(r.diagnosis)}\n`);
  if (boolFlag(args, 'json')) {
    const nan = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);
    process.stdout.write(`${JSON.stringify({ ...diagnosisJson(r.diagnosis), comparisons: r.comparisons, gatePerProposal: r.gate ?? null, distinctTasks: r.distinctTasks }, nan)}\n`);
  }
  else process.stdout.write(`${md}\nwritten: ${join(dir, 'diagnosis.md')}, ${join(dir, 'diagnosis.svg')}\n`);
  return 0;
}
