/**
 * The shared alignment losses (issue 14): pure functions of log-prob (or score) tensors, so
 * that SFT, the DPO family, SimPO, ORPO, FPO, RISE and the ranking losses of Muffin/Cooper
 * are variants of a few functions instead of copies. Nothing here runs a model: callers
 * turn logits into per-sequence log-probs with `sequenceLogProbs` (or `LocalModel.pairLogProbs`),
 * compute reference log-probs (in memory, or offline once and stored beside the dataset),
 * and hand the tensors here. `alignment/trainer.ts` applies any of them.
 *
 * Shapes are written as comments: B = pairs (or contexts), K = candidates per context,
 * N = B·T token positions, V = vocabulary, F = SAE features.
 *
 * `preferenceLoss` follows the DPO reference implementation's `preference_loss`
 * (eric-mitchell/direct-preference-optimization) and TRL's `DPOTrainer.dpo_loss`: one
 * function, variants as parameters, returning the per-pair losses and the (detached)
 * chosen/rejected rewards TRL logs as `rewards/chosen`, `rewards/rejected`.
 */
import { HearthError } from '../env/errors.ts';
import { logSigmoid, seqLogProb, tokenLogProbs } from '../agent/logprob.ts';
import { tf } from '../agent/tfjs.ts';

/** Identity forward, zero gradient (torch's `.detach()`); tfjs-core has no stop_gradient op. */
export const stopGradient = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => [tf.zerosLike(dy)],
})) as unknown as Parameters<typeof tf.customGrad>[0]) as <T extends tf.Tensor>(x: T) => T;

type Vec = tf.Tensor1D;
/** A (B,) vector given as a tensor, or as plain numbers (e.g. offline reference log-probs). */
export type VecLike = tf.Tensor1D | Float32Array | readonly number[];

function vec(x: VecLike): tf.Tensor1D {
  return x instanceof tf.Tensor ? x : tf.tensor1d(Array.from(x));
}

// ---------------------------------------------------------------------------------------
// Sequence log-probs

export interface SequenceLogProbOptions {
  /** (N,) 1 = the token counts. Default: every label ≥ 0 (TRL's -100 padding is masked). */
  mask?: Float32Array;
  /** (N,) per-token weights multiplied with the mask (RISE: emphasis on edited tokens). */
  weights?: Float32Array;
  /** 'sum' (DPO, default) or 'mean' over the counted tokens (SimPO, ORPO, FPO: length-normalised). */
  reduce?: 'sum' | 'mean';
}

/**
 * Per-sequence masked, weighted log-probs: Σ_t m_t w_t log p(label_t | logits_t), or that
 * sum over Σ_t m_t w_t with reduce 'mean'.
 * logits (B, T, V) or (B·T, V); labels (N,) int, negative = ignored; `batch` = B when logits are 2-D.
 * Returns (B,).
 */
export function sequenceLogProbs(logits: tf.Tensor2D | tf.Tensor3D, labels: Int32Array, options: SequenceLogProbOptions & { batch?: number } = {}): Vec {
  const B = logits.rank === 3 ? logits.shape[0] : options.batch;
  if (B === undefined) throw new Error('sequenceLogProbs: 2-D logits need options.batch');
  const V = logits.shape[logits.rank - 1];
  const flat = (logits.rank === 3 ? tf.reshape(logits, [-1, V]) : logits) as tf.Tensor2D;
  if (flat.shape[0] !== labels.length) throw new Error(`sequenceLogProbs: ${flat.shape[0]} logit rows for ${labels.length} labels`);
  const mask = new Float32Array(labels.length);
  const safe = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const ignored = labels[i] < 0;
    mask[i] = ignored ? 0 : options.mask ? options.mask[i] : 1;
    safe[i] = ignored ? 0 : labels[i];
  }
  return seqLogProb(flat, safe, mask, B, { weights: options.weights, average: options.reduce ?? 'sum' });
}

// ---------------------------------------------------------------------------------------
// Preference losses

export type PreferenceKind = 'sigmoid' | 'ipo' | 'hinge' | 'robust' | 'simpo' | 'orpo' | 'fpo';
export const PREFERENCE_KINDS: readonly PreferenceKind[] = ['sigmoid', 'ipo', 'hinge', 'robust', 'simpo', 'orpo', 'fpo'];

