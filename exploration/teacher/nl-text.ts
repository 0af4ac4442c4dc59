/**
 * Script line → E2CL natural-language action (`[PUTIN] <cup> (3) <fridge> (9)` → `Put cup in
 * fridge`), from env/nl.ts's own template table so that the text parses back to the same verb.
 * Object names are class names with `_` shown as spaces, as the E2CL data writes them.
 */
import { NL_VERBS } from '../../env/nl.ts';
import type { ScriptLine } from '../../env/script-types.ts';

export function nlAction(line: Pick<ScriptLine, 'action' | 'args'>): string {
  const tp = NL_VERBS.get(line.action);
  const names = line.args.map((a) => a.name.replace(/_/g, ' '));
  let text: string;
  if (!tp || tp.template.split('{}').length - 1 !== names.length) {
    // Verbs without a template (LOOKAT_SHORT/LONG) or RELEASE: the first-word fallback form.
    text = [line.action.toLowerCase(), ...names].join(' ');
  } else {
    let i = 0;
    text = tp.template.replace(/\{\}/g, () => names[i++]);
  }
  return text.charAt(0).toUpperCase() + text.slice(1);
}
