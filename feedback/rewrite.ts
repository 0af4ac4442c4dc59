/**
 * E2CL's rewrite of VirtualHome messages into feedback text (`rewrite_failR` in the
 * authors' code, spec/e2cl.md §6): cut at `when executing`, drop `(...)` and `<>`,
 * collapse spaces, `character` → `Robot agent`.
 *
 * `<character> (65) is not close to <tv> (264) when executing "[SWITCHON] <tv> (264) [1]"`
 * becomes `Robot agent is not close to tv`.
 *
 * Harness-level messages (unknown object, not in hand, same object, wrong arity, unknown
 * verb: spec §1) are not simulator messages and are used verbatim.
 */

/** True when the text looks like a simulator message (ids in angle brackets or the `when executing` tail). */
export function isSimulatorMessage(message: string): boolean {
  return message.includes('when executing') || /<[^<>]+>\s*\(\s*\d/.test(message);
}

/** The rewrite itself, applied unconditionally (the authors' function). */
export function rewriteFailRaw(message: string): string {
  let s = message;
  const cut = s.indexOf('when executing');
  if (cut >= 0) s = s.slice(0, cut);
  s = s.replace(/\([^()]*\)/g, '');
  s = s.replace(/[<>]/g, '');
  // Stryker disable next-line Regex: the filter drops the empty words that splitting on single spaces leaves
  s = s.split(/\s+/).filter((w) => w.length > 0).join(' ');
  s = s.replace(/\bcharacter\b/g, 'Robot agent');
  return s;
}

/** The rewrite for simulator messages; harness-level messages pass through (trimmed). */
export function rewriteFailR(message: string): string {
  return isSimulatorMessage(message) ? rewriteFailRaw(message) : message.trim().split(/\s+/).join(' ');
}
