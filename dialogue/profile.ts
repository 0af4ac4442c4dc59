/**
 * A simulated user's hidden preference profile: one place per thing it asks to have put away,
 * and optionally some behaviour rules, drawn from the catalogue with a seed. Plus how it
 * discloses them: `upfront` states every preference in round 0 (Midi-Tuning's "instruct once"),
 * `hidden` only answers questions and names a preference after it was violated (SPDA's setting).
 */
import { Prng } from '../env/prng.ts';
import { BEHAVIOUR_SLOTS, PLACEMENT_OPTIONS, placementId, preference, type Preference } from './preferences.ts';

export type Disclosure = 'upfront' | 'hidden';

export const PROFILE_VERSION = 1;

export interface UserProfile {
  version: typeof PROFILE_VERSION;
  /** The seed it was drawn with (the same seed, the same profile). */
  seed: number;
  disclosure: Disclosure;
  /** Preference ids from the catalogue, one per slot, placements first (in PLACEMENT_OPTIONS order). */
  preferences: string[];
}

export interface ProfileOptions {
  disclosure?: Disclosure;
  /** Probability that a behaviour slot is set (default 0.5). */
  behaviourRate?: number;
}

export function sampleProfile(seed: number, options: ProfileOptions = {}): UserProfile {
  const rng = new Prng((seed * 2654435761 + 17) >>> 0);
  const prefs: string[] = [];
  for (const [object, places] of Object.entries(PLACEMENT_OPTIONS)) prefs.push(placementId(object, rng.pick(places)));
  const rate = options.behaviourRate ?? 0.5;
  for (const id of Object.values(BEHAVIOUR_SLOTS)) if (rng.next() < rate) prefs.push(id);
  return { version: PROFILE_VERSION, seed, disclosure: options.disclosure ?? 'upfront', preferences: prefs };
}

export function profilePreferences(p: UserProfile): Preference[] {
  return p.preferences.map(preference);
}

/** The profile's identity for splits (seen/unseen users): its preferences, not its seed. */
export function profileKey(p: UserProfile): string {
  return [...p.preferences].sort().join('|');
}
