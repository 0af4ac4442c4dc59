/**
 * Fine-tuning several models at once, each in its own child process (one core each).
 *
 * The four E2CL models are fine-tuned from the same `bc-init` on their own mixes and do not
 * depend on each other, so on a machine with N cores up to N of them train side by side.
 * A child runs exactly `trainOnMix` with the same inputs as the in-process path (records
 * read back from the mix's JSONL, which holds them in mix order), so its checkpoint is the
 * same bytes (test/e2cl/train-workers.test.ts compares the hashes). Children report
 * progress ticks and their loss curve over IPC; a child that dies is an error naming the
 * model, and rerunning the command resumes it from its last finished epoch.
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { HearthError } from '../env/errors.ts';
import type { LocalProviderOptions } from './local-provider.ts';
import type { CurvePoint, LengthUnit, TrainConfig } from './training.ts';

/** What a child needs to rebuild the provider: the local model's options (plain JSON). */
export interface ProviderSpec { kind: 'local'; options: LocalProviderOptions }

/** One training run for a child: `TrainConfig` without the provider, records as a JSONL file. */
export interface TrainJob {
  name: string;
  /** JSONL of `{input, output}` records in training order (the mix as written). */
  recordsFile: string;
  init: TrainConfig['init'];
  epochs: number;
  batchSize: number;
  seed: number;
  dir: string;
  /** Optimizer steps of the whole run (for the shared progress bar). */
  steps: number;
  /** TrainConfig's `lengthGroups`, `lengthBy` and `scheduleSteps`, passed through. */
  lengthGroups?: number;
  lengthBy?: LengthUnit;
  scheduleSteps?: number;
}

export interface JobResult { name: string; curve: CurvePoint[]; seconds: number }

/** Messages a child sends (train-worker.ts). */
export type WorkerMessage =
  | { kind: 'tick'; n: number; extra: string }
  | { kind: 'done'; curve: CurvePoint[]; seconds: number }
  | { kind: 'error'; message: string };

const WORKER = fileURLToPath(new URL('./train-worker.ts', import.meta.url));
/** tsx's loader by absolute URL, so children start from any working directory. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Run one job in a fresh child process. */
function runInChild(job: TrainJob, spec: ProviderSpec, onTick: (n: number, extra: string) => void): Promise<JobResult> {
  return new Promise((resolve, reject) => {
    // The child loads TypeScript through the same tsx loader as this process.
    const child = fork(WORKER, [], { execArgv: ['--import', TSX], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: JobResult | null = null;
    let failure: string | null = null;
    child.on('message', (m: WorkerMessage) => {
      if (m.kind === 'tick') onTick(m.n, m.extra);
      else if (m.kind === 'done') result = { name: job.name, curve: m.curve, seconds: m.seconds };
      else failure = m.message;
    });
    child.on('error', (e) => { failure ??= e.message; });
    child.on('exit', (code, signal) => {
      if (result && code === 0) { resolve(result); return; }
      reject(new HearthError('train.worker', `training ${job.name} failed in its worker process (${failure ?? (signal ? `killed by ${signal}` : `exit code ${code}`)})`,
        'rerun the same command: every model resumes from its last finished epoch'));
    });
    child.send({ job, spec });
  });
}

/**
 * Run `jobs` on at most `workers` child processes, longest first (so the last to start is a
 * short one); resolves with each job's curve and seconds in `jobs` order. A failure stops
 * its lane; the other lanes finish their jobs (so their checkpoints are complete for the
 * rerun), then the first failure is thrown.
 */
export async function runTrainJobs(jobs: readonly TrainJob[], spec: ProviderSpec, workers: number,
  onTick: (n: number, extra: string) => void): Promise<JobResult[]> {
  const order = [...jobs.keys()].sort((a, b) => jobs[b].steps - jobs[a].steps || a - b);
  const results = new Array<JobResult>(jobs.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < order.length) {
      const i = order[next++];
      results[i] = await runInChild(jobs[i], spec, onTick);
    }
  };
  const lanes = Array.from({ length: Math.max(1, Math.min(workers, jobs.length)) }, lane);
  const settled = await Promise.allSettled(lanes);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return results;
}
