/**
 * Object-renaming augmentation for planning records. A small model trained from scratch on
 * a few hundred tasks learns "this kind of task → that object" by heart instead of copying
 * the object named in the task, and then fails on unseen (template, object) combinations
 * (it walks to a memorised object). A renamed copy of a record swaps every object and
 * piece of furniture it mentions for another one of the same kind, consistently in the
 * task, the description, the history and the target, so that only copying predicts the
 * target. Rooms and doors keep their names.
 *
 * Names appear in three forms, one per part of an E2CL prompt: the display name in
 * `Task:` / `Description:` lines (`coffee maker`, `apple`), the action name in `stepN:`
 * lines and planning / correction targets (`coffe maker`, `food apple`), the graph name in
 * `observationN:` lines and feedback targets (`Error, coffe_maker isn't available …`).
 * Planning records stay correct when renamed (the expert acts on what the task names).
 * Feedback records do not, in general: a `True` for an object that exists in the scene but
 * not in the task becomes a `True` for a name that may not exist at all, which teaches the
 * feedback head that unknown names execute. Measured: renaming half of the exploration
 * records that way took E2CL's Error recall on unseen tasks from 20% to 4%. So exploration
 * records are only ever renamed `taskOnly` (see `rename`).
 */
import type { E2CLRecord } from './records.ts';
import type { Rng } from './rng.ts';

export interface RenameableClass {
  className: string;
  /** How tasks and descriptions name it. */
  display: string;
  /** Only classes of the same group are swapped for each other (e.g. `object`, `furniture`). */
  group: string;
}

type Form = 'display' | 'action' | 'graph';

const formOf = (c: RenameableClass, f: Form): string =>
  f === 'display' ? c.display : f === 'action' ? c.className.replace(/_/g, ' ') : c.className;

/** Feedback targets quote the simulator's messages (graph names); the others are actions. */
const outputForm = (r: E2CLRecord): Form => (r.kind === 'feedback' ? 'graph' : 'action');

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class ObjectRenamer {
  private readonly patterns = new Map<Form, { re: RegExp; index: Map<string, number> }>();
  private readonly byGroup = new Map<string, number[]>();

  constructor(private readonly classes: readonly RenameableClass[]) {
    classes.forEach((c, i) => {
      const g = this.byGroup.get(c.group) ?? [];
      g.push(i);
      this.byGroup.set(c.group, g);
    });
    for (const f of ['display', 'action', 'graph'] as const) {
      const index = new Map<string, number>();
      classes.forEach((c, i) => { if (!index.has(formOf(c, f).toLowerCase())) index.set(formOf(c, f).toLowerCase(), i); });
      // Longest names first, whole words only (`cup` is not inside `cupboard`).
      const alts = [...index.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1)).map(escape);
      this.patterns.set(f, { re: new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alts.join('|')})(?![\\p{L}\\p{N}_])`, 'giu'), index });
    }
  }

  private formOfLine(line: string): Form | null {
    if (/^(Task|Description):/.test(line)) return 'display';
    if (/^observation\d+:/.test(line)) return 'graph';
    if (/^step\d+:/.test(line)) return 'action';
    return null;
  }

  /** Classes mentioned in a record (indices), in order of first mention; `taskOnly`: in its Task/Description lines. */
  private mentioned(r: E2CLRecord, taskOnly = false): number[] {
    const seen = new Set<number>();
    const scan = (text: string, f: Form) => {
      const { re, index } = this.patterns.get(f)!;
      for (const m of text.matchAll(re)) seen.add(index.get(m[0].toLowerCase())!);
    };
    for (const line of r.input.split('\n')) { const f = this.formOfLine(line); if (f && (!taskOnly || f === 'display')) scan(line, f); }
    if (!taskOnly) scan(r.output, outputForm(r));
    return [...seen];
  }

  /**
   * A copy of `r` with each mentioned class replaced by a different class of its group
   * (distinct classes stay distinct, and never become another class the record mentions),
   * or null when it mentions none. `taskOnly` renames only the classes its task and
   * description name: the form that keeps exploration records true. A `True` or an `Error`
   * about an object outside the task stays about that object; one about a task object is
   * about the renamed task object, which the renamed task's scene has by construction.
   */
  rename(r: E2CLRecord, rng: Rng, opts: { taskOnly?: boolean } = {}): E2CLRecord | null {
    const ids = this.mentioned(r, opts.taskOnly);
    if (ids.length === 0) return null;
    const taken = new Set<number>(opts.taskOnly ? this.mentioned(r) : ids);
    const to = new Map<number, number>();
    for (const i of ids) {
      const pool = (this.byGroup.get(this.classes[i].group) ?? []).filter((j) => !taken.has(j));
      if (pool.length === 0) continue;
      const j = pool[Math.floor(rng.next() * pool.length)];
      taken.add(j);
      to.set(i, j);
    }
    const swap = (text: string, f: Form): string => {
      const { re, index } = this.patterns.get(f)!;
      return text.replace(re, (m) => {
        const j = to.get(index.get(m.toLowerCase())!);
        return j === undefined ? m : formOf(this.classes[j], f);
      });
    };
    const input = r.input.split('\n').map((line) => { const f = this.formOfLine(line); return f ? swap(line, f) : line; }).join('\n');
    return { ...r, input, output: swap(r.output, outputForm(r)), source: `${r.source}+renamed` };
  }

  /**
   * Each record replaced by a renamed copy with probability `share` (records naming no
   * class stay as they are): the same number of records, a seeded share of them renamed.
   */
  replaceShare(records: readonly E2CLRecord[], share: number, rng: Rng, opts: { taskOnly?: boolean } = {}): E2CLRecord[] {
    return records.map((r) => (rng.next() < share ? this.rename(r, rng, opts) ?? r : r));
  }

  /** `copies` renamed copies of each record (records naming no class get none). */
  augment(records: readonly E2CLRecord[], copies: number, rng: Rng): E2CLRecord[] {
    const out: E2CLRecord[] = [];
    for (let k = 0; k < copies; k++) {
      for (const r of records) {
        const x = this.rename(r, rng);
        if (x) out.push(x);
      }
    }
    return out;
  }
}
