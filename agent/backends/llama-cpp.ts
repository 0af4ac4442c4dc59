/**
 * A local GGUF model through `node-llama-cpp` (optional dependency, pinned 3.21.1; its
 * prebuilt CPU binaries ship inside registry packages, so it installs offline). Loaded with a
 * dynamic import: when the package is absent, loading a GGUF model is a clear user error and
 * nothing else in Hearth notices.
 *
 * Generation runs prompts one after another on one context sequence (history cleared per
 * prompt). Log-probs evaluate prompt+continuation once and read each continuation token's
 * probability from the distribution before it; constrained decoding uses a GBNF grammar
 * that allows exactly the listed strings.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { HearthError } from '../../env/errors.ts';
import type { GenerateOptions, LanguageModel } from '../language-model.ts';
import { truncateAtStop } from './stop-strings.ts';

export interface GgufOptions {
  /** Context window in tokens (default: 2048, capped by the model's training context). */
  contextSize?: number;
  /** CPU threads (default: node-llama-cpp's choice). */
  threads?: number;
  /** `auto` uses a GPU when node-llama-cpp finds one; default false (CPU, reproducible). */
  gpu?: boolean | 'auto';
}

type NodeLlamaCpp = typeof import('node-llama-cpp');
type LlamaModel = import('node-llama-cpp').LlamaModel;
type LlamaContext = import('node-llama-cpp').LlamaContext;
type LlamaContextSequence = import('node-llama-cpp').LlamaContextSequence;
type Token = import('node-llama-cpp').Token;

export const LLAMA_CPP_VERSION = '3.21.1';

/** Sampler settings under which llama.cpp reports the model's own next-token distribution. */
const FULL_SOFTMAX = { temperature: 1, topK: 0, topP: 1, minP: 0 };

/** The module, or a HearthError saying how to install it. */
export async function importNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  try {
    return await import('node-llama-cpp');
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new HearthError('backend.llama_cpp_missing', `node-llama-cpp is not installed or cannot load (${why})`,
      `install it with \`npm install --save-optional node-llama-cpp@${LLAMA_CPP_VERSION}\` (it is an optional dependency; npm ci skips it where it cannot install)`);
  }
}

