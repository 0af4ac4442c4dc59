import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Episode } from '../../env/episode.ts';
import { readEpisodeLog } from '../../env/episode-log.ts';
import { HearthError } from '../../env/errors.ts';
import { beliefsFrom, fixedBeliefAgent, listeningAgent } from '../../dialogue/agents.ts';
import { judgeRound } from '../../dialogue/judge.ts';
import { CATALOGUE, preference, statement } from '../../dialogue/preferences.ts';
import { sampleProfile, type UserProfile } from '../../dialogue/profile.ts';
import { validateProfile, validateUtterance } from '../../dialogue/schemas.ts';
import { runDialogue, type DialogueAgent } from '../../dialogue/session.ts';
import { dialogueTask, nodeOf, placeOf } from '../../dialogue/scene.ts';
import { SimulatedUser } from '../../dialogue/user.ts';

const dir = mkdtempSync(join(tmpdir(), 'hearth-dialogue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const user = (seed: number, disclosure: UserProfile['disclosure'] = 'upfront', rounds = 6) =>
  new SimulatedUser(sampleProfile(seed, { disclosure }), { rounds, seed });

describe('simulated user', () => {
  it('is deterministic for a seed: profile, round order, transcript and log bytes', async () => {
    const a = await runDialogue(user(5), fixedBeliefAgent(new Map()), { logPath: join(dir, 'a.jsonl') });
    const b = await runDialogue(user(5), fixedBeliefAgent(new Map()), { logPath: join(dir, 'b.jsonl') });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(readFileSync(join(dir, 'a.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 'b.jsonl'), 'utf8'));
    const profiles = new Set(Array.from({ length: 20 }, (_, s) => sampleProfile(s).preferences.join()));
    expect(profiles.size).toBeGreaterThan(15);
    const orders = new Set(Array.from({ length: 20 }, (_, s) => JSON.stringify(user(s).tasks)));
    expect(orders.size).toBeGreaterThan(10);
  });

  it('profiles and utterances have schemas; a bad one is a HearthError naming the field', () => {
    for (let s = 0; s < 50; s++) expect(validateProfile(sampleProfile(s))).toBeTruthy();
    const bad = (v: unknown) => { try { validateProfile(v, 'p.json'); } catch (e) { return e; } return null; };
    const e1 = bad({ version: 1, seed: 1, disclosure: 'upfront', preferences: ['place.cup.on.sofa'] });
    expect(e1).toBeInstanceOf(HearthError);
    expect((e1 as Error).message).toMatch(/p\.json: profile \/preferences\/0/);
    expect((bad({ version: 1, seed: 1, disclosure: 'loud', preferences: [] }) as Error).message).toMatch(/\/disclosure/);
    expect((bad({ version: 1, seed: 1, disclosure: 'hidden', preferences: ['place.cup.on.kitchen_table', 'place.cup.on.coffee_table'] }) as Error).message).toMatch(/two preferences for slot place\.cup/);
    expect(() => validateUtterance({ round: 1, speaker: 'user', kind: 'plan', text: 'x' })).toThrow(HearthError);
    expect(() => validateUtterance({ round: 1, speaker: 'agent', kind: 'question', text: '' })).toThrow(/text/);
    expect(validateUtterance({ round: 0, speaker: 'user', kind: 'rules', text: 'ok', facts: ['close_opened'] }).kind).toBe('rules');
  });

  it('every user statement traces to its profile: facts are profile preferences, and stated in the text', async () => {
    for (const seed of [1, 2, 3, 4]) {
      const u = user(seed, seed % 2 ? 'upfront' : 'hidden');
      const asking: DialogueAgent = (v) => (v.questionsAsked === 0 ? 'Where do cups go?' : v.questionsAsked === 1 ? 'Should I close what I open?' : fixedBeliefAgent(new Map())(v));
      const r = await runDialogue(u, asking);
      // Every utterance of the run, the agent's included, passes its schema.
      for (const t of r.transcript) expect(validateUtterance(t, `seed ${seed}`)).toEqual(t);
      for (const t of r.transcript.filter((x) => x.speaker === 'user')) {
        for (const f of t.facts ?? []) {
          expect(u.profile.preferences).toContain(f);
          expect(t.text.toLowerCase()).toContain(statement(preference(f)));
        }
        // Nothing stated without its fact: every catalogue statement in the text is a listed fact.
        for (const p of CATALOGUE.values()) if (t.text.toLowerCase().includes(statement(p))) expect(t.facts).toContain(p.id);
      }
      const cupAnswer = r.transcript.find((x) => x.kind === 'answer')!;
      expect(cupAnswer.facts).toEqual([u.profile.preferences.find((p) => p.startsWith('place.cup.'))]);
      if (u.profile.disclosure === 'hidden') expect(r.transcript.some((x) => x.kind === 'rules')).toBe(false);
    }
  });

  it('its judgements agree with the simulator state', async () => {
    let rounds = 0;
    let violations = 0;
    let leftOpen = 0;
    for (const seed of [11, 12, 13, 14, 15]) {
      const u = user(seed);
      // The state when the agent's turn began (after the user's move), to see what the plan opened.
      const ep: { last?: Episode; before?: ReturnType<Episode['graph']['clone']> } = {};
      const generic = fixedBeliefAgent(new Map());
      const r = await runDialogue(u, (v) => { ep.last = v.episode; ep.before = v.episode.graph.clone(); return generic(v); }, {
        onRound: (rec) => {
          const g = ep.last!.graph;
          const i = rec.instruction;
          rounds++;
          violations += rec.judgement.violations.length;
          // Close what you open: violated exactly when the user has the rule and something the plan opened is still open.
          const opened = [...g.ids()].filter((id) => g.node(id).category !== 'Doors' && g.node(id).states.has('OPEN') && !ep.before!.node(id).states.has('OPEN'));
          const rule = u.profile.preferences.includes('close_opened');
          if (rule && opened.length > 0) leftOpen++;
          expect(rec.judgement.violations.includes('close_opened'), `seed ${seed} round ${rec.round}`).toBe(rule && opened.length > 0);
          if (i.kind === 'put_away') {
            const at = placeOf(g, nodeOf(g, i.object));
            const pref = preference(u.profile.preferences.find((p) => p.startsWith(`place.${i.object}.`))!);
            const right = pref.kind === 'placement' && at?.relation === pref.place.relation && at.target === pref.place.target;
            expect(rec.judgement.violations.includes(pref.id)).toBe(!right);
          } else {
            const tvOn = g.node(nodeOf(g, 'tv')).states.has('ON');
            expect(rec.judgement.violations.includes('forbid.switchon.tv')).toBe(tvOn && u.profile.preferences.includes('forbid.switchon.tv'));
          }
          expect(rec.judgement.satisfied).toBe(rec.judgement.done && rec.judgement.violations.length === 0);
        },
      });
      // The listening agent hears the round-0 rules: the same user is then satisfied every round.
      const heard = await runDialogue(user(seed), listeningAgent);
      expect(heard.rounds.map((x) => x.judgement.satisfied)).toEqual(heard.rounds.map(() => true));
      expect(r.rounds.every((x) => x.judgement.done)).toBe(true);
    }
    expect(rounds).toBe(30);
    expect(violations).toBeGreaterThan(5); // the generic agent does violate preferences
    expect(leftOpen).toBeGreaterThan(0); // ... including leaving open what it opened
  });

  it('judges by hand-made states: left open, forbidden action, not done', () => {
    const ep = new Episode(dialogueTask(), { maxSteps: 50 });
    ep.reset(0);
    const prefs = ['close_opened', 'forbid.switchon.tv', 'place.milk.in.fridge'].map(preference);
    const before = ep.graph.clone();
    const steps = ['Walk to fridge', 'Open fridge', 'Walk to tv', 'Switch on tv'].map((a) => ep.step(a));
    expect(steps.every((s) => s.ok)).toBe(true);
    const j = judgeRound({ kind: 'put_away', object: 'milk' }, prefs, before, ep.graph, steps);
    // The milk starts in the fridge: done, placed as preferred; the fridge was left open; the TV went on.
    expect(j).toEqual({ done: true, violations: ['close_opened', 'forbid.switchon.tv'], satisfied: false });
    const held = [ep.step('Walk to milk'), ep.step('Grab milk')];
    expect(held.every((s) => s.ok)).toBe(true);
    expect(judgeRound({ kind: 'put_away', object: 'milk' }, prefs, ep.graph.clone(), ep.graph, held).done).toBe(false);
  });

  it('answers questions from the profile and reads back what it said', async () => {
    const u = user(21, 'hidden');
    const cup = u.profile.preferences.find((p) => p.startsWith('place.cup.'))!;
    expect(u.answer(1, 'Where do cups go?').text.toLowerCase()).toContain(statement(preference(cup)));
    expect(u.answer(1, 'What is the weather?').text).toBe('I do not understand the question.');
    expect(beliefsFrom([u.answer(1, 'Where does the cup go?')]).get('place.cup')?.id).toBe(cup);
  });

  it('writes rounds, utterances and the hidden profile to the episode log', async () => {
    const path = join(dir, 'log.jsonl');
    const u = user(8);
    const r = await runDialogue(u, listeningAgent, { logPath: path });
    const log = readEpisodeLog(path);
    expect(log.error).toBeUndefined();
    expect((log.header.user as { profile: UserProfile }).profile).toEqual(u.profile);
    expect(log.utterances.map(({ type: _t, judgement: _j, ...x }) => x)).toEqual(r.transcript);
    expect(log.steps.length).toBe(r.rounds.reduce((a, x) => a + x.actions, 0));
    expect(log.steps.every((s) => s.round !== undefined && s.round >= 1)).toBe(true);
    expect(log.utterances.filter((x) => x.kind === 'reaction').map((x) => x.judgement)).toEqual(r.rounds.map((x) => x.judgement));
    expect(log.end?.success).toBe(true);
  });
});
