/**
 * The tokenizer against fixed merges and fixed byte sequences (issue 24), not round-trips:
 * merge order, ids and vocabulary size, training's choice and tie-break, WTF-8 bytes of
 * 1- to 4-byte characters (emoji), combining marks, lone surrogates, and malformed input.
 */
import { describe, expect, it } from 'vitest';
import { SPECIALS, Tokenizer, wtf8Decode, wtf8Encode } from '../../agent/tokenizer.ts';

const bytes = (s: string): number[] => Array.from(wtf8Encode(s));

describe('WTF-8 bytes', () => {
  it('1-, 2-, 3- and 4-byte characters at the boundaries', () => {
    expect(bytes('\0')).toEqual([0x00]);
    expect(bytes('\x7f')).toEqual([0x7f]);
    expect(bytes('\x80')).toEqual([0xc2, 0x80]);
    expect(bytes('é')).toEqual([0xc3, 0xa9]);
    expect(bytes('\u07ff')).toEqual([0xdf, 0xbf]);
    expect(bytes('\u0800')).toEqual([0xe0, 0xa0, 0x80]);
    expect(bytes('€')).toEqual([0xe2, 0x82, 0xac]);
    expect(bytes('\uffff')).toEqual([0xef, 0xbf, 0xbf]);
    expect(bytes('\u{10000}')).toEqual([0xf0, 0x90, 0x80, 0x80]);
    expect(bytes('😀')).toEqual([0xf0, 0x9f, 0x98, 0x80]);
    expect(bytes('🦓')).toEqual([0xf0, 0x9f, 0xa6, 0x93]);
    expect(bytes('\u{10ffff}')).toEqual([0xf4, 0x8f, 0xbf, 0xbf]);
  });
  it('agrees with TextEncoder on well-formed text', () => {
    for (const s of ['héllo wörld', 'e\u0301', '👩‍👩‍👧', '日本語', '\u{1f600}x\u{1f601}']) {
      expect(bytes(s)).toEqual(Array.from(new TextEncoder().encode(s)));
    }
  });
  it('combining marks stay separate code points', () => {
    expect(bytes('e\u0301')).toEqual([0x65, 0xcc, 0x81]);
    expect(bytes('a\u0308\u0323')).toEqual([0x61, 0xcc, 0x88, 0xcc, 0xa3]);
    expect(wtf8Decode([0x65, 0xcc, 0x81])).toBe('e\u0301');
  });
  it('lone surrogates as 3-byte sequences', () => {
    expect(bytes('\ud800')).toEqual([0xed, 0xa0, 0x80]);
    expect(bytes('\udfff')).toEqual([0xed, 0xbf, 0xbf]);
    expect(bytes('\udbff\udbff')).toEqual([0xed, 0xaf, 0xbf, 0xed, 0xaf, 0xbf]);
    expect(bytes('\udc00\ud800')).toEqual([0xed, 0xb0, 0x80, 0xed, 0xa0, 0x80]); // reversed pair: two lone ones
    expect(bytes('x\ud83d')).toEqual([0x78, 0xed, 0xa0, 0xbd]); // high surrogate at the end
    expect(bytes('\ud83d\u0041')).toEqual([0xed, 0xa0, 0xbd, 0x41]);
    expect(bytes('\ud83d\ue000')).toEqual([0xed, 0xa0, 0xbd, 0xee, 0x80, 0x80]);
  });
});

