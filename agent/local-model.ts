/**
 * `LocalModel`: the TensorFlow.js transformer and its tokenizer behind the `LanguageModel`
 * interface (batched generation, log-probs), plus what training and probing code needs:
 * the `Transformer` itself, differentiable sequence log-probs, and checkpoint I/O.
 *
 * Text convention shared by training, generation and scoring: a prompt is `BOS + prompt`,
 * its continuation follows directly, and a trained output ends with `EOS`.
 */
import { createHash } from 'node:crypto';
import { HearthError } from '../env/errors.ts';
import { readCheckpoint, type CheckpointContent, type TensorGroup, writeCheckpoint } from './checkpoint.ts';
import { generateBatch, promptIds } from './decode.ts';
import type { GenerateOptions, LanguageModel } from './language-model.ts';
import { seqLogProb, type SeqLogProbOptions } from './logprob.ts';
import { DEFAULT_CONFIG, type ModelConfig, Transformer } from './model.ts';
import { Tokenizer } from './tokenizer.ts';
import { type BackendName, backendDetail, initBackend, tf } from './tfjs.ts';

export interface PairBatch {
  /** (B, T) inputs, targets (next tokens), per-target weights (1 on continuation tokens). */
  tokens: Int32Array;
  targets: Int32Array;
  mask: Float32Array;
  valid: Uint8Array;
  batch: number;
  time: number;
}

export class LocalModel implements LanguageModel {
  readonly name: string;

  constructor(
    readonly model: Transformer,
    readonly tokenizer: Tokenizer,
    readonly backend: BackendName,
    name = 'local:memory',
    /** Step and seed the weights came from (recorded again when saved). */
    public meta: { step: number; seed: number; dataHash: string } = { step: 0, seed: 0, dataHash: '' },
  ) {
    this.name = name;
  }

  get config(): ModelConfig { return this.model.config; }

  /** One completion per prompt; all prompts decode together (per-row KV caches). */
  async generate(prompts: string[], options: GenerateOptions): Promise<string[]> {
    if (!Number.isInteger(options.maxTokens) || options.maxTokens < 1) {
      throw new HearthError('lm.options', `maxTokens must be a positive integer, got ${options.maxTokens}`);
    }
    if (options.topP !== undefined && !(options.topP > 0 && options.topP <= 1)) {
      throw new HearthError('lm.options', `topP must be in (0, 1], got ${options.topP}`);
    }
    return generateBatch(this.model, this.tokenizer, prompts, options);
  }

  /** Σ log p(continuation | prompt) per pair (EOS not included). */
  async logProbs(prompts: string[], continuations: string[]): Promise<number[]> {
    return this.scorePairs(prompts.map((p, i) => ({ input: p, output: continuations[i] })), { includeEos: false });
  }

  /** Sequence log-probs of pairs (sum or mean, optional EOS), as plain numbers. */
  scorePairs(pairs: Array<{ input: string; output: string }>, opts: SeqLogProbOptions & { includeEos?: boolean; chunk?: number } = {}): number[] {
    const out: number[] = [];
    const chunk = opts.chunk ?? 16;
    for (let i = 0; i < pairs.length; i += chunk) {
      const part = pairs.slice(i, i + chunk);
      const v = tf.tidy(() => this.pairLogProbs(part, opts));
      out.push(...(v.dataSync() as Float32Array));
      v.dispose();
    }
    return out;
  }

  /**
   * Differentiable per-pair log-probs (B,) of `output` given `input` (call inside
   * `tf.variableGrads` for preference losses). `weights[i]` optionally weights pair i's
   * output tokens (length = its output token count, + 1 with EOS).
   */
  pairLogProbs(pairs: Array<{ input: string; output: string }>, opts: SeqLogProbOptions & { includeEos?: boolean; tokenWeights?: number[][] } = {}): tf.Tensor1D {
    const b = this.batchPairs(pairs, opts.includeEos ?? true);
    let weights: Float32Array | undefined;
    if (opts.tokenWeights) {
      weights = new Float32Array(b.mask.length).fill(1);
      for (let r = 0; r < b.batch; r++) {
        let k = 0;
        for (let t = 0; t < b.time; t++) if (b.mask[r * b.time + t]) weights[r * b.time + t] = opts.tokenWeights[r]?.[k++] ?? 1;
      }
    }
    const { logits } = this.model.forward({ tokens: b.tokens, batch: b.batch, time: b.time, valid: b.valid });
    return seqLogProb(logits!, b.targets, b.mask, b.batch, { average: opts.average, weights: weights ?? opts.weights });
  }

  /** One pair's token ids as `batchPairs` trains on them: BOS+input+output(+EOS), cut from the left to ctx+1. */
  private pairIds({ input, output }: { input: string; output: string }, includeEos: boolean): { ids: number[]; nPrompt: number } {
    const ctx = this.config.ctx;
    const p = promptIds(this.tokenizer, input);
    const o = this.tokenizer.encode(output);
    if (includeEos) o.push(this.tokenizer.eos);
    let ids = [...p, ...o];
    let nPrompt = p.length;
    if (ids.length > ctx + 1) { const cut = ids.length - (ctx + 1); ids = ids.slice(cut); nPrompt = Math.max(0, nPrompt - cut); }
    return { ids, nPrompt };
  }

