/**
 * Byte-level BPE tokenizer, trained on the harness's own text (prompts, actions, object
 * names). Every string round-trips exactly: text is encoded as WTF-8 bytes (UTF-8 that
 * also carries lone surrogates), the 256 byte values are all tokens, and merges only
 * combine them. Unknown words therefore never fail; they just take more tokens.
 *
 * Ids: 0-255 bytes, then the special tokens, then merges in the order they were learned.
 */

export const SPECIALS = ['<|eos|>', '<|pad|>', '<|bos|>'] as const;
const BYTE_COUNT = 256;
/** Pre-tokenisation (GPT-2 style): merges never cross word / number / punctuation runs. */
const PIECE_RE = /'(?:s|t|re|ve|m|ll|d)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export interface TokenizerJSON {
  type: 'byte-bpe';
  version: 1;
  merges: Array<[number, number]>;
}

export class Tokenizer {
  readonly eos = BYTE_COUNT;
  readonly pad = BYTE_COUNT + 1;
  readonly bos = BYTE_COUNT + 2;
  private readonly ranks = new Map<number, number>(); // pair key → merge rank
  private readonly bytesOf: Uint8Array[] = [];
  private readonly cache = new Map<string, number[]>();

  constructor(readonly merges: ReadonlyArray<readonly [number, number]>) {
    for (let b = 0; b < BYTE_COUNT; b++) this.bytesOf.push(Uint8Array.of(b));
    for (let s = 0; s < SPECIALS.length; s++) this.bytesOf.push(new Uint8Array(0));
    merges.forEach(([a, b], r) => {
      this.ranks.set(pairKey(a, b), r);
      const x = this.bytesOf[a];
      const y = this.bytesOf[b];
      const m = new Uint8Array(x.length + y.length);
      m.set(x);
      m.set(y, x.length);
      this.bytesOf.push(m);
    });
  }

  get vocabSize(): number { return BYTE_COUNT + SPECIALS.length + this.merges.length; }
  get firstMergeId(): number { return BYTE_COUNT + SPECIALS.length; }

  /**
   * Learn merges from a corpus until the vocabulary has `vocabSize` tokens (or no pair
   * occurs twice). Deterministic: ties go to the pair with the smallest ids.
   */
  static train(corpus: Iterable<string>, vocabSize: number): Tokenizer {
    const minVocab = BYTE_COUNT + SPECIALS.length;
    if (vocabSize < minVocab) throw new Error(`vocabulary size must be ≥ ${minVocab} (bytes + specials), got ${vocabSize}`);
    const freq = new Map<string, number>();
    for (const text of corpus) for (const piece of text.match(PIECE_RE) ?? []) freq.set(piece, (freq.get(piece) ?? 0) + 1);
    const words: number[][] = [];
    const counts: number[] = [];
    // Stryker disable next-line MethodExpression,ArrowFunction,ConditionalExpression,EqualityOperator,UnaryOperator: word order only changes the order pairs are counted in, and the choice below is a total order (count, then smallest ids)
    for (const [piece, n] of [...freq].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      words.push(Array.from(wtf8Encode(piece)));
      counts.push(n);
    }
    const merges: Array<[number, number]> = [];
    for (let next = minVocab; next < vocabSize; next++) {
      const pairs = new Map<number, number>();
      for (let w = 0; w < words.length; w++) {
        const ids = words[w];
        for (let i = 0; i + 1 < ids.length; i++) {
          const k = pairKey(ids[i], ids[i + 1]);
          pairs.set(k, (pairs.get(k) ?? 0) + counts[w]);
        }
      }
      let best = -1;
      let bestN = 1;
      for (const [k, n] of pairs) if (n > bestN || (n === bestN && best >= 0 && k < best)) { best = k; bestN = n; }
      if (best < 0) break;
      const a = Math.floor(best / 65536);
      const b = best % 65536;
      merges.push([a, b]);
      for (let w = 0; w < words.length; w++) words[w] = mergePair(words[w], a, b, next);
    }
    return new Tokenizer(merges);
  }

  static fromJSON(json: TokenizerJSON): Tokenizer {
    if (json?.type !== 'byte-bpe' || json.version !== 1 || !Array.isArray(json.merges)) {
      throw new Error('tokenizer JSON is not a byte-bpe v1 tokenizer');
    }
    return new Tokenizer(json.merges);
  }