export interface PreferenceInputs {
  /** (B,) log π_θ(y_w|x): summed over the completion (or length-normalised, see below). */
  policyChosen: Vec;
  /** (B,) log π_θ(y_l|x). */
  policyRejected: Vec;
  /** (B,) log π_ref(y_w|x), constant (computed without gradient, or offline). Absent = reference-free. */
  refChosen?: VecLike;
  /** (B,) log π_ref(y_l|x). */
  refRejected?: VecLike;
  /** (B,) completion token counts |y_w|, |y_l|: needed with `lengthNormalize`. */
  chosenLengths?: VecLike;
  rejectedLengths?: VecLike;
  /** FPO only: (B, F) mean-pooled SAE features of the policy on y_w, y_l (differentiable). */
  policyChosenFeatures?: tf.Tensor2D;
  policyRejectedFeatures?: tf.Tensor2D;
  /** FPO only: (B, F) the reference's pooled features (offline constants). */
  refChosenFeatures?: tf.Tensor2D | Float32Array[];
  refRejectedFeatures?: tf.Tensor2D | Float32Array[];
}

export interface PreferenceOptions {
  kind: PreferenceKind;
  /** β: inverse temperature of the implicit reward (DPO 0.1; SimPO ~2; ORPO's λ). */
  beta: number;
  /** ε: the probability a label is flipped (conservative DPO for 'sigmoid', robust DPO for 'robust'; SimPO too). */
  labelSmoothing?: number;
  /** γ: target reward margin, subtracted from β·h (SimPO's γ; γ/β is TRL's `gamma_beta_ratio`). */
  gamma?: number;
  /** Ignore the reference (h = policy log-ratio only): the DPO reference's `reference_free`. */
  referenceFree?: boolean;
  /**
   * Divide every log-prob (policy and reference) by its completion length before the loss. SimPO,
   * ORPO and FPO are defined on length-normalised log-probs: pass mean-reduced ones
   * (`sequenceLogProbs` with reduce 'mean'), or summed ones with lengths and this flag.
   */
  lengthNormalize?: boolean;
  /** FPO: α, weight of the feature-distance penalty (code default 0.5). */
  alpha?: number;
  /** FPO: k, the policy's top-k pooled features the distance is taken over (code default 50). */
  topK?: number;
}

export interface PreferenceResult {
  /** (B,) per-pair loss; the training loss is its mean. */
  losses: Vec;
  /** (B,) β·(log π_θ(y_w) − log π_ref(y_w)), no gradient (SimPO/ORPO: β·log π_θ(y_w)). */
  chosenRewards: Vec;
  /** (B,) β·(log π_θ(y_l) − log π_ref(y_l)), no gradient. */
  rejectedRewards: Vec;
  /** (B,) the margin h the loss is a function of: (π_w − π_l) − (ref_w − ref_l) (− γ/β); ORPO: the log odds ratio. */
  logits: Vec;
}

/** log(1 − exp(x)) for x < 0, stable at both ends (Mächler 2012): ORPO's log(1 − p). */
export function log1mexp(x: tf.Tensor): tf.Tensor {
  // The branch choice is a constant (tfjs has no gradient for comparisons).
  const nearZero = tf.tensor(Array.from(x.dataSync(), (e) => (e > -Math.LN2 ? 1 : 0)), x.shape, 'bool');
  // Clamp each branch's argument into its own safe range so neither produces NaN gradients.
  const a = tf.log(tf.neg(tf.expm1(tf.minimum(x, -1e-30))));
  const b = tf.log1p(tf.neg(tf.exp(tf.minimum(x, -Math.LN2))));
  return tf.where(nearZero, a, b);
}

/**
 * ORPO's odds-ratio term (Hong et al. 2024; TRL `ORPOTrainer.odds_ratio_loss`), on
 * length-normalised log-probs P = (1/|y|) log π_θ(y|x) ∈ (−∞, 0):
 *   log-odds(y) = P − log(1 − e^P);  losses = −β · log σ(log-odds(y_w) − log-odds(y_l)).
 * ORPO's full objective is NLL(y_w) + mean(losses) (`weightedNll` for the first part).
 * policyChosen, policyRejected (B,) → losses (B,), rewards β·P (B,), logits = the log odds ratio (B,).
 */
