/*
 * hearth_blas: the local model's native kernels, an N-API addon. Its products run on
 * Hearth's own GEMM (native/gemm.c: no BLAS library needed), or, in the variant built with
 * -DHEARTH_OPENBLAS (native/build/hearth_blas_openblas.node, where OpenBLAS is installed),
 * on OpenBLAS's sgemm. It reads and writes float32 data in place, inside any ArrayBuffer
 * (notably the wasm backend's heap) or TypedArray, so tfjs kernels hand their products over
 * without copies.
 *
 * sgemm(a, aOff, b, bOff, c, cOff, batch, M, N, K, transA, transB, strideA, strideB)
 *   for i in [0, batch): C_i (M x N) = op(A_i) (M x K) @ op(B_i) (K x N), row-major;
 *   offsets and strides in float elements (stride 0 broadcasts one matrix).
 */
#include <node_api.h>
#ifdef HEARTH_OPENBLAS
#include <cblas.h>
#endif
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <math.h>
#include <stdio.h>

#include "forward.h"
#include "gemm.h"
#include "norm.h"
#include "pool.h"
#include "vecmath.h"

/* No fused multiply-add in the marked functions: their vector body and scalar tail then do the
 * same IEEE operations, so an element's result does not depend on where in the array it lies
 * (and AdamW matches tfjs's ops bit for bit). */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#define NO_CONTRACT
#else
#define NO_CONTRACT __attribute__((optimize("fp-contract=off")))
#endif

/* Threads the products may use (setThreads). */
static int gemm_threads = 1;

/* The data and element count of a TypedArray of the given type (0 when v is not one). */
static int get_typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *n) {
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  if (!is_ta) return 0;
  napi_typedarray_type type;
  napi_value ab;
  size_t off;
  return napi_get_typedarray_info(env, v, &type, n, data, &ab, &off) == napi_ok && type == want;
}

/* float32 data of an ArrayBuffer (e.g. the wasm heap) or a Float32Array, length in floats. */
static int get_data(napi_env env, napi_value v, float **out, size_t *len) {
  bool is_ab = false;
  void *data = NULL;
  size_t bytes = 0;
  napi_is_arraybuffer(env, v, &is_ab);
  if (is_ab) {
    if (napi_get_arraybuffer_info(env, v, &data, &bytes) != napi_ok) return 0;
  } else {
    size_t n;
    if (!get_typed(env, v, napi_float32_array, &data, &n)) return 0;
    bytes = n * 4;
  }
  *out = (float *)data;
  *len = bytes / 4;
  return 1;
}

static int64_t get_int(napi_env env, napi_value v) {
  int64_t x = 0;
  napi_get_value_int64(env, v, &x);
  return x;
}

static napi_value throw_error(napi_env env, const char *msg) {
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static napi_value sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 14;
  napi_value argv[14];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 14) return throw_error(env, "sgemm: expected 14 arguments");
  float *a, *b, *c;
  size_t la, lb, lc;
  if (!get_data(env, argv[0], &a, &la) || !get_data(env, argv[2], &b, &lb) || !get_data(env, argv[4], &c, &lc)) {
    return throw_error(env, "sgemm: a, b and c must be ArrayBuffers or Float32Arrays");
  }
  int64_t aOff = get_int(env, argv[1]), bOff = get_int(env, argv[3]), cOff = get_int(env, argv[5]);
  int64_t batch = get_int(env, argv[6]), M = get_int(env, argv[7]), N = get_int(env, argv[8]), K = get_int(env, argv[9]);
  bool tA = false, tB = false;
  napi_get_value_bool(env, argv[10], &tA);
  napi_get_value_bool(env, argv[11], &tB);
  int64_t sA = get_int(env, argv[12]), sB = get_int(env, argv[13]);
  if (batch < 0 || M < 0 || N < 0 || K < 0 || aOff < 0 || bOff < 0 || cOff < 0 || sA < 0 || sB < 0) return throw_error(env, "sgemm: negative size");
  /* Bounds: every matrix touched must lie inside its buffer. */
  if (batch > 0 && ((size_t)(aOff + (batch - 1) * sA + M * K) > la || (size_t)(bOff + (batch - 1) * sB + K * N) > lb ||
                    (size_t)(cOff + batch * M * N) > lc)) {
    return throw_error(env, "sgemm: operand out of bounds");
  }
