/**
 * `hearth bench train|decode`: tokens/s of the local model at a given shape (see
 * bench/lm/tfjs-bench.ts). `--json` prints one JSON object, e.g. `{"tokensPerSecond": 3200}`.
 */
import { HearthError } from '../../env/errors.ts';
import { benchDecode, benchTrain } from '../../bench/lm/tfjs-bench.ts';
import { backendDetail } from '../../agent/tfjs.ts';
import type { Command } from '../main.ts';
import { intFlag, parseArgs, stringFlag } from '../args.ts';

const USAGE = 'hearth bench train|decode [--layers 2] [--d 128] [--heads 4] [--ctx 128] [--batch 16] [--vocab 512] [--steps N] [--backend wasm|cpu|tensorflow] [--json]';

export const command: Command = {
  name: 'bench',
  summary: 'measure training or KV-cache decoding tokens/s of the local model',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const spec = { layers: { type: 'string' }, d: { type: 'string' }, heads: { type: 'string' }, ctx: { type: 'string' }, batch: { type: 'string' }, vocab: { type: 'string' }, steps: { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' } } as const;
    const args = parseArgs(argv, spec, USAGE);
    const mode = args.positionals[0];
    if (mode !== 'train' && mode !== 'decode') throw new HearthError('cli.usage', `first argument must be "train" or "decode", got ${mode === undefined ? 'nothing' : `"${mode}"`}`, `usage: ${USAGE}`);
    if (args.positionals.length > 1) throw new HearthError('cli.usage', `unexpected argument "${args.positionals[1]}"`, `usage: ${USAGE}`);
    const d = intFlag(args, 'd', 128, 1);
    const heads = intFlag(args, 'heads', 4, 1);
    if (d % heads !== 0) throw new HearthError('cli.usage', `--d (${d}) must be divisible by --heads (${heads})`);
    const shape = {
      layers: intFlag(args, 'layers', 2, 1), d, heads, ctx: intFlag(args, 'ctx', 128, 9), batch: intFlag(args, 'batch', 16, 1),
      vocab: intFlag(args, 'vocab', 512, 260), steps: intFlag(args, 'steps', mode === 'train' ? 5 : 64, 1), backend: stringFlag(args, 'backend'),
    };
    const r = mode === 'train' ? await benchTrain(shape) : await benchDecode(shape);
    if (args.flags.json) console.log(JSON.stringify({ mode, ...shape, backend: r.backend, backendDetail: backendDetail(), tokensPerSecond: Math.round(r.tokensPerSecond), tokensPerCpuSecond: Math.round(r.tokensPerCpuSecond) }));
    else console.log(`${mode}: ${Math.round(r.tokensPerSecond)} tokens/s, ${Math.round(r.tokensPerCpuSecond)} tokens/CPU-s (backend ${backendDetail()}, layers ${shape.layers}, d ${d}, heads ${heads}, ctx ${shape.ctx}, batch ${shape.batch}, vocab ${shape.vocab})`);
    return 0;
  },
};
