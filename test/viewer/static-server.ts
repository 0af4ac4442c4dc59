/**
 * `serveViewer` as a process of its own, for tests about the process (does it stay up?):
 * `node --import tsx test/viewer/static-server.ts DIST_DIR [EPISODE.jsonl]` prints its URL.
 */
import { basename } from 'node:path';
import { serveViewer } from '../../viewer/server.ts';

const [dist, episode] = process.argv.slice(2);
const srv = await serveViewer(episode ? [{ name: basename(episode), path: episode }] : [], 0, dist);
console.log(`viewer: ${srv.url}`);
process.once('SIGTERM', () => { void srv.close().then(() => process.exit(0)); });
