/**
 * TRL exports (prompt-completion, preference) and the one JSONL reader for all dataset formats
 * (issue 14): round trips, format detection, and errors naming file, line and field.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  datasetPairs, datasetPreferences, readDatasetJsonl, readPairsJsonl, readPreferenceJsonl, toE2CLJsonl, toTrlMessagesJsonl,
  toTrlPreferenceJsonl, toTrlPromptCompletionJsonl, writeTrlPreferenceJsonl, writeTrlPromptCompletionJsonl, type PreferenceRecord,
} from '../../alignment/datasets/export.ts';
import { HearthError } from '../../env/errors.ts';
import { readPairsJsonl as readTrainLmData } from '../../alignment/lm-data.ts';

const dir = mkdtempSync(join(tmpdir(), 'hearth-ds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };

const pairs = [
  { input: 'Task: Watch TV.\nstep1: ', output: 'Walk to living room' },
  { input: 'Task: Drink water.\n"quoted" ünïcode\nstep1: ', output: 'Grab cup' },
];
const prefs: PreferenceRecord[] = [
  { prompt: 'Task: Watch TV.\nstep1: ', chosen: 'Walk to living room', rejected: 'Switch on tv', refChosen: -3.25, refRejected: -4.5 },
  { prompt: 'Task: Drink water.\nstep1: ', chosen: 'Walk to kitchen', rejected: 'Grab cup', refChosen: -2, refRejected: -7.125 },
];

function err(f: () => unknown): HearthError {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(HearthError); return e as HearthError; }
  throw new Error('expected a HearthError');
}

describe('TRL exports', () => {
  it('prompt-completion: standard and conversational lines, read back to the same pairs', () => {
    const std = toTrlPromptCompletionJsonl(pairs);
    expect(JSON.parse(std.split('\n')[0])).toEqual({ prompt: pairs[0].input, completion: pairs[0].output });
    const conv = toTrlPromptCompletionJsonl(pairs, { conversational: true });
    expect(JSON.parse(conv.split('\n')[1])).toEqual({ prompt: [{ role: 'user', content: pairs[1].input }], completion: [{ role: 'assistant', content: pairs[1].output }] });
    const p = join(dir, 'pc.jsonl');
    writeTrlPromptCompletionJsonl(p, pairs);
    expect(readPairsJsonl(p)).toEqual(pairs);
    expect(readDatasetJsonl(p).format).toBe('prompt-completion');
    expect(readPairsJsonl(file('pc-conv.jsonl', conv))).toEqual(pairs);
  });

  it('preference: prompt/chosen/rejected with TRL’s ref_*_logps columns, read back with the offline reference', () => {
    const std = toTrlPreferenceJsonl(prefs);
    expect(JSON.parse(std.split('\n')[0])).toEqual({ prompt: prefs[0].prompt, chosen: prefs[0].chosen, rejected: prefs[0].rejected, ref_chosen_logps: -3.25, ref_rejected_logps: -4.5 });
    const p = join(dir, 'pref.jsonl');
    writeTrlPreferenceJsonl(p, prefs);
    expect(readPreferenceJsonl(p)).toEqual(prefs);
    const bare = prefs.map(({ prompt, chosen, rejected }) => ({ prompt, chosen, rejected }));
    expect(Object.keys(JSON.parse(toTrlPreferenceJsonl(bare).split('\n')[0]))).toEqual(['prompt', 'chosen', 'rejected']);
    const conv = toTrlPreferenceJsonl(bare, { conversational: true });
    expect(JSON.parse(conv.split('\n')[0]).chosen).toEqual([{ role: 'assistant', content: 'Walk to living room' }]);
    expect(readPreferenceJsonl(file('pref-conv.jsonl', conv))).toEqual(bare);
  });

  it('one reader for all four formats, each detected from its fields', () => {
    const cases: Array<[string, string]> = [
      ['e2cl', toE2CLJsonl(pairs)], ['messages', toTrlMessagesJsonl(pairs)],
      ['prompt-completion', toTrlPromptCompletionJsonl(pairs)], ['preference', toTrlPreferenceJsonl(prefs)],
    ];
    for (const [fmt, text] of cases) {
      const d = readDatasetJsonl(file(`all-${fmt}.jsonl`, `\ufeff${text}\n\n`)); // BOM and blank lines are fine
      expect(d.format).toBe(fmt);
      expect(d.records).toHaveLength(2);
      expect(d.lines).toEqual([1, 2]);
      if (fmt === 'preference') expect(datasetPreferences(d)).toEqual(prefs);
      else expect(datasetPairs(d)).toEqual(pairs);
    }
  });
});

describe('reader errors name the file, line and field', () => {
  const bad: Array<[string, string, RegExp]> = [
    ['json', '{"prompt":"a","completion":"b"}\n{"prompt": "a",\n', /json\.jsonl:2: not valid JSON/],
    ['notobj', '[1, 2]\n', /notobj\.jsonl:1: not a JSON object/],
    ['unknown', '{"text": "a"}\n', /unknown\.jsonl:1: no known fields/],
    ['missing', '{"prompt":"a","chosen":"b","rejected":"c"}\n\n{"prompt":"a","chosen":"b"}\n', /missing\.jsonl:3: field "rejected" is missing/],
    ['type', '{"prompt":"a","completion":7}\n', /type\.jsonl:1: field "completion" must be a string or a list of \{"role", "content"\} messages/],
    ['msg', '{"messages":[{"role":"user","content":"a"},{"role":"assistant"}]}\n', /msg\.jsonl:1: field "messages\[1\]\.content" is missing/],
    ['msgtype', '{"prompt":[{"role":"user","content":5}],"chosen":"b","rejected":"c"}\n', /msgtype\.jsonl:1: field "prompt\[0\]\.content" must be a string/],
    ['empty-list', '{"prompt":[],"completion":"b"}\n', /empty-list\.jsonl:1: field "prompt" must not be an empty list/],
    ['ref', '{"prompt":"a","chosen":"b","rejected":"c","ref_chosen_logps":-1}\n', /ref\.jsonl:1: field "ref_rejected_logps" is missing \(it comes with ref_chosen_logps\)/],
    ['refnum', '{"prompt":"a","chosen":"b","rejected":"c","ref_chosen_logps":"x","ref_rejected_logps":-1}\n', /refnum\.jsonl:1: field "ref_chosen_logps" must be a number/],
    ['mixed', '{"input":"a","output":"b"}\n{"prompt":"a","completion":"b"}\n', /mixed\.jsonl:2: a record in prompt-completion format, but line 1 is in e2cl format/],
    ['e2cl', '{"input":"a","output":"b"}\n{"input": 3, "output": "b"}\n', /e2cl\.jsonl:2: field "input" must be a string/],
    ['e2cl-missing', '{"input":"a","output":"b"}\n{"input": "a"}\n', /e2cl-missing\.jsonl:2: field "output" is missing/],
  ];
  for (const [name, text, re] of bad) {
    it(name, () => { expect(err(() => readDatasetJsonl(file(`${name}.jsonl`, text))).message).toMatch(re); });
  }
  it('a preference file is not SFT data and vice versa; a missing file and an empty one', () => {
    const p = file('p.jsonl', toTrlPreferenceJsonl(prefs));
    expect(err(() => readPairsJsonl(p)).message).toMatch(/p\.jsonl:1: a record in preference format, but this reader takes e2cl or messages or prompt-completion/);
    expect(err(() => readPreferenceJsonl(file('s.jsonl', toE2CLJsonl(pairs)))).message).toMatch(/s\.jsonl:1: a record in e2cl format, but this reader takes preference/);
    expect(err(() => readDatasetJsonl(join(dir, 'nope.jsonl'))).message).toMatch(/dataset .*nope\.jsonl does not exist/);
    expect(err(() => readDatasetJsonl(file('blank.jsonl', '\n\n'))).kind).toBe('dataset.empty');
    expect(readPairsJsonl(file('blank2.jsonl', ''))).toEqual([]);
    expect(err(() => readPairsJsonl(file('noasst.jsonl', '{"messages":[{"role":"user","content":"a"}]}\n'))).message).toMatch(/noasst\.jsonl:1: field "messages\[0\]\.role" must be "assistant"/);
    expect(err(() => readDatasetJsonl(file('utf.jsonl', Buffer.from([0x7b, 0xff, 0x7d]).toString('latin1')))).kind).toBe('dataset.json');
  });
  it('invalid UTF-8 names the line', () => {
    const p = join(dir, 'bad-utf8.jsonl');
    writeFileSync(p, Buffer.concat([Buffer.from('{"input":"a","output":"b"}\n{"input":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","output":"b"}\n')]));
    expect(err(() => readDatasetJsonl(p)).message).toMatch(/bad-utf8\.jsonl: invalid UTF-8 at line 2/);
  });
});

describe("train-lm's data reader goes through the same reader", () => {
  it('e2cl, messages (role-prefixed text), prompt-completion standard and conversational', () => {
    expect(readTrainLmData(file('lm-e2cl.jsonl', toE2CLJsonl(pairs)))).toEqual(pairs);
    expect(readTrainLmData(file('lm-msg.jsonl', toTrlMessagesJsonl(pairs.slice(0, 1))))).toEqual([{ input: `user: ${pairs[0].input}\nassistant:`, output: ` ${pairs[0].output}` }]);
    expect(readTrainLmData(file('lm-pc.jsonl', toTrlPromptCompletionJsonl(pairs)))).toEqual(pairs);
    expect(readTrainLmData(file('lm-pcc.jsonl', toTrlPromptCompletionJsonl(pairs.slice(0, 1), { conversational: true })))).toEqual([{ input: `user: ${pairs[0].input}\nassistant:`, output: ` ${pairs[0].output}` }]);
  });
  it('names file, line and field; a directory, a missing file, an empty file, a preference file', () => {
    expect(err(() => readTrainLmData(file('lm-bad.jsonl', '{"input":"a","output":"b"}\n{"input":"a","output":["b"]}\n'))).message).toMatch(/lm-bad\.jsonl:2: field "output" must be a string/);
    expect(err(() => readTrainLmData(dir)).message).toMatch(/data file .* is a directory/);
    expect(err(() => readTrainLmData(join(dir, 'none.jsonl'))).message).toMatch(/data file .*none\.jsonl does not exist/);
    expect(err(() => readTrainLmData(file('lm-empty.jsonl', '\n'))).message).toMatch(/data file .*lm-empty\.jsonl has no records/);
    expect(err(() => readTrainLmData(file('lm-pref.jsonl', toTrlPreferenceJsonl(prefs)))).message).toMatch(/lm-pref\.jsonl:1: a record in preference format/);
    expect(err(() => readTrainLmData(file('lm-noa.jsonl', '{"messages":[{"role":"user","content":"a"}]}\n'))).message).toMatch(/lm-noa\.jsonl:1: "messages" has no assistant turn/);
  });
});
