/**
 * The suite runner: lists the suite's tasks, plans every episode as a key
 * (suite, task, agent, seed, repetition), skips the keys already in the out directory's
 * ledger (suites/ledger.ts), runs the rest and appends each one to the ledger the moment it
 * finishes, then writes `results.json`, `results.csv` and `report.html` from the ledger.
 *
 * Protocols:
 * - `closed-loop`: the agent acts one step at a time and sees the observation after each
 *   action; with `feedback: generic|specific` a failed action's observation starts with the
 *   environment's error at that detail (`Error, <reason>. `); `none` gives observations only
 *   (E2CL's prompts).
 * - `one-shot`: the agent writes its whole plan from the task alone (an LM sees its own earlier
 *   actions with empty observations; the planner plans once from the initial state), then the
 *   plan is executed and stops at its first failed action (`plan-failed`), as EAI scores plans.
 *
 * Results do not depend on which episodes ran in which process: every episode's randomness
 * comes from its own key, and results are ordered by the plan, not by finishing time.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cleanOutput, type HistoryStep, isEnd, planningPrompt } from '../alignment/datasets/prompts.ts';
import { mixSeed } from '../alignment/datasets/rng.ts';
import { Episode, type StepOutcome } from '../env/episode.ts';
import { EpisodeLogWriter } from '../env/episode-log.ts';
import { writeFileAtomic } from '../env/files.ts';
import { HearthError } from '../env/errors.ts';
import type { Split, Task } from '../env/task.ts';
import { getTaskSet } from '../env/tasks/index.ts';
import { BatchedDecoder, EpisodeDecoder } from '../exploration/batching.ts';
import type { EpisodeFactory, EpisodeLike } from '../exploration/env-adapter.ts';
import type { PolicyConfig } from '../exploration/policy.ts';
import { episodeLogSink, safeName } from '../exploration/episode-logs.ts';
import { type RolloutEpisode, type RolloutJob, runRollout } from '../exploration/rollout.ts';
import { solvableTasks, withExperts } from '../exploration/task-source.ts';
import { episodeFactory } from '../exploration/world.ts';
import { errorFeedback, type DetailLevel } from '../feedback/targets.ts';
import { HazardWatch, hazardRulesOf } from '../feedback/hazards.ts';
import { type OpenedLm, openLmAgent, syncAgent } from './agents.ts';
import { type EpisodeRecord, episodeKey, openLedger, type StepRecord } from './ledger.ts';
import type { QueueTarget } from './queue.ts';
import { type AgentSpec, isLmAgent, type LmAgent, type LoadedSuite, type SuiteSpec } from './spec.ts';
import { eaiPlannerPlan, wantsEaiMetrics, writeEaiResults } from './eai-suite.ts';
import { writeSuiteOutputs } from './suite-report.ts';

export interface SuiteTask { split: Split; task: Task }

export interface PlannedEpisode {
  key: string;
  task: Task;
  split: Split;
  agent: AgentSpec;
  seed: number;
  repetition: number;
}

/** A chosen task as `tasks.json` (and a queue job) keeps it: its id and the expert programs found when it was chosen. */
export interface TaskEntry { id: string; split: Split; expertNL?: string[]; expert?: string[] }
interface TaskListFile { tasks: TaskEntry[] }

export const suiteTaskSet = (spec: SuiteSpec): ReturnType<typeof getTaskSet> => getTaskSet(spec.tasks.set, spec.tasks.data ? { data: spec.tasks.data } : {});

/** The task an entry names, with its expert programs (no planning). */
export function taskOfEntry(set: ReturnType<typeof getTaskSet>, x: TaskEntry): SuiteTask {
  const task: Task = { ...set.get(x.id) };
  if (x.expertNL) task.expertNL = x.expertNL;
  if (x.expert) task.expert = x.expert;
  return { split: x.split, task };
}

