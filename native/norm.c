/*
 * LayerNorm for training, forward and backward, each in one pass over the rows (tfjs needs
 * six kernels forward and ten backward, each a sweep over (N, D)): agent/model.ts's
 * `layerNorm` uses them through the HearthLayerNorm kernels (agent/heap-kernels.ts).
 *
 * Rows are independent, so they go to the pool's threads (native/pool.c) in chunks; every row
 * is computed the same way whichever thread takes it. The parameter gradients (column sums
 * over rows) run on the calling thread, rows in order, so they never depend on scheduling.
 */
#include "norm.h"

#include <math.h>
#include <stdatomic.h>
#include "pool.h"

#define LN_EPS 1e-5f
#define ROWS_PER_TASK 64
/* Below this many floats a second thread costs more than it saves. */
#define THREAD_MIN (1L << 16)

typedef struct {
  const float *x, *g, *b, *dy, *xhat, *rstd_in;
  float *y, *xhat_out, *rstd, *dx;
  long N, D;
  int backward;
  atomic_long next;
} NormJob;

static void fwd_rows(const NormJob *j, long r0, long r1) {
  const long D = j->D;
  for (long i = r0; i < r1; i++) {
    const float *restrict xi = j->x + i * D;
    float *restrict yi = j->y + i * D;
    float *restrict hi = j->xhat_out + i * D;
    float s = 0;
#pragma omp simd reduction(+ : s)
    for (long k = 0; k < D; k++) s += xi[k];
    const float mu = s / (float)D;
    float v = 0;
#pragma omp simd reduction(+ : v)
    for (long k = 0; k < D; k++) v += (xi[k] - mu) * (xi[k] - mu);
    const float r = 1.0f / sqrtf(v / (float)D + LN_EPS);
    j->rstd[i] = r;
#pragma omp simd
    for (long k = 0; k < D; k++) {
      const float h = (xi[k] - mu) * r;
      hi[k] = h;
      yi[k] = h * j->g[k] + j->b[k];
    }
  }
}

static void bwd_rows(const NormJob *j, long r0, long r1) {
  const long D = j->D;
  for (long i = r0; i < r1; i++) {
    const float *restrict dyi = j->dy + i * D;
    const float *restrict hi = j->xhat + i * D;
    float *restrict dxi = j->dx + i * D;
    float a = 0, c = 0;
#pragma omp simd reduction(+ : a, c)
    for (long k = 0; k < D; k++) {
      const float d = dyi[k] * j->g[k];
      a += d;
      c += d * hi[k];
    }
    const float ma = a / (float)D, mc = c / (float)D, r = j->rstd_in[i];
#pragma omp simd
    for (long k = 0; k < D; k++) dxi[k] = r * ((dyi[k] * j->g[k] - ma) - hi[k] * mc);
  }
}

static void norm_part(void *ctx, int id) {
  (void)id;
  NormJob *j = (NormJob *)ctx;
  for (;;) {
    const long r0 = atomic_fetch_add(&j->next, ROWS_PER_TASK);
    if (r0 >= j->N) return;
    const long r1 = r0 + ROWS_PER_TASK < j->N ? r0 + ROWS_PER_TASK : j->N;
    if (j->backward) bwd_rows(j, r0, r1);
    else fwd_rows(j, r0, r1);
  }
}

static void run_rows(NormJob *j, int threads) {
  atomic_store(&j->next, 0);
  if (threads < 2 || j->N * j->D < THREAD_MIN || !hearth_pool_run(norm_part, j, threads)) norm_part(j, 0);
}

void hearth_layer_norm(const float *x, const float *g, const float *b, float *y, float *xhat, float *rstd, long N, long D, int threads) {
  NormJob j = {.x = x, .g = g, .b = b, .y = y, .xhat_out = xhat, .rstd = rstd, .N = N, .D = D, .backward = 0};
  run_rows(&j, threads);
}

void hearth_layer_norm_grad(const float *dy, const float *xhat, const float *rstd, const float *g, float *dx, float *dg, float *db,
                            long N, long D, int threads) {
  NormJob j = {.g = g, .dy = dy, .xhat = xhat, .rstd_in = rstd, .dx = dx, .N = N, .D = D, .backward = 1};
  run_rows(&j, threads);
  for (long k = 0; k < D; k++) dg[k] = db[k] = 0;
  for (long i = 0; i < N; i++) {
    const float *restrict dyi = dy + i * D;
    const float *restrict hi = xhat + i * D;
#pragma omp simd
    for (long k = 0; k < D; k++) {
      dg[k] += dyi[k] * hi[k];
      db[k] += dyi[k];
    }
  }
}
