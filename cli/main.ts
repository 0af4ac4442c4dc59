/**
 * The `hearth` command. Each subcommand lives in `cli/commands/<name>.ts` and exports
 * `command: Command`; this file only dispatches and turns user errors into one line.
 */
import { isHearthError } from '../env/errors.ts';

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
  eval: { summary: 'evaluate a checkpoint on fresh tasks and print the E2CL metrics (--json for one JSON object)', load: () => import('./commands/eval.ts') },
  serve: { summary: 'serve a model over an OpenAI-compatible HTTP API (/v1/completions, /v1/chat/completions)', load: () => import('./commands/serve.ts') },
  doctor: { summary: 'print the local model\'s compute path (backend, SIMD, threads, native addon) and its GEMM speed against this machine\'s peak', load: () => import('./commands/doctor.ts') },
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
    return name ? 0 : 2;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    console.error(`error: unknown command "${name}" (run \`hearth --help\` for the list)`);
    return 2;
  }
  try {
    const { command } = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      console.log(`${command.summary}\n\nusage: ${command.usage}`);
      return 0;
    }
    return await command.run(rest);
  } catch (e) {
    if (isHearthError(e)) {
      console.error(`error: ${e.oneLine()}`);
      return 2;
    }
    throw e;
  }
}
