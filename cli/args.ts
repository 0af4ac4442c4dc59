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
    const s = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!s) throw new HearthError('cli.usage', `unknown option --${name}`, `usage: ${usage}`);
    // A flag given twice is ambiguous (which one wins?): say so instead of picking one.
    if (flags[name] !== undefined) throw new HearthError('cli.usage', `option --${name} is given twice`, 'give it once');
    if (s.type === 'boolean') {
      if (eq >= 0) throw new HearthError('cli.usage', `option --${name} takes no value`, `usage: ${usage}`);
      flags[name] = true;
    } else {
      const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new HearthError('cli.usage', `option --${name} needs a value`, `usage: ${usage}`);
      // `--out --quiet` almost always means a forgotten value; `--out=--quiet` still passes one.
      if (eq < 0 && /^--[A-Za-z]/.test(v)) {
        throw new HearthError('cli.usage', `option --${name} needs a value, got the option ${v}`, `write --${name}=${v} if that is the value`);
      }
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

/**
 * An integer flag: decimal digits only (an optional leading minus), within [min, max] and
 * within JavaScript's safe integers (seeds up to 2^53-1), so that `1e20`, `0x10`, `""` and
 * integers that would round to a neighbour are errors rather than other numbers.
 */
export function intFlag(p: ParsedArgs, name: string, fallback: number, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  const v = stringFlag(p, name);
  if (v === undefined) return fallback;
  return parseIntStrict(v, `--${name}`, min, max);
}

/** `text` as an integer in [min, max] (see intFlag); `what` names the input in the error. */
export function parseIntStrict(text: string, what: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  const range = min > Number.MIN_SAFE_INTEGER && max < Number.MAX_SAFE_INTEGER ? ` in [${min}, ${max}]`
    : min > Number.MIN_SAFE_INTEGER ? ` ≥ ${min}` : max < Number.MAX_SAFE_INTEGER ? ` ≤ ${max}` : '';
  const fail = (why = '', hint: string | null = 'write it in decimal digits, e.g. 42'): never => {
    throw new HearthError('cli.usage', `${what} must be an integer${range}, got "${text}"${why}`, hint ?? undefined);
  };
  if (!/^-?[0-9]+$/.test(text)) fail();
  const big = BigInt(text);
  if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) fail(' (beyond 2^53-1, where integers lose precision)');
  const n = Number(big);
  if (n < min || n > max) fail('', null); // the message says the range: nothing to add
  return n;
}

/** A number flag (decimal, finite) in [lo, hi]. */
export function numberFlag(p: ParsedArgs, name: string, fallback: number, lo = -Infinity, hi = Infinity, usage?: string): number {
  const v = stringFlag(p, name);
  if (v === undefined) return fallback;
  const n = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v.trim()) && v.trim() === v ? Number(v) : NaN;
  if (!Number.isFinite(n) || n < lo || n > hi) {
    throw new HearthError('cli.usage', `--${name} must be a number in [${lo}, ${hi}], got "${v}"`, usage ? `usage: ${usage}` : 'write it in decimal, e.g. 0.5 or 3e-3');
  }
  return n;
}

/**
 * `--backend NAME` checked against `names` (agent/tfjs.ts BACKENDS, passed in so that this
 * module does not load TensorFlow.js): an unknown name is a usage error now, not after the
 * exploration that precedes the first training.
 */
export function backendFlag(p: ParsedArgs, names: readonly string[]): string | undefined {
  const v = stringFlag(p, 'backend');
  if (v !== undefined && !names.includes(v)) throw new HearthError('cli.usage', `--backend must be one of ${names.join(', ')}, got "${v}"`, 'or leave it out for the default order');
  return v;
}

/** Flags that cannot be combined: at most one of `names` (two given is a usage error naming both). */
export function exclusive(p: ParsedArgs, names: string[], usage?: string): void {
  const given = names.filter((n) => p.flags[n] !== undefined);
  if (given.length > 1) {
    throw new HearthError('cli.usage', `choose one of --${given[0]} and --${given[1]}`, usage ? `usage: ${usage}` : `they cannot be combined (${names.map((n) => `--${n}`).join(', ')})`);
  }
}

/** Flags that only mean something together with another: `--what` needs `--needs` (or a condition). */
export function onlyWith(p: ParsedArgs, names: string[], allowed: boolean, context: string): void {
  const given = names.find((n) => p.flags[n] !== undefined);
  if (given !== undefined && !allowed) throw new HearthError('cli.usage', `--${given} goes only with ${context}`, 'remove it or add what it needs');
}

/** No positional arguments allowed. */
export function noPositionals(p: ParsedArgs, usage: string): void {
  if (p.positionals.length > 0) throw new HearthError('cli.usage', `unexpected argument "${p.positionals[0]}"`, `usage: ${usage}`);
}

export function boolFlag(p: ParsedArgs, name: string): boolean {
  return p.flags[name] === true;
}
