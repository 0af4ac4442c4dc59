/**
 * Where a JSON text stops being valid: the 0-based offset and a short description. Used only
 * after JSON.parse has failed, because Node's messages do not always carry a position.
 */
export function locateJSONError(text: string): { offset: number; problem: string } {
  let i = 0;
  const n = text.length;
  class Stop { constructor(readonly offset: number, readonly problem: string) {} }
  const ws = () => { while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++; };
  const fail = (what: string): never => {
    throw new Stop(i, i >= n ? `unexpected end of input (expected ${what})` : `unexpected ${JSON.stringify(text[i])} (expected ${what})`);
  };
  const lit = (word: string) => { if (text.startsWith(word, i)) i += word.length; else fail('a value'); };
  const str = () => {
    i++; // opening quote
    while (i < n && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail('a closing quote');
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') { if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('4 hex digits'); i += 5; continue; }
        if (!'"\\/bfnrt'.includes(text[i] ?? '')) fail('an escape character');
      }
      i++;
    }
    if (i >= n) fail('a closing quote');
    i++;
  };
  const num = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '-' || m[0] === '') fail('a number');
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++; ws();
      if (text[i] === '}') { i++; return; }
      for (;;) {
        ws(); if (text[i] !== '"') fail('a "key"');
        str(); ws();
        if (text[i] !== ':') fail('":"');
        i++; value(); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return; }
        fail('"," or "}"');
      }
    } else if (c === '[') {
      i++; ws();
      if (text[i] === ']') { i++; return; }
      for (;;) {
        value(); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return; }
        fail('"," or "]"');
      }
    } else if (c === '"') str();
    else if (c === 't') lit('true');
    else if (c === 'f') lit('false');
    else if (c === 'n') lit('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) num();
    else fail('a value');
  };
  try {
    value(); ws();
    if (i < n) fail('end of input');
    return { offset: n, problem: 'invalid JSON' };
  } catch (e) {
    if (e instanceof Stop) return { offset: e.offset, problem: e.problem };
    return { offset: 0, problem: 'invalid JSON' };
  }
}
