/** Reading an instruction back from its words (what a symbolic agent hears). */
import type { Instruction } from './instructions.ts';
import { PLACEMENT_OBJECTS } from './preferences.ts';

export function parseInstruction(text: string): Instruction | null {
  const t = text.trim().toLowerCase();
  if (t.includes('cosy')) return { kind: 'cosy' };
  const m = /put the (.+?) away/.exec(t);
  const object = m ? PLACEMENT_OBJECTS.find((o) => o.replace(/_/g, ' ') === m[1]) : undefined;
  return object ? { kind: 'put_away', object } : null;
}