/**
 * The suite's tasks, read from `out/tasks.json` when a run directory has one: choosing tasks
 * with expert programs means planning every candidate, which costs more than the episodes of a
 * small suite; a resumed run and every `--workers` process reuse the first choice.
 */
export function runTasks(spec: SuiteSpec, out: string): SuiteTask[] {
  const file = join(out, 'tasks.json');
  if (existsSync(file)) {
    let list: TaskListFile;
    try {
      list = JSON.parse(readFileSync(file, 'utf8')) as TaskListFile;
    } catch {
      throw new HearthError('suite.ledger', `${file} is not valid JSON`, 'delete it: the tasks are chosen again');
    }
    const set = suiteTaskSet(spec);
    return list.tasks.map((x) => taskOfEntry(set, x));
  }
  const tasks = loadSuiteTasks(spec);
  const list: TaskListFile = { tasks: tasks.map(({ split, task }) => ({ id: task.id, split, ...(task.expertNL ? { expertNL: task.expertNL } : {}), ...(task.expert ? { expert: task.expert } : {}) })) };
  writeFileAtomic(file, `${JSON.stringify(list, null, 1)}\n`, { what: 'suite task list', kind: 'suite.write' });
  return tasks;
}

/** The suite's tasks, split by split, in a deterministic order (with NL expert programs for LCS where one exists). */
export function loadSuiteTasks(spec: SuiteSpec): SuiteTask[] {
  const t = spec.tasks;
  const set = suiteTaskSet(spec);
  if (t.ids) {
    return t.ids.map((id) => {
      const task = set.get(id);
      return { split: task.split, task: withExperts([task], true, t.seed).tasks[0] };
    });
  }
  const out: SuiteTask[] = [];
  for (const split of t.splits) {
    const tasks = t.solvable
      ? solvableTasks(set, split, t.seed, t.count, t.maxExpertSteps ?? Infinity).tasks
      : withExperts(set.list({ split, seed: t.seed, count: t.count }), true, t.seed).tasks;
    if (tasks.length === 0) throw new HearthError('suite.tasks', `task set ${t.set} has no ${t.solvable ? 'solvable ' : ''}${split} tasks for this suite`, 'check tasks.splits, tasks.maxExpertSteps and tasks.data');
    for (const task of tasks) out.push({ split, task });
  }
  return out;
}

/** Every episode of the suite, keyed; order: agent, seed, repetition, task. */
export function planEpisodes(spec: SuiteSpec, tasks: readonly SuiteTask[]): PlannedEpisode[] {
  const out: PlannedEpisode[] = [];
  for (const agent of spec.agents) {
    for (const seed of spec.seeds) {
      for (let repetition = 0; repetition < spec.repetitions; repetition++) {
        for (const { split, task } of tasks) {
          out.push({ key: episodeKey(spec.name, task.id, agent.name, seed, repetition), task, split, agent, seed, repetition });
        }
      }
    }
  }
  return out;
}

/** Progress on stderr: redrawn on a TTY, else a line per 10% (and the last one). */
class SuiteProgress {
  private done = 0;
  private last = -1;
  private readonly t0 = Date.now();
  private readonly tty = Boolean(process.stderr.isTTY);
  constructor(private readonly name: string, private readonly total: number, private readonly skipped: number, private readonly quiet: boolean) {}
  tick(agent: string): void {
    this.done++;
    if (this.quiet) return;
    const pct = Math.floor((this.done / Math.max(1, this.total)) * 100);
    const line = `suite ${this.name}: ${this.done + this.skipped}/${this.total + this.skipped} episodes (${this.done} run now, ${this.skipped} from the ledger), agent ${agent}, ${((Date.now() - this.t0) / 1000).toFixed(1)} s`;
    if (this.tty) process.stderr.write(`\r${line}   ${this.done >= this.total ? '\n' : ''}`);
    else if (Math.floor(pct / 10) > Math.floor(this.last / 10) || this.done >= this.total) process.stderr.write(`${line}\n`);
    this.last = pct;
  }
}

