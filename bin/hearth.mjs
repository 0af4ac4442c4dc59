#!/usr/bin/env node
// Entry point of the `hearth` command: loads the TypeScript CLI through tsx's ESM loader,
// so the repository runs from source after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
