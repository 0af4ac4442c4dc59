/**
 * Where the VirtualHome reference data lives for tests: `HEARTH_VH_DATA`, default
 * `../shared/virtualhome` beside the repository. Tests that need it use `describeVH`,
 * which skips with a message when the data is absent (so a fresh clone elsewhere passes).
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const VH_DATA = resolve(REPO_ROOT, process.env.HEARTH_VH_DATA ?? '../shared/virtualhome');
export const HAVE_VH_DATA = existsSync(resolve(VH_DATA, 'graphs'));

let warned = false;
/** `describe` that skips (with one console message) when the reference data is absent. */
export const describeVH: typeof describe = ((name: string, fn: () => void) => {
  if (!HAVE_VH_DATA && !warned) {
    warned = true;
    console.warn(`[hearth] VirtualHome reference data not found at ${VH_DATA}: skipping conformance tests (set HEARTH_VH_DATA)`);
  }
  if (HAVE_VH_DATA) return describe(name, fn);
  // The body is not run at all: collection-time setup (opening data files) would throw
  // before vitest could report the block as skipped. One placeholder keeps it visible.
  return describe.skip(`${name} (skipped: no VirtualHome data at ${VH_DATA})`, () => {
    it('needs the VirtualHome reference data (set HEARTH_VH_DATA)', () => {});
  });
}) as typeof describe;

export const vhPath = (...parts: string[]): string => resolve(VH_DATA, ...parts);