export function oddsRatioLoss(policyChosen: Vec, policyRejected: Vec, beta: number): PreferenceResult {
  const logOdds = tf.sub(
    tf.sub(policyChosen, policyRejected),
    tf.sub(log1mexp(policyChosen), log1mexp(policyRejected)),
  ) as Vec;
  return {
    losses: tf.mul(-beta, logSigmoid(logOdds)) as Vec,
    chosenRewards: stopGradient(tf.mul(beta, policyChosen)) as Vec,
    rejectedRewards: stopGradient(tf.mul(beta, policyRejected)) as Vec,
    logits: logOdds,
  };
}

/**
 * FPO's feature distance (spec §A): D(y) = (1/k) Σ_{i ∈ TopK(c̄_θ)} (c̄_ref,i − c̄_θ,i)², the
 * top-k taken over the policy's pooled features per row (a selection, no gradient through it).
 * policy (B, F) differentiable, ref (B, F) constant → (B,).
 */
export function featureDistance(policy: tf.Tensor2D, ref: tf.Tensor2D | Float32Array[], k: number): Vec {
  const [B, F] = policy.shape;
  const kk = Math.min(k, F);
  const refT = ref instanceof tf.Tensor ? ref : tf.tensor2d(ref.map((r) => Array.from(r)));
  const { indices } = tf.topk(stopGradient(policy), kk);
  const idx = indices.dataSync() as Int32Array;
  const sel = new Float32Array(B * F);
  for (let b = 0; b < B; b++) for (let j = 0; j < kk; j++) sel[b * F + idx[b * kk + j]] = 1;
  const sq = tf.squaredDifference(refT, policy);
  return tf.div(tf.sum(tf.mul(sq, tf.tensor2d(sel, [B, F])), 1), kk) as Vec;
}

function lengthNorm(x: tf.Tensor1D, lengths: VecLike | undefined, what: string): tf.Tensor1D {
  if (lengths === undefined) throw new HearthError('loss.options', `lengthNormalize needs ${what}`, `pass ${what} (completion token counts)`);
  return tf.div(x, tf.maximum(vec(lengths), 1)) as tf.Tensor1D;
}

/**
 * The preference family in one function (cf. the DPO reference's `preference_loss`). With
 * π_w, π_l the policy's and r_w, r_l the reference's log-probs of chosen/rejected (each divided
 * by its length when `lengthNormalize`), and h = (π_w − π_l) − (r_w − r_l) − γ/β
 * (r := 0 when reference-free; SimPO is reference-free by definition):
 *   sigmoid  −(1−ε) log σ(βh) − ε log σ(−βh)              DPO; ε > 0 = conservative DPO (cDPO)
 *   robust   [−(1−ε) log σ(βh) + ε log σ(−βh)] / (1 − 2ε)   robust DPO (Chowdhury et al. 2024), unbiased under flip rate ε
 *   hinge    max(0, 1 − βh)                                 SLiC-style hinge (TRL 'hinge')
 *   ipo      (h − 1/(2β))²                                  IPO (Azar et al. 2023), minimum at h = 1/(2β)
 *   simpo    sigmoid form with r := 0, on length-normalised log-probs, margin γ (Meng et al. 2024)
 *   orpo     `oddsRatioLoss` on length-normalised log-probs (the ORPO term; add NLL(y_w) yourself)
 *   fpo      −log σ(β[(u_w − u_l) − α(D(y_l) − sg D(y_w))] − γ), u = length-normalised log-ratio,
 *            D = `featureDistance` (spec §A; the margin γ is [unverified] there, default 0)
 * Inputs are (B,); returns per-pair losses (B,) and detached rewards (B,).
 */