#ifdef HEARTH_OPENBLAS
  for (int64_t i = 0; i < batch; i++) {
    if (M == 1 && !tA) {
      /* A row vector: gemv streams the matrix once (sgemm's packing costs more than the product). */
      if (tB) cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)N, (int)K, 1.0f, b + bOff + i * sB, (int)K, a + aOff + i * sA, 1, 0.0f, c + cOff + i * N, 1);
      else cblas_sgemv(CblasRowMajor, CblasTrans, (int)K, (int)N, 1.0f, b + bOff + i * sB, (int)N, a + aOff + i * sA, 1, 0.0f, c + cOff + i * N, 1);
      continue;
    }
    cblas_sgemm(CblasRowMajor, tA ? CblasTrans : CblasNoTrans, tB ? CblasTrans : CblasNoTrans, (int)M, (int)N, (int)K, 1.0f,
                a + aOff + i * sA, tA ? (int)M : (int)K, b + bOff + i * sB, tB ? (int)K : (int)N, 0.0f, c + cOff + i * M * N, (int)N);
  }
#else
  hearth_sgemm(tA, tB, batch, M, N, K, a + aOff, tA ? M : K, sA, b + bOff, tB ? K : N, sB, c + cOff, N, M * N, gemm_threads);
#endif
  return NULL;
}

/*
 * attend(q, qOff, K, V, z, zOff, S, H, hd, D, scale): causal attention of one query over
 * the first S cached keys of one sequence, all heads. K and V are (capacity, D) row-major
 * (head h occupies columns h*hd..h*hd+hd-1); q and z hold the query / output at qOff, zOff.
 * z is accumulated into (callers pass zeros).
 */
static napi_value attend(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 11) return throw_error(env, "attend: expected 11 arguments");
  float *q, *K, *V, *z;
  size_t lq, lk, lv, lz;
  if (!get_data(env, argv[0], &q, &lq) || !get_data(env, argv[2], &K, &lk) || !get_data(env, argv[3], &V, &lv) || !get_data(env, argv[4], &z, &lz)) {
    return throw_error(env, "attend: q, K, V and z must be Float32Arrays");
  }
  int64_t qOff = get_int(env, argv[1]), zOff = get_int(env, argv[5]);
  int64_t S = get_int(env, argv[6]), H = get_int(env, argv[7]), hd = get_int(env, argv[8]), D = get_int(env, argv[9]);
  double scale = 0;
  napi_get_value_double(env, argv[10], &scale);
  if (S <= 0 || H <= 0 || hd <= 0 || D != H * hd || qOff < 0 || zOff < 0 || (size_t)(qOff + D) > lq || (size_t)(zOff + D) > lz ||
      (size_t)(S * D) > lk || (size_t)(S * D) > lv) {
    return throw_error(env, "attend: operand out of bounds");
  }
  float *sc = (float *)malloc(sizeof(float) * (size_t)S);
  if (!sc) return throw_error(env, "attend: out of memory");
  for (int64_t h = 0; h < H; h++) {
    const float *qh = q + qOff + h * hd;
    float *zh = z + zOff + h * hd;
    float mx = -INFINITY;
    for (int64_t s = 0; s < S; s++) {
      const float *kr = K + s * D + h * hd;
      float dot = 0;
#pragma omp simd reduction(+:dot)
      for (int64_t j = 0; j < hd; j++) dot += qh[j] * kr[j];
      dot *= (float)scale;
      sc[s] = dot;
      if (dot > mx) mx = dot;
    }
    float sum = 0;
    for (int64_t s = 0; s < S; s++) { sc[s] = expf(sc[s] - mx); sum += sc[s]; }
    const float inv = 1.0f / sum;
    for (int64_t s = 0; s < S; s++) {
      const float a = sc[s] * inv;
      const float *vr = V + s * D + h * hd;
      for (int64_t j = 0; j < hd; j++) zh[j] += a * vr[j];
    }
  }
  free(sc);
  return NULL;
}