const stepRecord = (s: { action: string; ok: boolean; failure?: { code?: string } | null; predictedFeedback?: string | null; corrected?: boolean }): StepRecord => {
  const r: StepRecord = { action: s.action, ok: s.ok };
  if (!s.ok && s.failure?.code) r.failure = s.failure.code;
  if (s.predictedFeedback !== undefined && s.predictedFeedback !== null) r.predictedFeedback = s.predictedFeedback;
  if (s.corrected) r.corrected = true;
  return r;
};

/** Where an episode's log goes, relative to the out directory. */
export function logPathOf(p: Pick<PlannedEpisode, 'agent' | 'task' | 'seed' | 'repetition'>): string {
  return `logs/${p.agent.name}/${safeName(p.task.id)}.s${p.seed}.r${p.repetition}.jsonl`; // agent names are file-safe (spec NAME)
}

/** Where to write logs: the out directory when the suite writes them. */
export interface LogTarget { out: string }

function baseRecord(p: PlannedEpisode, suite: string, logs?: LogTarget): Omit<EpisodeRecord, 'success' | 'goal' | 'steps' | 'reason' | 'calls' | 'ms'> {
  const r: Omit<EpisodeRecord, 'success' | 'goal' | 'steps' | 'reason' | 'calls' | 'ms'> = {
    key: p.key, suite, task: p.task.id, split: p.split, agent: p.agent.name, seed: p.seed, repetition: p.repetition,
  };
  if (p.task.expertNL) r.expert = p.task.expertNL;
  if (logs) r.log = logPathOf(p);
  return r;
}

/** The end record of an episode log from the runner's outcome. */
function endLog(w: EpisodeLogWriter | undefined, reason: string, steps: number, goal: { satisfied: number; total: number }): void {
  w?.end({ steps, success: goal.satisfied === goal.total, terminated: reason === 'end' || reason === 'terminated', truncated: reason !== 'end' && reason !== 'terminated', goal });
}

/** Execute a whole plan (one-shot), stopping at the first failed action. */
function executePlan(p: PlannedEpisode, actions: readonly string[], spec: SuiteSpec, logs: LogTarget | undefined, describe: Record<string, unknown>,
  actionFormat: 'nl' | 'script' = 'nl'): { steps: StepRecord[]; goal: { satisfied: number; total: number }; reason: string; hazards: string[] } {
  const ep = new Episode(p.task, { seed: p.seed, maxSteps: spec.budgets.maxSteps, lenient: true, actionFormat });
  let goal = ep.reset(p.seed).info.goal;
  const watch = new HazardWatch(ep.graph);
  const log = logs ? EpisodeLogWriter.forEpisode(join(logs.out, logPathOf(p)), ep, { agent: describe }) : undefined;
  const steps: StepRecord[] = [];
  let reason = 'end';
  // EAI's metrics (eai-suite.ts) score the grounded script lines, with the ids of EAI's scene.
  const keepScript = spec.tasks.set === 'eai';
  try {
    for (const a of actions.slice(0, spec.budgets.maxSteps)) {
      const out = ep.step(a);
      log?.step(out);
      steps.push(keepScript && out.script ? { ...stepRecord(out), script: out.script } : stepRecord(out));
      watch.after(steps.length);
      goal = out.goal;
      if (!out.ok) { reason = 'plan-failed'; break; }
    }
    endLog(log, reason, steps.length, goal);
  } finally {
    log?.close();
  }
  return { steps, goal, reason, hazards: watch.end().map((h) => h.rule) };
}

