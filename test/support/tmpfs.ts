/**
 * A small full-disk for tests: a tmpfs of a given size mounted in a private mount namespace
 * (`unshare -m`), so nothing outside the test sees it and it vanishes with the process. Needs
 * root (or CAP_SYS_ADMIN) and util-linux's `unshare`; `TMPFS.ok` is false otherwise and the
 * tests skip with `TMPFS.why`.
 *
 * `inTmpfs` runs commands one after another inside the namespace with the tmpfs at `mount`
 * (an empty host directory, shadowed there), then returns each command's status and output
 * plus a snapshot of every file on the tmpfs (which the host cannot see).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const HEARTH = join(REPO, 'bin', 'hearth.mjs');

function probe(): { ok: boolean; why: string } {
  if (process.platform !== 'linux') return { ok: false, why: 'full-disk tests need Linux (tmpfs in a mount namespace)' };
  if (process.getuid?.() !== 0) return { ok: false, why: 'full-disk tests need root to mount a tmpfs in a private mount namespace' };
  const dir = mkdtempSync(join(tmpdir(), 'hearth-tmpfs-probe-'));
  try {
    const r = spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs "$1" && echo mounted', 'sh', dir], { encoding: 'utf8' });
    if (r.error) return { ok: false, why: `full-disk tests need util-linux unshare (${r.error.message})` };
    if (!r.stdout.includes('mounted')) return { ok: false, why: `cannot mount a tmpfs in a private mount namespace here: ${r.stderr.trim() || `exit ${r.status}`}` };
    return { ok: true, why: '' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const TMPFS = probe();
if (!TMPFS.ok) console.warn(`skipping full-disk tests: ${TMPFS.why}`);

export interface CommandResult { status: number | null; stdout: string; stderr: string }
export interface TmpfsRun {
  results: CommandResult[];
  /** Every file on the tmpfs after the commands: path relative to the mount → content (utf8). */
  files: Record<string, string>;
}

const DRIVER = `
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
const [mount, spec] = process.argv.slice(2);
const { commands, cwd } = JSON.parse(spec);
const results = commands.map((argv) => {
  const r = spawnSync(argv[0], argv.slice(1), { cwd, encoding: 'utf8', env: { ...process.env, HEARTH_TMPFS: mount } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
});
const files = {};
const walk = (d, rel) => {
  for (const n of readdirSync(d)) {
    const p = join(d, n), r = rel ? rel + '/' + n : n;
    if (statSync(p).isDirectory()) { files[r + '/'] = ''; walk(p, r); } else files[r] = readFileSync(p, 'utf8');
  }
};
walk(mount, '');
process.stdout.write(JSON.stringify({ results, files }));
`;

/**
 * Run `commands` (argv arrays; the string `$MOUNT` in an argument is replaced by the mount
 * point) inside a private mount namespace with a `sizeKiB` tmpfs mounted at a fresh directory.
 */
export function inTmpfs(sizeKiB: number, commands: string[][]): TmpfsRun & { mount: string } {
  const mount = mkdtempSync(join(tmpdir(), 'hearth-tmpfs-'));
  const driver = join(mkdtempSync(join(tmpdir(), 'hearth-tmpfs-driver-')), 'driver.mjs');
  writeFileSync(driver, DRIVER);
  try {
    const spec = JSON.stringify({ commands: commands.map((c) => c.map((a) => a.replaceAll('$MOUNT', mount))), cwd: REPO });
    const r = spawnSync('unshare', ['-m', 'sh', '-c', `mount -t tmpfs -o size=${sizeKiB}k tmpfs "$1" && exec "$2" "$3" "$1" "$4"`,
      'sh', mount, process.execPath, driver, spec], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
    if (r.status !== 0) throw new Error(`tmpfs driver failed (exit ${r.status}): ${r.stderr}`);
    return { ...(JSON.parse(r.stdout) as TmpfsRun), mount };
  } finally {
    rmSync(mount, { recursive: true, force: true });
    rmSync(dirname(driver), { recursive: true, force: true });
  }
}

/** `node bin/hearth.mjs ...args` as an argv array for `inTmpfs`. */
export function hearth(...args: string[]): string[] {
  return [process.execPath, HEARTH, ...args];
}

/** Every line of a JSONL text is complete: the text ends with a newline and each line parses. */
export function completeLines(text: string): boolean {
  if (text === '') return true;
  if (!text.endsWith('\n')) return false;
  return text.slice(0, -1).split('\n').every((l) => { try { JSON.parse(l); return true; } catch { return false; } });
}
