import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPairsJsonl, toE2CLJsonl, toTrlMessagesJsonl, writeE2CLJsonl } from '../../alignment/datasets/export.ts';
import { balanceFeedback, mixRecords } from '../../alignment/datasets/mix.ts';
import { ObjectRenamer } from '../../alignment/datasets/augment.ts';
import { mulberry32 } from '../../alignment/datasets/rng.ts';
import {
  ACT_PREFIX, CORRECTION_PREFIX, FEEDBACK_PREFIX, correctionPrompt, cutObservation, feedbackPrompt, planningPrompt, promptBody,
} from '../../alignment/datasets/prompts.ts';
import { planningRecords } from '../../alignment/datasets/records.ts';

const task = { id: 't1', title: 'Watch TV', description: 'Go to the living room and watch TV.' };
const hist = [{ action: 'Walk to living room', observation: '' }, { action: 'Switch on tv', observation: 'tv is ON. ' }];

describe('prompts (spec §4)', () => {
  it('the planning prefix is exactly 100 characters and prompt[100:] is the shared body', () => {
    expect(ACT_PREFIX.length).toBe(100);
    const p = planningPrompt(task, hist);
    expect(p.slice(100)).toBe(`${promptBody(task, hist)}step3: `);
    expect(p).toBe('You are a robot agent. You need to complete some housework activities under the given instructions. \n\nTask: Watch TV\nDescription: Go to the living room and watch TV.\nstep1: Walk to living room\nobservation1: \nstep2: Switch on tv\nobservation2: tv is ON. \nstep3: ');
    expect(feedbackPrompt(task, hist, 'Sit on sofa')).toBe(`${FEEDBACK_PREFIX}${promptBody(task, hist)}step3: Sit on sofa\nFeedback: `);
    expect(correctionPrompt(task, hist, 'Sit on sofa', 'Error, x')).toBe(`${CORRECTION_PREFIX}${promptBody(task, hist)}step3: Sit on sofa\n A corrective step would be`);
    expect(correctionPrompt(task, hist, 'Sit on sofa', 'Error, x', { feedbackInCorrection: true }))
      .toBe(`${CORRECTION_PREFIX}${promptBody(task, hist)}step3: Sit on sofa\nFeedback: Error, x\n A corrective step would be`);
  });
  it('truncates history to the last k steps, keeping the true step numbers', () => {
    const p = planningPrompt(task, hist, { historySteps: 1 });
    expect(p).not.toContain('step1:');
    expect(p).toContain('step2: Switch on tv\nobservation2: tv is ON. \nstep3: ');
    expect(planningPrompt(task, hist, { historySteps: 0 }).endsWith('Description: Go to the living room and watch TV.\nstep3: ')).toBe(true);
  });
  it('cuts observations to a length, optionally keeping what the agent holds', () => {
    const o = 'kitchen_counter is CLEAN, measuring_cup is CLEAN. You have measuring_cup. ';
    expect(cutObservation(o, { maxObservationChars: 30 })).toBe(o.slice(0, 30));
    expect(cutObservation(o, { maxObservationChars: 40, keepHeldWhenCut: true })).toBe('kitchen_counter ' + 'You have measuring_cup. ');
    expect(cutObservation(o, { maxObservationChars: 40, keepHeldWhenCut: true })).toHaveLength(40);
    expect(cutObservation(o, { maxObservationChars: 10, keepHeldWhenCut: true })).toBe('You have m');
    expect(cutObservation('sofa is CLEAN, tv is OFF. ', { maxObservationChars: 8, keepHeldWhenCut: true })).toBe('sofa is ');
    expect(cutObservation(o, { maxObservationChars: 200, keepHeldWhenCut: true })).toBe(o);
    const held = [{ action: 'Grab cup', observation: o }];
    expect(planningPrompt(task, held, { maxObservationChars: 40, keepHeldWhenCut: true })).toContain('observation1: kitchen_counter You have measuring_cup. \nstep2: ');
  });
});

