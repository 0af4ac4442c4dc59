/**
 * Built-in recipes for `hearth e2cl`. `quick` is sized to finish on 2 CPU cores in under 15
 * minutes with a small transformer trained from scratch; `full` is closer to the paper (6
 * epochs, full history, more tasks) and takes hours.
 *
 * Context length: the local model's context is short, and E2CL prompts grow with every step
 * (history plus observations), so the quick recipe keeps only the last `historySteps` steps
 * of the history in every prompt (the task title and description are always kept) and cuts
 * each observation to `maxObservationChars`. The report states both.
 */
import type { Recipe } from './pipeline.ts';

export interface RecipeSizes {
  trainTasks: number;
  evalTasks: number;
  /** Local model shape. */
  model: { layers: number; d: number; heads: number; ctx: number; vocab: number; lr: number };
}

export interface NamedRecipe {
  recipe: Recipe;
  sizes: RecipeSizes;
}

export const QUICK: NamedRecipe = {
  recipe: {
    name: 'quick', seed: 42,
    prompt: { historySteps: 2, maxObservationChars: 120, feedbackInCorrection: false },
    detail: 'specific',
    initEpochs: 3, finetuneEpochs: 2, batchSize: 16, maxSteps: 26,
    actionTokens: 12, feedbackTokens: 4, concurrency: 64, maxBatch: 64,
    teacherGuided: { samples: 2, temperature: 1.0, correction: 'expert' },
    teacherFree: { corrector: 'planner', temperature: 0.7, samples: 4, episodesPerTask: 1 },
    bootstrapResamples: 1000,
  },
  sizes: { trainTasks: 160, evalTasks: 60, model: { layers: 2, d: 128, heads: 4, ctx: 256, vocab: 768, lr: 2e-3 } },
};

export const FULL: NamedRecipe = {
  recipe: {
    ...QUICK.recipe, name: 'full',
    prompt: { feedbackInCorrection: false },
    initEpochs: 6, finetuneEpochs: 6, batchSize: 30,
    teacherGuided: { samples: 4, temperature: 1.0, correction: 'expert' },
    teacherFree: { corrector: 'planner', temperature: 0.7, samples: 4, episodesPerTask: 2 },
  },
  sizes: { trainTasks: 2000, evalTasks: 247, model: { layers: 4, d: 256, heads: 8, ctx: 1024, vocab: 2048, lr: 1e-3 } },
};