/*
 * Arguments (buffer, i1, ..., in): the float32 data of the buffer and n integers, all >= 0.
 * Returns 0 (with a pending JS exception naming `usage`) when they do not fit.
 */
static int buffer_args(napi_env env, napi_callback_info info, size_t n, float **buf, size_t *len, int64_t *ints, const char *usage) {
  napi_value argv[8];
  size_t argc = 8;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (n > 7 || argc != n + 1 || !get_data(env, argv[0], buf, len)) { napi_throw_error(env, NULL, usage); return 0; }
  for (size_t i = 0; i < n; i++) {
    ints[i] = get_int(env, argv[i + 1]);
    if (ints[i] < 0) { napi_throw_error(env, NULL, usage); return 0; }
  }
  return 1;
}

/* gelu(x): in place, GELU with the tanh approximation (GPT-2's), as agent/model.ts. */
static napi_value gelu(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  float *x;
  size_t n;
  if (argc != 1 || !get_data(env, argv[0], &x, &n)) return throw_error(env, "gelu: expected one Float32Array");
  hearth_gelu(x, n);
  return NULL;
}

static int get_i32(napi_env env, napi_value v, int32_t **out, size_t *len) {
  return get_typed(env, v, napi_int32_array, (void **)out, len);
}

/*
 * forward(x, pos, rowOffset, k, v, layerStride, cap, weights, cosT, sinT, D, H, F, L, threads, scratch):
 * the transformer blocks for N = pos.length new tokens (native/forward.c). x is (N, D), updated
 * in place; k and v hold every layer's caches (layer l at l * layerStride floats); cosT and
 * sinT are the RoPE tables or null; scratch is work space of at least N * (6D + F) + 2 cap floats
 * (callers keep one and reuse it: fresh memory every call costs page faults).
 */
static napi_value forward(napi_env env, napi_callback_info info) {
  size_t argc = 16;
  napi_value argv[16];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 16) return throw_error(env, "forward: expected 16 arguments");
  HearthForward f;
  float *x, *k, *v, *w, *cs = NULL, *sn = NULL, *scratch;
  int32_t *pos, *off;
  size_t lx, lk, lv, lw, lpos, loff, lcs = 0, lsn = 0, lscratch;
  if (!get_data(env, argv[0], &x, &lx) || !get_i32(env, argv[1], &pos, &lpos) || !get_i32(env, argv[2], &off, &loff) ||
      !get_data(env, argv[3], &k, &lk) || !get_data(env, argv[4], &v, &lv) || !get_data(env, argv[7], &w, &lw) ||
      !get_data(env, argv[15], &scratch, &lscratch)) {
    return throw_error(env, "forward: x, k, v, weights, scratch must be Float32Arrays and pos, rowOffset Int32Arrays");
  }
  napi_valuetype t8;
  napi_typeof(env, argv[8], &t8);
  if (t8 != napi_null && t8 != napi_undefined && (!get_data(env, argv[8], &cs, &lcs) || !get_data(env, argv[9], &sn, &lsn))) {
    return throw_error(env, "forward: cosT and sinT must be Float32Arrays or null");
  }
  const int64_t stride = get_int(env, argv[5]), cap = get_int(env, argv[6]);
  const int64_t D = get_int(env, argv[10]), H = get_int(env, argv[11]), F = get_int(env, argv[12]), L = get_int(env, argv[13]);
  const int64_t N = (int64_t)lpos;
  if (D <= 0 || H <= 0 || D % H || (D / H) % 2 || F <= 0 || L <= 0 || cap <= 0 || stride < cap * D || loff != lpos ||
      lx != (size_t)(N * D) || lw < (size_t)(L * (4 * D + 4 * D * D + 2 * D * F)) || lk < (size_t)(L * stride) || lv < lk ||
      (cs && (lcs < (size_t)(cap * D / H / 2) || lsn < lcs)) || lscratch < hearth_forward_scratch((int)N, (int)D, (int)F, (int)cap)) {
    return throw_error(env, "forward: inconsistent sizes");
  }
  for (int64_t i = 0; i < N; i++) {
    if (pos[i] < 0 || pos[i] >= cap || off[i] < 0 || (int64_t)off[i] + cap * D > stride) return throw_error(env, "forward: token position or row offset out of bounds");
  }
  f.x = x; f.N = (int)N; f.D = (int)D; f.H = (int)H; f.F = (int)F; f.L = (int)L;
  f.pos = pos; f.row_offset = off; f.k = k; f.v = v; f.layer_stride = (size_t)stride; f.cap = (int)cap;
  f.weights = w; f.cos_t = cs; f.sin_t = sn; f.threads = (int)get_int(env, argv[14]); f.scratch = scratch;
  hearth_forward(&f);
  return NULL;
}

