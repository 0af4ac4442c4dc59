/**
 * Checkpoint directories: `manifest.json` (format, model config, tokenizer, backend, step,
 * seed, data hash, tensor index) plus one raw little-endian float32 file per tensor group
 * (`weights.bin` for the model and its LoRA adapters, `optimizer.bin` for trainer state).
 * `writeCheckpoint` writes into a temporary sibling directory and renames it into place, so
 * a checkpoint directory that exists is complete.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HearthError } from '../env/errors.ts';
import { writeDirAtomic, writeFileDurable } from '../env/files.ts';
import { type ModelConfig, validateConfig, type LoraOptions } from './model.ts';
import type { TokenizerJSON } from './tokenizer.ts';

export const CHECKPOINT_FORMAT = 'hearth-lm/1';

export interface TensorEntry { name: string; shape: number[]; offset: number }

export interface Manifest {
  format: typeof CHECKPOINT_FORMAT;
  config: ModelConfig;
  tokenizer: TokenizerJSON;
  /** Backend that produced the weights (results are deterministic per backend). */
  backend: string;
  /** The backend with its accelerations, e.g. `wasm (SIMD, native OpenBLAS matmul: ...)`. */
  backendDetail?: string;
  step: number;
  seed: number;
  /** sha256 of the training data (empty when none). */
  dataHash: string;
  adapters: Array<{ name: string; options: LoraOptions }>;
  activeAdapter: string | null;
  /** group name → file and tensor index (offsets in float32 elements). */
  groups: Record<string, { file: string; tensors: TensorEntry[] }>;
  /** Trainer settings and counters (opaque here). */
  trainer?: Record<string, unknown>;
  createdAt: string;
}

export type TensorGroup = Map<string, { shape: number[]; data: Float32Array }>;

export interface CheckpointContent {
  manifest: Omit<Manifest, 'groups' | 'format' | 'createdAt'>;
  groups: Record<string, TensorGroup>;
}

/** Every byte written and fsync'd, or a HearthError naming the file (env/files.ts). */
function writeFileSynced(path: string, data: Uint8Array | string): void {
  writeFileDurable(path, data, { what: 'checkpoint file', kind: 'checkpoint.write' });
}

/** Write the checkpoint's files into `dir` (which must exist; used by callers that rename themselves). */
export function writeCheckpointFiles(dir: string, content: CheckpointContent): void {
  const groups: Manifest['groups'] = {};
  for (const [gname, group] of Object.entries(content.groups)) {
    let total = 0;
    const tensors: TensorEntry[] = [];
    for (const [name, t] of group) {
      tensors.push({ name, shape: t.shape, offset: total });
      total += t.data.length;
    }
    const buf = new Float32Array(total);
    let off = 0;
    for (const t of group.values()) { buf.set(t.data, off); off += t.data.length; }
    const file = `${gname}.bin`;
    writeFileSynced(join(dir, file), new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
    groups[gname] = { file, tensors };
  }
  const manifest: Manifest = { format: CHECKPOINT_FORMAT, ...content.manifest, groups, createdAt: new Date().toISOString() };
  writeFileSynced(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1));
}

/**
 * Write a complete checkpoint at `dir` atomically (temp directory, then rename; on failure the
 * temp directory is removed and `dir` keeps the previous checkpoint).
 */
export function writeCheckpoint(dir: string, content: CheckpointContent): void {
  writeDirAtomic(dir, (tmp) => writeCheckpointFiles(tmp, content), { what: 'checkpoint', kind: 'checkpoint.write' });
}

function bad(dir: string, what: string): HearthError {
  return new HearthError('checkpoint.invalid', `checkpoint ${dir}: ${what}`, 'pass a directory written by `hearth train-lm` (it holds manifest.json and weights.bin)');
}

