/**
 * Where VirtualHome programs come from, in the user's data folder:
 *
 * - golden JSONL records (`golden/*.jsonl`, or a `.jsonl` file given directly): a base graph
 *   file from `graphs/` plus the initial graph's nodes and edge overlay, the program lines,
 *   and the final graph as edges added/removed and states changed;
 * - the released dataset's own layout: `executable_programs/<scene>/<dir>/<file>.txt`
 *   (title, description, blank lines, program) beside
 *   `init_and_final_graphs/<scene>/<dir>/<file>.json` holding `{init_graph, final_graph}`.
 *
 * Each program becomes an entry with a stable key `<scene>/<dir>/<file>` and loaders for its
 * two graphs, read only when a task is built.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { HearthError } from '../../errors.ts';
import { SceneGraph, type GraphJSON } from '../../graph.ts';
import { isRelation, isState } from '../../vocabulary.ts';
import { parseJSONText, readTextFile, validateGraph } from '../../load.ts';
import { recordGraphJSON, validateRecord, type EdgeTripleJSON, type GoldenRecord } from '../../records.ts';

export interface ProgramEntry {
  /** `<scene>/<dir>/<file>` without extension: the part of the task id after `vh-programs/`. */
  key: string;
  title: string;
  description: string;
  /** Program lines with plain node ids where the source has them. */
  lines: string[];
  source: 'golden' | 'released';
  /** The initial graph, and the final one built from the initial SceneGraph (which it must not change). */
  graphs(): { init: GraphJSON; final: (init: SceneGraph) => SceneGraph };
}

const stripProgramPath = (p: string) => p.replace(/\\/g, '/').replace(/^executable_programs\//, '').replace(/\.txt$/, '');

function listFiles(root: string, ext: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(ext)) out.push(p);
    }
  };
  walk(root);
  return out;
}

/** The final graph of a golden record: a copy of the initial one with its final overlay applied. */
export function goldenFinalGraph(rec: GoldenRecord, init: SceneGraph): SceneGraph {
  const g = init.clone();
  for (const [f, r, t] of (rec.final_edges_removed as EdgeTripleJSON[] | undefined) ?? []) {
    const rel = r.toUpperCase();
    if (isRelation(rel)) g.removeEdge(f, rel, t);
  }
  for (const [f, r, t] of (rec.final_edges_added as EdgeTripleJSON[] | undefined) ?? []) {
    const rel = r.toUpperCase();
    if (isRelation(rel) && g.has(f) && g.has(t)) g.addEdge(f, rel, t);
  }
  const changed = (rec.final_states_changed as Record<string, [string[], string[]]> | undefined) ?? {};
  for (const [id, [, after]] of Object.entries(changed)) {
    const n = g.get(Number(id));
    if (!n) continue;
    const want = new Set(after.map((s) => s.toUpperCase()).filter(isState));
    for (const s of [...n.states]) if (!want.has(s)) g.removeState(n.id, s);
    for (const s of want) g.addState(n.id, s);
  }
  g.commit();
  return g;
}

