/**
 * The `hearth` command. Each subcommand lives in `cli/commands/<name>.ts` and exports
 * `command: Command`; this file dispatches and is the CLI's one error boundary:
 *
 * - a user error (HearthError, or a file-system error on a path the user gave) prints one
 *   `error: …` line with the fix and exits 2;
 * - anything else prints one line naming what failed and where, writes the full trace to a
 *   crash file (or prints it with HEARTH_DEBUG=1) and exits 1.
 *
 * `installProcessBoundary` (called by bin/hearth.mjs) routes errors that escape the awaited
 * chain (RxJS subscribers, timers, unawaited promises) to the same place, and drops the
 * `uncaughtException` / `unhandledRejection` handlers other code installs: the tfjs wasm
 * backend's emscripten module adds ones that rethrow, which makes Node print the whole
 * minified module source (one ~39 KB line) as the error's context.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HearthError, isHearthError } from '../env/errors.ts';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Returns the process exit code. */
  run(argv: string[]): Promise<number>;
}

/** Subcommands, loaded lazily so that `hearth exec` does not pay for TensorFlow.js. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  exec: { summary: 'execute a VirtualHome script on a graph (or a batch of golden-format records)', load: () => import('./commands/exec.ts') },
  conformance: { summary: 'run the reference fixtures from ../shared/virtualhome and print a summary', load: () => import('./commands/conformance.ts') },
  demo: { summary: 'run a demo episode on a built-in scene', load: () => import('./commands/demo.ts') },
  view: { summary: 'replay episode logs in the three.js viewer, or export one as a single HTML file', load: () => import('./commands/view.ts') },
  tasks: { summary: 'list, show or generate tasks of a task set (generated, vh-programs, eai)', load: () => import('./commands/tasks.ts') },
  plan: { summary: 'plan with the teacher for a task or a batch of tasks, and verify each plan', load: () => import('./commands/plan.ts') },
  run: { summary: 'run a headless episode (planner, random or scripted agent) and write its episode log', load: () => import('./commands/run.ts') },
  'train-lm': { summary: 'train the local TensorFlow.js language model on {input, output} or messages JSONL', load: () => import('./commands/train-lm.ts') },
  generate: { summary: 'generate text from a local language-model checkpoint', load: () => import('./commands/generate.ts') },
  bench: { summary: 'measure training or KV-cache decoding tokens/s of the local model', load: () => import('./commands/bench.ts') },
  e2cl: { summary: 'the main job: train BC and E2CL variants, evaluate with/without speculative inference, write a report', load: () => import('./commands/e2cl.ts') },
  align: { summary: 'preference-train the E2CL bc checkpoint (dpo, ipo, simpo; fpo vs dpo and simpo; rise vs dpo; muffin vs its start) and report quality and cost over seeds', load: () => import('./commands/align.ts') },
  eval: { summary: 'evaluate a checkpoint on fresh tasks and print the E2CL metrics (--json for one JSON object)', load: () => import('./commands/eval.ts') },
  serve: { summary: 'serve a model over an OpenAI-compatible HTTP API (/v1/completions, /v1/chat/completions)', load: () => import('./commands/serve.ts') },
  doctor: { summary: 'print the local model\'s compute path (backend, SIMD, threads, native addon) and its GEMM speed against this machine\'s peak', load: () => import('./commands/doctor.ts') },
  suite: { summary: 'run an evaluation suite file (tasks × agents × seeds, resumable) and write a report comparing the agents; or check one', load: () => import('./commands/suite.ts') },
  worker: { summary: 'run suite episodes from a Redis queue (hearth suite run FILE --redis URL) until stopped', load: () => import('./commands/worker.ts') },
  safety: { summary: 'safety analyses: align (a refusing agent), probe|analyze (EHA vs ISA attacks), detox (self-detoxification)', load: () => import('./commands/safety.ts') },
  eai: { summary: 'EAI action sequencing: prompts, and outputs scored as eai-eval 1.0.5 does (official) and corrected', load: () => import('./commands/eai.ts') },
  patterns: { summary: 'implicit-pattern suites: in-context learning vs fine-tuning (local model; ICL on a served model with --base-url), circuit shift, report', load: () => import('./commands/patterns.ts') },
  dialogue: { summary: 'multi-round interaction with simulated household users: Midi-Tuning, SPDA and Cooper against their baselines over seeds', load: () => import('./commands/dialogue.ts') },
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return ['usage: hearth <command> [options]', '', 'commands:',
    ...Object.entries(COMMANDS).map(([k, v]) => `  ${k.padEnd(width)}  ${v.summary}`),
    '', 'run `hearth <command> --help` for a command\'s options'].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    if (name) return 0;
    // Exit 2 comes with its one error line, like every other usage error.
    console.error('error: no command given (pick one of the commands listed above)');
    return 2;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    console.error(`error: unknown command "${oneLine(name, 80)}" (run \`hearth --help\` for the list)`);
    return 2;
  }
  current = name;
  try {
    const { command } = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      console.log(`${command.summary}\n\nusage: ${command.usage}`);
      return 0;
    }
    return await command.run(rest);
  } catch (e) {
    return reportFailure(e, name);
  }
}

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The command running now, for errors that arrive outside `main`'s awaited chain. */
let current: string | undefined;

