// The tests Stryker runs for the losses mutation group (stryker/losses.config.json).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export const include = ['test/alignment/losses.test.ts', 'test/alignment/losses-errors.test.ts'];

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: { include, testTimeout: 120_000, hookTimeout: 120_000 },
});
