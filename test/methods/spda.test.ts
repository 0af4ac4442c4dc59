import { describe, expect, it } from 'vitest';
import { runDialogue } from '../../dialogue/session.ts';
import { sampleProfile } from '../../dialogue/profile.ts';
import { SimulatedUser } from '../../dialogue/user.ts';
import { emptyProfile, profileAgreement, proposeEdits, refine, rewrite } from '../../methods/spda/profile.ts';
import { profileAgent, runSpdaUser, TINY_SPDA } from '../../methods/spda/experiment.ts';

describe('SPDA profile refinement', () => {
  it('a session proposes the preferences the user stated, and thanked placements as weaker evidence', async () => {
    const hidden = sampleProfile(4, { disclosure: 'hidden' });
    const u = new SimulatedUser(hidden, { rounds: 6, seed: 4 });
    const r = await runDialogue(u, profileAgent(emptyProfile()));
    const edits = proposeEdits(r.transcript, r.rounds, 1);
    for (const e of edits) {
      // Stated evidence is a hidden preference (the user never states anything else).
      if (e.evidence === 'stated') expect(hidden.preferences).toContain(e.preference);
    }
    // Each violated round's preference is proposed as stated.
    const violated = r.rounds.flatMap((x) => x.judgement.violations);
    expect(violated.length).toBeGreaterThan(0);
    for (const v of violated) expect(edits.find((e) => e.preference === v)?.evidence).toBe('stated');
  });

  it('applies at most the edit budget per refinement (corrections first), and the rewrite has one statement per slot', () => {
    const proposals = [
      { preference: 'place.cup.on.coffee_table', evidence: 'thanked' as const, since: 1 },
      { preference: 'place.book.on.bed', evidence: 'stated' as const, since: 1 },
      { preference: 'close_opened', evidence: 'stated' as const, since: 1 },
    ];
    const p1 = refine(emptyProfile(), proposals, 2);
    expect([...p1.attributes.values()].map((a) => a.preference).sort()).toEqual(['close_opened', 'place.book.on.bed']);
    expect(p1.deferred).toBe(1);
    // A weaker observation never overrides a stated preference; a stated one does.
    const p2 = refine(p1, [{ preference: 'place.book.on.coffee_table', evidence: 'thanked', since: 2 }], 5);
    expect(p2.attributes.get('place.book')!.preference).toBe('place.book.on.bed');
    const p3 = refine(p2, [{ preference: 'place.book.on.coffee_table', evidence: 'stated', since: 3 }], 5);
    expect(p3.attributes.get('place.book')!.preference).toBe('place.book.on.coffee_table');
    expect(p3.text).toBe(rewrite(p3.attributes));
    expect(p3.text).toBe('books go on the coffee table. close anything you open.');
    expect(refine(p3, proposals, 0).attributes).toEqual(p3.attributes);
  });

  it('over sessions the evolving profile converges on the hidden one and violations fall; the static profile\'s do not', async () => {
    const spda = await runSpdaUser(1, 0, 'spda', TINY_SPDA);
    const fixed = await runSpdaUser(1, 0, 'static', TINY_SPDA);
    const rate = (rs: typeof spda.rounds, s: number) => rs.filter((r) => r.session === s && r.violated).length / rs.filter((r) => r.session === s).length;
    expect(rate(spda.rounds, 1)).toBe(rate(fixed.rounds, 1)); // same start: nothing known
    expect(rate(spda.rounds, 1)).toBeGreaterThan(0);
    expect(rate(spda.rounds, TINY_SPDA.sessions)).toBeLessThan(rate(spda.rounds, 1));
    expect(rate(fixed.rounds, TINY_SPDA.sessions)).toBeGreaterThan(0);
    expect(spda.agreement[TINY_SPDA.sessions - 1]).toBeGreaterThan(spda.agreement[0]);
    expect(fixed.agreement.every((a) => a === 0)).toBe(true);
    expect(profileAgreement(emptyProfile(), [])).toBe(1);
  });
});