describe('dataset records and exports', () => {
  it('behaviour cloning yields one record per step plus END', () => {
    const rs = planningRecords(task, hist);
    expect(rs.map((r) => r.output)).toEqual(['Walk to living room', 'Switch on tv', 'END']);
    expect(rs[1].input.endsWith('step2: ')).toBe(true);
  });
  it('exports E2CL and TRL formats and reads both back', () => {
    const rs = planningRecords(task, hist);
    const dir = mkdtempSync(join(tmpdir(), 'e2cl-ds-'));
    writeE2CLJsonl(join(dir, 'a.jsonl'), rs);
    expect(readPairsJsonl(join(dir, 'a.jsonl'))).toEqual(rs.map(({ input, output }) => ({ input, output })));
    writeFileSync(join(dir, 'b.jsonl'), toTrlMessagesJsonl(rs));
    expect(readPairsJsonl(join(dir, 'b.jsonl'))).toEqual(rs.map(({ input, output }) => ({ input, output })));
    expect(JSON.parse(toTrlMessagesJsonl(rs).split('\n')[0]).messages[1]).toEqual({ role: 'assistant', content: 'Walk to living room' });
    expect(Object.keys(JSON.parse(toE2CLJsonl(rs).split('\n')[0]))).toEqual(['input', 'output']);
  });
  it('names the bad line of a dataset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'e2cl-ds-'));
    writeFileSync(join(dir, 'bad.jsonl'), '{"input":"a","output":"b"}\n{"input": 3}\n');
    expect(() => readPairsJsonl(join(dir, 'bad.jsonl'))).toThrow(/bad\.jsonl:2/);
  });
  it('mixing is a seeded shuffle of the deduplicated union', () => {
    const a = planningRecords(task, hist);
    const b = planningRecords({ ...task, id: 't2', title: 'Other' }, hist);
    const m1 = mixRecords([a, b, a], 7);
    expect(m1).toHaveLength(6);
    expect(mixRecords([a, b, a], 7)).toEqual(m1);
    expect(mixRecords([a, b, a], 8)).not.toEqual(m1);
  });
  it('feedback balancing keeps every Error, planning and correction record and caps True / Task finished per Error', () => {
    const fb = (i: number, output: string) => ({ input: `p${i}`, output, kind: 'feedback' as const, source: 'x', taskId: 't' });
    const rs = [
      ...Array.from({ length: 10 }, (_, i) => fb(i, 'True')), fb(10, 'Error, tv is not close'), fb(11, 'Error, cup not in hand'),
      ...Array.from({ length: 5 }, (_, i) => fb(20 + i, 'Task finished')),
      { input: 'c', output: 'Walk to tv', kind: 'correction' as const, source: 'x', taskId: 't' },
      ...planningRecords(task, hist),
    ];
    const out = balanceFeedback(rs, 1.5, 3);
    const count = (o: string) => out.filter((r) => r.kind === 'feedback' && r.output.startsWith(o)).length;
    expect(count('Error')).toBe(2);
    expect(count('True')).toBe(3);
    expect(count('Task finished')).toBe(3);
    expect(out.filter((r) => r.kind !== 'feedback')).toHaveLength(4);
    expect(balanceFeedback(rs, 1.5, 3)).toEqual(out);
    expect(balanceFeedback(rs, 100, 3)).toEqual(rs);
  });
  it('renamed copies swap objects consistently across task, history, observations and target', () => {
    const renamer = new ObjectRenamer([
      { className: 'coffe_maker', display: 'coffee maker', group: 'object' },
      { className: 'food_apple', display: 'apple', group: 'object' },
      { className: 'cup', display: 'cup', group: 'object' },
      { className: 'cupboard', display: 'cupboard', group: 'furniture' },
      { className: 'kitchen_table', display: 'kitchen table', group: 'furniture' },
    ]);
    const r = {
      input: 'You are a robot agent.\n\nTask: Put the apple in the cupboard\nDescription: Put the apple (it is on the kitchen table) in the cupboard.\n'
        + 'step1: Walk to food apple\nobservation1: food_apple is CLEAN, kitchen_table is CLEAN. \nstep2: ',
      output: 'Grab food apple', kind: 'planning' as const, source: 'expert', taskId: 't',
    };
    const x = renamer.rename(r, mulberry32(3))!;
    // The apple becomes the coffee maker or the cup, in each form; both pieces of furniture are
    // mentioned and there is no third, so they keep their names.
    const to = x.input.includes('Task: Put the coffee maker') ? { d: 'coffee maker', a: 'coffe maker', g: 'coffe_maker' } : { d: 'cup', a: 'cup', g: 'cup' };
    expect(x.input).toContain(`Task: Put the ${to.d} in the cupboard`);
    expect(x.input).toContain(`Description: Put the ${to.d} (it is on the kitchen table) in the cupboard.`);
    expect(x.input).toContain(`step1: Walk to ${to.a}\nobservation1: ${to.g} is CLEAN, kitchen_table is CLEAN.`);
    expect(x.output).toBe(`Grab ${to.a}`);
    expect(x.input.startsWith('You are a robot agent.')).toBe(true);
    expect(renamer.rename({ ...r, input: 'Task: Sit down', output: 'END' }, mulberry32(3))).toBeNull();
    expect(renamer.augment([r], 3, mulberry32(9))).toEqual(renamer.augment([r], 3, mulberry32(9)));
    // A feedback target quotes graph names: renamed in that form, with the prompt.
    const fb = {
      input: 'You are a world simulator.\n\nTask: Sit on the kitchen table\nDescription: Sit on the kitchen table.\nstep1: Walk to food apple\nFeedback: ',
      output: "Error, food_apple isn't available in the environment.", kind: 'feedback' as const, source: 'teacher-free', taskId: 't',
    };
    const y = renamer.rename(fb, mulberry32(5))!;
    const apple = /step1: Walk to (.+)\nFeedback/.exec(y.input)![1];
    expect(apple).not.toBe('food apple');
    expect(['coffe maker', 'cup']).toContain(apple);
    expect(y.output).toBe(`Error, ${apple.replace(/ /g, '_')} isn't available in the environment.`);
    // replaceShare keeps the count and order, renames about the share asked for, deterministically.
    const many = Array.from({ length: 200 }, (_, i) => ({ ...r, taskId: `t${i}` }));
    const half = renamer.replaceShare(many, 0.5, mulberry32(1));
    expect(half.map((x) => x.taskId)).toEqual(many.map((x) => x.taskId));
    const renamedCount = half.filter((x) => x.source.endsWith('+renamed')).length;
    expect(renamedCount).toBeGreaterThan(70);
    expect(renamedCount).toBeLessThan(130);
    expect(renamer.replaceShare(many, 0.5, mulberry32(1))).toEqual(half);
    expect(renamer.replaceShare(many, 0, mulberry32(1))).toEqual(many);
    // taskOnly: the task's objects are renamed everywhere; an object outside the task keeps
    // its name, so its feedback stays true, and no task object is renamed into it.
    for (let seed = 0; seed < 20; seed++) {
      const z = renamer.rename(fb, mulberry32(seed), { taskOnly: true })!;
      expect(z.input).toContain('step1: Walk to food apple\nFeedback: ');
      expect(z.output).toBe(fb.output);
      expect(z.input).not.toContain('kitchen table');
      expect(z.input).toMatch(/Task: Sit on the cupboard\nDescription: Sit on the cupboard\./);
    }
    const t = renamer.rename(r, mulberry32(3), { taskOnly: true })!;
    const apple2 = /Task: Put the (.+) in the/.exec(t.input)![1];
    expect(apple2).not.toBe('apple');
    expect(t.output).toBe(`Grab ${apple2 === 'coffee maker' ? 'coffe maker' : apple2}`);
    expect(renamer.rename({ ...fb, input: 'Task: Sit down\nstep1: Walk to food apple\nFeedback: ' }, mulberry32(3), { taskOnly: true })).toBeNull();
  });
});