export function preferenceLoss(inputs: PreferenceInputs, options: PreferenceOptions): PreferenceResult {
  const { kind, beta } = options;
  const eps = options.labelSmoothing ?? 0;
  const gamma = options.gamma ?? 0;
  if (!PREFERENCE_KINDS.includes(kind)) throw new HearthError('loss.options', `unknown preference loss kind "${String(kind)}"`, `use one of ${PREFERENCE_KINDS.join(', ')}`);
  if (!(beta > 0)) throw new HearthError('loss.options', `beta must be > 0, got ${beta}`, 'DPO uses 0.1');
  if (!(eps >= 0 && eps < 0.5)) throw new HearthError('loss.options', `labelSmoothing must be in [0, 0.5), got ${eps}`, 'it is the probability a preference label is flipped');

  // FPO is length-normalised by definition: mean-reduced log-probs as given, or sums with lengths.
  const divide = options.lengthNormalize || (kind === 'fpo' && inputs.chosenLengths !== undefined);
  let pw: Vec = inputs.policyChosen;
  let pl: Vec = inputs.policyRejected;
  if (divide) {
    pw = lengthNorm(pw, inputs.chosenLengths, 'chosenLengths');
    pl = lengthNorm(pl, inputs.rejectedLengths, 'rejectedLengths');
  }
  if (kind === 'orpo') return oddsRatioLoss(pw, pl, beta);

  const referenceFree = options.referenceFree || kind === 'simpo';
  let rw: Vec, rl: Vec;
  if (referenceFree) {
    rw = tf.zerosLike(pw);
    rl = tf.zerosLike(pl);
  } else {
    if (inputs.refChosen === undefined || inputs.refRejected === undefined) {
      throw new HearthError('loss.options', `preference loss "${kind}" needs reference log-probs (refChosen, refRejected)`,
        'compute them with the reference model (or offline), or set referenceFree');
    }
    rw = vec(inputs.refChosen);
    rl = vec(inputs.refRejected);
    if (divide) {
      rw = lengthNorm(rw, inputs.chosenLengths, 'chosenLengths');
      rl = lengthNorm(rl, inputs.rejectedLengths, 'rejectedLengths');
    }
  }
  let h = tf.sub(tf.sub(pw, pl), tf.sub(rw, rl)) as Vec;
  if (kind === 'fpo') {
    const { policyChosenFeatures: fw, policyRejectedFeatures: fl, refChosenFeatures: gw, refRejectedFeatures: gl } = inputs;
    if (!fw || !fl || !gw || !gl) {
      throw new HearthError('loss.options', 'preference loss "fpo" needs policy and reference pooled SAE features for chosen and rejected',
        'pass policyChosenFeatures, policyRejectedFeatures, refChosenFeatures, refRejectedFeatures (B, F)');
    }
    const k = options.topK ?? 50;
    const dw = stopGradient(featureDistance(fw, gw, k));
    const dl = featureDistance(fl, gl, k);
    h = tf.sub(h, tf.mul(options.alpha ?? 0.5, tf.sub(dl, dw))) as Vec;
  }
  if (gamma !== 0) h = tf.sub(h, gamma / beta) as Vec;

  const bh = tf.mul(beta, h);
  let losses: tf.Tensor;
  switch (kind) {
    case 'ipo':
      losses = tf.square(tf.sub(h, 1 / (2 * beta)));
      break;
    case 'hinge':
      losses = tf.relu(tf.sub(1, bh));
      break;
    case 'robust':
      losses = tf.div(tf.add(tf.mul(-(1 - eps), logSigmoid(bh)), tf.mul(eps, logSigmoid(tf.neg(bh)))), 1 - 2 * eps);
      break;
    default: // sigmoid, simpo, fpo
      losses = tf.sub(tf.mul(-(1 - eps), logSigmoid(bh)), tf.mul(eps, logSigmoid(tf.neg(bh))));
  }
  return {
    losses: losses as Vec,
    chosenRewards: stopGradient(tf.mul(beta, tf.sub(pw, rw))) as Vec,
    rejectedRewards: stopGradient(tf.mul(beta, tf.sub(pl, rl))) as Vec,
    logits: h,
  };
}

export interface PreferenceMetrics {
  'rewards/chosen': number;
  'rewards/rejected': number;
  /** Fraction of pairs whose chosen reward exceeds the rejected one. */
  'rewards/accuracies': number;
  'rewards/margins': number;
  loss: number;
}

/** TRL's logged preference metrics (means over the batch) from a `preferenceLoss` result. */
export function preferenceMetrics(r: PreferenceResult): PreferenceMetrics {
  const c = r.chosenRewards.dataSync();
  const j = r.rejectedRewards.dataSync();
  const l = r.losses.dataSync();
  const n = Math.max(c.length, 1);
  let sc = 0, sj = 0, acc = 0, sl = 0;
  for (let i = 0; i < c.length; i++) { sc += c[i]; sj += j[i]; acc += c[i] > j[i] ? 1 : 0; sl += l[i]; }
  return { 'rewards/chosen': sc / n, 'rewards/rejected': sj / n, 'rewards/accuracies': acc / n, 'rewards/margins': (sc - sj) / n, loss: sl / n };
}

