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
#include "pool.h"

#define LN_EPS 1e-5f
#define ROWS_PER_TASK 64
/* Below this many floats a second thread costs more than it saves. */
#define THREAD_MIN (1L << 16)

typedef struct {
  const float *x, *g, *b, *dy, *xhat, *rstd_in;
  float *y, *xhat_out, *rstd, *dx;
  long N, D;
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

static void fwd_part(void *ctx, long r0, long r1) { fwd_rows((const NormJob *)ctx, r0, r1); }
static void bwd_part(void *ctx, long r0, long r1) { bwd_rows((const NormJob *)ctx, r0, r1); }

/* The fewest rows worth a second thread (THREAD_MIN floats). */
static long min_rows(long D) { return (THREAD_MIN + D - 1) / D; }

void hearth_layer_norm(const float *x, const float *g, const float *b, float *y, float *xhat, float *rstd, long N, long D, int threads) {
  NormJob j = {.x = x, .g = g, .b = b, .y = y, .xhat_out = xhat, .rstd = rstd, .N = N, .D = D};
  hearth_pool_for(fwd_part, &j, N, ROWS_PER_TASK, min_rows(D), threads);
}

void hearth_layer_norm_grad(const float *dy, const float *xhat, const float *rstd, const float *g, float *dx, float *dg, float *db,
                            long N, long D, int threads) {
  NormJob j = {.g = g, .dy = dy, .xhat = xhat, .rstd_in = rstd, .dx = dx, .N = N, .D = D};
  hearth_pool_for(bwd_part, &j, N, ROWS_PER_TASK, min_rows(D), threads);
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
