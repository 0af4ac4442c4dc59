import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Tokenizer, wtf8Decode, wtf8Encode } from '../../agent/tokenizer.ts';

const corpus = [
  'Walk to kitchen', 'Grab mug', 'Put mug on table', 'Open fridge', 'Switch on TV',
  '[walk] <kitchen> (11)', '[grab] <mug> (47)', 'The mug is on the kitchen table.',
];

describe('byte-level BPE tokenizer', () => {
  const tok = Tokenizer.train(corpus, 320);

  it('learns merges and compresses its own corpus', () => {
    expect(tok.vocabSize).toBeGreaterThan(262);
    expect(tok.vocabSize).toBeLessThanOrEqual(320);
    const text = corpus.join('\n');
    expect(tok.encode(text).length).toBeLessThan(new TextEncoder().encode(text).length * 0.7);
  });

  it('round-trips arbitrary strings, including unseen words and lone surrogates', () => {
    for (const s of ['', 'zebra-xylophone 🦓', '\u{10ffff}\0\t\r\n', 'a\ud800b', '\udfff', 'ok\ud83d', '<|eos|>']) {
      expect(tok.decode(tok.encode(s))).toBe(s);
    }
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => tok.decode(tok.encode(s)) === s), { numRuns: 300 });
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 30 }), (units) => {
      const s = String.fromCharCode(...units);
      return tok.decode(tok.encode(s)) === s;
    }), { numRuns: 300 });
  });

  it('decodes any byte sequence without throwing', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (b) => typeof wtf8Decode(b) === 'string'));
    expect(wtf8Decode(wtf8Encode('héllo'))).toBe('héllo');
  });

  it('serialises to JSON and back identically, and is deterministic', () => {
    const again = Tokenizer.fromJSON(JSON.parse(JSON.stringify(tok.toJSON())));
    expect(again.encode('Put the mug in the fridge')).toEqual(tok.encode('Put the mug in the fridge'));
    expect(Tokenizer.train(corpus, 320).toJSON()).toEqual(tok.toJSON());
  });
});