// ---------------------------------------------------------------------------------------
// Ranking over K candidates (Muffin, Cooper)

export interface CandidateScoreOptions {
  /** 'prob' (Muffin's default `score_mode="base"`): Σ_t m_t p_t; 'log': Σ_t m_t log p_t. */
  mode?: 'prob' | 'log';
  /** Length penalty α: the sum is divided by |y|^α (Muffin: 1). */
  alpha?: number;
}

/**
 * Muffin's candidate score s(y) = (1/|y|^α) Σ_t m_t·p_t (spec §C), p_t the token probability
 * ('prob') or its log ('log': α = 1 gives the mean log-prob). logits (B·T, V) or (B, T, V),
 * labels (N,) (negative = ignored), mask (N,) optional; `batch` = B rows (candidates) when
 * logits are 2-D. Returns (B,), to be reshaped to (contexts, K) for `rankingLoss`.
 */
export function candidateScores(logits: tf.Tensor2D | tf.Tensor3D, labels: Int32Array, options: CandidateScoreOptions & { mask?: Float32Array; batch?: number } = {}): Vec {
  const B = logits.rank === 3 ? logits.shape[0] : options.batch;
  if (B === undefined) throw new Error('candidateScores: 2-D logits need options.batch');
  const V = logits.shape[logits.rank - 1];
  const flat = (logits.rank === 3 ? tf.reshape(logits, [-1, V]) : logits) as tf.Tensor2D;
  const N = labels.length;
  const T = N / B;
  const m = new Float32Array(N);
  const safe = new Int32Array(N);
  const len = new Float32Array(B);
  for (let i = 0; i < N; i++) {
    const ignored = labels[i] < 0;
    m[i] = ignored ? 0 : options.mask ? options.mask[i] : 1;
    safe[i] = ignored ? 0 : labels[i];
    len[Math.floor(i / T)] += m[i];
  }
  const lp = tokenLogProbs(flat, safe); // (N,)
  const per = options.mode === 'log' ? lp : tf.exp(lp);
  const sums = tf.sum(tf.reshape(tf.mul(per, tf.tensor1d(m)), [B, T]), 1);
  const alpha = options.alpha ?? 1;
  return tf.div(sums, tf.tensor1d(Array.from(len, (l) => Math.max(l, 1) ** alpha))) as Vec;
}

export interface RankingOptions {
  /**
   * 'pairwise': every pair (j, k) with label_j > label_k costs max(0, m − (s_j − s_k)), averaged
   *   over the row's ordered pairs.
   * 'offset': Muffin's grouping (spec §C, `RankingLoss`): for each offset i = 1..K−1 the pairs
   *   (j, j+i) with y = label_{j+i} − label_j ≠ 0 cost max(0, −y(s_{j+i} − s_j) + m), each offset
   *   group divided by its Σ|y|, groups summed. (Pairs with equal labels are left out: they
   *   carry no order; the spec's formula is ambiguous there.)
   * 'listwise': ListNet: −Σ_k p_k log softmax(s)_k with p = labels / Σ labels.
   */
  kind?: 'pairwise' | 'offset' | 'listwise';
  /** m: the margin (Muffin 0.01). */
  margin?: number;
}

/**
 * Ranking loss over K scored candidates per context. scores (B, K), e.g. length-normalised
 * log-probs; labels (B, K) numbers (higher = better; binary helpful/unhelpful for Muffin),
 * a negative label = padding (candidate ignored). Returns (B,); a row with no ordered pair
 * (or, listwise, no positive label) has loss 0.
 */
