/**
 * The cost side of FPO's claim, measured fairly on a shared machine: one optimizer step of each
 * arm in turn (round-robin, so a change of load falls on all alike), on the same pairs and start
 * model as a `hearth align --method fpo` run: DPO with its offline reference (the yardstick), DPO
 * with the reference model in memory (scored every step), FPO (offline reference and features),
 * SimPO. Prints median seconds per step and peak tensor bytes as ratios to offline DPO.
 *
 *   node --import tsx bench/align-cost.ts --run runs/align-fpo-quick-v2 [--rounds R] [--pairs N]
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { SparseAutoencoder } from '../agent/interp/sae.ts';
import { loadModel, type LocalModel } from '../agent/local-model.ts';
import { initBackend, tf } from '../agent/tfjs.ts';
import { readPreferenceJsonl } from '../alignment/datasets/export.ts';
import { withReferenceLogProbs, type PreferencePair } from '../alignment/preference.ts';
import { defaultMicroBatchRows, Trainer, type StepResult } from '../alignment/trainer.ts';
import { intFlag, parseArgs, requireFlag } from '../cli/args.ts';
import { fpoLossFn, withFpoReference, type FpoPair } from '../methods/fpo/fpo-loss.ts';

const USAGE = 'node --import tsx bench/align-cost.ts --run DIR [--rounds R] [--pairs N]';
const args = parseArgs(process.argv.slice(2), { run: { type: 'string' }, rounds: { type: 'string' }, pairs: { type: 'string' } }, USAGE);
const run = requireFlag(args, 'run', USAGE);
const rounds = intFlag(args, 'rounds', 6, 1);
const nPairs = intFlag(args, 'pairs', 16, 1);
const checkpoint = (JSON.parse(readFileSync(join(run, 'sae', 'sae.json'), 'utf8')) as { checkpoint: string }).checkpoint;
const pairs = readPreferenceJsonl(join(run, 'datasets', 'pairs.train.jsonl')).slice(0, nPairs) as PreferencePair[];
await initBackend();
const sae = SparseAutoencoder.load(join(run, 'sae'));
const start = await loadModel(checkpoint);
const dpoData = withReferenceLogProbs(start, pairs, { kind: 'sigmoid' });
const fpoData = withFpoReference(start, sae, pairs);
start.model.dispose();

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
interface Arm { name: string; trainer: Trainer; reference?: LocalModel; step(): StepResult }
const opts = { seed: 0, lr: 3e-4, warmupSteps: 3, totalSteps: 100, schedule: 'constant' as const, weightDecay: 0 };
async function arm(name: string, withRef: boolean, step: (t: Trainer, ref?: LocalModel) => StepResult): Promise<Arm> {
  const trainer = new Trainer(await loadModel(checkpoint), opts);
  const reference = withRef ? await loadModel(checkpoint) : undefined;
  return { name, trainer, reference, step: () => step(trainer, reference) };
}
const arms: Arm[] = [
  await arm('dpo (offline ref)', false, (t) => t.preferenceStep(dpoData, { kind: 'sigmoid', beta: 0.1 })),
  await arm('dpo (ref in memory)', true, (t, ref) => {
    const t0 = performance.now();
    const r = t.preferenceStep(pairs, { kind: 'sigmoid', beta: 0.1, reference: ref });
    return { ...r, seconds: (performance.now() - t0) / 1000 }; // the reference's scoring included
  }),
  await arm('fpo', false, (t) => {
    const per = Math.max(1, Math.floor(defaultMicroBatchRows(t.lm.config) / 2));
    const batches: FpoPair[][] = [];
    for (let i = 0; i < fpoData.length; i += per) batches.push(fpoData.slice(i, i + per));
    return t.stepWith(batches, fpoLossFn(fpoData.length, sae, { beta: 0.1, alpha: 0.5, topK: 50 }));
  }),
  await arm('simpo', false, (t) => t.preferenceStep(pairs, { kind: 'simpo', beta: 2, gamma: 0.5 })),
];
// Round-robin; per step, the bytes its forward pass added (activations kept for the backward pass).
const results = new Map<string, Array<{ s: number; transient: number }>>(arms.map((a) => [a.name, []]));
for (let r = 0; r < rounds; r++) {
  for (const a of arms) {
    const before = tf.memory().numBytes;
    const x = a.step();
    results.get(a.name)!.push({ s: x.seconds ?? NaN, transient: (x.peakBytes ?? 0) - before });
  }
}
const bytesOf = (vs: Iterable<tf.Variable>): number => { let n = 0; for (const v of vs) n += v.size * 4; return n; };
const rows = arms.map((a) => {
  const rs = results.get(a.name)!.slice(1); // the first round pays for warm-up
  // Persistent: weights and AdamW's two moments, the in-memory reference's weights, FPO's SAE.
  const persistent = 3 * bytesOf(a.trainer.lm.model.params.values()) + (a.reference ? bytesOf(a.reference.model.params.values()) : 0)
    + (a.name === 'fpo' ? bytesOf(sae.variables().values()) : 0);
  return { name: a.name, s: median(rs.map((x) => x.s)), mib: (persistent + Math.max(...rs.map((x) => x.transient))) / 2 ** 20 };
});
const ref = rows[0];
console.log(`${pairs.length} pairs per step, ${rounds} rounds (first dropped), load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
for (const r of rows) console.log(`${r.name.padEnd(20)} ${r.s.toFixed(2)} s/step (${(r.s / ref.s).toFixed(2)}× offline DPO)  peak ${r.mib.toFixed(1)} MiB (${(r.mib / ref.mib).toFixed(2)}×)`);
