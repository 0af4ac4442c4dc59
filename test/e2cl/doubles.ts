/**
 * Test doubles for the E2CL engine tests: a toy episode (the expert's actions must come in
 * order; walking is always allowed; anything else fails with a simulator-style message) and
 * a scripted LanguageModel that answers by reading the prompt. They exercise the engine's
 * batching, cancellation and bookkeeping; the real model and simulator are used by the
 * pipeline itself.
 */
import type { GenerateOptions, LanguageModel } from '../../agent/language-model.ts';
import type { Task } from '../../env/task.ts';
import type { EpisodeFactory, EpisodeLike, StepOutcomeLike } from '../../exploration/env-adapter.ts';

export function toyTask(id: string, expertNL: string[], split: Task['split'] = 'train'): Task {
  return {
    id, title: `Task ${id}`, description: `Do ${expertNL.join(', ')}.`, split,
    scene: { nodes: [{ id: 1, class_name: 'character', properties: [], states: [] }, { id: 5, class_name: 'fridge', properties: [], states: [] }], edges: [] },
    goal: expertNL.map((_, i) => ({ kind: 'state' as const, node: 1, state: 'CLEAN' as const, negated: i < 0 })),
    expertNL,
  };
}

export class ToyEpisode implements EpisodeLike {
  done = 0;
  steps = 0;
  constructor(readonly task: Task, readonly maxSteps = 26) {}
  reset(): { observation: string } { this.done = 0; this.steps = 0; return { observation: '' }; }
  step(action: string): StepOutcomeLike {
    this.steps++;
    const expert = this.task.expertNL ?? [];
    const total = expert.length;
    let ok = false;
    if (action === expert[this.done]) { this.done++; ok = true; } else if (action.startsWith('Walk to')) ok = true;
    const obj = action.split(' ').slice(-1)[0] || 'thing';
    return {
      observation: `obs${this.done}`, ok,
      failure: ok ? null : { code: 'missing_step', message: `<character> (1) is not close to <${obj}> (5) when executing "[X] <${obj}> (5) [${this.steps}]"` },
      goal: { satisfied: this.done, total }, terminated: false, truncated: this.steps >= this.maxSteps, script: null,
    };
  }
}

export const toyFactory: EpisodeFactory = (task, o) => new ToyEpisode(task, o.maxSteps);

/** Parse what the toy model needs out of an E2CL prompt. */
export function parsePrompt(p: string): { kind: 'plan' | 'feedback' | 'correction'; title: string; history: string[]; action?: string } {
  const kind = p.startsWith('You are a robot agent') ? 'plan' : p.startsWith('You are a world simulator') ? 'feedback' : 'correction';
  const title = /Task: (.*)\n/.exec(p)?.[1] ?? '';
  const history = [...p.matchAll(/step\d+: (.*)\nobservation\d+: /g)].map((m) => m[1]);
  const m = /step\d+: ([^\n]*)\n(?:Feedback: $| A corrective| ?Feedback: )/.exec(p.slice(p.lastIndexOf('\nstep')));
  return { kind, title, history, action: kind === 'plan' ? undefined : m?.[1] };
}

export interface ScriptedOptions {
  /** task title → expert actions */
  experts: Map<string, string[]>;
  /** Make the planning answer wrong at these (title, step index) pairs. */
  wrongAt?: (title: string, k: number) => boolean;
  /** Feedback predictor: whether to predict Error for an action (default: exactly when it is wrong). */
  predictError?: (title: string, k: number, action: string, right: string) => boolean;
  /** Artificial latency per generate call (ms). */
  delayMs?: number;
}

export class ScriptedModel implements LanguageModel {
  readonly name = 'test:scripted';
  readonly backend = 'test';
  calls: number[] = [];
  prompts: string[] = [];
  constructor(private readonly o: ScriptedOptions) {}
  async generate(prompts: string[], _options: GenerateOptions): Promise<string[]> {
    this.calls.push(prompts.length);
    this.prompts.push(...prompts);
    if (this.o.delayMs) await new Promise((r) => setTimeout(r, this.o.delayMs));
    return prompts.map((p) => this.answer(p));
  }
  private answer(p: string): string {
    const { kind, title, history, action } = parsePrompt(p);
    const expert = this.o.experts.get(title) ?? [];
    // the agent's progress = number of expert actions already in the history, in order
    let k = 0;
    for (const a of history) if (a === expert[k]) k++;
    const right = k < expert.length ? expert[k] : 'END';
    if (kind === 'plan') return this.o.wrongAt?.(title, k) ? `Grab ${right.split(' ').slice(-1)[0]}ish\n` : `${right}\n`;
    if (kind === 'feedback') {
      const predicted = this.o.predictError ? this.o.predictError(title, k, action ?? '', right) : action !== right && !(action ?? '').startsWith('Walk to');
      return predicted ? 'Error, Robot agent is not close to it' : 'True';
    }
    return right;
  }
}

import { readFileSync as _read, writeFileSync as _write } from 'node:fs';
import { join as _join } from 'node:path';
import type { IOPair } from '../../alignment/datasets/export.ts';
import type { ModelProvider, TrainableModel } from '../../exploration/training.ts';

/** A "model" that memorises its training pairs (a lookup table); unknown prompts get `fallback`. */
export class MemoModel implements TrainableModel {
  readonly table: Map<string, string>;
  readonly lm: LanguageModel;
  constructor(entries: Array<[string, string]> = [], fallback = 'END') {
    this.table = new Map(entries);
    const table = this.table;
    this.lm = { name: 'test:memo', backend: 'test', generate: async (ps: string[]) => ps.map((p) => table.get(p) ?? fallback) };
  }
  async trainStep(batch: readonly IOPair[]): Promise<number> {
    let miss = 0;
    for (const b of batch) { if (this.table.get(b.input) !== b.output) miss++; this.table.set(b.input, b.output); }
    return miss / batch.length;
  }
  // A manifest.json like every real checkpoint's: the one checkpoint resolver (agent/checkpoint.ts) looks for it.
  async save(dir: string): Promise<void> {
    _write(_join(dir, 'table.json'), JSON.stringify([...this.table]));
    _write(_join(dir, 'manifest.json'), JSON.stringify({ kind: 'test:memo' }));
  }
}
export const memoProvider: ModelProvider = {
  create: async () => new MemoModel(),
  load: async (dir) => new MemoModel(JSON.parse(_read(_join(dir, 'table.json'), 'utf8')) as Array<[string, string]>),
};