describe('WTF-8 decoding', () => {
  const FFFD = '\ufffd';
  it('decodes each length', () => {
    expect(wtf8Decode([0x41, 0xc2, 0x80, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80])).toBe('A\x80€😀');
    expect(wtf8Decode([0xdf, 0xbf, 0xe0, 0xa0, 0x80, 0xef, 0xbf, 0xbf])).toBe('\u07ff\u0800\uffff');
    expect(wtf8Decode([0xf0, 0x90, 0x80, 0x80, 0xf4, 0x8f, 0xbf, 0xbf])).toBe('\u{10000}\u{10ffff}');
    expect(wtf8Decode([0xed, 0xa0, 0x80])).toBe('\ud800');
    expect(wtf8Decode([])).toBe('');
  });
  it('malformed bytes become U+FFFD one byte at a time', () => {
    expect(wtf8Decode([0x80])).toBe(FFFD);
    expect(wtf8Decode([0xc0, 0x80])).toBe(FFFD + FFFD); // overlong 2-byte
    expect(wtf8Decode([0xc1, 0xbf])).toBe(FFFD + FFFD);
    expect(wtf8Decode([0xc2])).toBe(FFFD); // truncated
    expect(wtf8Decode([0xc2, 0x41])).toBe(FFFD + 'A'); // not a continuation
    expect(wtf8Decode([0xe0, 0x9f, 0xbf])).toBe(FFFD + FFFD + FFFD); // overlong 3-byte (U+07FF)
    expect(wtf8Decode([0xe2, 0x82])).toBe(FFFD + FFFD);
    expect(wtf8Decode([0xe2, 0x82, 0x41])).toBe(FFFD + FFFD + 'A');
    expect(wtf8Decode([0xe2, 0x41, 0xac])).toBe(FFFD + 'A' + FFFD);
    expect(wtf8Decode([0xf0, 0x8f, 0xbf, 0xbf])).toBe(FFFD.repeat(4)); // overlong 4-byte (U+FFFF)
    expect(wtf8Decode([0xf4, 0x90, 0x80, 0x80])).toBe(FFFD.repeat(4)); // above U+10FFFF
    expect(wtf8Decode([0xf5, 0x80, 0x80, 0x80])).toBe(FFFD.repeat(4));
    expect(wtf8Decode([0xf0, 0x9f, 0x98])).toBe(FFFD.repeat(3)); // truncated emoji
    expect(wtf8Decode([0xf0, 0x9f, 0x98, 0x41])).toBe(FFFD.repeat(3) + 'A');
    expect(wtf8Decode([0xf0, 0x9f, 0x41, 0x80])).toBe(FFFD + FFFD + 'A' + FFFD);
    expect(wtf8Decode([0xf0, 0x41, 0x98, 0x80])).toBe(FFFD + 'A' + FFFD + FFFD);
    expect(wtf8Decode([0xff, 0xfe])).toBe(FFFD + FFFD);
    expect(wtf8Decode([0x84, 0x80, 0x80, 0x80])).toBe(FFFD.repeat(4)); // a continuation byte never leads
    expect(wtf8Decode([0xf8, 0xbf, 0x80, 0x80])).toBe(FFFD.repeat(4)); // F8 is no lead byte (would read as U+3F000)
    expect(wtf8Decode([0xc0, 0x80, 0x80, 0x80])).toBe(FFFD.repeat(4));
  });
  it('long inputs (more than one 8192-unit chunk)', () => {
    const s = 'ab😀'.repeat(5000);
    expect(wtf8Decode(wtf8Encode(s))).toBe(s);
    expect(wtf8Decode(new Array(9000).fill(0x41))).toBe('A'.repeat(9000));
  });
});

// Tokenizers are built inside the tests: an error while building one must fail a test, not the
// file's collection (Stryker's vitest runner counts a file that fails to load as survived).
const fixed = (): Tokenizer => new Tokenizer([[97, 98], [259, 99], [98, 99]]);