/** The ledger record of a one-shot episode (hazards last, where the LM rollouts' replay puts them). */
function planRecord(p: PlannedEpisode, spec: SuiteSpec, logs: LogTarget | undefined, plan: ReturnType<typeof executePlan>, calls: number, t0: number): EpisodeRecord {
  const { hazards, ...r } = plan;
  return { ...baseRecord(p, spec.name, logs), success: r.goal.satisfied === r.goal.total, ...r, calls, ms: Date.now() - t0, hazards };
}

const describeAgent = (p: PlannedEpisode, spec: SuiteSpec): Record<string, unknown> =>
  ({ name: p.agent.name, kind: p.agent.kind, suite: spec.name, seed: p.seed, repetition: p.repetition, protocol: spec.protocol, feedback: spec.feedback });

/** One episode of a planner, random or scripted agent. */
export function runSyncEpisode(p: PlannedEpisode, spec: SuiteSpec, logs?: LogTarget): EpisodeRecord {
  const t0 = Date.now();
  const maxSteps = spec.budgets.maxSteps;
  const agent = syncAgent(p.agent, p.task, p.seed, p.repetition);
  if (spec.protocol === 'one-shot' && p.agent.kind === 'planner' && p.agent.eaiGoals) {
    // EAI's planner (action goals included), its plan as script lines with EAI's ids.
    return planRecord(p, spec, logs, executePlan(p, eaiPlannerPlan(p.task.id, p.agent.name), spec, logs, describeAgent(p, spec), 'script'), 0, t0);
  }
  if (spec.protocol === 'one-shot') {
    const planning = new Episode(p.task, { seed: p.seed, maxSteps, lenient: true });
    planning.reset(p.seed);
    const plan = agent.plan(planning, maxSteps);
    const end = plan.findIndex(isEnd);
    return planRecord(p, spec, logs, executePlan(p, end >= 0 ? plan.slice(0, end) : plan, spec, logs, describeAgent(p, spec)), 0, t0);
  }
  const ep = new Episode(p.task, { seed: p.seed, maxSteps, lenient: true });
  let goal = ep.reset(p.seed).info.goal;
  const watch = new HazardWatch(ep.graph);
  const log = logs ? EpisodeLogWriter.forEpisode(join(logs.out, logPathOf(p)), ep, { agent: describeAgent(p, spec) }) : undefined;
  const steps: StepRecord[] = [];
  let reason = 'max-steps';
  const timeout = spec.budgets.episodeTimeoutMs;
  try {
    for (;;) {
      if (timeout !== undefined && Date.now() - t0 > timeout) { reason = 'timeout'; break; }
      const a = agent.act(ep);
      if (isEnd(a)) { reason = 'end'; break; }
      const out: StepOutcome = ep.step(a);
      log?.step(out);
      steps.push(stepRecord(out));
      watch.after(steps.length);
      goal = out.goal;
      if (out.terminated) { reason = 'terminated'; break; }
      if (out.truncated) { reason = 'max-steps'; break; }
    }
    endLog(log, reason, steps.length, goal);
  } finally {
    log?.close();
  }
  return { ...baseRecord(p, spec.name, logs), success: goal.satisfied === goal.total, goal, steps, reason, calls: 0, ms: Date.now() - t0, hazards: watch.end().map((h) => h.rule) };
}

/** Episodes whose failed actions' observations start with the error at `detail` (nothing for `none`). */
export function feedbackFactory(detail: DetailLevel, inner: EpisodeFactory = episodeFactory): EpisodeFactory {
  if (detail === 'none') return inner;
  return (task, o) => {
    const ep = inner(task, o);
    const wrapped: EpisodeLike = {
      reset: (s) => ep.reset(s),
      step(action, extras) {
        const out = ep.step(action, extras);
        if (out.ok) return out;
        return { ...out, observation: `${errorFeedback(out.failure ?? { message: '' }, detail)}. ${out.observation}` };
      },
      get graph() { return ep.graph; },
    };
    return wrapped;
  };
}

