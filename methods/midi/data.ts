/**
 * Dialogues for Midi-Tuning and its flat baseline: simulated users who state their house rules
 * once (round 0) and then ask for one thing per round, answered by the listening expert
 * (dialogue/agents.ts). Train and test users are disjoint by profile (a test user's rule set never
 * occurs in training), and test users come with their own round orders.
 */
import { listeningAgent } from '../../dialogue/agents.ts';
import { profileKey, sampleProfile } from '../../dialogue/profile.ts';
import { runDialogue } from '../../dialogue/session.ts';
import { SimulatedUser } from '../../dialogue/user.ts';
import { transcriptSegments } from './lm-agent.ts';
import type { Segment } from './rounds.ts';

export interface UserSpec { profileSeed: number; orderSeed: number }

/** `count` users for training and `test` users with unseen profiles, all drawn from `seed`. */
export function splitUsers(seed: number, count: number, test: number): { train: UserSpec[]; test: UserSpec[] } {
  const train: UserSpec[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const s = seed * 1_000_003 + i;
    train.push({ profileSeed: s, orderSeed: s });
    seen.add(profileKey(sampleProfile(s)));
  }
  const out: UserSpec[] = [];
  for (let i = 0; out.length < test; i++) {
    if (i > 100_000) throw new Error('could not draw enough unseen users');
    const s = seed * 1_000_003 + 500_000 + i;
    if (!seen.has(profileKey(sampleProfile(s)))) out.push({ profileSeed: s, orderSeed: s + 7 });
  }
  return { train, test: out };
}

export function makeUser(u: UserSpec, rounds: number): SimulatedUser {
  return new SimulatedUser(sampleProfile(u.profileSeed, { disclosure: 'upfront' }), { rounds, seed: u.orderSeed });
}

/** The expert's dialogue with this user, as segments (instruction, user, agent, ..., final reaction). */
export async function expertDialogue(u: UserSpec, rounds: number): Promise<Segment[]> {
  const r = await runDialogue(makeUser(u, rounds), listeningAgent);
  return transcriptSegments(r.transcript);
}
