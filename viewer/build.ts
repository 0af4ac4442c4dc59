/**
 * Builds the viewer with Vite when viewer/dist is missing or older than its sources (a fresh
 * clone has no dist: `hearth view` and the browser tests build on demand).
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const VIEWER_DIR = fileURLToPath(new URL('.', import.meta.url));
export const DIST_DIR = resolve(VIEWER_DIR, 'dist');

function newestSource(): number {
  let newest = 0;
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(resolve(VIEWER_DIR, 'src'));
  // The viewer's own files, and the one env/ module it bundles (the episode-log line rules).
  for (const f of ['index.html', 'vite.config.ts', '../env/episode-log-lines.ts']) newest = Math.max(newest, statSync(resolve(VIEWER_DIR, f)).mtimeMs);
  return newest;
}

export function isBuilt(): boolean {
  const index = resolve(DIST_DIR, 'index.html');
  return existsSync(index) && statSync(index).mtimeMs >= newestSource();
}

/** Build viewer/dist with Vite (about two seconds). */
export async function buildViewer(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: resolve(VIEWER_DIR, 'vite.config.ts'), logLevel: 'warn' });
}

const LOCK = resolve(VIEWER_DIR, '.build-lock');
const STALE_LOCK_MS = 120_000;

/** One build at a time across processes (test files run in parallel workers): a lock directory. */
async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 2 * STALE_LOCK_MS;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      } catch { /* released meanwhile */ }
      if (Date.now() > deadline) throw new Error(`viewer build lock ${LOCK} held too long; remove it if no build is running`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Build unless an up-to-date build exists; returns whether it built. */
export async function ensureBuilt(log: (s: string) => void = () => {}): Promise<boolean> {
  if (isBuilt()) return false;
  return withBuildLock(async () => {
    if (isBuilt()) return false; // another process built it while we waited
    log('building the viewer (viewer/dist)…');
    await buildViewer();
    return true;
  });
}