  toJSON(): TokenizerJSON {
    return { type: 'byte-bpe', version: 1, merges: this.merges.map(([a, b]) => [a, b]) };
  }

  /** Plain text → token ids (special-token text in the input is just text). */
  encode(text: string): number[] {
    const out: number[] = [];
    for (const piece of text.match(PIECE_RE) ?? []) {
      let ids = this.cache.get(piece);
      // Stryker disable next-line ConditionalExpression: the cache only saves work; recomputing gives the same ids
      if (!ids) {
        ids = this.encodePiece(piece);
        // Stryker disable next-line ConditionalExpression,EqualityOperator: a size cap on a memo, invisible in results
        if (this.cache.size < 100_000) this.cache.set(piece, ids);
      }
      for (const id of ids) out.push(id);
    }
    return out;
  }

  /** Token ids → text; special tokens are dropped; invalid byte runs become U+FFFD. */
  decode(ids: ArrayLike<number>): string {
    const bytes: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const t = this.bytesOf[ids[i]];
      if (!t) throw new Error(`token id ${ids[i]} is outside the vocabulary (${this.vocabSize})`);
      for (const b of t) bytes.push(b);
    }
    return wtf8Decode(bytes);
  }

  /** The bytes a token stands for (empty for special tokens). */
  tokenBytes(id: number): Uint8Array { return this.bytesOf[id]; }

  private encodePiece(piece: string): number[] {
    let ids = Array.from(wtf8Encode(piece));
    for (;;) {
      let bestRank = Infinity;
      let at = -1;
      // Stryker disable next-line EqualityOperator,ArithmeticOperator: one step past the end looks up (last, undefined), which is no merge
      for (let i = 0; i + 1 < ids.length; i++) {
        const r = this.ranks.get(pairKey(ids[i], ids[i + 1]));
        // Stryker disable next-line ConditionalExpression,EqualityOperator: undefined < x is false; on equal ranks mergePair merges every occurrence anyway
        if (r !== undefined && r < bestRank) { bestRank = r; at = i; }
      }
      if (at < 0) return ids;
      const [a, b] = this.merges[bestRank];
      ids = mergePair(ids, a, b, this.firstMergeId + bestRank);
    }
  }
}

function pairKey(a: number, b: number): number { return a * 65536 + b; }

function mergePair(ids: number[], a: number, b: number, id: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) { out.push(id); i++; } else out.push(ids[i]);
  }
  return out;
}

/** UTF-8 of a JS string, with lone surrogates encoded as 3-byte sequences (WTF-8). */
export function wtf8Encode(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

/** Inverse of wtf8Encode; any malformed byte becomes U+FFFD (model output can be anything). */
export function wtf8Decode(bytes: ArrayLike<number>): string {
  const units: number[] = [];
  let i = 0;
  const cont = (k: number) => k < bytes.length && (bytes[k] & 0xc0) === 0x80;
  while (i < bytes.length) {
    const b = bytes[i];
    let cp = -1;
    let len = 1;
    if (b < 0x80) cp = b;
    else if (b >= 0xc2 && b < 0xe0 && cont(i + 1)) { cp = ((b & 31) << 6) | (bytes[i + 1] & 63); len = 2; }
    else if (b >= 0xe0 && b < 0xf0 && cont(i + 1) && cont(i + 2)) {
      cp = ((b & 15) << 12) | ((bytes[i + 1] & 63) << 6) | (bytes[i + 2] & 63);
      len = 3;
      if (cp < 0x800) { cp = -1; len = 1; }
    } else if (b >= 0xf0 && b < 0xf5 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
      cp = ((b & 7) << 18) | ((bytes[i + 1] & 63) << 12) | ((bytes[i + 2] & 63) << 6) | (bytes[i + 3] & 63);
      len = 4;
      if (cp < 0x10000 || cp > 0x10ffff) { cp = -1; len = 1; }
    }
    if (cp < 0) units.push(0xfffd);
    else if (cp >= 0x10000) units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 1023));
    else units.push(cp);
    i += len;
  }
  let s = '';
  // Stryker disable next-line EqualityOperator: one more chunk past the end is empty
  for (let k = 0; k < units.length; k += 8192) s += String.fromCharCode(...units.slice(k, k + 8192));
  return s;
}
