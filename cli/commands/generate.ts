/**
 * `hearth generate`: complete one or more prompts with a local checkpoint (batched).
 */
import { HearthError } from '../../env/errors.ts';
import { describeCheckpoint, resolveCheckpointDir } from '../../agent/checkpoint.ts';
import { loadModel } from '../../agent/local-model.ts';
import { backendDetail } from '../../agent/tfjs.ts';
import type { Command } from '../main.ts';
import { intFlag, noPositionals, numberFlag, parseArgs, requireFlag, stringFlag } from '../args.ts';

const USAGE = 'hearth generate --checkpoint DIR --prompt TEXT [--prompt TEXT ...] [--max-tokens 64] [--temperature 0] [--top-p 1] [--seed 0] [--stop S] [--allowed A|B|C] [--backend wasm|cpu|tensorflow] [--json]';

export const command: Command = {
  name: 'generate',
  summary: 'generate text from a local checkpoint (greedy or sampled, batched over prompts)',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    // --prompt may repeat: collect them before the strict parser sees the rest.
    const prompts: string[] = [];
    const rest: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      if (argv[i] === '--prompt') {
        if (i + 1 >= argv.length) throw new HearthError('cli.usage', 'option --prompt needs a value', `usage: ${USAGE}`);
        prompts.push(argv[++i]);
      } else if (argv[i].startsWith('--prompt=')) prompts.push(argv[i].slice(9));
      else rest.push(argv[i]);
    }
    const s = { type: 'string' } as const;
    const args = parseArgs(rest, { checkpoint: s, 'max-tokens': s, temperature: s, 'top-p': s, seed: s, stop: s, allowed: s, backend: s, json: { type: 'boolean' } }, USAGE);
    noPositionals(args, USAGE);
    if (prompts.length === 0) throw new HearthError('cli.usage', 'missing --prompt', `usage: ${USAGE}`);
    const resolved = resolveCheckpointDir(requireFlag(args, 'checkpoint', USAGE));
    const num = (name: string, fb: number, lo: number, hi: number) => numberFlag(args, name, fb, lo, hi, USAGE);
    // Every flag is checked before the model loads.
    const options = {
      maxTokens: intFlag(args, 'max-tokens', 64, 1, 1_000_000), temperature: num('temperature', 0, 0, 100), topP: num('top-p', 1, 1e-6, 1),
      seed: intFlag(args, 'seed', 0),
    };
    const lm = await loadModel(resolved.dir, { backend: stringFlag(args, 'backend') });
    console.error(describeCheckpoint(resolved));
    console.error(`backend: ${backendDetail()}; checkpoint step ${lm.meta.step}`);
    const stop = stringFlag(args, 'stop');
    const allowed = stringFlag(args, 'allowed');
    const outs = await lm.generate(prompts, {
      ...options, stop: stop !== undefined ? [stop] : undefined, allowed: allowed !== undefined ? allowed.split('|') : undefined,
    });
    if (args.flags.json) console.log(JSON.stringify({ backend: lm.backend, completions: outs }));
    else for (const o of outs) console.log(o);
    await lm.dispose();
    return 0;
  },
};
