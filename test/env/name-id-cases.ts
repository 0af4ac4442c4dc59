/**
 * Print the name/id perturbation cases of the golden programs as JSONL, the input of
 * test/env/vh-ref-driver.py: `node --import tsx test/env/name-id-cases.ts > cases.jsonl`.
 */
import { readFileSync } from 'node:fs';
import type { GoldenRecord } from '../../env/records.ts';
import { HAVE_VH_DATA, VH_DATA, vhPath } from '../support/vh-data.ts';
import { perturbations } from './name-id-perturb.ts';

if (!HAVE_VH_DATA) {
  console.error(`error: no VirtualHome data at ${VH_DATA} (set HEARTH_VH_DATA)`);
  process.exit(2);
}
const records: GoldenRecord[] = readFileSync(vhPath('golden/scene1_golden.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
for (const c of perturbations(records)) console.log(JSON.stringify({ case: c.key, rec: c.rec, lines: c.lines }));