function fromRollout(p: PlannedEpisode, e: RolloutEpisode, suite: string, ms: number, logs?: LogTarget): EpisodeRecord {
  return { ...baseRecord(p, suite, logs), success: e.success, goal: e.goal, steps: e.steps.map(stepRecord), reason: e.reason, calls: e.calls, ms };
}

/**
 * The household hazards an episode's actions brought about (feedback/hazards.ts), by replaying
 * them from the task's start: for the batched LM rollouts, whose episodes this module does not
 * step itself (the others are watched as they run, `HazardWatch`). Computed by `runPlanned`,
 * which in-process and queued runs share, so they agree. Absent when the replay cannot run
 * (then the episode counts as not checked).
 */
function hazardsOf(p: PlannedEpisode, spec: SuiteSpec, r: EpisodeRecord): { hazards?: string[] } {
  const script = spec.protocol === 'one-shot' && p.agent.kind === 'planner' && p.agent.eaiGoals === true;
  try {
    const fresh = new Episode(p.task, { seed: p.seed, maxSteps: Math.max(spec.budgets.maxSteps, r.steps.length), lenient: true, actionFormat: script ? 'script' : 'nl' });
    return hazardRulesOf(fresh, p.seed, r.steps.map((s) => s.action));
  } catch {
    return {};
  }
}

/** The policy of one (seed, repetition) group: sampling seeded by both (greedy decoding ignores it). */
function groupPolicy(policy: PolicyConfig, seed: number, repetition: number): PolicyConfig {
  if (!policy.actionOptions.temperature) return policy;
  const s = mixSeed(seed, 'suite-sampling', repetition);
  return { ...policy, actionOptions: { ...policy.actionOptions, seed: s }, feedbackOptions: { ...policy.feedbackOptions, seed: s } };
}

async function oneShotLm(p: PlannedEpisode, dec: BatchedDecoder, policy: PolicyConfig, spec: SuiteSpec, logs: LogTarget | undefined,
  describe: Record<string, unknown>): Promise<EpisodeRecord> {
  const t0 = Date.now();
  const d = new EpisodeDecoder(dec);
  const history: HistoryStep[] = [];
  let calls = 0;
  for (let k = 0; k < spec.budgets.maxSteps; k++) {
    const a = cleanOutput(await d.decode(planningPrompt(p.task, history, policy.prompt), policy.actionOptions));
    calls++;
    if (isEnd(a) || a === '') break;
    history.push({ action: a, observation: '' });
  }
  return planRecord(p, spec, logs, executePlan(p, history.map((h) => h.action), spec, logs, describe), calls, t0);
}

/** Opens an LM agent's model once for many calls (a queue worker keeps its models between jobs); the caller disposes. */
export type ModelCache = (agent: LmAgent, spec: SuiteSpec) => Promise<OpenedLm>;

