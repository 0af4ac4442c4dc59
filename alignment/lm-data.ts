/**
 * Training data for `hearth train-lm` from JSONL, read by the one dataset reader
 * (`readDatasetJsonl`, alignment/datasets/export.ts: schema-checked, errors naming file, line
 * and field): E2CL's `{"input", "output"}`, TRL's conversational `{"messages": [...]}` or TRL's
 * prompt-completion `{"prompt", "completion"}`. A conversation becomes text as
 * `role: content` lines followed by `assistant:`, its last assistant message the output.
 */
import { existsSync } from 'node:fs';
import { HearthError } from '../env/errors.ts';
import { readDatasetJsonl, type Message } from './datasets/export.ts';
import type { IOPairLike } from './packing.ts';

export function messagesToPair(messages: Array<{ role: string; content: string }>): IOPairLike | null {
  let last = -1;
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'assistant') { last = i; break; }
  if (last < 0) return null;
  const input = messages.slice(0, last).map((m) => `${m.role}: ${m.content}\n`).join('') + 'assistant:';
  return { input, output: ` ${messages[last].content}` };
}

export function readPairsJsonl(path: string): IOPairLike[] {
  if (!existsSync(path)) throw new HearthError('data.missing', `data file ${path} does not exist`, 'pass --data FILE.jsonl with {input, output}, {messages} or {prompt, completion} records');
  // SFT formats may share a file (train-lm has always read {input, output} and messages side by side).
  const d = readDatasetJsonl(path, { expect: ['e2cl', 'messages', 'prompt-completion'], what: 'data file', mixed: true });
  return d.records.map((r, k) => {
    if (r.format === 'e2cl') return { input: r.input, output: r.output };
    let conversation: Message[] | null = null;
    if (r.format === 'messages') conversation = r.messages;
    else if (r.format === 'prompt-completion') {
      if (typeof r.prompt === 'string' && typeof r.completion === 'string') return { input: r.prompt, output: r.completion };
      const asMessages = (t: string | Message[], role: string): Message[] => (typeof t === 'string' ? [{ role, content: t }] : t);
      conversation = [...asMessages(r.prompt, 'user'), ...asMessages(r.completion, 'assistant')];
    }
    const p = conversation ? messagesToPair(conversation) : null;
    if (!p) throw new HearthError('data.record', `${path}:${d.lines[k]}: "messages" has no assistant turn`, 'end each conversation with an assistant turn');
    return p;
  });
}
