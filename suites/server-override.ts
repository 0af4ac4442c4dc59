/**
 * `hearth suite run FILE --base-url URL [--model M] [--api completions|chat] [--cache FILE
 * [--cache-mode M]]`: point a suite at a model server without editing the file. Every `openai`
 * agent of the suite takes the given fields; a suite without one gets an agent `served`
 * (kind openai, no speculative inference), so any suite (the quick example, EAI's) compares a
 * served model with its other agents. The result is checked like a suite file and hashed
 * again (an agent's `baseUrl` and `cacheMode` are not in the hash: see spec.ts `specHash`).
 */
import { resolve } from 'node:path';
import { HearthError } from '../env/errors.ts';
import { type AgentSpec, type LoadedSuite, type OpenAIAgent, specHash } from './spec.ts';

export interface ServerOverride {
  baseUrl: string;
  model?: string;
  api?: 'completions' | 'chat';
  cache?: string;
  cacheMode?: 'auto' | 'record' | 'replay' | 'off';
}

export const SERVED_AGENT = 'served';

export function withServer(suite: LoadedSuite, o: ServerOverride): LoadedSuite {
  if (!/^https?:\/\//.test(o.baseUrl)) throw new HearthError('cli.usage', `--base-url must be an http:// or https:// URL, got "${o.baseUrl}"`, 'e.g. --base-url http://127.0.0.1:8000/v1');
  if (o.cacheMode !== undefined && o.cache === undefined && !suite.spec.agents.some((a) => a.kind === 'openai' && a.cache)) {
    throw new HearthError('cli.usage', '--cache-mode needs --cache FILE (or a cache in the suite\'s openai agent)', 'e.g. --cache runs/suites/served-cache.jsonl');
  }
  const fields: Partial<OpenAIAgent> = { baseUrl: o.baseUrl };
  if (o.model !== undefined) fields.model = o.model;
  if (o.api !== undefined) fields.api = o.api;
  if (o.cache !== undefined) fields.cache = resolve(o.cache);
  if (o.cacheMode !== undefined) fields.cacheMode = o.cacheMode;
  let agents: AgentSpec[];
  if (suite.spec.agents.some((a) => a.kind === 'openai')) {
    agents = suite.spec.agents.map((a) => (a.kind === 'openai' ? { ...a, ...fields } : a));
  } else {
    if (suite.spec.agents.some((a) => a.name === SERVED_AGENT)) {
      throw new HearthError('cli.usage', `${suite.file} has an agent named "${SERVED_AGENT}" that is not an openai agent: --base-url cannot add one`, 'rename that agent, or add an openai agent to the suite');
    }
    agents = [...suite.spec.agents, { name: SERVED_AGENT, kind: 'openai', speculative: false, ...fields } as OpenAIAgent];
  }
  const spec = { ...suite.spec, agents };
  return { ...suite, spec, hash: specHash(spec) };
}
