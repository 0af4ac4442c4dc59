import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTION_LIST, ACTIONS } from '../../env/actions.ts';
import { formatScriptLine, parseScript, parseScriptLine, referenceLineText } from '../../env/script.ts';

describe('action table', () => {
  it('has the 44 enum members plus the LOOKAT_MEDIUM alias', () => {
    expect(ACTION_LIST).toHaveLength(44);
    expect(new Set(ACTION_LIST.map((a) => a.name)).size).toBe(44);
    expect(ACTIONS.size).toBe(45);
    expect(ACTIONS.get('LOOKAT_MEDIUM')!.name).toBe('LOOKAT');
    expect(ACTIONS.get('PUTBACK')!.arity).toBe(2);
    expect(ACTIONS.get('STANDUP')!.arity).toBe(0);
    expect(ACTIONS.get('PUTOFF')!.properties).toEqual([['CLOHES']]);
  });
});

describe('parseScriptLine', () => {
  it('parses a line: action upper-cased, names normalised, ids as node ids', () => {
    const r = parseScriptLine('  [PutBack] <Coffee Table> (257) <kitchen table>(226)  ', 3);
    expect(r).toEqual({ ok: true, line: { action: 'PUTBACK', index: 3, text: '[PutBack] <Coffee Table> (257) <kitchen table>(226)',
      args: [{ name: 'coffee_table', id: 257 }, { name: 'kitchen_table', id: 226 }] } });
  });

  it('reads the dataset id form (instance.id)', () => {
    const r = parseScriptLine('[RUN] <home_office> (1.319)', 1);
    expect(r.ok && r.line.args[0]).toEqual({ name: 'home_office', id: 319, instance: 1 });
    const strict = parseScriptLine('[Walk] <tv> (1.410)', 1, { datasetIds: false });
    expect(strict.ok).toBe(false);
    expect(!strict.ok && strict.error.message).toBe("invalid literal for int() with base 10: '1.410'");
  });

  it('resolves the LOOKAT_MEDIUM alias', () => {
    const r = parseScriptLine('[LookAt_Medium] <tv> (410)', 1);
    expect(r.ok && r.line.action).toBe('LOOKAT');
  });

  it('reports unknown verbs with the reference text and a typed failure', () => {
    const r = parseScriptLine('[Fly] <bird> (1)', 2);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.message).toBe('Unknown action "FLY"');
    expect(r.error).toMatchObject({ code: 'unknown_action', line: 2, column: 2 });
    expect(r.error.failure).toMatchObject({ code: 'unknown_action', action: 'FLY' });
  });

  it('reports wrong arity with the reference text', () => {
    const r = parseScriptLine('[PutBack] <plate> (257)', 1);
    expect(!r.ok && r.error.message).toBe('Wrong number of parameters for "PUTBACK". Got 1, expected 2');
    expect(!r.ok && r.error.code).toBe('wrong_arity');
  });

  it('rejects the Unity character prefix and bad ids with a column', () => {
    const a = parseScriptLine('<char0> [Walk] <tv> (410)', 1);
    expect(!a.ok && a.error.message).toBe('Cannot parse action');
    const b = parseScriptLine('[Walk] <tv> (abc)', 1);
    expect(b.ok).toBe(false);
    expect(!b.ok && b.error.column).toBe(14);
    expect(!b.ok && b.error.code).toBe('parse');
  });

  it('prints the reference line text used in messages', () => {
    const r = parseScriptLine('[PutBack] <plate> (257) <kitchentable> (226)', 2);
    expect(r.ok && referenceLineText(r.line)).toBe('[PUTBACK] <plate> (257) <kitchentable> (226) [2]');
    const s = parseScriptLine('[StandUp]', 6);
    expect(s.ok && referenceLineText(s.line)).toBe('[STANDUP] [6]');
  });
});

describe('parseScript', () => {
  it('skips blank, bracket-less and # lines, numbering only kept lines', () => {
    const r = parseScript('Title line\n# hi\n\n[Walk] <tv> (410)\n[SwitchOn] <tv> (410)');
    expect(r.ok && r.lines.map((l) => l.index)).toEqual([1, 2]);
  });

  it('gives the source line and script index of an error', () => {
    const r = parseScript('title\n[Walk] <tv> (410)\n\n[Fly] <bird> (1)');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ line: 4, index: 2, code: 'unknown_action' });
  });
});

describe('parser properties', () => {
  it('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.integer({ min: 1, max: 1000 }), (s, i) => {
      const r = parseScriptLine(s, i);
      expect(typeof r.ok).toBe('boolean');
      parseScript(s);
    }), { numRuns: 2000 });
  });

  it('never throws on bracket-shaped input', () => {
    const piece = fc.oneof(fc.constantFrom('[', ']', '<', '>', '(', ')', ' ', '.', 'walk', 'PUTBACK', '1', '-', '\t'), fc.string({ maxLength: 4 }));
    fc.assert(fc.property(fc.array(piece, { maxLength: 30 }), (parts) => {
      const r = parseScriptLine(parts.join(''), 1);
      if (!r.ok) expect(r.error.message.length).toBeGreaterThan(0);
    }), { numRuns: 2000 });
  });

  it('round-trips printed lines', () => {
    const name = fc.stringMatching(/^[a-z0-9_]{1,12}$/);
    const arg = fc.record({ name, id: fc.nat({ max: 100000 }), instance: fc.option(fc.nat({ max: 99 }), { nil: undefined }) })
      .map(({ name: n, id, instance }) => (instance === undefined ? { name: n, id } : { name: n, id, instance }));
    const line = fc.constantFrom(...ACTION_LIST).chain((spec) =>
      fc.array(arg, { minLength: spec.arity, maxLength: spec.arity }).map((args) => ({ action: spec.name, args })));
    fc.assert(fc.property(line, fc.integer({ min: 1, max: 500 }), (l, index) => {
      const text = formatScriptLine(l);
      const r = parseScriptLine(text, index);
      expect(r.ok).toBe(true);
      if (r.ok) {
        expect(r.line.action).toBe(l.action);
        expect(r.line.args).toEqual(l.args);
        expect(r.line.index).toBe(index);
        expect(formatScriptLine(r.line)).toBe(text);
      }
    }), { numRuns: 1000 });
  });
});