/** Read and validate a checkpoint directory. */
export function readCheckpoint(dir: string): { manifest: Manifest; groups: Record<string, TensorGroup> } {
  const mpath = join(dir, 'manifest.json');
  if (!existsSync(dir)) throw new HearthError('checkpoint.missing', `checkpoint directory ${dir} does not exist`, 'check the --checkpoint path');
  if (!existsSync(mpath)) throw bad(dir, 'no manifest.json');
  let manifest: Manifest;
  try { manifest = JSON.parse(readFileSync(mpath, 'utf8')) as Manifest; } catch (e) { throw bad(dir, `manifest.json is not valid JSON (${(e as Error).message})`); }
  if (manifest.format !== CHECKPOINT_FORMAT) throw bad(dir, `manifest.json format is ${JSON.stringify(manifest.format)}, expected "${CHECKPOINT_FORMAT}"`);
  const cerr = manifest.config ? validateConfig(manifest.config) : 'missing';
  if (cerr) throw bad(dir, `manifest.json field "config": ${cerr}`);
  if (manifest.tokenizer?.type !== 'byte-bpe') throw bad(dir, 'manifest.json field "tokenizer" is not a byte-bpe tokenizer');
  if (!manifest.groups?.weights) throw bad(dir, 'manifest.json has no "groups.weights"');
  const groups: Record<string, TensorGroup> = {};
  for (const [gname, g] of Object.entries(manifest.groups)) {
    const fpath = join(dir, g.file);
    if (!existsSync(fpath)) throw bad(dir, `missing ${g.file}`);
    const bytes = readFileSync(fpath);
    const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    // NaN/Inf weights load fine and then generate nothing: refuse them (issue 22).
    for (let i = 0; i < all.length; i++) if (!Number.isFinite(all[i])) throw bad(dir, `${g.file} holds a non-finite value (${all[i]}) at float ${i}; the training that wrote it diverged`);
    const group: TensorGroup = new Map();
    for (const t of g.tensors) {
      const n = t.shape.reduce((a, c) => a * c, 1);
      if (t.offset + n > all.length) throw bad(dir, `${g.file} is too short for tensor ${t.name}`);
      group.set(t.name, { shape: t.shape, data: all.subarray(t.offset, t.offset + n) });
    }
    groups[gname] = group;
  }
  return { manifest, groups };
}

/** A `--checkpoint` path resolved to the directory that holds the weights. */
export interface ResolvedCheckpoint {
  /** Absolute directory holding manifest.json. */
  dir: string;
  /** The path as given. */
  given: string;
  /** `checkpoint`: the path itself; `final`: the epoch named by `final.json`; `latest`: the highest `epoch-N`. */
  how: 'checkpoint' | 'final' | 'latest';
  epoch?: number;
}

const EPOCH_DIR = /^epoch-(\d+)$/;

/**
 * The one resolver of `--checkpoint` paths (serve, eval, generate, bench, pipelines): a
 * checkpoint directory (holds manifest.json: `hearth train-lm`'s output or an epoch directory),
 * or a model directory of `hearth e2cl` (`runs/<ts>/checkpoints/<model>`: the epoch its
 * `final.json` names, else its highest `epoch-N` that holds a manifest, i.e. an interrupted run's last
 * completed epoch). A path that is neither is a HearthError naming it.
 */
export function resolveCheckpointDir(given: string): ResolvedCheckpoint {
  const dir = resolve(given);
  const hint = 'pass a model directory (runs/<ts>/checkpoints/<model> from `hearth e2cl`), one of its epoch-N directories, or a directory written by `hearth train-lm`';
  if (!existsSync(dir)) throw new HearthError('checkpoint.missing', `checkpoint directory ${given} does not exist`, hint);
  if (!statSync(dir).isDirectory()) throw new HearthError('checkpoint.invalid', `checkpoint ${given} is a file, not a directory`, hint);
  if (existsSync(join(dir, 'manifest.json'))) return { dir, given, how: 'checkpoint' };
  const final = join(dir, 'final.json');
  if (existsSync(final)) {
    let epoch: unknown;
    try { epoch = (JSON.parse(readFileSync(final, 'utf8')) as { epoch?: unknown }).epoch; } catch { epoch = undefined; }
    if (!Number.isInteger(epoch) || (epoch as number) < 0) {
      throw new HearthError('checkpoint.invalid', `${final} does not name an epoch (expected {"epoch": N})`, `pass one of the epoch-N directories of ${given} instead`);
    }
    const edir = join(dir, `epoch-${epoch as number}`);
    if (!existsSync(join(edir, 'manifest.json'))) {
      throw new HearthError('checkpoint.invalid', `${final} names epoch ${epoch as number}, but ${edir} holds no manifest.json`, `pass one of the other epoch-N directories of ${given}`);
    }
    return { dir: edir, given, how: 'final', epoch: epoch as number };
  }
  const epochs = readdirSync(dir).map((n) => EPOCH_DIR.exec(n)).filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1])).filter((e) => existsSync(join(dir, `epoch-${e}`, 'manifest.json'))).sort((a, b) => a - b);
  if (epochs.length > 0) {
    const epoch = epochs[epochs.length - 1];
    return { dir: join(dir, `epoch-${epoch}`), given, how: 'latest', epoch };
  }
  throw new HearthError('checkpoint.missing', `${given} holds no model checkpoint (no manifest.json, no epoch-N directory with one)`, hint);
}

/** The one line a command prints (on stderr) to say which checkpoint it loaded. */
export function describeCheckpoint(r: ResolvedCheckpoint): string {
  if (r.how === 'checkpoint') return `checkpoint: ${r.dir}`;
  return `checkpoint: ${r.dir} (${r.how === 'final' ? 'final' : 'latest completed'} epoch ${r.epoch} of model directory ${r.given})`;
}
