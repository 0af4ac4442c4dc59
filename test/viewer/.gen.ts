import { readFileSync, writeFileSync } from 'node:fs';
import { synthesizeLog } from './make-log.ts';
import { readEpisodeLog } from '../../env/episode-log.ts';
const [graph, out, n] = process.argv.slice(2);
writeFileSync(out, synthesizeLog(JSON.parse(readFileSync(graph, 'utf8')), { steps: Number(n) }));
const l = readEpisodeLog(out); console.log(l.steps.length, l.error, !!l.end);
