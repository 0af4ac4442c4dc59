/*
 * The transformer blocks of agent/fast-infer.ts's forward pass in C, for decoding: N new
 * tokens (of any number of rows, each row's tokens contiguous and in order) go through
 * every block, their keys and values appended to their row's cache. Same arithmetic as the
 * JS path (pre-norm, fused q|k|v product, optional RoPE, causal attention over the cache,
 * tanh GELU), products by native/gemm.c (or OpenBLAS in the -DHEARTH_OPENBLAS build), one
 * thread each.
 *
 * Rows are independent, so when asked for two threads the tokens are split at a row
 * boundary near the middle and each half runs all blocks on its own thread: no barrier,
 * no shared writes (each row's cache belongs to one half).
 */
#include "forward.h"
#include "gemm.h"
#include "vecmath.h"

#ifdef HEARTH_OPENBLAS
#include <cblas.h>
#endif
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

/* GELU (tanh approximation, GPT-2's) in place; tanh(u) = 1 - 2 / (e^{2u} + 1). */
void hearth_gelu(float *x, size_t n) {
  const float c = 0.7978845608028654f;
#pragma omp simd
  for (size_t i = 0; i < n; i++) {
    const float v = x[i];
    const float t = 1.0f - 2.0f / (exp_poly(2.0f * c * (v + 0.044715f * v * v * v)) + 1.0f);
    x[i] = 0.5f * v * (1.0f + t);
  }
}

static void layer_norm(const float *x, float *out, int n, int D, const float *g, const float *b) {
  for (int i = 0; i < n; i++) {
    const float *xi = x + (size_t)i * D;
    float *oi = out + (size_t)i * D;
    float mu = 0, v = 0;
    for (int j = 0; j < D; j++) mu += xi[j];
    mu /= D;
    for (int j = 0; j < D; j++) { const float d = xi[j] - mu; v += d * d; }
    const float r = 1.0f / sqrtf(v / D + 1e-5f);
    for (int j = 0; j < D; j++) oi[j] = (xi[j] - mu) * r * g[j] + b[j];
  }
}

static void product(const float *a, const float *w, float *c, int M, int N, int K) {
#ifdef HEARTH_OPENBLAS
  if (M == 1) cblas_sgemv(CblasRowMajor, CblasTrans, K, N, 1.0f, w, N, a, 1, 0.0f, c, 1);
  else cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, a, K, w, N, 0.0f, c, N);
#else
  hearth_sgemm(0, 0, 1, M, N, K, a, K, 0, w, N, 0, c, N, 0, 1);
#endif
}

static void rope(float *x, int pos, int H, int hd, const float *cos_t, const float *sin_t) {
  const int half = hd / 2;
  const float *c = cos_t + (size_t)pos * half, *s = sin_t + (size_t)pos * half;
  for (int h = 0; h < H; h++) {
    float *o = x + h * hd;
    for (int j = 0; j < half; j++) {
      const float x1 = o[j], x2 = o[half + j];
      o[j] = x1 * c[j] - x2 * s[j];
      o[half + j] = x2 * c[j] + x1 * s[j];
    }
  }
}

/* z (D) = causal attention of query q (D) over the first S rows of K, V ((cap, D)), all heads. */
static void attend(const float *q, const float *K, const float *V, float *z, int S, int H, int hd, int D, float scale, float *sc) {
  memset(z, 0, sizeof(float) * D);
  for (int h = 0; h < H; h++) {
    const float *qh = q + h * hd;
    float *zh = z + h * hd;
    float mx = -INFINITY;
    for (int s = 0; s < S; s++) {
      const float *kr = K + (size_t)s * D + h * hd;
      float dot = 0;
#pragma omp simd reduction(+:dot)
      for (int j = 0; j < hd; j++) dot += qh[j] * kr[j];
      dot *= scale;
      sc[s] = dot;
      if (dot > mx) mx = dot;
    }
    float sum = 0;
#pragma omp simd reduction(+:sum)
    for (int s = 0; s < S; s++) { sc[s] = exp_poly(sc[s] - mx); sum += sc[s]; }
    const float inv = 1.0f / sum;
    for (int s = 0; s < S; s++) {
      const float a = sc[s] * inv;
      const float *vr = V + (size_t)s * D + h * hd;
#pragma omp simd
      for (int j = 0; j < hd; j++) zh[j] += a * vr[j];
    }
  }
}

