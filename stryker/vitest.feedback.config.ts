// The tests Stryker runs for the feedback mutation group (stryker/feedback.config.json).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export const include = ['test/e2cl/feedback.test.ts', 'test/feedback/feedback-pinned.test.ts'];

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: { include, testTimeout: 120_000, hookTimeout: 120_000 },
});
