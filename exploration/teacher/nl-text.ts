/**
 * Script line → E2CL natural-language action (`[PUTIN] <cup> (3) <fridge> (9)` → `Put cup in
 * fridge`), from env/nl.ts's own template table so that the text parses back to the same verb.
 * Object names are class names with `_` shown as spaces, as the E2CL data writes them.
 */
import { renderNLAction } from '../../env/nl.ts';
import type { ScriptLine } from '../../env/script-types.ts';

export function nlAction(line: Pick<ScriptLine, 'action' | 'args'>): string {
  const names = line.args.map((a) => a.name);
  const rendered = renderNLAction(line.action, names);
  if (rendered !== null) return rendered;
  // Verbs without a template (LOOKAT_SHORT/LONG) or RELEASE: the first-word fallback form.
  const text = [line.action.toLowerCase(), ...names.map((n) => n.replace(/_/g, ' '))].join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
