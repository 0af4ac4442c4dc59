/**
 * Reading a model's `llm_output` into steps, two ways.
 *
 * `officialParse` is eai-eval 1.0.5's: drop a leading "```json", strip, delete newlines, turn
 * every `'` into `"`, then collect `"KEY": [ ... ]` pairs with a regex (values must be non-empty
 * and hold no `]`), each value through a JSON parser. So `"STANDUP": []` vanishes, prose around
 * the object is ignored and text cut mid-way keeps its complete steps. A value the JSON parser
 * rejects raises, which eai-eval counts as a parsing error twice (see evaluate.ts).
 *
 * `strictParse` is the corrected reading: optional Markdown fence, then exactly one JSON object
 * (duplicate keys kept in order: a plan repeats WALK) whose values are arrays; anything else is a
 * parsing error with the reason.
 */

export type Step = { action: string; params: unknown[] };

/** Python's `re` `\w` and `\s` are Unicode-aware; so are these. */
const OFFICIAL_PAIR = /"([\p{L}\p{N}_]+)"\s*:\s*(\[[^\]]+\])/gu;

/** null: eai-eval's json.loads raised on a value (its `except` branch). */
export function officialParse(llmOutput: string): Step[] | null {
  let a = llmOutput;
  if (a.startsWith('```json')) a = a.slice(7);
  a = pyStrip(a).replaceAll('\n', '');
  a = a.replaceAll("'", '"');
  a = pyStrip(a).replace(/\s+/gu, ' ');
  const out: Step[] = [];
  for (const m of a.matchAll(OFFICIAL_PAIR)) {
    let v: unknown;
    try {
      v = pyJsonLoads(m[2]);
    } catch {
      return null;
    }
    out.push({ action: m[1], params: v as unknown[] });
  }
  return out;
}

/** Python's str.strip(): Unicode whitespace (close to JS trim; differs only on exotic spaces). */
function pyStrip(s: string): string {
  return s.replace(/^[\s\u001c-\u001f\u0085]+|[\s\u001c-\u001f\u0085]+$/gu, '');
}

/** json.loads of a `[...]` text: JSON plus Python's NaN/Infinity literals. */
function pyJsonLoads(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    if (!/NaN|Infinity/.test(text)) throw e;
    return JSON.parse(text.replace(/-?Infinity|NaN/g, '0'));
  }
}

export type StrictResult = { ok: true; steps: Step[] } | { ok: false; reason: string };

/** The corrected reading: one JSON object of `"ACTION": [args]` pairs, order and repeats kept. */
export function strictParse(llmOutput: string): StrictResult {
  let t = llmOutput.trim();
  const fence = /^```[A-Za-z]*\s*\n?([\s\S]*?)\n?```$/.exec(t);
  if (fence) t = fence[1].trim();
  const p = new JsonReader(t);
  try {
    p.ws();
    if (p.peek() !== '{') return { ok: false, reason: t === '' ? 'empty output' : 'not a JSON object' };
    const steps = p.objectOfArrays();
    p.ws();
    if (p.i < t.length) return { ok: false, reason: `text after the JSON object at character ${p.i + 1}` };
    return { ok: true, steps };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

/** A JSON reader that keeps an object's duplicate keys (JSON.parse keeps only the last). */
class JsonReader {
  i = 0;
  constructor(readonly s: string) {}
  peek(): string { return this.s[this.i]; }
  ws(): void { while (this.i < this.s.length && ' \t\n\r'.includes(this.s[this.i])) this.i++; }
  fail(what: string): never {
    throw new Error(this.i >= this.s.length ? `JSON ends early (expected ${what})` : `invalid JSON at character ${this.i + 1} (expected ${what})`);
  }
  expect(c: string): void { this.ws(); if (this.s[this.i] !== c) this.fail(`"${c}"`); this.i++; }
  objectOfArrays(): Step[] {
    const out: Step[] = [];
    this.expect('{');
    this.ws();
    if (this.peek() === '}') { this.i++; return out; }
    for (;;) {
      this.ws();
      const key = this.string();
      this.expect(':');
      this.ws();
      const start = this.i;
      const v = this.value();
      if (!Array.isArray(v)) { this.i = start; throw new Error(`the value of "${key}" is not a list`); }
      out.push({ action: key, params: v });
      this.ws();
      if (this.peek() === ',') { this.i++; continue; }
      this.expect('}');
      return out;
    }
  }
  string(): string {
    if (this.peek() !== '"') this.fail('a string');
    const start = this.i;
    this.i++;
    while (this.i < this.s.length && this.s[this.i] !== '"') this.i += this.s[this.i] === '\\' ? 2 : 1;
    if (this.i >= this.s.length) this.fail('the end of a string');
    this.i++;
    return JSON.parse(this.s.slice(start, this.i)) as string;
  }
  value(): unknown {
    this.ws();
    const c = this.peek();
    if (c === '"') return this.string();
    if (c === '[') {
      this.i++;
      const arr: unknown[] = [];
      this.ws();
      if (this.peek() === ']') { this.i++; return arr; }
      for (;;) {
        arr.push(this.value());
        this.ws();
        if (this.peek() === ',') { this.i++; continue; }
        this.expect(']');
        return arr;
      }
    }
    if (c === '{') {
      const o: Record<string, unknown> = {};
      this.i++;
      this.ws();
      if (this.peek() === '}') { this.i++; return o; }
      for (;;) {
        this.ws();
        const k = this.string();
        this.expect(':');
        o[k] = this.value();
        this.ws();
        if (this.peek() === ',') { this.i++; continue; }
        this.expect('}');
        return o;
      }
    }
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(this.s.slice(this.i));
    if (!m) this.fail('a value');
    this.i += m[0].length;
    return JSON.parse(m[0]);
  }
}

/** Python's `str()` of a JSON value inside eai-eval's `f"{name}_{id}"` keys. */
export function pyStr(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 1e16 ? String(v) : String(v);
  return JSON.stringify(v);
}