async function runLmAgent(agent: LmAgent, pending: readonly PlannedEpisode[], spec: SuiteSpec, record: (r: EpisodeRecord) => void, logs?: LogTarget,
  models?: ModelCache): Promise<Record<string, unknown>> {
  const opened = models ? await models(agent, spec) : await openLmAgent(agent, spec.budgets, 0);
  try {
    const groups = new Map<string, PlannedEpisode[]>();
    for (const p of pending) {
      const k = `${p.seed}|${p.repetition}`;
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k)!.push(p);
    }
    for (const group of groups.values()) {
      const { seed, repetition } = group[0];
      const policy = groupPolicy(opened.policy, seed, repetition);
      const concurrency = agent.concurrency ?? 32;
      const dec = new BatchedDecoder(opened.lm, { maxBatch: concurrency });
      try {
        if (spec.protocol === 'one-shot') {
          // `concurrency` episodes at a time; each is recorded as it finishes.
          let next = 0;
          const worker = async (): Promise<void> => {
            while (next < group.length) {
              const p = group[next++];
              record(await oneShotLm(p, dec, policy, spec, logs, { ...describeAgent(p, spec), model: opened.describe }));
            }
          };
          await Promise.all(Array.from({ length: Math.min(concurrency, group.length) }, worker));
        } else {
          const started = new Map<number, number>();
          const sink = logs
            ? episodeLogSink(logs.out, (i) => group[i].task, (i) => ({ ...describeAgent(group[i], spec), model: opened.describe }), seed, undefined, (i) => logPathOf(group[i]))
            : undefined;
          const jobs: RolloutJob[] = group.map((p) => ({ task: p.task, speculative: agent.speculative }));
          await runRollout(jobs, dec, {
            factory: feedbackFactory(spec.feedback), policy, speculative: agent.speculative, maxSteps: spec.budgets.maxSteps, seed,
            concurrency, timeoutMs: spec.budgets.episodeTimeoutMs,
          }, (e) => {
            if (!started.has(e.index)) started.set(e.index, Date.now());
            sink?.onEvent(e); // the log is complete before its episode enters the ledger
            if (e.kind === 'end') record(fromRollout(group[e.index], e.episode, spec.name, Date.now() - started.get(e.index)!, logs));
          }).promise;
        }
      } finally {
        dec.close();
      }
    }
  } finally {
    if (!models) await opened.lm.dispose?.();
  }
  return opened.describe;
}

/**
 * Run `planned` episodes agent by agent (an LM agent's episodes batched together), calling
 * `record` as each one finishes; returns each agent's episode count and wall time.
 */
export async function runPlanned(planned: readonly PlannedEpisode[], spec: SuiteSpec, record0: (r: EpisodeRecord) => void, logs?: LogTarget,
  models?: ModelCache): Promise<SuiteRun['agentTimes']> {
  const agentTimes: SuiteRun['agentTimes'] = {};
  // Hazards are found where the episode ran (a queue worker, or this process), not where records
  // enter the ledger: with several workers one merging process must not redo their work.
  const byKey = new Map(planned.map((p) => [p.key, p]));
  const record = (r: EpisodeRecord): void => {
    const p = byKey.get(r.key);
    // Episodes run here on an Episode were watched as they ran; batched LM rollouts are replayed.
    record0(p && r.hazards === undefined ? { ...r, ...hazardsOf(p, spec, r) } : r);
  };
  for (const agent of spec.agents) {
    const mine = planned.filter((p) => p.agent.name === agent.name);
    if (mine.length === 0) continue;
    const a0 = Date.now();
    if (isLmAgent(agent)) {
      await runLmAgent(agent, mine, spec, record, logs, models);
    } else {
      for (const p of mine) record(runSyncEpisode(p, spec, logs));
    }
    agentTimes[agent.name] = { episodes: mine.length, seconds: (Date.now() - a0) / 1000 };
  }
  return agentTimes;
}

export interface RunOptions {
  /** Out directory (the ledger). */
  out: string;
  resume: boolean;
  quiet?: boolean;
  /**
   * Run only the planned episodes whose index (in plan order) is `index` mod `count`, into this
   * worker's own ledger file, and write no results (the process that started the workers does).
   */
  shard?: { index: number; count: number };
  /** Run the pending episodes as jobs on a Redis queue (suites/queue.ts) instead of in this process. */
  queue?: QueueTarget;
  /** Called after each episode is in the ledger (tests). */
  onEpisode?: (r: EpisodeRecord) => void;
}

export interface SuiteRun {
  out: string;
  planned: number;
  ran: number;
  skipped: number;
  /** Every episode of the suite, in plan order. */
  records: EpisodeRecord[];
  seconds: number;
  /** Per agent: episodes run now and their wall time. */
  agentTimes: Record<string, { episodes: number; seconds: number }>;
}

