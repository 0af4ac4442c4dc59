/**
 * Writes a tiny but complete GGUF (v3) model for the llama.cpp backend tests: llama
 * architecture, one block, width 32, float32 weights from a seeded PRNG, and a
 * SentencePiece-style vocabulary (unknown, BOS, EOS, the 256 byte-fallback tokens, printable
 * ASCII as single characters). No model is downloaded; the file is a few hundred kB.
 */
import { writeFileSync } from 'node:fs';
import { Prng } from '../../env/prng.ts';

const T = { UINT32: 4, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9, INT32: 5 } as const;
const ALIGN = 32;

type Meta = [key: string, type: 'u32' | 'f32' | 'bool' | 'str' | 'str[]' | 'f32[]' | 'i32[]', value: unknown];

class Bytes {
  private parts: Buffer[] = [];
  size = 0;
  push(b: Buffer): void { this.parts.push(b); this.size += b.length; }
  u32(v: number): void { const b = Buffer.alloc(4); b.writeUInt32LE(v); this.push(b); }
  i32(v: number): void { const b = Buffer.alloc(4); b.writeInt32LE(v); this.push(b); }
  u64(v: number): void { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); this.push(b); }
  f32(v: number): void { const b = Buffer.alloc(4); b.writeFloatLE(v); this.push(b); }
  str(s: string): void { const b = Buffer.from(s, 'utf8'); this.u64(b.length); this.push(b); }
  pad(): void { const r = this.size % ALIGN; if (r) this.push(Buffer.alloc(ALIGN - r)); }
  concat(): Buffer { return Buffer.concat(this.parts); }
}

export interface TinyGgufConfig { embd: number; heads: number; ff: number; layers: number; ctx: number; seed: number }

/** The vocabulary: [text, type] with llama.cpp token types (1 normal, 2 unknown, 3 control, 6 byte). */
export function tinyVocab(): Array<[string, number]> {
  const v: Array<[string, number]> = [['<unk>', 2], ['<s>', 3], ['</s>', 3]];
  for (let b = 0; b < 256; b++) v.push([`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, 6]);
  v.push(['▁', 1]);
  for (let c = 33; c < 127; c++) v.push([String.fromCharCode(c), 1]);
  return v;
}

export function writeTinyGguf(path: string, cfg: TinyGgufConfig = { embd: 32, heads: 4, ff: 64, layers: 1, ctx: 256, seed: 1 }): void {
  const vocab = tinyVocab();
  const meta: Meta[] = [
    ['general.architecture', 'str', 'llama'],
    ['general.name', 'str', 'hearth-tiny-test'],
    ['general.alignment', 'u32', ALIGN],
    ['llama.context_length', 'u32', cfg.ctx],
    ['llama.embedding_length', 'u32', cfg.embd],
    ['llama.block_count', 'u32', cfg.layers],
    ['llama.feed_forward_length', 'u32', cfg.ff],
    ['llama.attention.head_count', 'u32', cfg.heads],
    ['llama.attention.head_count_kv', 'u32', cfg.heads],
    ['llama.attention.layer_norm_rms_epsilon', 'f32', 1e-5],
    ['llama.rope.dimension_count', 'u32', cfg.embd / cfg.heads],
    ['llama.vocab_size', 'u32', vocab.length],
    ['tokenizer.ggml.model', 'str', 'llama'],
    ['tokenizer.ggml.tokens', 'str[]', vocab.map(([t]) => t)],
    // Scores rank merges; single characters only, so any order works. Longer = preferred.
    ['tokenizer.ggml.scores', 'f32[]', vocab.map(([t], i) => (i < 259 ? 0 : -i / 1000))],
    ['tokenizer.ggml.token_type', 'i32[]', vocab.map(([, k]) => k)],
    ['tokenizer.ggml.unknown_token_id', 'u32', 0],
    ['tokenizer.ggml.bos_token_id', 'u32', 1],
    ['tokenizer.ggml.eos_token_id', 'u32', 2],
    ['tokenizer.ggml.add_bos_token', 'bool', true],
    ['tokenizer.ggml.add_eos_token', 'bool', false],
  ];
  const rng = new Prng(cfg.seed);
  const gauss = (scale: number) => (rng.next() + rng.next() + rng.next() - 1.5) * 2 * scale;
  const tensors: Array<{ name: string; dims: number[]; data: Float32Array }> = [];
  const add = (name: string, dims: number[], fill: (i: number) => number) => {
    const n = dims.reduce((a, b) => a * b, 1);
    tensors.push({ name, dims, data: Float32Array.from({ length: n }, (_, i) => fill(i)) });
  };
  const { embd, ff } = cfg;
  add('token_embd.weight', [embd, vocab.length], () => gauss(0.5));
  for (let l = 0; l < cfg.layers; l++) {
    add(`blk.${l}.attn_norm.weight`, [embd], () => 1);
    for (const m of ['attn_q', 'attn_k', 'attn_v', 'attn_output']) add(`blk.${l}.${m}.weight`, [embd, embd], () => gauss(0.2));
    add(`blk.${l}.ffn_norm.weight`, [embd], () => 1);
    add(`blk.${l}.ffn_gate.weight`, [embd, ff], () => gauss(0.2));
    add(`blk.${l}.ffn_up.weight`, [embd, ff], () => gauss(0.2));
    add(`blk.${l}.ffn_down.weight`, [ff, embd], () => gauss(0.2));
  }
  add('output_norm.weight', [embd], () => 1);
  // Output rows of the special and byte tokens are zero (logit 0) and the printable rows
  // larger, so that sampled text is mostly printable characters.
  add('output.weight', [embd, vocab.length], (i) => (Math.floor(i / embd) < 259 ? 0 : gauss(0.3)));

  const out = new Bytes();
  out.push(Buffer.from('GGUF', 'latin1'));
  out.u32(3);
  out.u64(tensors.length);
  out.u64(meta.length);
  for (const [key, type, value] of meta) {
    out.str(key);
    switch (type) {
      case 'u32': out.u32(T.UINT32); out.u32(value as number); break;
      case 'f32': out.u32(T.FLOAT32); out.f32(value as number); break;
      case 'bool': out.u32(T.BOOL); out.push(Buffer.of(value ? 1 : 0)); break;
      case 'str': out.u32(T.STRING); out.str(value as string); break;
      case 'str[]': out.u32(T.ARRAY); out.u32(T.STRING); out.u64((value as string[]).length); for (const s of value as string[]) out.str(s); break;
      case 'f32[]': out.u32(T.ARRAY); out.u32(T.FLOAT32); out.u64((value as number[]).length); for (const x of value as number[]) out.f32(x); break;
      case 'i32[]': out.u32(T.ARRAY); out.u32(T.INT32); out.u64((value as number[]).length); for (const x of value as number[]) out.i32(x); break;
    }
  }
  let offset = 0;
  for (const t of tensors) {
    out.str(t.name);
    out.u32(t.dims.length);
    for (const d of t.dims) out.u64(d);
    out.u32(0); // GGML_TYPE_F32
    out.u64(offset);
    offset += Math.ceil(t.data.byteLength / ALIGN) * ALIGN;
  }
  out.pad();
  for (const t of tensors) {
    out.push(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    out.pad();
  }
  writeFileSync(path, out.concat());
}