  /** The time steps a pair occupies in a `batchPairs` batch (a batch's `time` is the largest of its rows'). */
  pairTime(pair: { input: string; output: string }, includeEos = true): number {
    return Math.max(1, this.pairIds(pair, includeEos).ids.length - 1);
  }

  /** Right-padded batch of BOS+input+output(+EOS), targets shifted by one, mask on output tokens. */
  batchPairs(pairs: Array<{ input: string; output: string }>, includeEos = true): PairBatch {
    const seqs = pairs.map((pair) => this.pairIds(pair, includeEos));
    const T = Math.max(1, ...seqs.map((s) => s.ids.length - 1));
    const B = pairs.length;
    const tokens = new Int32Array(B * T).fill(this.tokenizer.pad);
    const targets = new Int32Array(B * T);
    const mask = new Float32Array(B * T);
    const valid = new Uint8Array(B * T);
    seqs.forEach(({ ids, nPrompt }, r) => {
      for (let t = 0; t + 1 < ids.length; t++) {
        tokens[r * T + t] = ids[t];
        targets[r * T + t] = ids[t + 1];
        valid[r * T + t] = 1;
        if (t + 1 >= nPrompt) mask[r * T + t] = 1;
      }
    });
    return { tokens, targets, mask, valid, batch: B, time: T };
  }

  /** Everything a checkpoint needs, plus extra tensor groups / trainer fields from the caller. */
  checkpointContent(extra: { groups?: Record<string, TensorGroup>; trainer?: Record<string, unknown> } = {}): CheckpointContent {
    const weights: TensorGroup = new Map();
    for (const [name, v] of this.model.namedTensors()) weights.set(name, { shape: v.shape.slice(), data: v.dataSync() as Float32Array });
    return {
      manifest: {
        config: this.config, tokenizer: this.tokenizer.toJSON(), backend: this.backend, backendDetail: backendDetail(),
        step: this.meta.step, seed: this.meta.seed, dataHash: this.meta.dataHash,
        adapters: this.model.adapterNames().map((n) => ({ name: n, options: this.model.adapterOptions(n) })),
        activeAdapter: this.model.activeAdapter, trainer: extra.trainer,
      },
      groups: { weights, ...extra.groups },
    };
  }

  /** Write the model (no optimizer state) to `dir` atomically. */
  save(dir: string): void {
    writeCheckpoint(dir, this.checkpointContent());
  }

  async dispose(): Promise<void> { this.model.dispose(); }
}

export interface CreateOptions {
  config?: Partial<ModelConfig>;
  /** Texts the tokenizer is trained on (or a tokenizer to reuse). */
  corpus?: Iterable<string>;
  tokenizer?: Tokenizer;
  seed?: number;
  backend?: string;
}

/** A freshly initialised model; the tokenizer is trained on `corpus` up to config.vocabSize. */
export async function createModel(opts: CreateOptions): Promise<LocalModel> {
  const backend = await initBackend(opts.backend);
  const config: ModelConfig = { ...DEFAULT_CONFIG, ...opts.config };
  const tokenizer = opts.tokenizer ?? Tokenizer.train(opts.corpus ?? [], config.vocabSize);
  // The embedding table is sized to the configured vocabulary, which may exceed what the
  // corpus supports (then the spare rows are never used).
  if (tokenizer.vocabSize > config.vocabSize) throw new Error(`tokenizer has ${tokenizer.vocabSize} tokens, config.vocabSize is ${config.vocabSize}`);
  const seed = opts.seed ?? 0;
  const model = new Transformer(config, seed);
  return new LocalModel(model, tokenizer, backend, 'local:memory', { step: 0, seed, dataHash: '' });
}

/** Load weights (and adapters) from a checkpoint directory written by `LocalModel.save` or the trainer. */
export async function loadModel(checkpointDir: string, opts: { backend?: string } = {}): Promise<LocalModel> {
  const { manifest, groups } = readCheckpoint(checkpointDir);
  const backend = await initBackend(opts.backend);
  const tokenizer = Tokenizer.fromJSON(manifest.tokenizer);
  const model = new Transformer(manifest.config, manifest.seed);
  for (const a of manifest.adapters ?? []) model.addAdapter(a.name, a.options);
  const named = model.namedTensors();
  for (const [name, v] of named) {
    const t = groups.weights.get(name);
    if (!t) throw new HearthError('checkpoint.invalid', `checkpoint ${checkpointDir}: weights.bin has no tensor ${name}`, 'the checkpoint is incomplete or from another model version');
    if (t.shape.join(',') !== v.shape.join(',')) throw new HearthError('checkpoint.invalid', `checkpoint ${checkpointDir}: tensor ${name} has shape [${t.shape}], expected [${v.shape}]`);
    v.assign(tf.tensor(t.data, t.shape));
  }
  model.setAdapter(manifest.activeAdapter ?? null);
  if (manifest.backend !== backend) {
    process.stderr.write(`note: checkpoint was trained on backend ${manifest.backend}; running on ${backend}\n`);
  }
  return new LocalModel(model, tokenizer, backend, `local:${checkpointDir}`, { step: manifest.step, seed: manifest.seed, dataHash: manifest.dataHash });
}

export function hashText(parts: Iterable<string>): string {
  const h = createHash('sha256');
  for (const p of parts) { h.update(p); h.update('\0'); }
  return h.digest('hex');
}
