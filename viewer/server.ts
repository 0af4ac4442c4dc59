/**
 * The viewer's local server (node:http): the built app from viewer/dist, the list of episodes
 * at /api/episodes and each episode's JSONL at /api/episodes/<index>. Only the files it was
 * given are served from outside dist (by index, so no path from a request reaches the disk).
 * A static file is served only when its real path (symlinks resolved) lies inside the real path
 * of dist; a request the server cannot parse (e.g. a malformed percent-escape) is a 400, and
 * no request can make the handler throw.
 */
import { createReadStream, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, normalize, resolve, sep } from 'node:path';
import { DIST_DIR } from './build.ts';

export interface EpisodeEntry {
  /** Shown in the chooser (path relative to the run directory). */
  name: string;
  /** Absolute path of the JSONL file. */
  path: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.ico': 'image/x-icon',
};

export interface ViewerServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Start serving on 127.0.0.1:`port` (0 = any free port). Rejects with the listen error (e.g. EADDRINUSE). */
export function serveViewer(episodes: EpisodeEntry[], port: number, distDir = DIST_DIR): Promise<ViewerServer> {
  const root = resolve(distDir);
  // The real root, resolved per request (dist may be rebuilt while the server runs).
  const realRoot = (): string | null => { try { return realpathSync(root); } catch { return null; } };
  const server = createServer((req, res) => {
    const send = (status: number, type: string, body: string): void => {
      if (res.headersSent) { res.destroy(); return; }
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    try {
      handle(req, res, send);
    } catch (e) {
      send(500, 'text/plain', `internal error: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  const handle = (req: IncomingMessage, res: ServerResponse, send: (status: number, type: string, body: string) => void): void => {
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return send(400, 'text/plain', `bad request: malformed URL ${JSON.stringify(req.url)}`);
    }
    if (path.includes('\0')) return send(400, 'text/plain', 'bad request: NUL in path');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'only GET');
    if (path === '/api/episodes') {
      const list = episodes.map((e) => {
        let bytes = 0;
        try { bytes = statSync(e.path).size; } catch { /* listed but gone: shown as 0 bytes */ }
        return { name: e.name, bytes };
      });
      return send(200, 'application/json', JSON.stringify({ episodes: list }));
    }
    const m = /^\/api\/episodes\/(\d+)$/.exec(path);
    if (m) {
      const e = episodes[Number(m[1])];
      if (!e) return send(404, 'text/plain', `no episode ${m[1]}`);
      const stream = createReadStream(e.path);
      stream.on('error', (err) => send(404, 'text/plain', `cannot read ${e.name}: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
      stream.once('open', () => res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' }));
      stream.pipe(res);
      return;
    }
    const file = normalize(resolve(root, `.${path === '/' ? '/index.html' : path}`));
    if (file !== root && !file.startsWith(root + sep)) return send(403, 'text/plain', 'forbidden');
    // Symlinks inside dist must not lead out of it: compare real paths, and read the real file.
    const top = realRoot();
    let real: string;
    try {
      real = realpathSync(file);
    } catch {
      return send(404, 'text/plain', 'not found');
    }
    if (top === null || (real !== top && !real.startsWith(top + sep))) return send(403, 'text/plain', 'forbidden');
    let size: number;
    try {
      const st = statSync(real);
      if (!st.isFile()) return send(404, 'text/plain', 'not found');
      size = st.size;
    } catch {
      return send(404, 'text/plain', 'not found');
    }
    const stream = createReadStream(real);
    stream.on('error', (err) => { if (res.headersSent) res.destroy(); else send(404, 'text/plain', `cannot read: ${(err as NodeJS.ErrnoException).code ?? err.message}`); });
    stream.once('open', () => {
      res.writeHead(200, { 'content-type': TYPES[extname(real)] ?? 'application/octet-stream', 'content-length': size, 'cache-control': 'no-store' });
      if (req.method === 'HEAD') { stream.destroy(); res.end(); return; }
      stream.pipe(res);
    });
  };
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', fail);
      const addr = server.address();
      const p = typeof addr === 'object' && addr ? addr.port : port;
      ok({ server, url: `http://127.0.0.1:${p}/`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}
