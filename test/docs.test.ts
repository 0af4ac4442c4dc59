/**
 * The README stays a front page and the docs' links stay alive: README.md is at most 200 lines,
 * every relative link or image in README.md and docs/*.md names a file that exists (and, for
 * `file.md#anchor`, a heading that produces that anchor), and every page moved out of the README
 * is linked from it. Reads a dozen small files; no network, no subprocesses.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const README = join(ROOT, 'README.md');
const DOCS = join(ROOT, 'docs');
const MAX_README_LINES = 200;

/** Pages that hold the README's former sections; each must stay linked from the README. */
const MOVED_PAGES = [
  'docs/main-job.md',
  'docs/simulator.md',
  'docs/episodes.md',
  'docs/world.md',
  'docs/planner.md',
  'docs/lm.md',
  'docs/backends.md',
  'docs/e2cl.md',
  'docs/viewer.md',
  'docs/cli.md',
];

/** The lines of a Markdown text outside fenced code blocks (``` or ~~~), with inline code removed. */
function proseLines(text: string): string[] {
  const out: string[] = [];
  let fence: string | null = null;
  for (const line of text.split('\n')) {
    const m = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (m) {
      if (fence === null) fence = m[1][0].repeat(m[1].length);
      else if (m[1].startsWith(fence)) fence = null;
      continue;
    }
    if (fence === null) out.push(line.replace(/(`+)[^`]*?\1/g, '').replace(/<!--.*?-->/g, ''));
  }
  return out;
}

/** Link targets in a Markdown text: inline links and images, reference definitions, HTML href/src. */
function linkTargets(text: string): string[] {
  const targets: string[] = [];
  for (const line of proseLines(text)) {
    for (const m of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+["'(][^)]*)?\)/g)) targets.push(m[1]);
    const def = /^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/.exec(line);
    if (def) targets.push(def[1]);
    for (const m of line.matchAll(/\b(?:href|src)\s*=\s*["']([^"']+)["']/g)) targets.push(m[1]);
  }
  return targets;
}

/** GitHub's anchors for the headings of a Markdown text (duplicates get -1, -2, ...). */
function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | null = null;
  for (const line of text.split('\n')) {
    const f = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (fence === null) fence = f[1][0].repeat(f[1].length);
      else if (f[1].startsWith(fence)) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const h = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const text = h[1]
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images: their text
      .replace(/<[^>]+>/g, ''); // HTML tags
    const base = text
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

function markdownFiles(): string[] {
  const docs = existsSync(DOCS)
    ? readdirSync(DOCS)
        .filter((f) => f.endsWith('.md'))
        .map((f) => join(DOCS, f))
    : [];
  return [README, ...docs];
}

/** Problems with one file's relative links, as readable strings. */
function brokenLinks(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const problems: string[] = [];
  for (const target of linkTargets(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue; // http:, mailto:, ...
    const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
    let path: string;
    try {
      path = pathPart === '' ? file : resolve(dirname(file), decodeURIComponent(pathPart));
    } catch {
      problems.push(`${target}: not a valid URL path`);
      continue;
    }
    if (!existsSync(path)) {
      problems.push(`${target}: no such file (${relative(ROOT, path)})`);
      continue;
    }
    if (anchor !== undefined && anchor !== '') {
      if (statSync(path).isDirectory() || !path.endsWith('.md')) {
        problems.push(`${target}: an anchor into a file that is not Markdown`);
      } else if (!headingAnchors(readFileSync(path, 'utf8')).has(decodeURIComponent(anchor).toLowerCase())) {
        problems.push(`${target}: no heading in ${relative(ROOT, path)} makes the anchor #${anchor}`);
      }
    }
  }
  return problems.map((p) => `${relative(ROOT, file)}: ${p}`);
}

describe('README and docs', () => {
  it(`README.md is a front page: at most ${MAX_README_LINES} lines`, () => {
    const lines = readFileSync(README, 'utf8').replace(/\n$/, '').split('\n').length;
    expect(lines, `README.md has ${lines} lines; move detail into docs/ and link it`).toBeLessThanOrEqual(MAX_README_LINES);
  });

  it('every relative link in README.md and docs/*.md points at an existing file and heading', () => {
    const problems = markdownFiles().flatMap(brokenLinks);
    expect(problems).toEqual([]);
  });

  it('every page moved out of the README is linked from it', () => {
    const linked = new Set(
      linkTargets(readFileSync(README, 'utf8')).map((t) => relative(ROOT, resolve(ROOT, t.split('#')[0]))),
    );
    const missing = MOVED_PAGES.filter((p) => existsSync(join(ROOT, p)) && !linked.has(p));
    expect(missing).toEqual([]);
    for (const p of MOVED_PAGES) expect(existsSync(join(ROOT, p)), `${p} exists`).toBe(true);
  });

  it('the link checker finds links, anchors and broken targets (self-test)', () => {
    const sample = [
      '# Title',
      '## Performance (`npm run bench:lm`)',
      '## CLI',
      '## CLI',
      'See [a](docs/a.md#cli), ![img](pic.png "t") and [ref].',
      '[ref]: other.md',
      'Code `[not](a-link.md)` is ignored.',
      '```',
      '[also not](fenced.md)',
      '```',
    ].join('\n');
    expect(linkTargets(sample)).toEqual(['docs/a.md#cli', 'pic.png', 'other.md']);
    expect([...headingAnchors(sample)]).toEqual(['title', 'performance-npm-run-benchlm', 'cli', 'cli-1']);
  });
});