/** Text on one line (usages span lines), at most `max` characters. */
export function oneLine(text: string, max = 2000): string {
  const t = text.replace(/\s*\n\s*/g, ' | ').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '?');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** File-system error codes that mean "this path cannot be used", which the user can fix. */
const FS_CAUSES: Record<string, string> = {
  ENOENT: 'no such file or directory', EACCES: 'permission denied', EPERM: 'operation not permitted',
  EISDIR: 'is a directory', ENOTDIR: 'a part of the path is not a directory', ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded', EROFS: 'read-only file system', EEXIST: 'already exists',
  ENAMETOOLONG: 'name too long', ELOOP: 'too many symbolic links', ENOTEMPTY: 'directory not empty', EFBIG: 'file too large',
};

/** A user error for a Node file-system error on a named path, or undefined for anything else. */
export function fsUserError(e: unknown): HearthError | undefined {
  const x = e as NodeJS.ErrnoException | undefined;
  if (!(x instanceof Error) || typeof x.code !== 'string' || typeof x.path !== 'string' || !Object.hasOwn(FS_CAUSES, x.code)) return undefined;
  const verb = x.syscall === 'mkdir' ? 'create the directory' : x.syscall === 'open' || x.syscall === 'read' ? 'open'
    : x.syscall === 'scandir' ? 'list the directory' : x.syscall === 'rename' ? 'rename' : x.syscall ?? 'use';
  return new HearthError(`fs.${x.code.toLowerCase()}`, `cannot ${verb} ${x.path}: ${FS_CAUSES[x.code]}`,
    x.code === 'ENOSPC' || x.code === 'EDQUOT' ? 'free disk space or choose another disk' : 'check the path and its permissions');
}

/** Where an internal error was thrown: the first stack frame in the repository, outside node_modules. */
function origin(e: Error): string | undefined {
  for (const line of (e.stack ?? '').split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?\s*$/.exec(line);
    if (!m) continue;
    const file = m[1].startsWith('file://') ? fileURLToPath(m[1]) : m[1];
    if (file.includes('node_modules') || !file.startsWith(REPO)) continue;
    return `${relative(REPO, file)}:${m[2]}`;
  }
  return undefined;
}

function fullTrace(e: unknown): string {
  const parts: string[] = [];
  let x: unknown = e;
  for (let depth = 0; x !== undefined && depth < 5; depth++) {
    parts.push(x instanceof Error ? (x.stack ?? `${x.name}: ${x.message}`) : `thrown value: ${String(x)}`);
    x = x instanceof Error ? (x as Error & { cause?: unknown }).cause : undefined;
    if (x !== undefined) parts.push('caused by:');
  }
  return parts.join('\n');
}

/**
 * Report an error that ended a command and return the exit code: 2 with one `error:` line for
 * a user error; 1 for anything else, with one line naming what failed, where it was thrown and
 * where the full trace went (a crash file in the temp directory, or stderr with HEARTH_DEBUG=1).
 */
export function reportFailure(e: unknown, command = current): number {
  const user = isHearthError(e) ? e : fsUserError(e);
  if (user) {
    console.error(`error: ${oneLine(user.oneLine())}`);
    if (process.env.HEARTH_DEBUG === '1' && e instanceof Error && e.stack) console.error(e.stack);
    return 2;
  }
  const err = e instanceof Error ? e : new Error(`non-error value thrown: ${oneLine(String(e), 200)}`);
  const what = `${err.name}: ${oneLine(err.message || '(no message)', 240)}`;
  const at = origin(err);
  const cmd = command ? `hearth ${command}` : 'hearth';
  const head = `error: internal error in \`${cmd}\`: ${what}${at ? ` (at ${at})` : ''}`;
  const trace = fullTrace(e);
  if (process.env.HEARTH_DEBUG === '1') {
    console.error(`${head}; full trace follows`);
    console.error(trace);
    return 1;
  }
  const file = join(tmpdir(), `hearth-crash-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.log`);
  try {
    writeFileSync(file, `hearth ${process.argv.slice(2).join(' ')}\nnode ${process.version}, ${process.platform}-${process.arch}, cwd ${process.cwd()}\n\n${trace}\n`);
    console.error(`${head}; full trace in ${file} (set HEARTH_DEBUG=1 to print it); please report it`);
  } catch {
    console.error(`${head}; set HEARTH_DEBUG=1 to print the full trace; please report it`);
  }
  return 1;
}

let installed = false;

/**
 * For the `hearth` process only (not for tests that call `main` in-process): errors that
 * escape `main` (an error thrown in an RxJS subscriber is rethrown from a timer; an
 * unawaited rejection) are reported by `reportFailure` and end the process with its code.
 * Other code's handlers for these two events are removed as they are added.
 */
export function installProcessBoundary(): void {
  if (installed) return;
  installed = true;
  const fatal = (e: unknown): void => {
    let code = 1;
    try { code = reportFailure(e); } catch { /* stderr itself failed: the exit code still tells */ }
    process.exit(code);
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  process.on('newListener', (event: string | symbol, listener: (...a: unknown[]) => void) => {
    if ((event === 'uncaughtException' || event === 'unhandledRejection') && listener !== fatal) {
      // 'newListener' fires before the listener is added: remove it right after.
      queueMicrotask(() => process.removeListener(event, listener));
    }
  });
}
