#!/usr/bin/env node
// Entry point of the `hearth` command: loads the TypeScript CLI through tsx's ESM loader,
// so the repository runs from source after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

// `hearth ... | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => { if (e && e.code === 'EPIPE') process.exit(0); throw e; });
}

register();
const { installProcessBoundary, main } = await import('../cli/main.ts');
// Errors outside main's awaited chain (RxJS subscribers, timers) get the same one-line report.
installProcessBoundary();
const code = await main(process.argv.slice(2));
// A user error may leave work in flight (a rollout's decoder, timers) that would keep the
// process alive; its one line is written, so end here. Other exits let stdout drain.
if (code === 2) process.exit(code);
process.exitCode = code;
