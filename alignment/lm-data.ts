/**
 * Training data for the local model from JSONL: each line is either E2CL's
 * `{"input": "...", "output": "..."}` or TRL's conversational `{"messages": [{role, content}, ...]}`
 * (the last assistant message is the output; earlier turns become the input as
 * `role: content` lines followed by `assistant:`). Bad lines are errors naming file and line.
 */
import { existsSync } from 'node:fs';
import { HearthError } from '../env/errors.ts';
import { readText } from '../env/text.ts';
import type { IOPairLike } from './packing.ts';

export function messagesToPair(messages: Array<{ role: string; content: string }>): IOPairLike | null {
  let last = -1;
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'assistant') { last = i; break; }
  if (last < 0) return null;
  const input = messages.slice(0, last).map((m) => `${m.role}: ${m.content}\n`).join('') + 'assistant:';
  return { input, output: ` ${messages[last].content}` };
}

export function readPairsJsonl(path: string): IOPairLike[] {
  if (!existsSync(path)) throw new HearthError('data.missing', `data file ${path} does not exist`, 'pass --data FILE.jsonl with {input, output} or {messages} records');
  const lines = readText(path, 'data file').split('\n'); // a directory or unreadable file: one-line error
  const out: IOPairLike[] = [];
  const fix = 'each line must be {"input": string, "output": string} or {"messages": [{"role", "content"}, ...]} ending with an assistant turn';
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${path}:${i + 1}`;
    let rec: unknown;
    try { rec = JSON.parse(line); } catch (e) { throw new HearthError('data.json', `${where}: not valid JSON (${(e as Error).message})`, fix); }
    if (typeof rec !== 'object' || rec === null) throw new HearthError('data.record', `${where}: not a JSON object`, fix);
    const r = rec as Record<string, unknown>;
    if ('messages' in r) {
      const ms = r.messages;
      if (!Array.isArray(ms) || ms.some((m) => typeof m?.role !== 'string' || typeof m?.content !== 'string')) {
        throw new HearthError('data.record', `${where}: "messages" must be an array of {role: string, content: string}`, fix);
      }
      const p = messagesToPair(ms as Array<{ role: string; content: string }>);
      if (!p) throw new HearthError('data.record', `${where}: "messages" has no assistant turn`, fix);
      out.push(p);
      return;
    }
    if (typeof r.input !== 'string' || typeof r.output !== 'string') {
      throw new HearthError('data.record', `${where}: needs string fields "input" and "output"${'input' in r || 'output' in r ? '' : ' (or "messages")'}`, fix);
    }
    out.push({ input: r.input, output: r.output });
  });
  if (out.length === 0) throw new HearthError('data.empty', `data file ${path} has no records`, fix);
  return out;
}