export function rankingLoss(scores: tf.Tensor2D, labels: ArrayLike<number>[], options: RankingOptions = {}): Vec {
  const [B, K] = scores.shape;
  const m = options.margin ?? 0;
  const kind = options.kind ?? 'pairwise';
  if (labels.length !== B || labels.some((r) => r.length !== K)) throw new Error(`rankingLoss: labels must be ${B}×${K}`);
  if (kind === 'listwise') {
    const p = new Float32Array(B * K);
    const bias = new Float32Array(B * K);
    for (let b = 0; b < B; b++) {
      let s = 0;
      for (let k = 0; k < K; k++) if (labels[b][k] > 0) s += labels[b][k];
      for (let k = 0; k < K; k++) {
        if (labels[b][k] < 0) bias[b * K + k] = -1e9;
        if (s > 0 && labels[b][k] > 0) p[b * K + k] = labels[b][k] / s;
      }
    }
    const logp = tf.logSoftmax(tf.add(scores, tf.tensor2d(bias, [B, K])));
    return tf.neg(tf.sum(tf.mul(logp, tf.tensor2d(p, [B, K])), 1)) as Vec;
  }
  // Pairs as rows of a (P, B·K) difference matrix D (+1 at the better, −1 at the worse
  // candidate) and a (B, P) weight matrix W: loss = W · max(0, m − D·s).
  const diff: Array<[number, number, number]> = []; // (better, worse, |y|) as flat B·K indices
  const weight: Array<[number, number, number]> = []; // (row, pair, weight)
  for (let b = 0; b < B; b++) {
    const L = labels[b];
    const valid = (k: number) => L[k] >= 0;
    if (kind === 'pairwise') {
      const pairs: Array<[number, number]> = [];
      for (let j = 0; j < K; j++) for (let k = 0; k < K; k++) if (valid(j) && valid(k) && L[j] > L[k]) pairs.push([j, k]);
      for (const [j, k] of pairs) { weight.push([b, diff.length, 1 / pairs.length]); diff.push([b * K + j, b * K + k, 1]); }
    } else {
      for (let i = 1; i < K; i++) {
        const pairs: Array<[number, number, number]> = [];
        for (let j = 0; j + i < K; j++) {
          if (!valid(j) || !valid(j + i)) continue;
          const y = L[j + i] - L[j];
          if (y !== 0) pairs.push(y > 0 ? [j + i, j, Math.abs(y)] : [j, j + i, Math.abs(y)]);
        }
        const norm = pairs.reduce((a, p) => a + p[2], 0);
        // max(0, −y(s_{j+i} − s_j) + m) with |y| = 1 is max(0, m − (s_better − s_worse)); |y| ≠ 1 scales the gap.
        for (const [hi, lo, ay] of pairs) { weight.push([b, diff.length, 1 / norm]); diff.push([b * K + hi, b * K + lo, ay]); }
      }
    }
  }
  const P = diff.length;
  // No ordered pair: zeros, still computed from the scores so that a loss made of this alone
  // stays connected to the model's variables (tf.variableGrads refuses a constant).
  if (P === 0) return tf.mul(tf.sum(scores, 1), 0) as Vec;
  const D = new Float32Array(P * B * K);
  diff.forEach(([hi, lo, a], p) => {
    D[p * B * K + hi] += a;
    D[p * B * K + lo] -= a;
  });
  const W = new Float32Array(B * P);
  for (const [b, p, w] of weight) W[b * P + p] = w;
  const gaps = tf.matMul(tf.tensor2d(D, [P, B * K]), tf.reshape(scores, [B * K, 1])); // (P, 1)
  const hinge = tf.relu(tf.sub(m, gaps));
  return tf.reshape(tf.matMul(tf.tensor2d(W, [B, P]), hinge), [B]) as Vec;
}

// ---------------------------------------------------------------------------------------
// NLL

/**
 * Weighted negative log-likelihood: −Σ_i w_i lp_i / normaliser (default Σ_i w_i).
 * logps (N,) token (or sequence) log-probs, weights (N,). Returns a scalar. With per-token
 * log-probs and loss weights this is SFT's cross-entropy; with per-sequence log-probs and
 * 1/|y| weights it is the length-normalised NLL term of ORPO, RISE and Muffin.
 */
export function weightedNll(logps: Vec, weights: Float32Array | readonly number[], normaliser?: number): tf.Scalar {
  const w = weights instanceof Float32Array ? weights : Float32Array.from(weights);
  if (w.length !== logps.shape[0]) throw new Error(`weightedNll: ${w.length} weights for ${logps.shape[0]} log-probs`);
  let total = 0;
  for (const x of w) total += x;
  return tf.div(tf.neg(tf.sum(tf.mul(logps, tf.tensor1d(w)))), normaliser ?? Math.max(total, 1e-9)) as tf.Scalar;
}
