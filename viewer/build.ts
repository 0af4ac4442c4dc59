/**
 * Builds the viewer with Vite when viewer/dist is missing or older than its sources (a fresh
 * clone has no dist: `hearth view` and the browser tests build on demand).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
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
  for (const f of ['index.html', 'vite.config.ts']) newest = Math.max(newest, statSync(resolve(VIEWER_DIR, f)).mtimeMs);
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

/** Build unless an up-to-date build exists; returns whether it built. */
export async function ensureBuilt(log: (s: string) => void = () => {}): Promise<boolean> {
  if (isBuilt()) return false;
  log('building the viewer (viewer/dist)…');
  await buildViewer();
  return true;
}
