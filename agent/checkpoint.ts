/**
 * Checkpoint directories: `manifest.json` (format, model config, tokenizer, backend, step,
 * seed, data hash, tensor index) plus one raw little-endian float32 file per tensor group
 * (`weights.bin` for the model and its LoRA adapters, `optimizer.bin` for trainer state).
 * `writeCheckpoint` writes into a temporary sibling directory and renames it into place, so
 * a checkpoint directory that exists is complete.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
