/* A persistent pool of helper threads (native/pool.c). */
#ifndef HEARTH_POOL_H
#define HEARTH_POOL_H

/*
 * Run fn(ctx, 0) on the calling thread and fn(ctx, i), i in 1 .. threads-1, on the pool's
 * helpers that join while it runs (a helper that wakes too late does not join). Returns 1
 * once the caller and every joined helper have returned; 0 without calling fn when threads < 2
 * or the pool is busy with another caller's job (the caller then does the work alone).
 */
int hearth_pool_run(void (*fn)(void *ctx, int id), void *ctx, int threads);

/*
 * fn(ctx, from, to) over [0, n) in chunks of `chunk`, which the caller and the pool's helpers
 * take from a shared counter (so fn must give each index the same result whoever runs it).
 * Below `min_n` items, with threads < 2 or a busy pool, the caller runs all of [0, n) alone.
 */
void hearth_pool_for(void (*fn)(void *ctx, long from, long to), void *ctx, long n, long chunk, long min_n, int threads);
#endif
