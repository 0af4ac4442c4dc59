/** Every implicit-pattern suite by name (`hearth patterns run --suite NAME`). */
import { HearthError } from '../../env/errors.ts';
import { ARITHMETIC_SUITES } from './arithmetic.ts';
import { HOUSEHOLD_SUITES } from './household.ts';
import type { SuiteDef } from './suite.ts';

export const SUITES: ReadonlyArray<SuiteDef> = [...HOUSEHOLD_SUITES, ...ARITHMETIC_SUITES];

export function suitesNamed(list: readonly string[]): Array<SuiteDef> {
  return list.map((name) => {
    const s = SUITES.find((x) => x.name === name);
    if (!s) throw new HearthError('cli.usage', `unknown suite "${name}"`, `pick from ${SUITES.map((x) => x.name).join(', ')}`);
    return s;
  });
}
