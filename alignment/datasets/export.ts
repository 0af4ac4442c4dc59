/**
 * Dataset exports: E2CL's `{input, output}` JSONL (what the authors' trainer reads) and TRL's
 * conversational SFT format (`{"messages": [{role: "user"}, {role: "assistant"}]}`), so a
 * larger model can be trained with an existing trainer. Files are written atomically.
 */
import { HearthError } from '../../env/errors.ts';
import { writeFileAtomic } from '../../env/files.ts';
import { readText } from '../../env/text.ts';

export interface IOPair {
  input: string;
  output: string;
}

export function toE2CLJsonl(records: readonly IOPair[]): string {
  return records.map((r) => JSON.stringify({ input: r.input, output: r.output })).join('\n') + (records.length ? '\n' : '');
}

export function toTrlMessagesJsonl(records: readonly IOPair[]): string {
  return records.map((r) => JSON.stringify({
    messages: [{ role: 'user', content: r.input }, { role: 'assistant', content: r.output }],
  })).join('\n') + (records.length ? '\n' : '');
}

export function writeE2CLJsonl(path: string, records: readonly IOPair[]): void {
  writeFileAtomic(path, toE2CLJsonl(records), { what: 'dataset' });
}

export function writeTrlJsonl(path: string, records: readonly IOPair[]): void {
  writeFileAtomic(path, toTrlMessagesJsonl(records), { what: 'dataset' });
}

/**
 * Read `{input, output}` or TRL `messages` JSONL into pairs; a bad line is a HearthError
 * naming the file and the line.
 */
export function readPairsJsonl(path: string): IOPair[] {
  let text: string;
  try {
    text = readText(path, 'dataset'); // strict UTF-8, BOM stripped
  } catch (e) {
    if (e instanceof HearthError && e.kind === 'text.utf8') throw e;
    throw new HearthError('dataset.read', `cannot read dataset ${path}`, 'pass an existing {input, output} or messages JSONL file');
  }
  const out: IOPair[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new HearthError('dataset.json', `${path}:${i + 1}: not valid JSON`, 'each line must be one JSON object');
    }
    const o = v as Record<string, unknown>;
    if (typeof o.input === 'string' && typeof o.output === 'string') {
      out.push({ input: o.input, output: o.output });
      continue;
    }
    if (Array.isArray(o.messages)) {
      const msgs = o.messages as Array<{ role?: unknown; content?: unknown }>;
      const user = msgs.filter((m) => m.role !== 'assistant').map((m) => String(m.content ?? '')).join('\n');
      const last = msgs[msgs.length - 1];
      if (last && last.role === 'assistant' && typeof last.content === 'string') {
        out.push({ input: user, output: last.content });
        continue;
      }
    }
    throw new HearthError('dataset.shape', `${path}:${i + 1}: expected {"input","output"} strings or a "messages" list ending with an assistant turn`,
      'fix or remove the line');
  }
  return out;
}