describe('ids and vocabulary size', () => {
  it('bytes, then the specials, then merges', () => {
    const tok = fixed();
    expect(SPECIALS).toEqual(['<|eos|>', '<|pad|>', '<|bos|>']);
    expect([tok.eos, tok.pad, tok.bos]).toEqual([256, 257, 258]);
    expect(tok.firstMergeId).toBe(259);
    expect(tok.vocabSize).toBe(262);
    expect(new Tokenizer([]).vocabSize).toBe(259);
  });
  it('token bytes', () => {
    const tok = fixed();
    expect(Array.from(tok.tokenBytes(97))).toEqual([97]);
    expect(Array.from(tok.tokenBytes(0))).toEqual([0]);
    expect(Array.from(tok.tokenBytes(255))).toEqual([255]);
    expect(Array.from(tok.tokenBytes(256))).toEqual([]);
    expect(Array.from(tok.tokenBytes(258))).toEqual([]);
    expect(Array.from(tok.tokenBytes(259))).toEqual([97, 98]);
    expect(Array.from(tok.tokenBytes(260))).toEqual([97, 98, 99]);
    expect(Array.from(tok.tokenBytes(261))).toEqual([98, 99]);
  });
  it('decode drops specials and rejects ids outside the vocabulary', () => {
    const tok = fixed();
    expect(tok.decode([258, 260, 257, 32, 261, 256])).toBe('abc bc');
    expect(() => tok.decode([262])).toThrow('token id 262 is outside the vocabulary (262)');
    expect(() => tok.decode([-1])).toThrow(/outside the vocabulary/);
  });
});

describe('encoding with fixed merges', () => {
  it('applies merges by rank, lowest first', () => {
    const tok = fixed();
    expect(tok.encode('abc')).toEqual([260]); // ab (rank 0), then ab+c (rank 1); not a + bc
    expect(tok.encode('bc')).toEqual([261]);
    expect(tok.encode('abab')).toEqual([259, 259]);
    expect(tok.encode('bcab')).toEqual([261, 259]);
    expect(tok.encode('abcbc')).toEqual([260, 261]);
    expect(tok.encode('aab')).toEqual([97, 259]);
    expect(tok.encode('ac')).toEqual([97, 99]);
    expect(tok.encode('')).toEqual([]);
  });
  it('the lowest rank wins even when it appears later in the word', () => {
    const t = new Tokenizer([[98, 99], [97, 98]]); // bc = 259, ab = 260
    expect(t.encode('abc')).toEqual([97, 259]);
    expect(t.encode('abab')).toEqual([260, 260]);
    const u = new Tokenizer([[120, 120], [259, 259]]); // xx = 259, xxxx = 260
    expect(u.encode('xxxxx')).toEqual([260, 120]);
    expect(u.encode('xxx')).toEqual([259, 120]);
  });
  it('merges never cross pre-tokenisation pieces', () => {
    const t = new Tokenizer([[97, 32], [32, 98], [39, 115], [49, 50], [46, 33]]); // 'a ', ' b', "'s", '12', '.!'
    expect(t.encode('a b')).toEqual([97, 260]);
    expect(t.encode("it's")).toEqual([105, 116, 261]);
    expect(t.encode('a12')).toEqual([97, 262]);
    expect(t.encode('x.!')).toEqual([120, 263]);
    expect(t.encode('a  b')).toEqual([97, 32, 260]);
    expect(t.encode('a\n\nb')).toEqual([97, 10, 10, 98]);
    const sp = new Tokenizer([[32, 32]]);
    expect(sp.encode('a   b')).toEqual([97, 259, 32, 98]); // "a", "  ", " b": a whitespace run leaves one space to the next word
    expect(sp.encode('a  ')).toEqual([97, 259]);
    expect(t.encode('😀')).toEqual([0xf0, 0x9f, 0x98, 0x80]);
  });
  it('emoji and combining marks encode to their UTF-8 bytes (and merges on them)', () => {
    const t = new Tokenizer([[0xf0, 0x9f], [259, 0x98], [0xcc, 0x81]]);
    expect(t.encode('😀')).toEqual([260, 0x80]);
    expect(t.encode('e\u0301')).toEqual([0x65, 261]);
    expect(t.decode([260, 0x80, 0x65, 261])).toBe('😀e\u0301');
    expect(t.encode('😀😀')).toEqual([260, 0x80, 260, 0x80]);
  });
  it('a repeated piece gives the same ids (cache)', () => {
    const tok = fixed();
    expect(tok.encode('abc abc abc')).toEqual([260, 32, 260, 32, 260]);
    const t = new Tokenizer([[32, 97], [259, 98]]);
    expect(t.encode('x ab ab')).toEqual([120, 260, 260]);
    expect(t.encode('x ab ab')).toEqual([120, 260, 260]);
  });
});

