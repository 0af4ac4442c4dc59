/**
 * End to end with Hearth's own model: a tiny TensorFlow.js checkpoint is created and saved,
 * `node bin/hearth.mjs serve --checkpoint DIR --port 0` is spawned as a real process, and a
 * plain `fetch` and the HTTP backend query it; answers are compared with the same checkpoint
 * loaded in this process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel, loadModel, type LocalModel } from '../../agent/local-model.ts';
import { OpenAIHttpModel } from '../../agent/backends/openai-http.ts';
import { serveModel } from '../../agent/backends/serve.ts';
import { Episode, runEpisode } from '../../env/episode.ts';
import { DEMO_SOLUTION, demoTask } from '../../env/scenes/demo-house.ts';
import { ACTION_CORPUS } from './char-ngram-model.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = join(mkdtempSync(join(tmpdir(), 'hearth-serve-')), 'ckpt');
let local: LocalModel;
let child: ChildProcess | undefined;

/** Spawn `hearth serve` and resolve with its API root once it prints the bound address. */
function spawnServe(args: string[]): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, [join(ROOT, 'bin/hearth.mjs'), 'serve', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  return new Promise((res, rej) => {
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+\/v1)/.exec(out);
      if (m) res({ url: m[1], proc });
    });
    proc.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
    proc.on('exit', (code) => rej(new Error(`hearth serve exited with ${code} before listening: ${err}`)));
  });
}

beforeAll(async () => {
  const made = await createModel({ config: { vocabSize: 320, ctx: 64, layers: 1, d: 32, heads: 2 }, corpus: ACTION_CORPUS, seed: 3 });
  made.save(dir);
  await made.dispose();
  local = await loadModel(dir);
});
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGTERM');
  await local?.dispose();
});

describe('hearth serve with a local checkpoint', () => {
  it('in process: the HTTP backend reproduces the local model (greedy text, seeded samples, log-probs)', async () => {
    const srv = await serveModel(local, { modelId: 'local' });
    try {
      const client = new OpenAIHttpModel({ baseUrl: srv.url, model: 'local' });
      const prompts = ['Task: turn on the tv\nAction:', 'Task: read a book\nAction:'];
      for (const options of [{ maxTokens: 12, temperature: 0 }, { maxTokens: 12, temperature: 0.9, seed: 4 }]) {
        expect(await client.generate(prompts, options)).toEqual(await local.generate(prompts, options));
      }
      const conts = [' Switch on tv', ' Walk to bedroom'];
      const viaHttp = await client.logProbs(prompts, conts);
      const direct = await local.logProbs(prompts, conts);
      for (let i = 0; i < direct.length; i++) expect(Math.abs(viaHttp[i] - direct[i])).toBeLessThan(1e-3 * Math.max(1, Math.abs(direct[i])));
    } finally {
      await srv.close();
    }
  });

  it('the HTTP backend runs an episode on the demo house against the served local model', async () => {
    const srv = await serveModel(local, { modelId: 'local' });
    try {
      const client = new OpenAIHttpModel({ baseUrl: srv.url, model: 'local' });
      // Constrained to the demo's NL actions: the (untrained) model's choice is scored over HTTP.
      const allowed = [...new Set([...DEMO_SOLUTION, 'END'])];
      const prompt = (o: string, t: number) => `Observation: ${o.slice(-60)}\nStep ${t}. Action:`;
      const episode = new Episode(demoTask(), { maxSteps: 4 });
      const chosen: Array<{ p: string; a: string }> = [];
      const outcomes = await runEpisode(episode, async (view) => {
        const p = prompt(view.observation, view.t);
        const [a] = await client.generate([p], { maxTokens: 16, allowed: allowed.map((x) => ` ${x}`) });
        chosen.push({ p, a: a.trim() });
        return a.trim();
      });
      expect(outcomes.length).toBeGreaterThan(0);
      expect(outcomes.map((o) => o.action)).toEqual(chosen.map((c) => c.a));
      // Each action is the one the local model itself scores highest (up to float32 noise
      // between the HTTP path's per-piece sums and one direct pass).
      for (const { p, a } of chosen) {
        const scores = await local.logProbs(allowed.map(() => p), allowed.map((x) => ` ${x}`));
        expect(allowed).toContain(a);
        expect(Math.max(...scores) - scores[allowed.indexOf(a)]).toBeLessThan(1e-3);
      }
      expect(outcomes.at(-1)!.terminated || outcomes.at(-1)!.truncated).toBe(true);
    } finally {
      await srv.close();
    }
  });

  it('as a process: prints its port, answers plain fetch requests as an OpenAI server, stops on SIGTERM', async () => {
    const started = await spawnServe(['--checkpoint', dir, '--port', '0', '--model-id', 'tiny', '--quiet']);
    child = started.proc;
    const headers = { 'content-type': 'application/json', authorization: 'Bearer unused' };
    const models = await (await fetch(`${started.url}/models`)).json();
    expect(models.data[0].id).toBe('tiny');

    const prompt = 'Task: put the apple in the fridge\nAction:';
    const r = await fetch(`${started.url}/completions`, { method: 'POST', headers, body: JSON.stringify({ model: 'tiny', prompt, max_tokens: 10, temperature: 0 }) });
    expect(r.status).toBe(200);
    const completion = await r.json();
    expect(completion.choices[0].text).toBe((await local.generate([prompt], { maxTokens: 10, temperature: 0 }))[0]);
    expect(completion.usage.prompt_tokens).toBe(local.tokenizer.encode(prompt).length);

    const c = await fetch(`${started.url}/chat/completions`, {
      method: 'POST', headers, body: JSON.stringify({ model: 'tiny', messages: [{ role: 'user', content: 'Task: turn on the tv' }], max_tokens: 8 }),
    });
    expect(c.status).toBe(200);
    const chat = await c.json();
    expect(chat.choices[0].message.role).toBe('assistant');
    expect(typeof chat.choices[0].message.content).toBe('string');

    const exited = new Promise<number | null>((res) => child!.on('exit', (code) => res(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('a missing checkpoint is a one-line error and exit code 2', async () => {
    const proc = spawn(process.execPath, [join(ROOT, 'bin/hearth.mjs'), 'serve', '--checkpoint', join(dir, 'nope'), '--port', '0'], { cwd: ROOT });
    let err = '';
    proc.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    const code = await new Promise<number | null>((res) => proc.on('exit', res));
    expect(code).toBe(2);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toContain('nope');
    expect(err).toContain('does not exist');
  });
});
