/**
 * A small, strict argument parser: `--flag value`, `--flag=value`, boolean `--flag`, and
 * positionals. Unknown flags are a user error naming the flag and the command's usage.
 */
import { HearthError } from '../env/errors.ts';

export interface FlagSpec {
  /** 'string' takes a value; 'boolean' does not. */
  type: 'string' | 'boolean';
  /** Shown in usage. */
  help?: string;
}

export interface ParsedArgs {
  flags: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseArgs(argv: string[], spec: Record<string, FlagSpec>, usage: string): ParsedArgs {
  const flags: Record<string, string | boolean | undefined> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith('--')) { positionals.push(a); continue; }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    const s = spec[name];
    if (!s) throw new HearthError('cli.usage', `unknown option --${name}`, `usage: ${usage}`);
    if (s.type === 'boolean') {
      if (eq >= 0) throw new HearthError('cli.usage', `option --${name} takes no value`, `usage: ${usage}`);
      flags[name] = true;
    } else {
      const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new HearthError('cli.usage', `option --${name} needs a value`, `usage: ${usage}`);
      flags[name] = v;
    }
  }
  return { flags, positionals };
}

export function stringFlag(p: ParsedArgs, name: string): string | undefined {
  const v = p.flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function requireFlag(p: ParsedArgs, name: string, usage: string): string {
  const v = stringFlag(p, name);
  if (v === undefined) throw new HearthError('cli.usage', `missing --${name}`, `usage: ${usage}`);
  return v;
}

export function intFlag(p: ParsedArgs, name: string, fallback: number, min = Number.MIN_SAFE_INTEGER): number {
  const v = stringFlag(p, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    throw new HearthError('cli.usage', `--${name} must be an integer${min > Number.MIN_SAFE_INTEGER ? ` ≥ ${min}` : ''}, got "${v}"`);
  }
  return n;
}

export function boolFlag(p: ParsedArgs, name: string): boolean {
  return p.flags[name] === true;
}
