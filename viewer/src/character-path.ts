/**
 * Where the character goes at each step. A successful action on an object leaves the character
 * beside it (VirtualHome's actions need the character close to their object); for an action
 * with two objects (PUTIN cup microwave) it ends beside the second. A failed step does not
 * move it. Without a grounded script line the step's `character.room` (or an INSIDE edge to a
 * room in the diff) moves it to that room.
 */
import type { LogStep } from './log-types.ts';

/** Ids named in a grounded script line: `[PUTIN] <cup> (24) <microwave> (21)` → [24, 21]. */
export function scriptIds(script: string): number[] {
  const ids: number[] = [];
  for (const m of script.matchAll(/<[^>]*>\s*\(([\d.]+)\)/g)) {
    const parts = m[1].split('.');
    const id = Number(parts[parts.length - 1]);
    if (Number.isInteger(id)) ids.push(id);
  }
  return ids;
}

/** The node a step takes the character to, or undefined when it stays. */
export function stepTarget(step: LogStep, characterId: number | undefined, isRoom: (id: number) => boolean): number | undefined {
  if (!step.ok) return undefined;
  if (step.script) {
    const ids = scriptIds(step.script);
    if (ids.length > 0) return ids[ids.length - 1];
  }
  if (step.character?.room !== undefined && step.character.room !== null) return step.character.room;
  if (characterId !== undefined) {
    for (const [a, rel, b] of step.diff.edgesAdded) if (a === characterId && rel === 'INSIDE' && isRoom(b)) return b;
  }
  return undefined;
}

/**
 * For every step index k (0 = before the first step), the index of the last step ≤ k that moved
 * the character (0 when none has), and that step's target.
 */
export function characterMoves(steps: LogStep[], characterId: number | undefined, isRoom: (id: number) => boolean): { mover: Int32Array; target: Int32Array } {
  const mover = new Int32Array(steps.length + 1);
  const target = new Int32Array(steps.length + 1).fill(-1);
  for (let k = 1; k <= steps.length; k++) {
    const t = stepTarget(steps[k - 1], characterId, isRoom);
    if (t !== undefined) { mover[k] = k; target[k] = t; } else { mover[k] = mover[k - 1]; target[k] = target[k - 1]; }
  }
  return { mover, target };
}
