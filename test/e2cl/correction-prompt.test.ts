/**
 * Issue 13 item 4: one correction prompt. At inference the correction prompt is built from
 * the feedback the model predicted; in training from the environment's feedback. With the
 * feedback line in the prompt (`feedbackInCorrection`), the two are the same text only if
 * the whole feedback is decoded: a model that outputs exactly its training target, cut at the
 * recipe's feedback budget (in tokens of a real BPE tokenizer), must produce the training
 * record's correction prompt. The old budgets (4 tokens quick, 3 tiny) cut `Error, <reason>`
 * to `Error` or less and fail this.
 */
import { describe, expect, it } from 'vitest';
import type { GenerateOptions } from '../../agent/language-model.ts';
import { Tokenizer } from '../../agent/tokenizer.ts';
import { correctionPrompt, feedbackPrompt, planningPrompt, type HistoryStep, type PromptOptions } from '../../alignment/datasets/prompts.ts';
import { correctionRecord, feedbackRecord } from '../../alignment/datasets/records.ts';
import { errorFeedback } from '../../feedback/targets.ts';
import { policyOf } from '../../exploration/pipeline.ts';
import { feedbackBudgetShortfall, speculativeAction } from '../../exploration/policy.ts';
import { QUICK, TINY } from '../../exploration/recipes.ts';

const task = { id: 't/1', title: 'Wash dishes', description: 'Put the plate in the dishwasher and switch it on.' };
const history: HistoryStep[] = [
  { action: 'Walk to kitchen', observation: 'kitchen_counter is CLEAN, dishwasher is CLOSED and OFF. You have nothing. ' },
  { action: 'Grab plate', observation: 'plate is DIRTY. You have plate. ' },
];
const proposal = 'Put plate in dishwasher';
// The longest kind of reason the simulator gives, rewritten as in training targets.
const failure = { code: 'wrong_order', message: '<dishwasher> (212) is not open or is not openable when executing "[PUTIN] <plate> (81) <dishwasher> (212) [3]"' };

/**
 * A tokenizer of the recipe's vocabulary size, trained on text like a run's: prompts and
 * feedback about many objects (not the test's own failure message, which would merge whole).
 */
function tokenizerFor(vocab: number): Tokenizer {
  const objects = ['tv', 'fridge', 'kitchen_counter', 'cup', 'milk', 'sofa', 'bed', 'lamp', 'book', 'computer', 'sink', 'towel', 'microwave', 'toothbrush'];
  const corpus: string[] = [];
  for (const o of objects) {
    corpus.push(planningPrompt({ title: `Use ${o}`, description: `Find the ${o} and use it.` }, history.slice(0, 1)) + `Grab ${o}`,
      `Error, Robot agent is not close to ${o}`, `Error, ${o} is not grabbable`, `Error, Robot agent is not holding ${o}`, 'True', 'Task finished',
      'Error, Robot agent does not have a free hand', `Put ${o} on table`);
  }
  return Tokenizer.train(corpus, vocab);
}

/** A "perfect" model: answers each prompt with its training target, cut at `maxTokens` tokens. */
function perfectModel(tok: Tokenizer, targets: Map<string, string>, seen: string[]) {
  return async (prompt: string, o: GenerateOptions): Promise<string> => {
    seen.push(prompt);
    const target = targets.get(prompt) ?? 'END';
    return tok.decode(tok.encode(target).slice(0, o.maxTokens ?? Infinity));
  };
}

describe('one correction prompt in training and inference', () => {
  for (const [name, named] of [['quick', QUICK], ['tiny', TINY]] as const) {
    for (const feedbackInCorrection of [true, false]) {
      it(`${name} recipe, feedback in the correction prompt: ${feedbackInCorrection}`, async () => {
        const recipe = { ...named.recipe, prompt: { ...named.recipe.prompt, feedbackInCorrection } };
        const opts: PromptOptions = recipe.prompt;
        const fb = errorFeedback(failure);
        expect(fb).toBe('Error, dishwasher is not open or is not openable');
        const fbRecord = feedbackRecord(task, history, proposal, fb, 'teacher-guided', opts);
        const corrRecord = correctionRecord(task, history, proposal, fb, 'Open dishwasher', 'teacher-guided', opts);
        const targets = new Map([
          [planningPrompt(task, history, opts), proposal],
          [fbRecord.input, fbRecord.output],
          [corrRecord.input, corrRecord.output],
          [feedbackPrompt(task, history, 'Open dishwasher', opts), 'True'],
        ]);
        const seen: string[] = [];
        const tok = tokenizerFor(named.sizes.model.vocab);
        const d = await speculativeAction(task, history, perfectModel(tok, targets, seen), policyOf(recipe));
        // The correction prompt the policy built is the training record's, byte for byte.
        const asked = seen.find((p) => p.startsWith('You are a replanner'));
        expect(asked).toBe(corrRecord.input);
        expect(d.speculative?.predictedFeedback).toBe(fb);
        expect(d.action).toBe('Open dishwasher');
        if (feedbackInCorrection) expect(asked).toContain(`\nFeedback: ${fb}\n A corrective step would be`);
      });
    }
  }
});

describe('feedback decode budget', () => {
  it('measures the shortfall of a budget against the longest target plus its end token', () => {
    const tok = tokenizerFor(1024);
    const targets = ['True', 'Task finished', errorFeedback(failure)];
    const n = tok.encode(errorFeedback(failure)).length;
    expect(n).toBeGreaterThan(4);
    expect(feedbackBudgetShortfall(targets, (t) => tok.encode(t).length, 4)).toEqual({ longest: n + 1, shortfall: n + 1 - 4 });
    expect(feedbackBudgetShortfall(targets, (t) => tok.encode(t).length, QUICK.recipe.feedbackTokens).shortfall).toBe(0);
  });
});

// Guard against the prompt helper itself drifting from the record builder.
it('correctionRecord uses correctionPrompt', () => {
  const fb = errorFeedback(failure);
  expect(correctionRecord(task, history, proposal, fb, 'Open dishwasher', 's', { feedbackInCorrection: true }).input)
    .toBe(correctionPrompt(task, history, proposal, fb, { feedbackInCorrection: true }));
});
