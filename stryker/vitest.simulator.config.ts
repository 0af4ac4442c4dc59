// The tests Stryker runs for the simulator mutation group (stryker/simulator.config.json).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export const include = ['test/env/executor.test.ts', 'test/env/actions-preconditions.test.ts', 'test/env/actions-effects.test.ts', 'test/env/pyset-cpython.test.ts', 'test/env/predicates.test.ts', 'test/env/executor-state.test.ts', 'test/env/self-relations.test.ts'];

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: { include, testTimeout: 120_000, hookTimeout: 120_000 },
});