function goldenEntries(file: string, graphsDir: string): ProgramEntry[] {
  const text = readTextFile(file, 'golden JSONL file');
  const baseCache = new Map<string, GraphJSON>();
  const base = (name: string): GraphJSON => {
    let g = baseCache.get(name);
    if (!g) {
      const path = join(graphsDir, name);
      const json = parseJSONText(readTextFile(path, 'base graph'), path);
      validateGraph(json, path);
      baseCache.set(name, (g = json));
    }
    return g;
  };
  const out: ProgramEntry[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file}:${i + 1}`;
    const rec = validateRecord(parseJSONText(line, where), where);
    const programFile = typeof rec.program_file === 'string' ? rec.program_file : `${basename(file, '.jsonl')}/${i + 1}`;
    out.push({
      key: stripProgramPath(programFile),
      title: typeof rec.title === 'string' ? rec.title : '',
      description: typeof rec.description === 'string' ? rec.description : '',
      lines: rec.lines,
      source: 'golden',
      graphs: () => {
        const init = recordGraphJSON(rec, base(rec.base_graph));
        return { init, final: (g: SceneGraph) => goldenFinalGraph(rec, g) };
      },
    });
  });
  return out;
}

/** Title, description and program lines of a released `.txt` program. */
export function parseProgramText(text: string): { title: string; description: string; lines: string[] } {
  const rows = text.split(/\r?\n/);
  const lines = rows.filter((l) => l.trim().startsWith('['));
  return { title: (rows[0] ?? '').trim(), description: (rows[1] ?? '').trim(), lines: lines.map((l) => l.trim()) };
}

function releasedEntries(root: string): ProgramEntry[] {
  const progDir = join(root, 'executable_programs');
  const graphDir = join(root, 'init_and_final_graphs');
  const out: ProgramEntry[] = [];
  for (const file of listFiles(progDir, '.txt')) {
    const rel = relative(progDir, file).split(sep).join('/');
    const graphFile = join(graphDir, rel.replace(/\.txt$/, '.json'));
    if (!existsSync(graphFile)) continue;
    const { title, description, lines } = parseProgramText(readTextFile(file, 'program file'));
    out.push({
      key: rel.replace(/\.txt$/, ''), title, description, lines, source: 'released',
      graphs: () => {
        const json = parseJSONText(readTextFile(graphFile, 'graph file'), graphFile) as { init_graph?: unknown; final_graph?: unknown };
        if (!json || typeof json !== 'object' || !json.init_graph || !json.final_graph) {
          throw new HearthError('task.graphs', `${graphFile} has no "init_graph" and "final_graph"`,
            'init_and_final_graphs files hold {"init_graph": {...}, "final_graph": {...}}');
        }
        validateGraph(json.init_graph, `${graphFile} (init_graph)`);
        validateGraph(json.final_graph, `${graphFile} (final_graph)`);
        const final = json.final_graph;
        return { init: json.init_graph, final: () => SceneGraph.fromJSON(final, { lenient: true, source: `${graphFile} (final_graph)` }) };
      },
    });
  }
  return out;
}

/**
 * Every program under `path`: golden records first (from `golden/*.jsonl`, or `path` itself
 * when it is a `.jsonl` file), then released-layout programs with keys not seen yet
 * (`path` itself, or `path/released_layout_sample`, when they hold the two folders).
 */
const found = new Map<string, ProgramEntry[]>();

export function findPrograms(path: string): ProgramEntry[] {
  const p = resolve(path);
  const hit = found.get(p);
  if (hit) return hit;
  if (!existsSync(p)) {
    throw new HearthError('task.data', `VirtualHome data folder ${path} does not exist`,
      'pass --data DIR (a folder with golden/*.jsonl and graphs/, or the released executable_programs/ + init_and_final_graphs/ layout)');
  }
  const entries: ProgramEntry[] = [];
  if (statSync(p).isFile()) {
    if (!p.endsWith('.jsonl')) throw new HearthError('task.data', `${path} is a file but not a .jsonl file`, 'pass a golden JSONL file or a data folder');
    const graphs = [join(dirname(p), 'graphs'), join(dirname(p), '..', 'graphs')].find((d) => existsSync(d)) ?? dirname(p);
    entries.push(...goldenEntries(p, graphs));
  } else {
    const golden = join(p, 'golden');
    if (existsSync(golden)) for (const f of listFiles(golden, '.jsonl')) entries.push(...goldenEntries(f, join(p, 'graphs')));
    for (const root of [p, join(p, 'released_layout_sample')]) {
      if (existsSync(join(root, 'executable_programs')) && existsSync(join(root, 'init_and_final_graphs'))) {
        const seen = new Set(entries.map((e) => e.key));
        for (const e of releasedEntries(root)) if (!seen.has(e.key)) entries.push(e);
      }
    }
  }
  if (entries.length === 0) {
    throw new HearthError('task.data', `no VirtualHome programs found in ${path}`,
      'expected golden/*.jsonl with graphs/, or executable_programs/ and init_and_final_graphs/ (the released dataset layout)');
  }
  found.set(p, entries);
  return entries;
}