export class GgufModel implements LanguageModel {
  readonly name: string;
  readonly backend = 'llama.cpp';
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly lib: NodeLlamaCpp,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly sequence: LlamaContextSequence,
    readonly path: string,
  ) {
    this.name = `gguf:${path}`;
  }

  static async load(path: string, options: GgufOptions = {}): Promise<GgufModel> {
    if (!existsSync(path)) {
      throw new HearthError('backend.gguf_missing', `GGUF model file ${path} does not exist`, 'give the path of a .gguf file (e.g. from a llama.cpp conversion)');
    }
    checkGgufHeader(path);
    const lib = await importNodeLlamaCpp();
    const llama = await lib.getLlama({
      gpu: options.gpu === true ? 'auto' : options.gpu === 'auto' ? 'auto' : false,
      build: 'never', // never download or compile at run time: use the prebuilt binary or fail clearly
      logLevel: lib.LlamaLogLevel.error,
      ...(options.threads ? { maxThreads: options.threads } : {}),
    }).catch((e: unknown) => {
      throw new HearthError('backend.llama_cpp_binary', `node-llama-cpp has no usable llama.cpp binary here: ${(e as Error).message.split('\n')[0]}`,
        'reinstall node-llama-cpp so that its prebuilt package for this platform (@node-llama-cpp/<platform>) is present');
    });
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath: path });
    } catch (e) {
      throw new HearthError('backend.gguf_invalid', `cannot load GGUF model ${path}: ${(e as Error).message.split('\n')[0]}`,
        'check that the file is a complete GGUF model of an architecture this llama.cpp supports');
    }
    const trained = model.trainContextSize;
    const contextSize = Math.min(options.contextSize ?? 2048, trained > 0 ? trained : Infinity);
    const context = await model.createContext({ contextSize, sequences: 1, ...(options.threads ? { threads: options.threads } : {}) });
    return new GgufModel(lib, model, context, context.getSequence(), path);
  }

  /** Tokens needed for the longest allowed string (+1 so the grammar can close). */
  private allowedBudget(allowed: string[]): number {
    return Math.max(...allowed.map((s) => this.model.tokenize(s).length)) + 1;
  }

  /** llama.cpp sequences are stateful: one call at a time. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  generate(prompts: string[], options: GenerateOptions): Promise<string[]> {
    return this.exclusive(async () => {
      const grammar = options.allowed ? await this.allowedGrammar(options.allowed) : undefined;
      const out: string[] = [];
      for (const prompt of prompts) {
        await this.sequence.clearHistory();
        const completion = new this.lib.LlamaCompletion({ contextSequence: this.sequence });
        const text = await completion.generateCompletion(prompt, {
          // The output must be one of the allowed strings, so it may need more than maxTokens.
          maxTokens: options.allowed ? Math.max(options.maxTokens, this.allowedBudget(options.allowed)) : options.maxTokens,
          temperature: options.temperature ?? 0,
          topP: options.topP,
          seed: options.seed ?? 0,
          customStopTriggers: options.stop?.filter((s) => s !== ''),
          grammar,
        });
        out.push(truncateAtStop(text, options.stop).text);
      }
      return out;
    });
  }

  logProbs(prompts: string[], continuations: string[]): Promise<number[]> {
    return this.exclusive(async () => {
      const out: number[] = [];
      for (let i = 0; i < prompts.length; i++) out.push(await this.scoreOne(prompts[i], continuations[i]));
      return out;
    });
  }

  private async scoreOne(prompt: string, continuation: string): Promise<number> {
    if (continuation === '') return 0;
    const bos = this.model.tokens.bos;
    const head: Token[] = this.model.tokens.shouldPrependBosToken && bos !== null ? [bos] : [];
    const promptTokens = [...head, ...this.model.tokenize(prompt)];
    const joint = [...head, ...this.model.tokenize(prompt + continuation)];
    // Score the continuation's own tokens when the joint tokenisation keeps the prompt's;
    // otherwise the prompt's last token merged across the boundary: score it from there on.
    let split = 0;
    while (split < promptTokens.length && split < joint.length && promptTokens[split] === joint[split]) split++;
    if (split === 0) {
      throw new HearthError('backend.no_logprobs', `cannot score a continuation of an empty prompt with ${this.name}`, 'give a non-empty prompt');
    }
    if (joint.length > this.context.contextSize) {
      throw new HearthError('backend.context', `prompt + continuation is ${joint.length} tokens; ${this.name} has a ${this.context.contextSize}-token context`,
        'shorten the prompt or load the model with a larger contextSize');
    }
    await this.sequence.clearHistory();
    const input = joint.map((t, k) => (k >= split - 1 && k < joint.length - 1
      ? [t, { generateNext: { probabilities: true, options: FULL_SOFTMAX } }] as const
      : t));
    const results = await this.sequence.controlledEvaluate(input as Parameters<LlamaContextSequence['controlledEvaluate']>[0]);
    let sum = 0;
    for (let k = split - 1; k < joint.length - 1; k++) {
      const p = results[k]?.next?.probabilities?.get(joint[k + 1]) ?? 0;
      sum += Math.log(p);
    }
    return sum;
  }

  private allowedGrammar(allowed: string[]): Promise<import('node-llama-cpp').LlamaGrammar> {
    if (allowed.length === 0) throw new HearthError('backend.config', 'constrained decoding got an empty list of allowed strings');
    const rule = allowed.map((s) => JSON.stringify(s)).join(' | ');
    return this.context.model.llama.createGrammar({ grammar: `root ::= ${rule}` });
  }

  async dispose(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
  }
}

/**
 * The fixed GGUF header (magic, version, tensor and metadata counts), checked before
 * node-llama-cpp parses the file: its parser reads any other file as GGUF v3 and can spin on
 * the garbage counts instead of failing.
 */
export function checkGgufHeader(path: string): void {
  const head = Buffer.alloc(24);
  const fd = openSync(path, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, 24, 0);
  } finally {
    closeSync(fd);
  }
  const fix = 'give a .gguf model file (llama.cpp\'s convert_hf_to_gguf.py writes them)';
  if (n < 24 || head.toString('latin1', 0, 4) !== 'GGUF') {
    throw new HearthError('backend.gguf_invalid', `${path} is not a GGUF file (no GGUF magic number)`, fix);
  }
  const version = head.readUInt32LE(4);
  const tensors = head.readBigUInt64LE(8);
  const kvs = head.readBigUInt64LE(16);
  if (version < 2 || version > 3 || tensors > 1_000_000n || kvs > 1_000_000n) {
    throw new HearthError('backend.gguf_invalid', `${path} has an unsupported or damaged GGUF header (version ${version}, ${tensors} tensors, ${kvs} metadata entries)`, fix);
  }
}