typedef struct {
  const HearthForward *f;
  int from, to; /* token range */
  float *scratch; /* (to - from) * (6D + F) + cap floats */
} Part;

static void *run_part(void *arg) {
  Part *p = (Part *)arg;
  const HearthForward *f = p->f;
  const int n = p->to - p->from, D = f->D, F = f->F, H = f->H, hd = D / H;
  if (n <= 0) return NULL;
  float *x = f->x + (size_t)p->from * D;
  const int32_t *pos = f->pos + p->from, *off = f->row_offset + p->from;
  float *h = p->scratch, *qkv = h + (size_t)n * D, *z = qkv + (size_t)n * 3 * D, *o = z + (size_t)n * D;
  float *m = o + (size_t)n * D, *sc = m + (size_t)n * F;
  {
    const float scale = 1.0f / sqrtf((float)hd);
    const size_t per_layer = (size_t)4 * D + (size_t)4 * D * D + (size_t)2 * D * F;
    for (int l = 0; l < f->L; l++) {
      const float *w = f->weights + l * per_layer;
      const float *ln1g = w, *ln1b = w + D, *wqkv = w + 2 * D, *wo = wqkv + (size_t)3 * D * D;
      const float *ln2g = wo + (size_t)D * D, *ln2b = ln2g + D, *wfc = ln2b + D, *wproj = wfc + (size_t)D * F;
      float *kc = f->k + l * f->layer_stride, *vc = f->v + l * f->layer_stride;
      layer_norm(x, h, n, D, ln1g, ln1b);
      product(h, wqkv, qkv, n, 3 * D, D); /* (n, 3D): q | k | v */
      for (int i = 0; i < n; i++) {
        float *q = qkv + (size_t)i * 3 * D;
        if (f->cos_t) { rope(q, pos[i], H, hd, f->cos_t, f->sin_t); rope(q + D, pos[i], H, hd, f->cos_t, f->sin_t); }
        memcpy(kc + off[i] + (size_t)pos[i] * D, q + D, sizeof(float) * D);
        memcpy(vc + off[i] + (size_t)pos[i] * D, q + 2 * D, sizeof(float) * D);
      }
      for (int i = 0; i < n; i++) attend(qkv + (size_t)i * 3 * D, kc + off[i], vc + off[i], z + (size_t)i * D, pos[i] + 1, H, hd, D, scale, sc);
      product(z, wo, o, n, D, D);
      for (size_t i = 0; i < (size_t)n * D; i++) x[i] += o[i];
      layer_norm(x, h, n, D, ln2g, ln2b);
      product(h, wfc, m, n, F, D);
      hearth_gelu(m, (size_t)n * F);
      product(m, wproj, o, n, D, F);
      for (size_t i = 0; i < (size_t)n * D; i++) x[i] += o[i];
    }
  }
  return NULL;
}

size_t hearth_forward_scratch(int N, int D, int F, int cap) { return (size_t)N * (6 * D + F) + 2 * (size_t)cap; }

void hearth_forward(const HearthForward *f) {
  int split = 0;
  if (f->threads > 1 && f->N >= 8) {
    /* The row boundary nearest the middle. */
    const int mid = f->N / 2;
    for (int d = 0; d <= mid && !split; d++) {
      if (mid - d > 0 && f->row_offset[mid - d] != f->row_offset[mid - d - 1]) split = mid - d;
      else if (mid + d < f->N && mid + d > 0 && f->row_offset[mid + d] != f->row_offset[mid + d - 1]) split = mid + d;
    }
  }
  const size_t per_token = (size_t)6 * f->D + f->F;
  Part a = {f, 0, split ? split : f->N, f->scratch};
  Part b = {f, a.to, f->N, f->scratch + (size_t)a.to * per_token + f->cap};
  pthread_t t;
  if (!split || pthread_create(&t, NULL, run_part, &b) != 0) {
    run_part(&a);
    run_part(&b);
    return;
  }
  run_part(&a);
  pthread_join(t, NULL);
}
