/**
 * Name/id perturbations of the golden programs (issue 12, item 2): each case rewrites one
 * argument of one line so that its `<name>` and its `(id)` disagree, either by giving the
 * id another class's name or by giving the name another node's id. Deterministic (seeded),
 * shared by the conformance test, the property test and the reference driver
 * (test/env/vh-ref-driver.py), which all see the same cases in the same order.
 */
import { Prng } from '../../env/prng.ts';
import type { GoldenRecord } from '../../env/records.ts';

export type PerturbKind = 'name:program' | 'name:random' | 'id:program' | 'id:random' | 'id:character';
export const PERTURB_KINDS: readonly PerturbKind[] = ['name:program', 'name:random', 'id:program', 'id:random', 'id:character'];

export interface PerturbCase {
  /** `<record>:<line>:<arg>:<kind>`, stable across runs. */
  key: string;
  /** Index of the record in scene1_golden.jsonl. */
  rec: number;
  /** 0-based index of the perturbed line and argument. */
  line: number;
  arg: number;
  kind: PerturbKind;
  lines: string[];
}

interface Arg { name: string; id: number }
interface Line { action: string; args: Arg[] }

// The golden lines are all `[ACTION] <name> (id) ...` with plain ids; this is the test's own
// reader (not env/script.ts), so that a parser bug cannot hide behind the generator.
const LINE_RE = /^\[(\w+)\]((?:\s*<[^>]+>\s*\(\d+\))*)\s*$/;
const ARG_RE = /<([^>]+)>\s*\((\d+)\)/g;

export function splitLine(text: string): Line {
  const m = LINE_RE.exec(text.trim());
  if (!m) throw new Error(`not a plain script line: ${text}`);
  const args: Arg[] = [];
  for (const a of m[2].matchAll(ARG_RE)) args.push({ name: a[1], id: Number(a[2]) });
  return { action: m[1], args };
}

export function joinLine(l: Line): string {
  return `[${l.action}]` + l.args.map((a) => ` <${a.name}> (${a.id})`).join('');
}

/** The character of TestScene1 (the golden scene), the id whose self-loop issue 12 reports. */
export const SCENE1_CHARACTER = 65;

/**
 * Every perturbation the generator builds: for each record, line and argument, one case per
 * kind that applies (a kind is skipped when it has no candidate, e.g. `id:character` on an
 * argument that already is the character). `recordLimit` and `stride` thin the set for fast
 * property runs.
 */
export function perturbations(records: readonly GoldenRecord[], seed = 12, kinds: readonly PerturbKind[] = PERTURB_KINDS): PerturbCase[] {
  const out: PerturbCase[] = [];
  records.forEach((rec, ri) => {
    const rng = new Prng(seed * 100003 + ri);
    const nodes = (rec.init_nodes ?? []) as Array<{ id: number; class_name: string }>;
    const classOf = new Map(nodes.map((n) => [n.id, n.class_name]));
    const allIds = nodes.map((n) => n.id).sort((a, b) => a - b);
    const allClasses = [...new Set(nodes.map((n) => n.class_name))].sort();
    const lines = rec.lines.map(splitLine);
    const progIds = [...new Set(lines.flatMap((l) => l.args.map((a) => a.id)))].sort((a, b) => a - b);
    const progClasses = [...new Set(progIds.map((id) => classOf.get(id)!))].sort();
    lines.forEach((l, li) => {
      l.args.forEach((a, ai) => {
        const cls = classOf.get(a.id);
        for (const kind of kinds) {
          let repl: Arg | undefined;
          const pickOf = (xs: readonly string[]) => { const c = xs.filter((x) => x !== cls && x !== a.name); return c.length ? rng.pick(c) : undefined; };
          const pickId = (xs: readonly number[]) => { const c = xs.filter((x) => x !== a.id && classOf.get(x) !== a.name); return c.length ? rng.pick(c) : undefined; };
          if (kind === 'name:program') { const n = pickOf(progClasses); if (n) repl = { name: n, id: a.id }; }
          if (kind === 'name:random') { const n = pickOf(allClasses); if (n) repl = { name: n, id: a.id }; }
          if (kind === 'id:program') { const i = pickId(progIds); if (i !== undefined) repl = { name: a.name, id: i }; }
          if (kind === 'id:random') { const i = pickId(allIds); if (i !== undefined) repl = { name: a.name, id: i }; }
          if (kind === 'id:character' && a.id !== SCENE1_CHARACTER && classOf.has(SCENE1_CHARACTER)) repl = { name: a.name, id: SCENE1_CHARACTER };
          if (repl === undefined) continue;
          const changed = lines.map((x, k) => (k !== li ? joinLine(x)
            : joinLine({ action: x.action, args: x.args.map((y, j) => (j === ai ? repl! : y)) })));
          out.push({ key: `${ri}:${li}:${ai}:${kind}`, rec: ri, line: li, arg: ai, kind, lines: changed });
        }
      });
    });
  });
  return out;
}

/** One run in the reference driver's terms (see vh-ref-driver.py). */
export interface RunOutcome {
  executable: boolean;
  /** The failing line's 1-based index, or null. */
  failed_line: number | null;
  /** The reference's `get_error_string()`: every message so far, joined with ",". */
  message: string;
  /** Edges of the final (or last good) graph not in the initial one, and the reverse, sorted. */
  added: Array<[number, string, number]>;
  removed: Array<[number, string, number]>;
  /** node id → sorted final states, for nodes whose states changed. */
  states: Record<string, string[]>;
}

export function sortTriples(ts: Iterable<readonly [number, string, number]>): Array<[number, string, number]> {
  return [...ts].map((t) => [t[0], t[1], t[2]] as [number, string, number])
    .sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) || a[2] - b[2]);
}
