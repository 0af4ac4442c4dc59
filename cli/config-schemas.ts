/**
 * JSON Schemas (checked with ajv) of the configs the CLI accepts: `e2cl --model` (the local
 * model's shape), `e2cl --recipe` (recipe fields for an ablation) and a checkpoint's
 * `e2cl.json` (the inference settings `hearth eval` prompts with). They are checked before any
 * work starts, and a bad value is one line naming the flag or file and the field.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { HearthError } from '../env/errors.ts';

type Schema = Record<string, unknown>;

const int = (minimum: number, maximum = Number.MAX_SAFE_INTEGER): Schema => ({ type: 'integer', minimum, maximum });
const num = (minimum: number, maximum: number): Schema => ({ type: 'number', minimum, maximum });
const obj = (properties: Record<string, Schema>, required: string[] = [], additional = false): Schema =>
  ({ type: 'object', properties, required, additionalProperties: additional });

/** Minimum vocabulary: 256 bytes + 3 special tokens (agent/tokenizer.ts). */
export const MIN_VOCAB = 259;

export const MODEL_SCHEMA: Schema = obj({
  layers: int(1, 64), d: int(1, 8192), heads: int(1, 256), ctx: int(8, 65536), vocab: int(MIN_VOCAB, 1 << 20),
  lr: { type: 'number', exclusiveMinimum: 0, maximum: 10 },
});

const PROMPT_SCHEMA: Schema = obj({
  historySteps: int(0), maxObservationChars: int(1), keepHeldWhenCut: { type: 'boolean' }, feedbackInCorrection: { type: 'boolean' },
});

const DETAIL: Schema = { enum: ['none', 'generic', 'specific'] };

/** Every recipe field an override may set (exploration/pipeline.ts `Recipe`, without `name`). */
export const RECIPE_OVERRIDE_SCHEMA: Schema = obj({
  seed: int(Number.MIN_SAFE_INTEGER), prompt: PROMPT_SCHEMA, detail: DETAIL,
  initEpochs: int(1, 10_000), finetuneEpochs: int(1, 10_000), batchSize: int(1, 65_536), maxSteps: int(1, 10_000),
  actionTokens: int(1, 4096), feedbackTokens: int(1, 4096), concurrency: int(1, 65_536), maxBatch: int(1, 65_536),
  teacherGuided: obj({ samples: int(1, 1000), temperature: num(0, 100), correction: { enum: ['expert', 'planner'] } }),
  teacherFree: obj({
    corrector: { enum: ['planner', 'llm', 'sample'] }, temperature: num(0, 100), samples: int(1, 1000), episodesPerTask: int(1, 1000), maxSteps: int(1, 10_000),
    greedyEpisodes: int(0, 1000), planningRecords: { type: 'boolean' },
  }),
  correctionGuard: { enum: ['none', 'no-repeat'] }, correctionAttempts: int(1, 16), replanOnFailure: { type: 'boolean' }, continueSchedule: { type: 'boolean' }, lengthGroups: int(0, 1_000_000), lengthBy: { enum: ['chars', 'tokens'] }, heldOutShare: num(0, 0.9),
  maxExplorationRecords: int(0), episodeTimeoutMs: int(1), bootstrapResamples: int(1, 1_000_000), maxExpertSteps: int(1, 10_000),
  feedbackBalance: num(0, 1e9), renamedCopies: int(0, 1000), renamedPlanningShare: num(0, 1), renamedShareOfMix: num(0, 1), renamedExplorationShare: num(0, 1), contrastProposals: int(0, 8),
});

/** A checkpoint's `e2cl.json` (exploration/pipeline.ts `InferenceSettings`); other fields are ignored. */
export const SETTINGS_SCHEMA: Schema = obj({
  prompt: PROMPT_SCHEMA, actionTokens: int(1, 4096), feedbackTokens: int(1, 4096), maxSteps: int(1, 10_000), detail: DETAIL,
  recipe: { type: 'string' }, maxExpertSteps: int(1, 10_000), correctionGuard: { enum: ['none', 'no-repeat'] },
  correctionAttempts: int(1, 16), replanOnFailure: { type: 'boolean' },
}, ['prompt', 'actionTokens', 'feedbackTokens', 'maxSteps'], true);

const ajv = new Ajv({ allErrors: false, strict: false, verbose: true });
const compiled = new Map<Schema, ValidateFunction>();

function validator(schema: Schema): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) compiled.set(schema, (v = ajv.compile(schema)));
  return v;
}

/** What a schema node accepts, in words: "a positive integer", "a number in [0, 1]", "one of a, b". */
export function describeSchema(s: Schema): string {
  if (Array.isArray(s.enum)) return `one of ${(s.enum as unknown[]).map(String).join(', ')}`;
  const lo = s.minimum as number | undefined, hi = s.maximum as number | undefined;
  const big = (x: number | undefined) => x === undefined || Math.abs(x) >= Number.MAX_SAFE_INTEGER;
  if (s.type === 'integer') {
    const base = lo === 1 ? 'a positive integer' : lo === 0 ? 'a non-negative integer' : 'an integer';
    if (lo !== undefined && !big(lo) && lo !== 0 && lo !== 1) return big(hi) ? `an integer ≥ ${lo}` : `an integer in [${lo}, ${hi}]`;
    return big(hi) ? base : `${base} ≤ ${hi}`;
  }
  if (s.type === 'number') {
    if (s.exclusiveMinimum !== undefined) return `a number > ${String(s.exclusiveMinimum)}${hi !== undefined ? ` and ≤ ${hi}` : ''}`;
    return lo !== undefined && hi !== undefined ? `a number in [${lo}, ${hi}]` : 'a number';
  }
  if (s.type === 'boolean') return 'true or false';
  if (s.type === 'object') return 'a JSON object';
  if (s.type === 'string') return 'a string';
  return 'valid';
}

function fieldOf(e: ErrorObject): string {
  return e.instancePath.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')).join('.');
}

/** One line for the first schema error: `"field" must be …, got …` or `unknown field "x"`. */
function explain(e: ErrorObject, noun: string): { message: string; hint?: string } {
  const field = fieldOf(e);
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    const known = Object.keys(((e.parentSchema ?? {}) as Schema).properties as object ?? {});
    return { message: `unknown ${noun} "${field ? `${field}.` : ''}${extra}"`, hint: `fields: ${known.sort().join(', ')}` };
  }
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return { message: `missing field "${field ? `${field}.` : ''}${missing}"` };
  }
  const schema = (e.parentSchema ?? {}) as Schema;
  const want = describeSchema(schema);
  const numeric = schema.type === 'integer' || schema.type === 'number';
  const wrongType = e.keyword === 'type' && numeric && typeof e.data !== 'number';
  const what = wrongType && want !== 'a number' ? `a number (${want})` : want;
  return { message: `${field ? `"${field}"` : 'the value'} must be ${what}, got ${JSON.stringify(e.data)}` };
}

/**
 * Validate parsed JSON against `schema`; throws HearthError(kind) with `source` (a flag or a
 * file), the field and what it must be. `noun` names unknown fields ("field", "recipe field").
 */
export function checkConfig(json: unknown, schema: Schema, source: string, kind: string, noun = 'field', hint?: string): void {
  const v = validator(schema);
  if (v(json)) return;
  const first = v.errors?.[0];
  if (!first) throw new HearthError(kind, `${source} is invalid`, hint);
  if (first.instancePath === '' && first.keyword === 'type') throw new HearthError(kind, `${source} must be a JSON object`, hint);
  const x = explain(first, noun);
  throw new HearthError(kind, `${source}: ${x.message}`, x.hint ?? hint);
}
