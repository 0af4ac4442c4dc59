/**
 * Episode logs for the viewer's tests: a real one (the demo house, run through env's Episode and
 * written by EpisodeLogWriter, as `hearth demo --log` does) and synthesized ones (make-log.ts)
 * with E2CL speculative traces, failures, and a truncated copy.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Episode } from '../../env/episode.ts';
import { EpisodeLogWriter } from '../../env/episode-log.ts';
import { DEMO_ACTIONS, demoTask } from '../../env/scenes/demo-house.ts';
import { synthesizeLog } from './make-log.ts';

/** Run the scripted demo episode and write its log to `path` (as `hearth demo --log path`). */
export function writeDemoLog(path: string, seed = 0): void {
  const task = demoTask();
  const episode = new Episode(task, { seed });
  episode.reset(seed);
  const log = EpisodeLogWriter.forEpisode(path, episode, { agent: { name: 'scripted-demo' }, createdAt: false });
  try {
    for (const action of DEMO_ACTIONS) {
      if (episode.finished) break;
      log.step(episode.step(action));
    }
    log.end();
  } finally {
    log.close();
  }
}

export interface Fixtures {
  dir: string;
  demo: string;
  /** Synthesized on the demo house's scene: failures every 4th step, speculative traces every 3rd. */
  e2cl: string;
  /** The demo log cut in the middle of a line. */
  truncated: string;
  /** Line of the truncated log that is cut. */
  truncatedLine: number;
}

export function makeFixtures(dir: string): Fixtures {
  mkdirSync(dir, { recursive: true });
  const demo = join(dir, 'demo.jsonl');
  writeDemoLog(demo);
  const scene = demoTask().scene;
  const e2cl = join(dir, 'e2cl.jsonl');
  writeFileSync(e2cl, synthesizeLog(scene, { steps: 24, seed: 3, failEvery: 4, speculativeEvery: 3 }));
  const lines = readFileSync(demo, 'utf8').split('\n');
  const truncatedLine = 8; // header, steps 1..6 intact, step 7 cut
  const truncated = join(dir, 'truncated.jsonl');
  writeFileSync(truncated, [...lines.slice(0, truncatedLine - 1), lines[truncatedLine - 1].slice(0, 40)].join('\n'));
  return { dir, demo, e2cl, truncated, truncatedLine };
}
