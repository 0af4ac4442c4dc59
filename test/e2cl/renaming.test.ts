/**
 * Renamed records for a fair benchmark (issue 13 item 5): classes are swapped only for classes
 * with the same properties, and `renamedShareOfMix` makes renamed records the same share of
 * every model's mix.
 */
import { describe, expect, it } from 'vitest';
import { ObjectRenamer } from '../../alignment/datasets/augment.ts';
import { planningPrompt } from '../../alignment/datasets/prompts.ts';
import type { E2CLRecord } from '../../alignment/datasets/records.ts';
import { mulberry32 } from '../../alignment/datasets/rng.ts';
import { catalogueClass } from '../../env/catalogue/index.ts';
import { parseNLAction } from '../../env/nl.ts';
import { planningWithRenamedShare, renameableCatalogue } from '../../exploration/pipeline.ts';

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
  const count = (rs: E2CLRecord[]) => rs.filter((r) => r.output.endsWith('-renamed')).length;
  it('gives every mix the same share of renamed records, nested', () => {
    const bc = planningWithRenamedShare(planning, renamed, 100, 0.1, order);
    const e2cl = planningWithRenamedShare(planning, renamed, 400, 0.1, order);
    expect(count(bc) / 100).toBe(0.1);
    expect(count(e2cl) / 400).toBe(0.1);
    const bcSet = new Set(bc.filter((r) => r.output.endsWith('-renamed')).map((r) => r.output));
    for (const x of bcSet) expect(e2cl.some((r) => r.output === x)).toBe(true);
  });
  it('refuses a share the planning records cannot give', () => {
    expect(() => planningWithRenamedShare(planning, renamed, 400, 0.2, order)).toThrow(/needs 80 renamed planning records, only 50 can be renamed/);
  });
});