/* y = gelu(x), d = gelu'(x) on [from, to): vectorised (exp_poly), tanh(u) = 1 - 2 / (e^{2u} + 1). */
NO_CONTRACT static void gelu_grad_range(const float *restrict x, float *restrict y, float *restrict d, int64_t from, int64_t to) {
  const float c = 0.7978845608028654f, k = 0.044715f;
#pragma omp simd
  for (int64_t i = from; i < to; i++) {
    const float v = x[i];
    const float t = 1.0f - 2.0f / (exp_poly(2.0f * c * (v + k * v * v * v)) + 1.0f);
    y[i] = 0.5f * v * (1.0f + t);
    d[i] = 0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * c * (1.0f + 3.0f * k * v * v);
  }
}

typedef struct { const float *x; float *y, *d; } GeluArgs;
static void gelu_part(void *ctx, long from, long to) {
  const GeluArgs *a = (const GeluArgs *)ctx;
  gelu_grad_range(a->x, a->y, a->d, from, to);
}

/*
 * gelu_grad(buf, xOff, yOff, dOff, n): y = gelu(x) and d = gelu'(x) for n floats, all in
 * one buffer (the wasm heap): the forward value and the local derivative the backward pass
 * multiplies by, in one pass instead of a dozen elementwise kernels.
 */
static napi_value gelu_grad(napi_env env, napi_callback_info info) {
  float *buf;
  size_t len;
  int64_t a[4];
  if (!buffer_args(env, info, 4, &buf, &len, a, "geluGrad: expected (buffer, xOff, yOff, dOff, n)")) return NULL;
  const int64_t xo = a[0], yo = a[1], dOff = a[2], n = a[3];
  if ((size_t)(xo + n) > len || (size_t)(yo + n) > len || (size_t)(dOff + n) > len) return throw_error(env, "geluGrad: out of bounds");
  GeluArgs args = {buf + xo, buf + yo, buf + dOff};
  /* A training step's GELU is (rows x 4d) floats, ~1M: chunks of 16K over the pool's threads from 64K on. */
  hearth_pool_for(gelu_part, &args, (long)n, 1L << 14, 1L << 16, gemm_threads);
  return NULL;
}

/*
 * exp(buf, xOff, yOff, n): y = e^x for n floats of one buffer (the wasm heap), vectorised
 * (native/vecmath.h, ~1 ulp); wasm's own Exp is a scalar loop, 30 ms for the (4096, 1024)
 * logits of one training step.
 */
static napi_value exp_kernel(napi_env env, napi_callback_info info) {
  float *buf;
  size_t len;
  int64_t a[3];
  if (!buffer_args(env, info, 3, &buf, &len, a, "exp: expected (buffer, xOff, yOff, n)")) return NULL;
  const int64_t xo = a[0], yo = a[1], n = a[2];
  if ((size_t)(xo + n) > len || (size_t)(yo + n) > len) return throw_error(env, "exp: out of bounds");
  const float *x = buf + xo;
  float *y = buf + yo;
#pragma omp simd
  for (int64_t i = 0; i < n; i++) {
    const float v = x[i];
    float e = exp_poly(v);
    e = v < -87.0f ? 0.0f : e;     /* exp(-inf) = 0 (and underflow below e^-87 flushed to 0) */
    e = v > 88.7228f ? INFINITY : e;  /* overflow (as expf), exp(inf) = inf */
    y[i] = v != v ? v : e;         /* NaN stays NaN */
  }
  return NULL;
}

