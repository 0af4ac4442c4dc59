/**
 * JSON Schemas (ajv) of the simulated user's profile and of dialogue utterances: a profile or
 * transcript read from a file, and everything the user emits, is checked against them, and a bad
 * one is a HearthError naming the source and the field.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { HearthError } from '../env/errors.ts';
import { CATALOGUE } from './preferences.ts';
import type { UserProfile } from './profile.ts';

type Schema = Record<string, unknown>;

export const PROFILE_SCHEMA: Schema = {
  $id: 'https://hearth.dev/schema/user-profile.schema.json',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'seed', 'disclosure', 'preferences'],
  properties: {
    version: { const: 1 },
    seed: { type: 'integer' },
    disclosure: { enum: ['upfront', 'hidden'] },
    preferences: { type: 'array', uniqueItems: true, items: { enum: [...CATALOGUE.keys()] } },
  },
};

export const UTTERANCE_SPEAKERS = ['user', 'agent'] as const;
export const USER_KINDS = ['rules', 'instruction', 'answer', 'reaction'] as const;
export const AGENT_KINDS = ['question', 'plan'] as const;

export const UTTERANCE_SCHEMA: Schema = {
  $id: 'https://hearth.dev/schema/utterance.schema.json',
  type: 'object',
  additionalProperties: false,
  required: ['round', 'speaker', 'kind', 'text'],
  properties: {
    round: { type: 'integer', minimum: 0 },
    speaker: { enum: [...UTTERANCE_SPEAKERS] },
    kind: { enum: [...USER_KINDS, ...AGENT_KINDS] },
    text: { type: 'string', minLength: 1, maxLength: 2000 },
    /** The profile facts a user utterance states (every user statement traces to one, or to the state). */
    facts: { type: 'array', items: { enum: [...CATALOGUE.keys()] } },
  },
  if: { properties: { speaker: { const: 'user' } } },
  then: { properties: { kind: { enum: [...USER_KINDS] } } },
  else: { properties: { kind: { enum: [...AGENT_KINDS] } } },
};

export interface Utterance {
  round: number;
  speaker: 'user' | 'agent';
  kind: (typeof USER_KINDS)[number] | (typeof AGENT_KINDS)[number];
  text: string;
  facts?: string[];
}

let compiled: { profile: ValidateFunction; utterance: ValidateFunction } | undefined;

function validators() {
  if (!compiled) {
    const ajv = new Ajv({ strict: false, allErrors: false });
    compiled = { profile: ajv.compile(PROFILE_SCHEMA), utterance: ajv.compile(UTTERANCE_SCHEMA) };
  }
  return compiled;
}

function fail(v: ValidateFunction, what: string, source: string, hint: string): never {
  const e = v.errors?.[0];
  const where = e?.instancePath || '(root)';
  const extra = e?.params && 'allowedValues' in e.params ? ` (allowed: ${(e.params.allowedValues as unknown[]).join(', ')})` : '';
  throw new HearthError(`dialogue.${what}`, `${source}: ${what} ${where} ${e?.message ?? 'is invalid'}${extra}`, hint);
}

export function validateProfile(value: unknown, source = 'profile'): UserProfile {
  const v = validators().profile;
  if (!v(value)) fail(v, 'profile', source, 'a profile is {version: 1, seed, disclosure: "upfront"|"hidden", preferences: [catalogue ids]} (dialogue/preferences.ts)');
  const p = value as UserProfile;
  const slots = new Set<string>();
  for (const id of p.preferences) {
    const slot = CATALOGUE.get(id)!.slot;
    if (slots.has(slot)) throw new HearthError('dialogue.profile', `${source}: profile has two preferences for slot ${slot}`, 'keep one preference per slot');
    slots.add(slot);
  }
  return p;
}

export function validateUtterance(value: unknown, source = 'utterance'): Utterance {
  const v = validators().utterance;
  if (!v(value)) fail(v, 'utterance', source, 'an utterance is {round, speaker: "user"|"agent", kind, text, facts?}');
  return value as Utterance;
}
