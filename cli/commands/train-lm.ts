/**
 * `hearth train-lm`: train the local transformer on a JSONL file of `{input, output}` or
 * `{messages}` records (loss on outputs only, packed rows). Checkpoints go to
 * `--checkpoint DIR` every `--save-every` steps and at the end; rerunning the same command
 * resumes from the directory and ends with the same weights as an uninterrupted run.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { HearthError } from '../../env/errors.ts';
import { readPairsJsonl } from '../../alignment/lm-data.ts';
import { assertResumable, Trainer, trainModel } from '../../alignment/trainer.ts';
import { backendDetail } from '../../agent/tfjs.ts';
import type { Command } from '../main.ts';
import { intFlag, numberFlag, parseArgs, type ParsedArgs, requireFlag, stringFlag } from '../args.ts';
import { checkOutputDir } from '../output-paths.ts';

const USAGE = 'hearth train-lm --data FILE.jsonl [--checkpoint DIR] [--steps 500] [--batch 16] [--layers 2] [--d 128] [--heads 4] [--ctx 128] [--vocab 512] [--positions rope|learned] [--dropout 0] [--lr 3e-3] [--warmup 20] [--seed 0] [--save-every 100] [--backend wasm|cpu|tensorflow]';

function numFlag(args: ParsedArgs, name: string, fallback: number, lo: number, hi: number): number {
  return numberFlag(args, name, fallback, lo, hi, USAGE);
}

/** Bytes a checkpoint of `params` parameters can take on disk while it is replaced: weights + AdamW's two moments, old and new copies, plus slack. */
export function checkpointBytes(params: number): number {
  return params * 4 * 3 * 2 + 4 * 2 ** 20;
}

export const command: Command = {
  name: 'train-lm',
  summary: 'train the local TensorFlow.js language model on {input, output} or messages JSONL',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const s = { type: 'string' } as const;
    const args = parseArgs(argv, {
      data: s, checkpoint: s, steps: s, batch: s, layers: s, d: s, heads: s, ctx: s, vocab: s, positions: s, dropout: s,
      lr: s, warmup: s, seed: s, 'save-every': s, backend: s,
    }, USAGE);
    if (args.positionals.length) throw new HearthError('cli.usage', `unexpected argument "${args.positionals[0]}"`, `usage: ${USAGE}`);
    const dataPath = resolve(requireFlag(args, 'data', USAGE));
    const dir = resolve(stringFlag(args, 'checkpoint') ?? 'runs/lm/model');
    const steps = intFlag(args, 'steps', 500, 1);
    const positions = stringFlag(args, 'positions') ?? 'rope';
    if (positions !== 'rope' && positions !== 'learned') throw new HearthError('cli.usage', `--positions must be rope or learned, got "${positions}"`, `usage: ${USAGE}`);
    const config = {
      layers: intFlag(args, 'layers', 2, 1), d: intFlag(args, 'd', 128, 1), heads: intFlag(args, 'heads', 4, 1),
      ctx: intFlag(args, 'ctx', 128, 8), vocabSize: intFlag(args, 'vocab', 512, 259), positions: positions as 'rope' | 'learned',
      dropout: numFlag(args, 'dropout', 0, 0, 0.99),
    };
    if (config.d % config.heads !== 0) throw new HearthError('cli.usage', `--d (${config.d}) must be divisible by --heads (${config.heads})`);
    if (positions === 'rope' && (config.d / config.heads) % 2 !== 0) {
      throw new HearthError('cli.usage', `--d / --heads (${config.d / config.heads}) must be even with rotary positions`, 'choose an even head width, or --positions learned');
    }
    const lr = numFlag(args, 'lr', 3e-3, 0, 10);
    const seed = intFlag(args, 'seed', 0, 0);
    // Every flag and the output directory are checked before the data is read and the model built.
    const batchRows = intFlag(args, 'batch', 16, 1), saveEvery = intFlag(args, 'save-every', 100, 1), warmup = intFlag(args, 'warmup', 20, 0);
    checkOutputDir(dir, '--checkpoint');
    const data = readPairsJsonl(dataPath);
    const resuming = existsSync(dir);
    const trainer = await Trainer.create({
      corpus: data.map((p) => p.input + p.output), seed, config, backend: stringFlag(args, 'backend'),
      trainer: { lr, minLr: lr / 10, warmupSteps: warmup, totalSteps: steps },
    });
    // A resume with another shape or settings would load the saved ones silently: refuse first.
    if (resuming) {
      try { assertResumable(dir, trainer, data); } catch (e) { trainer.dispose(); throw e; }
    }
    // Room for the checkpoints, now rather than after the training they would hold.
    try { checkOutputDir(dir, '--checkpoint', { needBytes: checkpointBytes(trainer.lm.model.parameterCount) }); } catch (e) { trainer.dispose(); throw e; }
    console.error(`backend: ${backendDetail()}; ${data.length} records; model ${trainer.lm.model.parameterCount} parameters, tokenizer ${trainer.lm.tokenizer.vocabSize} tokens${resuming ? `; resuming from ${dir}` : ''}`);
    const tty = process.stderr.isTTY;
    let lastPct = -1;
    const done = await trainModel(trainer, {
      data, steps, batchRows, checkpointDir: dir, checkpointEvery: saveEvery,
      onStep: (r) => {
        const pct = Math.floor((100 * r.step) / steps);
        const line = `step ${r.step}/${steps} (${pct}%) loss ${r.loss.toFixed(4)} lr ${r.lr.toExponential(2)} ${Math.round(r.tokensPerSecond)} tok/s`;
        if (tty) process.stderr.write(`\r${line}   `);
        else if (pct !== lastPct && (pct % 10 === 0 || r.step === steps)) process.stderr.write(`${line}\n`);
        lastPct = pct;
      },
    });
    if (tty) process.stderr.write('\n');
    console.log(`checkpoint: ${dir} (step ${done.step}, backend ${done.lm.backend})`);
    done.dispose();
    return 0;
  },
};