/*
 * colsum(buf, xOff, yOff, R, C): y (C) = sum over the R rows of x (R, C), accumulated in
 * double, rows in order (deterministic). wasm's Sum over a leading axis transposes first:
 * 6 ms for a (4096, 128) gradient, here ~0.2 ms.
 */
static napi_value colsum(napi_env env, napi_callback_info info) {
  float *buf;
  size_t len;
  int64_t a[4];
  if (!buffer_args(env, info, 4, &buf, &len, a, "colsum: expected (buffer, xOff, yOff, R, C)")) return NULL;
  const int64_t xo = a[0], yo = a[1], R = a[2], C = a[3];
  if (C == 0 || (size_t)(xo + R * C) > len || (size_t)(yo + C) > len) return throw_error(env, "colsum: out of bounds");
  double *acc = calloc((size_t)C, sizeof(double));
  if (!acc) return throw_error(env, "colsum: out of memory");
  for (int64_t r = 0; r < R; r++) {
    const float *row = buf + xo + r * C;
#pragma omp simd
    for (int64_t c = 0; c < C; c++) acc[c] += row[c];
  }
  for (int64_t c = 0; c < C; c++) buf[yo + c] = (float)acc[c];
  free(acc);
  return NULL;
}

/* setThreads(n, ownFirst?): threads for products; ownFirst (tests) makes each thread run a task of its own first. */
static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  const int64_t n = argc >= 1 ? get_int(env, argv[0]) : 0;
  if (n < 1 || n > 64) return throw_error(env, "setThreads: expected a thread count in [1, 64]");
  gemm_threads = (int)n;
  bool own = false;
  if (argc >= 2) napi_get_value_bool(env, argv[1], &own);
  hearth_gemm_set_own_first(own);
#ifdef HEARTH_OPENBLAS
  openblas_set_num_threads((int)n);
#endif
  return NULL;
}

/* The products' implementation, e.g. "Hearth GEMM avx2-fma" or OpenBLAS's own config string. */
static napi_value get_config(napi_env env, napi_callback_info info) {
  napi_value s;
#ifdef HEARTH_OPENBLAS
  napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &s);
#else
  char buf[64];
  snprintf(buf, sizeof buf, "Hearth GEMM %s", hearth_gemm_kernel());
  napi_create_string_utf8(env, buf, NAPI_AUTO_LENGTH, &s);
#endif
  return s;
}

static void set_prop(napi_env env, napi_value obj, const char *key, napi_value v) { napi_set_named_property(env, obj, key, v); }

/* info(): { gemm: 'hearth' | 'openblas', kernel, threads, avx2Fma, avx512f } */
static napi_value get_info(napi_env env, napi_callback_info info) {
  napi_value o, v;
  napi_create_object(env, &o);
#ifdef HEARTH_OPENBLAS
  napi_create_string_utf8(env, "openblas", NAPI_AUTO_LENGTH, &v); set_prop(env, o, "gemm", v);
  napi_create_string_utf8(env, openblas_get_corename(), NAPI_AUTO_LENGTH, &v); set_prop(env, o, "kernel", v);
#else
  napi_create_string_utf8(env, "hearth", NAPI_AUTO_LENGTH, &v); set_prop(env, o, "gemm", v);
  napi_create_string_utf8(env, hearth_gemm_kernel(), NAPI_AUTO_LENGTH, &v); set_prop(env, o, "kernel", v);
#endif
  napi_create_int32(env, gemm_threads, &v); set_prop(env, o, "threads", v);
  napi_get_boolean(env, hearth_cpu_avx2_fma(), &v); set_prop(env, o, "avx2Fma", v);
  napi_get_boolean(env, hearth_cpu_avx512f(), &v); set_prop(env, o, "avx512f", v);
  return o;
}

