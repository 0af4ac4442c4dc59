/**
 * Loading scene graphs from files: read, parse, validate against env/schema/graph.schema.json
 * (ajv), then build the indexed SceneGraph, which checks property/state/relation strings
 * against VirtualHome's enums and names the node on an unknown one. Every problem is a
 * one-line HearthError naming the file (and the node or JSON path).
 */
import { createRequire } from 'node:module';
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import { HearthError } from './errors.ts';
import { SceneGraph, type GraphJSON } from './graph.ts';
import { locateJSONError } from './json-locate.ts';
import { readText } from './text.ts';

const require = createRequire(import.meta.url);
const graphSchema = require('./schema/graph.schema.json') as object;

export interface GraphLoadOptions {
  /** Accept property/state/relation strings outside VirtualHome's enums (they are dropped). */
  lenient?: boolean;
}

// ajv's CommonJS default export arrives as `.default` under some loaders.
const Ajv = ((AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule) as typeof AjvModule;
let validator: ValidateFunction | undefined;

function describe(err: ErrorObject, json: unknown): string {
  const path = err.instancePath || '/';
  // Name the node or edge the error sits in, so that the user can find it.
  const m = /^\/(nodes|edges)\/(\d+)/.exec(err.instancePath);
  let where = '';
  if (m) {
    const item = (json as Record<string, unknown[]>)[m[1]]?.[Number(m[2])] as Record<string, unknown> | undefined;
    if (m[1] === 'nodes' && item && item.id !== undefined) where = ` (node ${JSON.stringify(item.id)}${typeof item.class_name === 'string' ? ` <${item.class_name}>` : ''})`;
    if (m[1] === 'edges' && item) where = ` (edge ${JSON.stringify(item.from_id)} -${String(item.relation_type)}-> ${JSON.stringify(item.to_id)})`;
  }
  return `${path}${where} ${err.message ?? 'is invalid'}`;
}

/** Validate graph JSON against the schema; throws a HearthError naming the first problem. */
export function validateGraph(json: unknown, source = 'graph'): asserts json is GraphJSON {
  if (!validator) validator = new Ajv({ allErrors: false, strict: false }).compile(graphSchema);
  if (!validator(json)) {
    const first = validator.errors?.[0];
    throw new HearthError('graph.schema', `${source}: ${first ? describe(first, json) : 'is not a scene graph'}`,
      'a scene graph is {"nodes": [{"id", "class_name", "properties", "states"}, ...], "edges": [{"from_id", "relation_type", "to_id"}, ...]}');
  }
}

/** Parse JSON text; a syntax error becomes a HearthError with line and column. */
export function parseJSONText(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const { offset, problem } = locateJSONError(text);
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    throw new HearthError('file.json', `${source}: malformed JSON at line ${line}, column ${column}: ${problem}`, 'fix the JSON syntax');
  }
}

/** Read a UTF-8 file; a missing or unreadable file becomes a HearthError naming it. */
export function readTextFile(path: string, what = 'file'): string {
  return readText(path, what); // strict UTF-8, BOM stripped (env/text.ts)
}

/** Build a SceneGraph from already-parsed JSON: schema, then vocabulary (naming the node). */
export function graphFromJSON(json: unknown, source = 'graph', options: GraphLoadOptions = {}): SceneGraph {
  validateGraph(json, source);
  return SceneGraph.fromJSON(json, { lenient: options.lenient, source });
}

/** Load a VirtualHome graph JSON file. */
export function loadGraphFile(path: string, options: GraphLoadOptions = {}): SceneGraph {
  const text = readTextFile(path, 'graph file');
  return graphFromJSON(parseJSONText(text, path), path, options);
}
