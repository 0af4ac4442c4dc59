/**
 * The one way Hearth reads text a user gives it (files, HTTP bodies): strict UTF-8, with a
 * leading byte-order mark accepted and stripped, so that JSON, JSONL, scripts and request
 * bodies all behave alike. Invalid UTF-8 is a HearthError naming the source, the line and
 * the byte offset, instead of text silently full of U+FFFD.
 */
import { readFileSync } from 'node:fs';
import { HearthError } from './errors.ts';

const BOM = [0xef, 0xbb, 0xbf];

function hasBom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2];
}

/** Byte offset of the first invalid UTF-8 sequence in `bytes` (from `start`), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array, start = 0): number {
  let i = start;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) { i++; continue; }
    let len: number, min: number;
    if (b >= 0xc2 && b <= 0xdf) { len = 2; min = 0x80; }
    else if (b >= 0xe0 && b <= 0xef) { len = 3; min = 0x800; }
    else if (b >= 0xf0 && b <= 0xf4) { len = 4; min = 0x10000; }
    else return i;
    if (i + len > n) return i;
    let cp = b & (len === 2 ? 0x1f : len === 3 ? 0x0f : 0x07);
    for (let k = 1; k < len; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += len;
  }
  return -1;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decode UTF-8 `bytes` read from `source` (a file path, "request body", ...): strips one
 * leading BOM; invalid UTF-8 throws a HearthError with the line and byte offset.
 */
export function decodeUtf8(bytes: Uint8Array, source: string): string {
  const start = hasBom(bytes) ? 3 : 0;
  const body = start ? bytes.subarray(start) : bytes;
  try {
    return decoder.decode(body);
  } catch {
    const at = firstInvalidUtf8(bytes, start);
    const offset = at < 0 ? bytes.length : at;
    let line = 1;
    for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
    const b = bytes[offset];
    throw new HearthError('text.utf8', `${source}: invalid UTF-8 at line ${line}, byte offset ${offset}${b === undefined ? ' (truncated sequence)' : ` (byte 0x${b.toString(16).padStart(2, '0')})`}`,
      'save the file as UTF-8');
  }
}

/** Strip a leading U+FEFF from text that was already decoded (e.g. a string from elsewhere). */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Read a UTF-8 text file (`what` names it in errors, e.g. "data file"): a missing,
 * unreadable or directory path and invalid UTF-8 are HearthErrors naming the path.
 */
export function readText(path: string, what = 'file'): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new HearthError('file.missing', `${what} ${path} does not exist`, 'check the path');
    if (code === 'EISDIR') throw new HearthError('file.isdir', `${what} ${path} is a directory`, 'pass a file');
    if (code === 'ENOTDIR') throw new HearthError('file.missing', `${what} ${path} does not exist (a parent is a file)`, 'check the path');
    if (code === 'EACCES' || code === 'EPERM') throw new HearthError('file.read', `no permission to read ${what} ${path}`, 'check its permissions');
    throw new HearthError('file.read', `cannot read ${what} ${path}: ${code ?? (e as Error).message}`, 'check the path and its permissions');
  }
  return decodeUtf8(bytes, path);
}