/*
 * One AdamW step over n floats, the arithmetic of alignment/optim.ts in the same order and
 * precision (float32, no fused multiply-add), so it gives the tfjs ops' results bit for bit:
 *   m' = m*b1 + g*(1-b1); v' = v*b2 + g*g*(1-b2); u = (m'/c1) / (sqrt(v'/c2) + eps)
 *   p' = p*keep - u*lr   (keep = 1 - lr*decay; without decay, p' = p - u*lr)
 * s[] = {b1, 1-b1, b2, 1-b2, c1, c2, eps, lr, keep} as float32 (each rounded from the double JS computed).
 */
NO_CONTRACT static void adamw_range(const float *restrict p, const float *restrict m, const float *restrict v, const float *restrict g,
                                    float *restrict po, float *restrict mo, float *restrict vo, int64_t n, const float *s, int decay) {
  const float b1 = s[0], nb1 = s[1], b2 = s[2], nb2 = s[3], c1 = s[4], c2 = s[5], eps = s[6], lr = s[7], keep = s[8];
#pragma omp simd
  for (int64_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float m2 = m[i] * b1 + gi * nb1;
    const float v2 = v[i] * b2 + (gi * gi) * nb2;
    const float u = (m2 / c1) / (sqrtf(v2 / c2) + eps);
    mo[i] = m2;
    vo[i] = v2;
    po[i] = decay ? p[i] * keep - u * lr : p[i] - u * lr;
  }
}

/* `count` float offsets from a JS array, offset i with sizes[i] floats inside a buffer of `len`; 0 (and a thrown error) otherwise. */
static int get_offsets(napi_env env, napi_value arr, uint32_t count, const int64_t *sizes, size_t len, int64_t *off, const char *usage) {
  for (uint32_t i = 0; i < count; i++) {
    napi_value x;
    if (napi_get_element(env, arr, i, &x) != napi_ok) { napi_throw_error(env, NULL, usage); return 0; }
    off[i] = get_int(env, x);
    if (off[i] < 0 || sizes[i] < 0 || (size_t)(off[i] + sizes[i]) > len) { napi_throw_error(env, NULL, usage); return 0; }
  }
  return 1;
}

/*
 * adamw(buf, [p, m, v, g, pOut, mOut, vOut] (offsets in floats), n, [b1, b2, eps, c1, c2, lr, decay]):
 * AdamW over tensors in one buffer (the wasm heap), writing the new parameter and moments to
 * fresh outputs (tfjs may share the inputs' data with other tensors, so nothing is updated in place).
 */
static napi_value adamw(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  float *buf;
  size_t len;
  const char *usage = "adamw: expected (buffer, offsets[7], n, [b1, b2, eps, c1, c2, lr, decay]) within the buffer";
  if (argc != 4 || !get_data(env, argv[0], &buf, &len)) return throw_error(env, usage);
  const int64_t n = get_int(env, argv[2]);
  const int64_t sizes[7] = {n, n, n, n, n, n, n};
  int64_t off[7];
  if (!get_offsets(env, argv[1], 7, sizes, len, off, usage)) return NULL;
  double h[7];
  for (uint32_t i = 0; i < 7; i++) {
    napi_value x;
    if (napi_get_element(env, argv[3], i, &x) != napi_ok || napi_get_value_double(env, x, &h[i]) != napi_ok) return throw_error(env, usage);
  }
  const double b1 = h[0], b2 = h[1], eps = h[2], c1 = h[3], c2 = h[4], lr = h[5], decay = h[6];
  const float s[9] = {(float)b1, (float)(1 - b1), (float)b2, (float)(1 - b2), (float)c1, (float)c2, (float)eps, (float)lr, (float)(1 - lr * decay)};
  adamw_range(buf + off[0], buf + off[1], buf + off[2], buf + off[3], buf + off[4], buf + off[5], buf + off[6], n, s, decay != 0);
  return NULL;
}

/*
 * layerNorm(buf, [x, g, b, y, xhat, rstd], N, D) and layerNormGrad(buf, [dy, xhat, rstd, g, dx, dg, db], N, D):
 * LayerNorm over the last axis of (N, D) tensors in one buffer (the wasm heap), native/norm.c.
 */
