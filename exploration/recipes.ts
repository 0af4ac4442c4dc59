/**
 * Built-in recipes for `hearth e2cl`. `quick` is sized to finish on 2 CPU cores in under 15
 * minutes with a small transformer trained from scratch; `full` is closer to the paper (6
 * epochs, full history, more tasks) and takes hours.
 *
 * Sizing (quick), measured on this kind of machine (2 cores, run 2026-11-27T10-15-57Z): bc-init
 * (4 epochs over the 1,350 planning records of 300 short tasks plus 2 renamed copies of each)
 * ~4.7 minutes, exploration ~20 s, the four fine-tunes (2 epochs each over mixes of 1,300 to
 * 5,400 records, every exploration record kept) ~9 minutes one after another or ~6 minutes
 * side by side in 2 processes, evaluation (4 models × 2 modes × 400 episodes, prompt prefixes
 * reused across steps) ~45 s: ~12 minutes.
 *
 * Context length: the local model's context is short, and E2CL prompts grow with every step
 * (history plus observations), so the quick recipe keeps only the last `historySteps` steps
 * of the history in every prompt (the task title and description are always kept) and cuts
 * each observation to `maxObservationChars`. The report states both.
 */
import type { Recipe } from './pipeline.ts';

export interface RecipeSizes {
  trainTasks: number;
  /** Unseen evaluation tasks (the acceptance split). */
  evalTasks: number;
  seenTasks: number;
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
    prompt: { historySteps: 4, maxObservationChars: 60, keepHeldWhenCut: true, feedbackInCorrection: true },
    detail: 'specific',
    // The paper's 6 epochs for every fine-tune, continuing bc-init's optimizer and schedule;
    // batches grouped by length in the model's tokens (what a batch is padded in) pad far
    // fewer tokens, which pays for the extra epochs.
    initEpochs: 4, finetuneEpochs: 6, batchSize: 16, maxSteps: 26, continueSchedule: true, lengthGroups: 32, lengthBy: 'tokens',
    // Feedback is decoded whole (the longest `Error, <reason>` target is ~60 tokens of this
    // vocabulary; the pipeline refuses a budget that cuts any target).
    actionTokens: 12, feedbackTokens: 80, concurrency: 64, maxBatch: 64,
    // Exploration close to deployment: the greedy proposal plus samples at a low temperature
    // (T=1 made half the Error labels garbled object names, issue 13); teacher-free runs one
    // greedy episode per task and one sampled at the same low temperature.
    teacherGuided: { samples: 4, temperature: 0.5, correction: 'expert' },
    teacherFree: { corrector: 'planner', temperature: 0.5, samples: 4, episodesPerTask: 2, maxSteps: 12, greedyEpisodes: 1 },
    feedbackBalance: 2,
    // Cap per exploration set: only `True` / `Task finished` records are dropped to meet it.
    maxExplorationRecords: 2000,
    correctionGuard: 'no-repeat',
    heldOutShare: 0.1,
    renamedCopies: 2,
    // Renamed planning records are 20% of every model's mix as trained (issue 13: the same
    // share for all four; renaming half the planning records gave bc 50% and e2cl ~20%).
    renamedShareOfMix: 0.2,
    bootstrapResamples: 1000,
    maxExpertSteps: 6,
  },
  sizes: { trainTasks: 300, evalTasks: 300, seenTasks: 100, model: { layers: 2, d: 128, heads: 4, ctx: 256, vocab: 1024, lr: 3e-3 } },
};

export const FULL: NamedRecipe = {
  recipe: {
    ...QUICK.recipe, name: 'full',
    prompt: { feedbackInCorrection: false },
    initEpochs: 6, finetuneEpochs: 6, batchSize: 30,
    teacherGuided: { samples: 4, temperature: 1.0, correction: 'expert' },
    teacherFree: { corrector: 'planner', temperature: 0.7, samples: 4, episodesPerTask: 2, maxSteps: 26 },
    maxExplorationRecords: undefined,
    renamedShareOfMix: undefined,
    maxExpertSteps: undefined,
    feedbackBalance: undefined,
  },
  sizes: { trainTasks: 2000, evalTasks: 247, seenTasks: 247, model: { layers: 4, d: 256, heads: 8, ctx: 1024, vocab: 2048, lr: 1e-3 } },
};

/** A smoke-test recipe (seconds, meaningless scores): checks that every stage runs. */
export const TINY: NamedRecipe = {
  recipe: {
    // Token budgets: the tiny vocabulary spends more tokens per character than quick's.
    ...QUICK.recipe, name: 'tiny', initEpochs: 1, finetuneEpochs: 1, batchSize: 8, maxSteps: 6, actionTokens: 32, feedbackTokens: 160, heldOutShare: 0.25,
    // 15 planning records: a smaller share that they can still give every mix.
    renamedShareOfMix: 0.1,
    teacherGuided: { samples: 1, temperature: 1.0, correction: 'expert' },
    teacherFree: { ...QUICK.recipe.teacherFree, maxSteps: 4 },
    bootstrapResamples: 100,
  },
  sizes: { trainTasks: 4, evalTasks: 2, seenTasks: 2, model: { layers: 1, d: 32, heads: 2, ctx: 256, vocab: 300, lr: 3e-3 } },
};
