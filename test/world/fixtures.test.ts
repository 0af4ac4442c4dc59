/**
 * Three generated scenes checked in under test/fixtures/scenes/, with their sha256 pinned
 * here, so that any change to the generator or the catalogue shows up in review as a fixture
 * diff plus a hash change. After an intended change, regenerate with
 *   HEARTH_UPDATE_FIXTURES=1 npx vitest run test/world/fixtures.test.ts
 * and paste the printed hashes below.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateScene } from '../../env/scenes/generate.ts';
import { REPO_ROOT } from '../support/vh-data.ts';
import { sceneViolations } from './support/invariants.ts';

const FIXTURES: Array<{ seed: number; rooms: number; sha256: string }> = [
  { seed: 7, rooms: 3, sha256: '752c0dff777aeb07a2d59f6978f9a92083bf92b56d5d828a7d2b8de7d0e5bd16' },
  { seed: 9, rooms: 4, sha256: 'b1d0ccdf1ddd046ceeea179baa4eaeb275a245d8a030887279f90be09a4fc946' },
  { seed: 4, rooms: 8, sha256: '95c8b9440d8635489358945fffc5f6ac91840cf9290aa035fc0d6d4def9885bf' },
];

const file = (seed: number) => join(REPO_ROOT, 'test/fixtures/scenes', `generated-s${seed}.json`);
const text = (seed: number) => `${JSON.stringify(generateScene(seed))}\n`;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('checked-in generated scenes', () => {
  if (process.env.HEARTH_UPDATE_FIXTURES) {
    it('rewrites the fixtures', () => {
      for (const f of FIXTURES) {
        writeFileSync(file(f.seed), text(f.seed));
        console.log(`seed ${f.seed}: ${sha(text(f.seed))}`);
      }
    });
    return;
  }
  for (const f of FIXTURES) {
    it(`seed ${f.seed} regenerates byte for byte and has the pinned hash`, () => {
      const onDisk = readFileSync(file(f.seed), 'utf8');
      expect(sha(onDisk)).toBe(f.sha256);
      expect(text(f.seed)).toBe(onDisk);
      const g = JSON.parse(onDisk) as ReturnType<typeof generateScene>;
      expect(g.nodes.filter((n) => n.category === 'Rooms')).toHaveLength(f.rooms);
      expect(sceneViolations(g)).toEqual([]);
    });
  }
});