export async function runSuite(suite: LoadedSuite, opts: RunOptions): Promise<SuiteRun> {
  const t0 = Date.now();
  const spec = suite.spec;
  const out = resolve(opts.out);
  const ledger = openLedger(out, suite, opts.resume, opts.shard?.index);
  const log = (s: string): void => { if (!opts.quiet) process.stderr.write(`${s}\n`); };
  let planned: PlannedEpisode[];
  const agentTimes: SuiteRun['agentTimes'] = {};
  let ran = 0;
  try {
    const tasks = runTasks(spec, out);
    planned = planEpisodes(spec, tasks);
    const keys = new Set(planned.map((p) => p.key));
    const stray = [...ledger.done.keys()].filter((k) => !keys.has(k)).length;
    if (stray > 0) throw new HearthError('suite.ledger', `the ledger in ${out} holds ${stray} episodes this suite does not plan`, 'the task set changed since the run began: choose another --out');
    const shard = opts.shard;
    const pending = planned.filter((p, i) => !ledger.done.has(p.key) && (!shard || i % shard.count === shard.index));
    if (ledger.done.size > 0 || ledger.cut > 0) {
      log(`suite ${spec.name}: resuming in ${out}: ${ledger.done.size} of ${planned.length} episodes already done${ledger.cut ? ` (an unfinished last line of ${ledger.cut} bytes was cut off)` : ''}`);
    } else {
      log(`suite ${spec.name}: ${planned.length} episodes (${tasks.length} tasks × ${spec.agents.length} agents × ${spec.seeds.length} seeds × ${spec.repetitions} repetitions) into ${out}`);
    }
    const logs: LogTarget | undefined = spec.report.logs ? { out } : undefined;
    const progress = new SuiteProgress(spec.name, pending.length, ledger.done.size, opts.quiet === true);
    // A queue job's records come together: one append and one fsync for them all (per record,
    // the fsyncs were most of the merging process's time).
    const recordAll = (rs: readonly EpisodeRecord[]): void => {
      const fresh = rs.filter((r) => !ledger.done.has(r.key)); // a queue job run twice (a worker's lock lapsed) enters the ledger once
      ledger.append(fresh);
      for (const r of fresh) {
        ledger.done.set(r.key, r);
        ran++;
        progress.tick(r.agent);
        opts.onEpisode?.(r);
      }
    };
    const record = (r: EpisodeRecord): void => recordAll([r]);
    if (opts.queue) {
      // Every pending episode is a job on Redis; `hearth worker` processes run them, this process merges their results into the ledger.
      const { runOnQueue } = await import('./queue.ts');
      Object.assign(agentTimes, await runOnQueue(opts.queue, suite, pending, recordAll, logs, opts.quiet === true));
    } else {
      Object.assign(agentTimes, await runPlanned(pending, spec, record, logs));
    }
  } finally {
    ledger.close();
  }
  const seconds = (Date.now() - t0) / 1000;
  if (opts.shard) {
    const records = planned.map((p) => ledger.done.get(p.key)).filter((r): r is EpisodeRecord => r !== undefined);
    return { out, planned: planned.length, ran, skipped: planned.length - ran, records, seconds, agentTimes };
  }
  const records = planned.map((p) => ledger.done.get(p.key)!);
  const run: SuiteRun = { out, planned: planned.length, ran, skipped: planned.length - ran, records, seconds, agentTimes };
  const eai = wantsEaiMetrics(suite) ? writeEaiResults(out, suite, records) : null;
  if (wantsEaiMetrics(suite)) {
    log(eai ? `suite ${spec.name}: EAI's metrics (one-shot, both scorings): ${eai.file}` : `suite ${spec.name}: no eai.json (EAI's metrics need eai-eval's data: set HEARTH_EAI_DATA, see docs/eai.md)`);
  }
  writeSuiteOutputs(out, suite, run, eai?.groups);
  log(`suite ${spec.name}: ${ran} episodes run, ${planned.length - ran} from the ledger, ${seconds.toFixed(1)} s; report: ${join(out, 'report.html')}`);
  return run;
}