describe('training', () => {
  it('learns the most frequent pair first; ties go to the smallest ids', () => {
    const t = Tokenizer.train(['cd', 'ab', 'cd', 'ab'], 300);
    expect(t.toJSON()).toEqual({ type: 'byte-bpe', version: 1, merges: [[97, 98], [99, 100]] });
    expect(t.vocabSize).toBe(261);
  });
  it('counts pairs weighted by piece frequency and stops when no pair occurs twice', () => {
    const t = Tokenizer.train(['xyz xyz xyz', 'yz'], 300);
    // pieces: "xyz" ×1, " xyz" ×2, "yz" ×1 → yz 4, xy 3, " x" 2 → merge yz; then x+yz 3; then " "+xyz 2.
    expect(t.merges).toEqual([[121, 122], [120, 259], [32, 260]]);
    expect(t.encode(' xyz')).toEqual([261]);
  });
  it('stops at the requested vocabulary size', () => {
    expect(Tokenizer.train(['cd', 'ab', 'cd', 'ab'], 260).merges).toEqual([[97, 98]]);
    expect(Tokenizer.train(['cd', 'ab', 'cd', 'ab'], 259).merges).toEqual([]);
    expect(() => Tokenizer.train(['ab'], 258)).toThrow('vocabulary size must be ≥ 259 (bytes + specials), got 258');
  });
  it('ties go to the smallest ids even when a larger pair was counted first', () => {
    // Words are counted in sorted order: "by" (pair 98,121) before "cab" (99,97 and 97,98), all three twice.
    expect(Tokenizer.train(['by', 'by', 'cab', 'cab'], 300).merges).toEqual([[97, 98], [98, 121], [99, 259]]);
  });
  it('a more frequent pair wins over a smaller one counted later', () => {
    expect(Tokenizer.train(['by', 'by', 'by', 'cab', 'cab'], 260).merges).toEqual([[98, 121]]);
  });
  it('merges the pair of NUL bytes (key 0) like any other', () => {
    expect(Tokenizer.train(['\0\0', '\0\0'], 300).merges).toEqual([[0, 0]]);
  });
  it('empty texts contribute nothing', () => {
    expect(Tokenizer.train(['', ''], 300).merges).toEqual([]);
    expect(Tokenizer.train(['', ''], 300).vocabSize).toBe(259);
  });
  it('a pair seen once is never merged', () => {
    expect(Tokenizer.train(['abcd'], 300).merges).toEqual([]);
    expect(Tokenizer.train(['abab'], 300).merges).toEqual([[97, 98]]);
  });
  it('merges overlapping pairs left to right', () => {
    // "aaa" ×2: pairs aa = 4 → merge [97, 97] → [259, 97]; then (259, 97) ×2 → merge.
    expect(Tokenizer.train(['aaa', 'aaa'], 300).merges).toEqual([[97, 97], [259, 97]]);
  });
});

describe('JSON', () => {
  it('round-trips and rejects other formats', () => {
    const t = new Tokenizer([[97, 98]]);
    expect(t.toJSON()).toEqual({ type: 'byte-bpe', version: 1, merges: [[97, 98]] });
    expect(Tokenizer.fromJSON({ type: 'byte-bpe', version: 1, merges: [[97, 98]] }).encode('ab')).toEqual([259]);
    const bad = (j: unknown) => () => Tokenizer.fromJSON(j as never);
    expect(bad({ type: 'bpe', version: 1, merges: [] })).toThrow('tokenizer JSON is not a byte-bpe v1 tokenizer');
    expect(bad({ type: 'byte-bpe', version: 2, merges: [] })).toThrow('tokenizer JSON is not a byte-bpe v1 tokenizer');
    expect(bad({ type: 'byte-bpe', version: 1, merges: {} })).toThrow('tokenizer JSON is not a byte-bpe v1 tokenizer');
    expect(bad(null)).toThrow('tokenizer JSON is not a byte-bpe v1 tokenizer');
  });
});
