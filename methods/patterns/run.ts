/**
 * `hearth patterns run`: one meta-trained base model, then per suite and seed the ICL curve (with
 * its pattern-free control) and the fine-tuning curve, the circuit shift on the first seed, ICL on
 * a served model if one is given, and the report.
 */
import { join } from 'node:path';
import type { ModelSource } from '../../agent/backends/open-model.ts';
import { openLanguageModel } from '../../agent/backends/open-model.ts';
import { loadModel } from '../../agent/local-model.ts';
import { type CircuitResult, measureCircuits } from './circuit.ts';
import { createBase, type CurvePoint, FT_ADAPTER, ftCurve, httpIclCurve, iclCurve, metaTrain, type PatternSizes, type Progress, testSuite } from './experiment.ts';
import { writePatternsReport } from './report.ts';
import type { SuiteDef } from './suite.ts';

export type PatternLearner = 'icl' | 'ft';

export interface PatternsRunOptions {
  sizes: PatternSizes;
  suites: SuiteDef[];
  learners: PatternLearner[];
  seeds: number[];
  out: string;
  backend?: string;
  /** A served model for ICL (baseUrl, model, api, cache…). */
  served?: ModelSource;
  /** A meta-trained base to reuse (a `base/` directory of an earlier run): meta-training is skipped. */
  base?: string;
  /** Test questions of the circuit analysis. */
  circuitQuestions: number;
  log: Progress;
  notes: () => string;
}

export async function runPatterns(o: PatternsRunOptions) {
  const { sizes, suites, seeds, log } = o;
  const lm = o.base ? await loadModel(o.base, { backend: o.backend }) : await createBase(suites, sizes, seeds[0], o.backend);
  const points: CurvePoint[] = [];
  const circuits: CircuitResult[] = [];
  let metaLosses: number[] = [];
  let httpModel: string | undefined;
  let modelConfig = lm.config;
  try {
    if (o.base) {
      log(`base model: ${o.base} (${lm.model.parameterCount} parameters, meta-training skipped)`);
    } else {
      log(`base model: ${lm.model.parameterCount} parameters, meta-training on ${suites.map((s) => s.name).join(', ')}`);
      metaLosses = metaTrain(lm, suites, sizes, seeds[0], log);
      lm.save(join(o.out, 'base'));
    }
    modelConfig = lm.config;
    const kMax = Math.max(...sizes.kList);
    const nMax = Math.max(...sizes.nList);
    for (const def of suites) {
      for (const seed of seeds) {
        if (o.learners.includes('icl')) points.push(...iclCurve(lm, def, sizes, seed));
        const circuit = seed === seeds[0] && o.learners.includes('icl') && o.learners.includes('ft');
        if (o.learners.includes('ft')) points.push(...ftCurve(lm, def, sizes, seed, circuit ? nMax : undefined));
        if (circuit) {
          circuits.push(measureCircuits(lm, def, sizes, seed, kMax, nMax, o.circuitQuestions));
          lm.model.removeAdapter(FT_ADAPTER);
        }
        log(`${def.name} seed ${seed}: ${points.filter((p) => p.suite === def.name && p.seed === seed).map((p) => `${p.learner}@${p.x} ${(p.correct.filter(Boolean).length / p.correct.length * 100).toFixed(0)}%`).join(', ')}`);
      }
    }
    if (o.served && o.learners.includes('icl')) {
      const model = await openLanguageModel(o.served);
      httpModel = model.name;
      try {
        for (const def of suites) {
          points.push(...await httpIclCurve(model, def, sizes, seeds[0]));
          log(`${def.name}: served-model ICL done`);
        }
      } finally {
        await model.dispose?.();
      }
    }
  } finally {
    await lm.dispose();
  }
  const suiteInfo = suites.map((def) => {
    const items = testSuite(def, sizes, seeds[0]).items;
    return { name: def.name, kind: def.kind, hiddenRule: def.hiddenRule, chance: items.reduce((a, it) => a + 1 / it.choices.length, 0) / items.length };
  });
  const notes = [o.base
    ? `Base model loaded from ${o.base} (meta-training skipped; its settings are those of the run that wrote it). The seeds vary the demonstrations, the fine-tuning examples and sample order, the LoRA initialisation and the test questions.`
    : `One base model per run (seed ${seeds[0]}); the seeds vary the demonstrations, the fine-tuning examples and sample order, the LoRA initialisation and the test questions. The base model is saved under base/.`, o.notes()];
  return { ...writePatternsReport(o.out, { sizes, modelConfig, seeds, suites: suiteInfo, points, circuits, metaLosses, httpModel, notes }), circuits };
}
