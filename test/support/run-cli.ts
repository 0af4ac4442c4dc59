/** `main` in-process with stdout and stderr captured (console calls and direct stream writes alike). */
import { vi } from 'vitest';
import { main } from '../../cli/main.ts';

export interface CliOut { code: number; err: string; out: string }

export async function runCliCaptured(argv: string[]): Promise<CliOut> {
  const err: string[] = [], out: string[] = [];
  const spies = [
    vi.spyOn(console, 'error').mockImplementation((...m: unknown[]) => { err.push(`${m.map(String).join(' ')}\n`); }),
    vi.spyOn(console, 'log').mockImplementation((...m: unknown[]) => { out.push(`${m.map(String).join(' ')}\n`); }),
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { err.push(String(s)); return true; }),
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out.push(String(s)); return true; }),
  ];
  try {
    return { code: await main(argv), err: err.join(''), out: out.join('') };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}
