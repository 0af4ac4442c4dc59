/**
 * The StrykerJS configurations (stryker/*.config.json, issue 24) name files that exist: every
 * `mutate` pattern and every test file of its vitest config matches something, each group runs
 * with concurrency 1 and reports into reports/mutation/.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const strykerDir = join(root, 'stryker');

/** A glob as a RegExp: `*` within a name, `**` across folders. */
function globToRegExp(p: string): RegExp {
  let re = '';
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '*' && p[i + 1] === '*') {
      const slash = p[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (p[i] === '*') re += '[^/]*';
    else re += p[i].replace(/[.+^${}()|[\]\\?]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

let allFiles: string[] | undefined;
/** Files under root (repository-relative, '/'-separated) matching a glob. */
function globFiles(pattern: string): string[] {
  if (!allFiles) {
    allFiles = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        if (name === 'node_modules' || name === '.git' || name.startsWith('.stryker')) continue;
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else allFiles!.push(relative(root, p).split('\\').join('/'));
      }
    };
    walk(root);
  }
  const re = globToRegExp(pattern);
  return allFiles.filter((f) => re.test(f));
}

const groups = readdirSync(strykerDir).filter((f) => f.endsWith('.config.json')).map((f) => f.slice(0, -'.config.json'.length));

describe('mutation testing configurations', () => {
  it('the glob helper matches what it should', () => {
    expect(globFiles('env/exec/*.ts').length).toBeGreaterThan(3);
    expect(globFiles('suites/lcs.ts')).toHaveLength(1);
    expect(globFiles('env/**/predicates.ts')).toEqual(['env/exec/predicates.ts']);
    expect(globFiles('**/lcs.ts')).toEqual(['suites/lcs.ts']);
    expect(globFiles('suites/lcs?ts')).toHaveLength(0);
    expect(globFiles('env/exec/*.nothing')).toHaveLength(0);
  });

  it('has the module groups, and npm run mutate runs them', () => {
    expect(groups).toEqual(expect.arrayContaining(['simulator', 'metrics', 'tokenizer', 'feedback']));
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.scripts.mutate).toBe('node stryker/run.mjs');
    expect(pkg.devDependencies['@stryker-mutator/core']).toMatch(/^9\./);
    expect(pkg.devDependencies['@stryker-mutator/vitest-runner']).toBe(pkg.devDependencies['@stryker-mutator/core']);
    expect(readFileSync(join(root, '.gitignore'), 'utf8').split('\n')).toContain('reports/mutation/');
  });

  for (const g of groups) {
    it(`${g}: mutate patterns and test files exist; concurrency 1; reports in reports/mutation/`, async () => {
      const cfg = JSON.parse(readFileSync(join(strykerDir, `${g}.config.json`), 'utf8'));
      expect(cfg.testRunner).toBe('vitest');
      expect(cfg.concurrency).toBe(1);
      expect(cfg.htmlReporter.fileName).toBe(`reports/mutation/${g}.html`);
      expect(cfg.jsonReporter.fileName).toBe(`reports/mutation/${g}.json`);
      expect(cfg.mutate.length).toBeGreaterThan(0);
      for (const m of cfg.mutate as string[]) {
        if (m.startsWith('!')) continue;
        expect(globFiles(m.replace(/:\d+(-\d+)?$/, '')), `mutate pattern ${m}`).not.toHaveLength(0);
      }
      const vitestConfig = join(root, cfg.vitest.configFile);
      expect(existsSync(vitestConfig)).toBe(true);
      const { include } = await import(pathToFileURL(vitestConfig).href) as { include: string[] };
      expect(include.length).toBeGreaterThan(0);
      for (const t of include) expect(globFiles(t), `test pattern ${t}`).not.toHaveLength(0);
    });
  }
});
