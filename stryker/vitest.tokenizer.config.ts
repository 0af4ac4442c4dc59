// The tests Stryker runs for the tokenizer mutation group (stryker/tokenizer.config.json).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export const include = ['test/lm/tokenizer.test.ts', 'test/lm/tokenizer-fixed.test.ts', 'test/lm/logprob.test.ts'];

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: { include, testTimeout: 120_000, hookTimeout: 120_000 },
});
