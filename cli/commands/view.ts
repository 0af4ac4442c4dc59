/**
 * `hearth view`: the three.js replay viewer.
 *
 *   hearth view EPISODE.jsonl|RUN_DIR [--port P] [--open]   serve the viewer and the log(s) on 127.0.0.1
 *   hearth view --export OUT.html EPISODE.jsonl              one self-contained HTML file with that episode
 *
 * A run directory serves every *.jsonl under it, with a chooser. The viewer is built with Vite
 * on first use (viewer/dist). The server runs until interrupted (Ctrl-C).
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { HearthError } from '../../env/errors.ts';
import { readText } from '../../env/text.ts';
import { writeFileAtomic } from '../../env/files.ts';
import { readEpisodeLog } from '../../env/episode-log.ts';
import { DIST_DIR, ensureBuilt } from '../../viewer/build.ts';
import { exportHtml } from '../../viewer/export.ts';
import { type EpisodeEntry, serveViewer } from '../../viewer/server.ts';
import { boolFlag, intFlag, onlyWith, parseArgs, stringFlag } from '../args.ts';
import { checkOutputFile } from '../output-paths.ts';
import type { Command } from '../main.ts';

const USAGE = 'hearth view EPISODE.jsonl|RUN_DIR [--port P] [--open]\n'
  + '       hearth view --export OUT.html EPISODE.jsonl';
const DEFAULT_PORT = 8765;

/** Whether a file starts like an episode log (a header record), so datasets in a run directory are not listed. */
function looksLikeEpisode(path: string): boolean {
  const buf = Buffer.alloc(64);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const n = readSync(fd, buf, 0, buf.length, 0);
    return /^\s*\{\s*"type"\s*:\s*"header"/.test(buf.subarray(0, n).toString('utf8'));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Every episode log (*.jsonl starting with a header) under `dir`, skipping node_modules and dot-directories, sorted by path. */
export function findEpisodes(dir: string, depth = 0): string[] {
  if (depth > 8) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...findEpisodes(p, depth + 1));
    else if (e.isFile() && e.name.endsWith('.jsonl') && looksLikeEpisode(p)) out.push(p);
  }
  return out.sort();
}

/** The episodes named by the positional argument (a file or a run directory). */
export function resolveEpisodes(input: string): EpisodeEntry[] {
  const path = resolve(input);
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new HearthError('view.input', `no such episode log or run directory: ${input}`, 'pass an episode .jsonl file or a run directory');
  }
  if (st.isDirectory()) {
    const files = findEpisodes(path);
    if (files.length === 0) {
      throw new HearthError('view.input', `run directory ${input} has no episode logs (*.jsonl files starting with a header record)`, 'write one with `hearth demo --log DIR/episode.jsonl`');
    }
    return files.map((f) => ({ name: relative(path, f), path: f }));
  }
  checkLog(path, input);
  return [{ name: basename(path), path }];
}

/** A log whose header cannot be read is a user error; a bad line later is only a warning (the viewer shows the steps before it). */
function checkLog(path: string, shown: string): void {
  const log = readEpisodeLog(path);
  if (log.error) console.error(`warning: ${shown}: ${log.error.message} (the viewer shows the ${log.steps.length} steps before it)`);
}

function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'start' : 'xdg-open';
  const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => console.error(`could not start ${cmd}; open ${url} in a browser`));
  child.unref();
}

export const command: Command = {
  name: 'view',
  summary: 'replay episode logs in the three.js viewer (or export one as a single HTML file)',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, { port: { type: 'string' }, open: { type: 'boolean' }, export: { type: 'string' } }, USAGE);
    if (args.positionals.length !== 1) {
      throw new HearthError('cli.usage', args.positionals.length === 0 ? 'missing the episode log or run directory' : `expected one episode log or run directory, got ${args.positionals.length} arguments`, `usage: ${USAGE}`);
    }
    const input = args.positionals[0];
    const out = stringFlag(args, 'export');
    const say = (s: string): void => console.error(s);
    if (out !== undefined) {
      onlyWith(args, ['port', 'open'], false, 'the viewer server (not with --export)');
      checkOutputFile(out, '--export');
      let isDir = false;
      try { isDir = statSync(resolve(input)).isDirectory(); } catch { /* resolveEpisodes names the missing file */ }
      if (isDir) throw new HearthError('cli.usage', `--export takes one episode .jsonl file, got the directory ${input}`, `usage: ${USAGE}`);
      const [episode] = resolveEpisodes(input);
      await ensureBuilt(say);
      const html = exportHtml(readText(episode.path, 'episode log'), episode.name, DIST_DIR);
      writeFileAtomic(resolve(out), html, { what: 'export', kind: 'view.export', mkdir: false });
      console.log(`wrote ${out} (${(html.length / 1024).toFixed(0)} KiB): open it in a browser`);
      return 0;
    }
    const port = intFlag(args, 'port', DEFAULT_PORT, 0);
    if (port > 65535) throw new HearthError('cli.usage', `--port must be at most 65535, got ${port}`, `usage: ${USAGE}`);
    const episodes = resolveEpisodes(input);
    await ensureBuilt(say);
    let served;
    try {
      served = await serveViewer(episodes, port);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new HearthError('view.port', `port ${port} is already in use`, 'choose another with --port P (0 = any free port)');
      if (code === 'EACCES') throw new HearthError('view.port', `no permission to listen on port ${port}`, 'choose a port above 1023 with --port P');
      throw e;
    }
    console.log(`serving ${episodes.length} episode${episodes.length === 1 ? '' : 's'} at ${served.url} (Ctrl-C to stop)`);
    if (boolFlag(args, 'open')) openBrowser(served.url);
    await new Promise<void>((done) => {
      const stop = (): void => { process.off('SIGINT', stop); process.off('SIGTERM', stop); done(); };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await served.close();
    return 0;
  },
};
