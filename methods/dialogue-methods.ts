/**
 * The methods `hearth dialogue run|train --method X` runs (multi-round interaction with simulated
 * users): each trains (where it trains), evaluates against its baseline on unseen users over
 * seeds, and writes its report.
 */
import { HearthError } from '../env/errors.ts';
import type { ClaimCheck, ReportTable } from './dialogue-report.ts';
import { QUICK_MIDI, runMidiSeed, TINY_MIDI, trainMidi, type MidiSeedResult } from './midi/experiment.ts';
import { writeMidiReport } from './midi/report.ts';
import { QUICK_SPDA, runSpdaSeed, TINY_SPDA, type SpdaUserResult } from './spda/experiment.ts';
import { writeSpdaReport } from './spda/report.ts';
import { QUICK_COOPER, runCooperSeed, TINY_COOPER, type CooperSeedResult } from './cooper/experiment.ts';
import { writeCooperReport } from './cooper/report.ts';

export interface DialogueRunOptions {
  size: 'tiny' | 'quick';
  seeds: number[];
  out: string;
  backend?: string;
  log(line: string): void;
  /** Where and how it ran (compute, load, wall time), evaluated when the report is written. */
  notes(): string;
}

export interface DialogueTrainOptions {
  size: 'tiny' | 'quick';
  seed: number;
  out: string;
  backend?: string;
  log(line: string): void;
}

export interface DialogueMethod {
  name: string;
  summary: string;
  needsModel: boolean;
  run(o: DialogueRunOptions): Promise<Report>;
  train(o: DialogueTrainOptions): Promise<{ summary: string; [k: string]: unknown }>;
}

type Report = { md: string; tables: ReportTable[]; claims: ClaimCheck[] };

/**
 * The run every dialogue method shares: its sizes for --size, its experiment on each seed in
 * turn (the first seed keeps episode logs), then one report over all seeds' results.
 */
function seededRun<S, R>(tiny: S, quick: S, runSeed: (seed: number, sizes: S, o: DialogueRunOptions, first: boolean) => Promise<R[]>,
  write: (out: string, results: R[], sizes: S, notes: string[]) => Report): (o: DialogueRunOptions) => Promise<Report> {
  return async (o) => {
    const sizes = o.size === 'tiny' ? tiny : quick;
    const results: R[] = [];
    for (const [i, seed] of o.seeds.entries()) results.push(...await runSeed(seed, sizes, o, i === 0));
    return write(o.out, results, sizes, [o.notes()]);
  };
}

const midi: DialogueMethod = {
  name: 'midi',
  summary: 'Midi-Tuning (agent and user LoRA adapters, round-level KV cache) vs flat fine-tuning: consistency over rounds, success, cost per round',
  needsModel: true,
  run: seededRun(TINY_MIDI, QUICK_MIDI, async (seed, sizes, o, first): Promise<MidiSeedResult[]> =>
    [await runMidiSeed(seed, sizes, o.log, { backend: o.backend, logDir: first ? `${o.out}/logs` : undefined })], writeMidiReport),
  async train(o) {
    const sizes = o.size === 'tiny' ? TINY_MIDI : QUICK_MIDI;
    const t = await trainMidi(o.seed, sizes, o.log, { backend: o.backend });
    try {
      t.lm.save(o.out);
      const last = (xs: number[]) => xs[xs.length - 1];
      return {
        summary: `base loss ${last(t.losses.base).toFixed(3)}, midi ${last(t.losses.midi).toFixed(3)}, flat ${last(t.losses.flat).toFixed(3)}; adapters ${t.lm.model.adapterNames().join(', ')}`,
        adapters: t.lm.model.adapterNames(), finalLoss: { base: last(t.losses.base), midi: last(t.losses.midi), flat: last(t.losses.flat) }, trainSeconds: t.trainSeconds,
      };
    } finally {
      await t.lm.dispose();
    }
  },
};

const spda: DialogueMethod = {
  name: 'spda',
  summary: 'SPDA (an evolving user profile, refined hierarchically under an edit budget) vs a static profile: preference violations over rounds',
  needsModel: false,
  run: seededRun(TINY_SPDA, QUICK_SPDA, (seed, sizes, o): Promise<SpdaUserResult[]> => runSpdaSeed(seed, sizes, o.log), writeSpdaReport),
  async train() {
    throw new HearthError('cli.usage', 'spda has nothing to train: its profile refiner is symbolic', 'use `hearth dialogue run --method spda`');
  },
};

const cooper: DialogueMethod = {
  name: 'cooper',
  summary: 'Cooper (aspect agents proposing actions, a ranker trained with the margin ranking loss) vs a single agent on multi-goal requests',
  needsModel: true,
  run: seededRun(TINY_COOPER, QUICK_COOPER, async (seed, sizes, o): Promise<CooperSeedResult[]> =>
    [await runCooperSeed(seed, sizes, o.log, { backend: o.backend })], writeCooperReport),
  async train(o) {
    const sizes = o.size === 'tiny' ? TINY_COOPER : QUICK_COOPER;
    const r = await runCooperSeed(o.seed, sizes, o.log, { backend: o.backend, saveDir: o.out });
    const last = (xs: number[]) => xs[xs.length - 1];
    return { summary: `ranker loss ${last(r.losses.cooper).toFixed(3)}, single agent loss ${last(r.losses.single).toFixed(3)}; saved ranker/ and single/`, models: ['ranker', 'single'], coverage: r.coverage, trainSeconds: r.trainSeconds };
  },
};

export const DIALOGUE_METHODS: Record<string, DialogueMethod> = { midi, spda, cooper };

export function dialogueMethod(name: string | undefined): DialogueMethod {
  const names = Object.keys(DIALOGUE_METHODS).join(', ');
  if (name === undefined) throw new HearthError('cli.usage', '--method is required', `pick one of ${names}`);
  const m = DIALOGUE_METHODS[name];
  if (!m) throw new HearthError('cli.usage', `unknown dialogue method "${name}"`, `pick one of ${names}`);
  return m;
}
