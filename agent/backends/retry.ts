/**
 * Retry policy for calls to remote model servers: exponential backoff with seeded jitter.
 * The jitter spreads retries of many concurrent clients apart; it is seeded so that a run's
 * timing decisions are reproducible (nothing here uses Math.random).
 */
import { Prng } from '../../env/prng.ts';

export interface RetryOptions {
  /** Retries after the first attempt (0 = try once). */
  retries: number;
  /** Delay before the first retry, before jitter. */
  baseDelayMs: number;
  /** Upper bound of any single delay. */
  maxDelayMs: number;
  /** Seed of the jitter. */
  seed: number;
}

export const DEFAULT_RETRY: RetryOptions = { retries: 4, baseDelayMs: 250, maxDelayMs: 8_000, seed: 0 };

export class Backoff {
  private readonly prng: Prng;

  constructor(private readonly options: RetryOptions) {
    this.prng = new Prng(options.seed);
  }

  /**
   * Delay before retry number `retry` (0-based): `base · 2^retry`, capped, then scaled by a
   * factor in [0.5, 1) ("equal jitter": never less than half the nominal wait, so a
   * struggling server still gets room). A server's `Retry-After` wins when it asks for more.
   */
  delayMs(retry: number, retryAfterMs?: number): number {
    const nominal = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** retry);
    const jittered = nominal * (0.5 + 0.5 * this.prng.next());
    if (retryAfterMs !== undefined && retryAfterMs > jittered) return Math.min(retryAfterMs, this.options.maxDelayMs);
    return jittered;
  }
}

/** `Retry-After` is either seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
