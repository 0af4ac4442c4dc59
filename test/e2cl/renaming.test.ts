/**
 * Renamed records for a fair benchmark (issue 13 item 5): classes are swapped only for classes
 * with the same properties, and `renamedShareOfMix` makes renamed records the same share of
 * every model's mix as trained (after deduplication).
 */
import { describe, expect, it } from 'vitest';
import { ObjectRenamer } from '../../alignment/datasets/augment.ts';
import { planningPrompt } from '../../alignment/datasets/prompts.ts';
import type { E2CLRecord } from '../../alignment/datasets/records.ts';
import { mulberry32 } from '../../alignment/datasets/rng.ts';
import { catalogueClass } from '../../env/catalogue/index.ts';
import { parseNLAction } from '../../env/nl.ts';
import { mixRecords } from '../../alignment/datasets/mix.ts';
import { withinWordLimit } from '../../alignment/datasets/records.ts';
import { HearthError } from '../../env/errors.ts';
import { renameableCatalogue } from '../../exploration/pipeline.ts';
import { mixWithRenamedShare } from '../../exploration/renamed-mix.ts';

const record = (title: string, history: Array<{ action: string; observation: string }>, output: string): E2CLRecord =>
  ({ input: planningPrompt({ title, description: `${title}.` }, history), output, kind: 'planning', source: 'expert', taskId: 't' } as E2CLRecord);

describe('renaming among classes with the same properties', () => {
  it('every group holds classes of one kind, one property set and one washability', () => {
    const groups = new Map<string, string[]>();
    for (const c of renameableCatalogue()) groups.set(c.group, [...(groups.get(c.group) ?? []), c.className]);
    for (const members of groups.values()) {
      const key = (n: string) => { const c = catalogueClass(n)!; return `${c.kind}|${[...c.properties].sort()}|${Boolean(c.washable)}`; };
      expect(new Set(members.map(key)).size, members.join(', ')).toBe(1);
    }
    const groupOf = (n: string) => renameableCatalogue().find((c) => c.className === n)!.group;
    expect(groupOf('bed')).not.toBe(groupOf('tv'));
  });
  it('a renamed "Switch on" names a class with a switch, a renamed "Grab" a grabbable one', () => {
    const renamer = new ObjectRenamer(renameableCatalogue());
    const cases = [
      record('Turn on the TV', [{ action: 'Walk to tv', observation: 'tv is OFF. ' }], 'Switch on tv'),
      record('Put the cup on the table', [{ action: 'Walk to cup', observation: 'cup is CLEAN. ' }], 'Grab cup'),
    ];
    let renamedAny = 0;
    for (let seed = 0; seed < 60; seed++) {
      for (const r of cases) {
        const x = renamer.rename(r, mulberry32(seed));
        if (!x || x.output === r.output) continue;
        renamedAny++;
        const p = parseNLAction(x.output);
        const cls = catalogueClass(p.names[0])!;
        expect(cls.properties, x.output).toContain(p.verb === 'SWITCHON' ? 'HAS_SWITCH' : 'GRABBABLE');
      }
    }
    expect(renamedAny).toBeGreaterThan(30);
  });
});

describe('renamedShareOfMix', () => {
  const planning = Array.from({ length: 100 }, (_, i) => record(`T${i}`, [], `Walk to r${i}`));
  // Every other record can be renamed (the others come back unchanged).
  const renamed = planning.map((r, i) => (i % 2 ? { ...r, output: `${r.output}-renamed` } : { ...r }));
  const order = Array.from({ length: 100 }, (_, i) => (i * 37) % 100);
  const fb = (i: number): E2CLRecord => ({ input: `feedback prompt ${i}`, output: 'True', kind: 'feedback', source: 'teacher-free', taskId: 't' } as E2CLRecord);
  // Two exploration sets that share 100 records (as teacher-guided and teacher-free do): e2cl's
  // mix is 300 records, not the 400 one would count before deduplication.
  const tg = Array.from({ length: 150 }, (_, i) => fb(i));
  const tf = Array.from({ length: 150 }, (_, i) => fb(i + 50));
  const isRenamed = (r: E2CLRecord): boolean => r.output.endsWith('-renamed');
  const share = (m: { mix: E2CLRecord[] }): number => m.mix.filter(isRenamed).length / m.mix.length;

  it('gives every mix, as trained (deduplicated), the same share of renamed records, nested', () => {
    const bc = mixWithRenamedShare(planning, renamed, [], 0.1, order, 1, 'bc');
    const tgOnly = mixWithRenamedShare(planning, renamed, [tg], 0.1, order, 2, 'bc-tg');
    const e2cl = mixWithRenamedShare(planning, renamed, [tg, tf], 0.1, order, 3, 'e2cl');
    expect(e2cl.mix).toHaveLength(300);
    expect([share(bc), share(tgOnly), share(e2cl)]).toEqual([0.1, 0.1, 0.1]);
    expect([bc.renamed, tgOnly.renamed, e2cl.renamed]).toEqual([10, 25, 30]);
    // Only the renamed planning records change: the same records otherwise, in the same order.
    const plain = mixRecords([planning, tg, tf], 3);
    expect(e2cl.mix.map((r) => r.output.replace(/-renamed$/, ''))).toEqual(plain.map((r) => r.output));
    const bcRenamed = bc.mix.filter(isRenamed).map((r) => r.output);
    for (const x of bcRenamed) expect(e2cl.mix.some((r) => r.output === x)).toBe(true);
  });
  it('skips a renamed copy that is already in the mix or over the word limit', () => {
    // order starts 0, 37, 74, 11, 48, 85: odd indices can be renamed.
    const planted = planning.slice();
    planted[0] = { ...renamed[37] }; // r37's renamed copy is already a record of the mix
    const long = renamed.slice();
    long[0] = planted[0]; // (record 0 itself names nothing renameable)
    long[11] = { ...renamed[11], input: 'word '.repeat(5000) };
    const m = mixWithRenamedShare(planted, long, [tg], 0.05, order, 4, 'bc-tg');
    const want = Math.round(0.05 * m.mix.length);
    expect(m.renamed).toBe(want);
    const outputs = m.mix.map((r) => r.output);
    expect(outputs.filter((o) => o === 'Walk to r37-renamed')).toHaveLength(1);
    expect(outputs).toContain('Walk to r37');
    expect(outputs).toContain('Walk to r11');
    expect(outputs).toContain('Walk to r85-renamed');
    expect(m.mix.filter(isRenamed)).toHaveLength(want + 1);
    expect(m.mix.every(withinWordLimit)).toBe(true);
  });
  it('refuses, with a typed error and the largest share it could give, a share the planning records cannot give', () => {
    const run = () => mixWithRenamedShare(planning, renamed, [tg, tf], 0.2, order, 3, 'e2cl');
    expect(run).toThrow(HearthError);
    expect(run).toThrow(/e2cl's mix of 300 records needs 60 renamed planning records, but only 50 of its planning records can be renamed/);
    try { run(); } catch (e) { expect((e as HearthError).hint).toContain('"renamedShareOfMix": 0.16'); }
  });
});
