/*
 * A persistent pool of helper threads for the addon's parallel work (GEMM tasks, decoding
 * row splits).
 *
 * Why not a thread per call: a product of 1-2 ms (the training step's X·W with K = 128) ended
 * before a freshly created thread had started on this machine's other vCPU, so the second
 * thread did nothing (measured: 1.86 ms with two threads against 1.56 ms with one). Pool
 * helpers are created once; after each job they spin for a short while (HEARTH_POOL_SPIN_US,
 * default 300 us, as OpenMP runtimes do) so that the next product of a training step finds
 * them awake, then sleep on a condition variable.
 *
 * `hearth_pool_run(fn, ctx, threads)` calls fn(ctx, 0) on the calling thread and fn(ctx, i)
 * (i = 1 .. threads-1) on the helpers that join while the caller works; it returns once the
 * caller is done and every helper that joined has returned. A helper that wakes after the
 * caller finished does not join at all, so `fn` must get all its work done with whichever
 * ids ran (the GEMM takes tasks from a shared counter, so it does). One job at a time: a
 * caller that finds the pool busy (another thread's product) gets 0 back and runs alone.
 * `hearth_pool_for` is the common case on top of it: chunks of an index range from a counter
 * (GELU over floats, LayerNorm over rows).
 */
#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define POOL_PAUSE() _mm_pause()
#else
#define POOL_PAUSE() ((void)0)
#endif

#define POOL_MAX 8

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER; /* helpers wait for a new job */
static pthread_cond_t left = PTHREAD_COND_INITIALIZER; /* the caller waits for joined helpers */
static atomic_ulong generation;   /* bumped for every job published */
static atomic_int busy;           /* a caller holds the pool */
static void (*job_fn)(void *, int);
static void *job_ctx;
static int job_open;              /* helpers may still join (under mu) */
static int job_ids;               /* next id to hand out (under mu) */
static int job_threads;           /* ids < job_threads take part */
static int joined;                /* helpers inside job_fn (under mu) */
static int sleeping;              /* helpers waiting on `wake` (under mu) */
static int helpers;               /* helpers created */

static long spin_ns(void) {
  static atomic_long v = -1;
  long s = atomic_load(&v);
  if (s < 0) {
    const char *e = getenv("HEARTH_POOL_SPIN_US");
    s = e ? atol(e) * 1000L : 300000L;
    if (s < 0) s = 0;
    atomic_store(&v, s);
  }
  return s;
}

static long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long)t.tv_sec * 1000000000L + t.tv_nsec;
}

static void *helper_main(void *unused) {
  (void)unused;
  unsigned long seen = atomic_load(&generation);
  for (;;) {
    /* Spin a while for the next job (the next product of a step usually follows soon). */
    const long until = now_ns() + spin_ns();
    while (atomic_load_explicit(&generation, memory_order_acquire) == seen && now_ns() < until) {
      for (int i = 0; i < 64; i++) POOL_PAUSE();
    }
    pthread_mutex_lock(&mu);
    while (atomic_load(&generation) == seen) {
      sleeping++;
      pthread_cond_wait(&wake, &mu);
      sleeping--;
    }
    seen = atomic_load(&generation);
    int id = -1;
    if (job_open && job_ids < job_threads) { id = job_ids++; joined++; }
    void (*fn)(void *, int) = job_fn;
    void *ctx = job_ctx;
    pthread_mutex_unlock(&mu);
    if (id < 0) continue;
    fn(ctx, id);
    pthread_mutex_lock(&mu);
    if (--joined == 0) pthread_cond_signal(&left);
    pthread_mutex_unlock(&mu);
  }
  return NULL;
}

int hearth_pool_run(void (*fn)(void *ctx, int id), void *ctx, int threads) {
  if (threads < 2) return 0;
  if (threads > POOL_MAX) threads = POOL_MAX;
  int expect = 0;
  if (!atomic_compare_exchange_strong(&busy, &expect, 1)) return 0;
  pthread_mutex_lock(&mu);
  while (helpers < threads - 1) {
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    const int ok = pthread_create(&t, &attr, helper_main, NULL) == 0;
    pthread_attr_destroy(&attr);
    if (!ok) break;
    helpers++;
  }
  if (helpers == 0) {
    pthread_mutex_unlock(&mu);
    atomic_store(&busy, 0);
    return 0;
  }
  job_fn = fn;
  job_ctx = ctx;
  job_open = 1;
  job_ids = 1;
  job_threads = threads;
  atomic_fetch_add_explicit(&generation, 1, memory_order_release);
  if (sleeping > 0) pthread_cond_broadcast(&wake);
  pthread_mutex_unlock(&mu);

  fn(ctx, 0);

  pthread_mutex_lock(&mu);
  job_open = 0; /* late helpers no longer join */
  while (joined > 0) pthread_cond_wait(&left, &mu);
  pthread_mutex_unlock(&mu);
  atomic_store(&busy, 0);
  return 1;
}

typedef struct {
  void (*fn)(void *, long, long);
  void *ctx;
  long n, chunk;
  atomic_long next;
} ForJob;

static void for_part(void *arg, int id) {
  (void)id;
  ForJob *j = (ForJob *)arg;
  for (;;) {
    const long from = atomic_fetch_add(&j->next, j->chunk);
    if (from >= j->n) return;
    j->fn(j->ctx, from, from + j->chunk < j->n ? from + j->chunk : j->n);
  }
}

void hearth_pool_for(void (*fn)(void *ctx, long from, long to), void *ctx, long n, long chunk, long min_n, int threads) {
  if (n <= 0) return;
  ForJob j = {fn, ctx, n, chunk > 0 ? chunk : 1, 0};
  if (n < min_n || !hearth_pool_run(for_part, &j, threads)) fn(ctx, 0, n);
}
