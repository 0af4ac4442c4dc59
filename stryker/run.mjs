#!/usr/bin/env node
// `npm run mutate [-- group ...]`: StrykerJS on each module group, one after another
// (each config has concurrency 1: the machine is shared). Groups: the stryker/*.config.json
// files. Prints the wall time of each group; reports go to reports/mutation/<group>.{html,json}.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const all = readdirSync(here).filter((f) => f.endsWith('.config.json')).map((f) => f.slice(0, -'.config.json'.length)).sort();
const groups = process.argv.slice(2).length > 0 ? process.argv.slice(2) : all;
const unknown = groups.filter((g) => !all.includes(g));
if (unknown.length > 0) {
  console.error(`unknown mutation group(s): ${unknown.join(', ')}; known: ${all.join(', ')}`);
  process.exit(2);
}
const stryker = join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
const times = [];
let failed = false;
for (const g of groups) {
  const t0 = Date.now();
  console.log(`\n=== mutation group ${g} ===`);
  const r = spawnSync(process.execPath, [stryker, 'run', join('stryker', `${g}.config.json`)], { cwd: root, stdio: 'inherit' });
  const s = Math.round((Date.now() - t0) / 1000);
  times.push(`${g}: ${Math.floor(s / 60)} min ${s % 60} s${r.status === 0 ? '' : ` (exit ${r.status})`}`);
  if (r.status !== 0) failed = true;
}
console.log(`\nwall time per group:\n  ${times.join('\n  ')}\nreports: reports/mutation/`);
process.exit(failed ? 1 : 0);