static napi_value layer_norm_any(napi_env env, napi_callback_info info, int backward) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  float *buf;
  size_t len;
  const char *usage = backward ? "layerNormGrad: expected (buffer, [dy, xhat, rstd, g, dx, dg, db], N, D) within the buffer"
                               : "layerNorm: expected (buffer, [x, g, b, y, xhat, rstd], N, D) within the buffer";
  if (argc != 4 || !get_data(env, argv[0], &buf, &len)) return throw_error(env, usage);
  const int64_t N = get_int(env, argv[2]), D = get_int(env, argv[3]);
  if (N < 0 || D < 1) return throw_error(env, usage);
  /* Sizes per operand: (N, D) tensors, (D) parameters, (N) rstd. */
  const int64_t fwd_sizes[6] = {N * D, D, D, N * D, N * D, N}, bwd_sizes[7] = {N * D, N * D, N, D, N * D, D, D};
  const int64_t *sizes = backward ? bwd_sizes : fwd_sizes;
  const uint32_t count = backward ? 7 : 6;
  int64_t off[7];
  if (!get_offsets(env, argv[1], count, sizes, len, off, usage)) return NULL;
  float *p[7];
  for (uint32_t i = 0; i < count; i++) p[i] = buf + off[i];
  if (backward) hearth_layer_norm_grad(p[0], p[1], p[2], p[3], p[4], p[5], p[6], (long)N, (long)D, gemm_threads);
  else hearth_layer_norm(p[0], p[1], p[2], p[3], p[4], p[5], (long)N, (long)D, gemm_threads);
  return NULL;
}

static napi_value layer_norm(napi_env env, napi_callback_info info) { return layer_norm_any(env, info, 0); }
static napi_value layer_norm_grad(napi_env env, napi_callback_info info) { return layer_norm_any(env, info, 1); }

/* setKernel('avx2-fma' | 'portable'): Hearth GEMM's micro-kernel (tests run both); returns whether it is in use. */
static napi_value set_kernel(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char name[32] = {0};
  size_t len = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) != napi_ok) return throw_error(env, "setKernel: expected a kernel name");
  napi_value r;
  napi_get_boolean(env, hearth_gemm_set_kernel(name), &r);
  return r;
}

/* fmaPeak(threads, ms): { gflops (wall clock, all threads), gflopsPerCpuSecond } of an FMA-only loop. */
static napi_value fma_peak(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 2) return throw_error(env, "fmaPeak: expected (threads, ms)");
  double ms = 0, per_cpu = 0;
  napi_get_value_double(env, argv[1], &ms);
  const double wall = hearth_fma_peak((int)get_int(env, argv[0]), ms, &per_cpu);
  napi_value o, v;
  napi_create_object(env, &o);
  napi_create_double(env, wall, &v); set_prop(env, o, "gflops", v);
  napi_create_double(env, per_cpu, &v); set_prop(env, o, "gflopsPerCpuSecond", v);
  return o;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"sgemm", NULL, sgemm, NULL, NULL, NULL, napi_default, NULL},
    {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
    {"config", NULL, get_config, NULL, NULL, NULL, napi_default, NULL},
    {"attend", NULL, attend, NULL, NULL, NULL, napi_default, NULL},
    {"gelu", NULL, gelu, NULL, NULL, NULL, napi_default, NULL},
    {"geluGrad", NULL, gelu_grad, NULL, NULL, NULL, napi_default, NULL},
    {"adamw", NULL, adamw, NULL, NULL, NULL, napi_default, NULL},
    {"layerNorm", NULL, layer_norm, NULL, NULL, NULL, napi_default, NULL},
    {"layerNormGrad", NULL, layer_norm_grad, NULL, NULL, NULL, napi_default, NULL},
    {"forward", NULL, forward, NULL, NULL, NULL, napi_default, NULL},
    {"exp", NULL, exp_kernel, NULL, NULL, NULL, napi_default, NULL},
    {"colsum", NULL, colsum, NULL, NULL, NULL, napi_default, NULL},
    {"info", NULL, get_info, NULL, NULL, NULL, napi_default, NULL},
    {"setKernel", NULL, set_kernel, NULL, NULL, NULL, napi_default, NULL},
    {"fmaPeak", NULL, fma_peak, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
