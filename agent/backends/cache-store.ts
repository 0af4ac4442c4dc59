/**
 * Where recorded model calls live. Two layouts, chosen by the path:
 * - `FILE.jsonl`: one entry per line, appended and fsync'd per entry (a crash can leave at
 *   most a torn last line, which loading cuts off with a warning); later lines win.
 * - any other path: a directory with one `<key[0:2]>/<key>.json` per entry, each written to
 *   a temp file and renamed (atomic; safe for several processes recording at once).
 */
import { existsSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { HearthError } from '../../env/errors.ts';
import { appendFileDurable, writeFileAtomic } from '../../env/files.ts';
import { readText } from '../../env/text.ts';

export interface CacheEntry {
  v: 1;
  key: string;
  op: 'generate' | 'logprob';
  model: string;
  prompt: string;
  continuation?: string;
  /** Normalised sampling settings (generate only). */
  options?: Record<string, unknown>;
  output: string | number;
}

export interface CacheStore {
  readonly path: string;
  get(key: string): CacheEntry | undefined;
  put(entry: CacheEntry): void;
}

export function openCacheStore(path: string): CacheStore {
  return path.endsWith('.jsonl') ? new JsonlStore(path) : new DirectoryStore(path);
}

class JsonlStore implements CacheStore {
  private readonly entries = new Map<string, CacheEntry>();

  constructor(readonly path: string) {
    if (!existsSync(path)) return;
    const text = readText(path, 'cache file'); // strict UTF-8, BOM stripped
    const lines = text.split('\n');
    let torn = false;
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let entry: CacheEntry;
      try {
        entry = JSON.parse(line) as CacheEntry;
      } catch {
        if (i === lines.length - 1) {
          // Cut the torn tail off the file itself, so that later appends start on a clean line.
          truncateSync(path, Buffer.byteLength(lines.slice(0, i).map((l) => `${l}\n`).join('')));
          process.stderr.write(`warning: ${path}: dropped a torn last line (line ${i + 1}, interrupted write)\n`);
          torn = true;
          return;
        }
        throw new HearthError('cache.invalid', `${path}:${i + 1}: not a JSON line`, 'fix or delete that line, or record the cache again');
      }
      if (entry?.v !== 1 || typeof entry.key !== 'string') {
        throw new HearthError('cache.invalid', `${path}:${i + 1}: not a Hearth cache entry (v 1 with a key)`, 'point the cache at a file written by Hearth');
      }
      this.entries.set(entry.key, entry);
    });
    // A complete last entry whose newline was lost would glue onto the next append.
    if (!torn && lines[lines.length - 1].trim() !== '') this.append('');
  }

  get(key: string): CacheEntry | undefined {
    return this.entries.get(key);
  }

  put(entry: CacheEntry): void {
    this.append(`${JSON.stringify(entry)}\n`);
    this.entries.set(entry.key, entry);
  }

  private append(text: string): void {
    appendFileDurable(this.path, text === '' ? '\n' : text, { what: 'model-call cache', kind: 'cache.write' });
  }
}

class DirectoryStore implements CacheStore {
  constructor(readonly path: string) {
    if (existsSync(path) && !statSync(path).isDirectory()) {
      throw new HearthError('cache.invalid', `cache path ${path} is a file, not a directory`,
        'give a directory, or a path ending in .jsonl for a single-file cache');
    }
  }

  private file(key: string): string {
    return join(this.path, key.slice(0, 2), `${key}.json`);
  }

  get(key: string): CacheEntry | undefined {
    const file = this.file(key);
    if (!existsSync(file)) return undefined;
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as CacheEntry;
    } catch {
      throw new HearthError('cache.invalid', `${file}: not valid JSON`, 'delete the file (it will be recorded again in record or auto mode)');
    }
  }

  put(entry: CacheEntry): void {
    writeFileAtomic(this.file(entry.key), `${JSON.stringify(entry)}\n`, { what: 'model-call cache entry', kind: 'cache.write' });
  }
}
