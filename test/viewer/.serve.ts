import { serveViewer } from '../../viewer/server.ts';
import { ensureBuilt } from '../../viewer/build.ts';
await ensureBuilt(console.log);
const files = process.argv.slice(3).map((p) => ({ name: p.split('/').pop()!, path: p }));
const s = await serveViewer(files, Number(process.argv[2]));
console.log(s.url);
