/*
 * Hearth's own single-precision GEMM, so the native addon needs no BLAS library.
 *
 * The classic (Goto / BLIS) structure: op(B) is packed in blocks of KC x NC into NR-column
 * micro-panels, op(A) in blocks of MC x KC into MR-row micro-panels (zero-padded at the
 * edges, so every micro-kernel call sees a full MR x NR tile; partial tiles go through a
 * scratch tile and only their valid part is written). Transposes cost nothing beyond the
 * packing, which reads either layout. The micro-kernel keeps a 6 x 16 tile of C in twelve
 * 8-wide registers (AVX2 + FMA, selected at run time); a portable C kernel covers every
 * other CPU (the compiler vectorises it for whatever -march the addon is built with).
 *
 * A row-major A (not transposed) of more than 24 rows is not packed at all: the kernel reads
 * its rows in place while B blocks stay in L2 (gemm_direct_a). Small products (few rows, as
 * in decoding) skip the packing of B when B is not transposed (the kernel reads B's rows in
 * place), and a single row is a matrix-vector product.
 *
 * Threads: a call big enough to pay for them splits into tasks that the threads (the caller
 * and native/pool.c's persistent helpers) take from a shared counter (so a thread on a core
 * that another process holds just takes fewer):
 * batch items, row chunks, column chunks, or chunks of K (each chunk summed into its own
 * partial C, the partials added in chunk order at the end), whichever repacks the least data.
 * Each element of C is summed in the same order whichever thread takes which task, so results
 * never depend on scheduling (same seed, same result); K splits (two or more threads) sum in
 * another order than one thread does.
 */
#include "gemm.h"
#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HEARTH_X86 1
#endif

#define MR 6
#define NR 16
#define KC 256
#define MC 120
#define NC 1024
/* Up to this many rows, B (not transposed) is read in place instead of packed. */
#define DIRECT_M 24
/* Threads only for products of at least this many FLOPs (a thread costs ~20-50 us; at 4 MFLOP
 * the 32-row decoding products measured slower per CPU-second with two). */
#define THREAD_FLOPS (1L << 23)
#define MAX_THREADS 8

/* A matrix view: element (i, j) at p[i * rs + j * cs]. */
typedef struct { const float *p; long rs, cs; } View;

typedef void (*Kernel)(long kc, const float *a, const float *b, long rsb, float *c, long ldc, int acc);

/* ---- micro-kernels: C (MR x NR, leading dim ldc) (+)= A panel (kc x MR) @ B panel (kc x NR, row stride rsb) ---- */

static void kern_portable(long kc, const float *restrict a, const float *restrict b, long rsb, float *restrict c, long ldc, int acc) {
  float t[MR][NR];
  memset(t, 0, sizeof t);
  for (long k = 0; k < kc; k++, a += MR, b += rsb) {
    for (int i = 0; i < MR; i++) {
      const float ai = a[i];
      for (int j = 0; j < NR; j++) t[i][j] += ai * b[j];
    }
  }
  for (int i = 0; i < MR; i++) {
    float *ci = c + i * ldc;
    if (acc) for (int j = 0; j < NR; j++) ci[j] += t[i][j];
    else for (int j = 0; j < NR; j++) ci[j] = t[i][j];
  }
}

#ifdef HEARTH_X86
#define ROW(i)                                          \
  {                                                     \
    const __m256 ai = _mm256_broadcast_ss(a + (i));     \
    c##i##0 = _mm256_fmadd_ps(ai, b0, c##i##0);         \
    c##i##1 = _mm256_fmadd_ps(ai, b1, c##i##1);         \
  }
#define STORE(i)                                                                        \
  if (acc) {                                                                            \
    _mm256_storeu_ps(c + (i) * ldc, _mm256_add_ps(_mm256_loadu_ps(c + (i) * ldc), c##i##0));       \
    _mm256_storeu_ps(c + (i) * ldc + 8, _mm256_add_ps(_mm256_loadu_ps(c + (i) * ldc + 8), c##i##1)); \
  } else {                                                                              \
    _mm256_storeu_ps(c + (i) * ldc, c##i##0);                                           \
    _mm256_storeu_ps(c + (i) * ldc + 8, c##i##1);                                       \
  }

__attribute__((target("avx2,fma"), always_inline)) static inline void kern_avx2_body(long kc, const float *restrict a, const float *restrict b,
                                                                                     long rsb, float *restrict c, long ldc, int acc) {
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  /* A plain loop: gcc's unrolled versions of it measured slower (register copies). */
  for (long k = 0; k < kc; k++) {
    const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
    ROW(0) ROW(1) ROW(2) ROW(3) ROW(4) ROW(5)
    a += MR;
    b += rsb;
  }
  STORE(0) STORE(1) STORE(2) STORE(3) STORE(4) STORE(5)
}

/* Packed B (row stride NR, a constant: measured ~20% faster than a variable stride) or B in place. */
__attribute__((target("avx2,fma"))) static void kern_avx2(long kc, const float *restrict a, const float *restrict b, long rsb,
                                                           float *restrict c, long ldc, int acc) {
  if (rsb == NR) kern_avx2_body(kc, a, b, NR, c, ldc, acc);
  else kern_avx2_body(kc, a, b, rsb, c, ldc, acc);
}

/* The same with A read in place: element (r, k) at a[r * rsa + k * csa] (no packing of A). */
#define ROWD(i, p)                                      \
  {                                                     \
    const __m256 ai = _mm256_broadcast_ss(p);           \
    c##i##0 = _mm256_fmadd_ps(ai, b0, c##i##0);         \
    c##i##1 = _mm256_fmadd_ps(ai, b1, c##i##1);         \
  }
__attribute__((target("avx2,fma"))) static void kern_avx2_direct(long kc, const float *restrict a, long rsa, long csa, const float *restrict b,
                                                                  long rsb, float *restrict c, long ldc, int acc) {
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  const float *a0 = a, *a3 = a + 3 * rsa;
  for (long k = 0; k < kc; k++) {
    const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
    ROWD(0, a0) ROWD(1, a0 + rsa) ROWD(2, a0 + 2 * rsa) ROWD(3, a3) ROWD(4, a3 + rsa) ROWD(5, a3 + 2 * rsa)
    a0 += csa;
    a3 += csa;
    b += rsb;
  }
  STORE(0) STORE(1) STORE(2) STORE(3) STORE(4) STORE(5)
}
#endif

static void kern_portable_direct(long kc, const float *restrict a, long rsa, long csa, const float *restrict b, long rsb, float *restrict c,
                                 long ldc, int acc) {
  float t[MR][NR];
  memset(t, 0, sizeof t);
  for (long k = 0; k < kc; k++, a += csa, b += rsb) {
    for (int i = 0; i < MR; i++) {
      const float ai = a[i * rsa];
      for (int j = 0; j < NR; j++) t[i][j] += ai * b[j];
    }
  }
  for (int i = 0; i < MR; i++) {
    float *ci = c + i * ldc;
    if (acc) for (int j = 0; j < NR; j++) ci[j] += t[i][j];
    else for (int j = 0; j < NR; j++) ci[j] = t[i][j];
  }
}
typedef void (*KernelDirect)(long kc, const float *a, long rsa, long csa, const float *b, long rsb, float *c, long ldc, int acc);

/* ---- matrix-vector products (one row of C) ---- */

/* c (n) = sum_k a[k * csa] * B(k, :), B rows in place (row stride rsb, contiguous columns). */
#define GEMV_N_BODY                                                  \
  for (long j = 0; j < n; j++) c[j] = 0;                             \
  if (csa == 1) {                                                    \
    for (long k = 0; k < kc; k++) {                                  \
      const float ak = a[k];                                         \
      const float *restrict bk = b + k * rsb;                        \
      for (long j = 0; j < n; j++) c[j] += ak * bk[j];               \
    }                                                                \
    return;                                                          \
  }                                                                  \
  for (long k = 0; k < kc; k++) {                                    \
    const float ak = a[k * csa];                                     \
    const float *restrict bk = b + k * rsb;                          \
    for (long j = 0; j < n; j++) c[j] += ak * bk[j];                 \
  }
/* c[j] = dot(a (stride csa), B row j (row stride rsb, contiguous along k)). */
#define GEMV_T_BODY                                                  \
  if (csa == 1) {                                                    \
    for (long j = 0; j < n; j++) {                                   \
      const float *restrict bj = b + j * rsb;                        \
      float s = 0;                                                   \
      _Pragma("omp simd reduction(+:s)")                             \
      for (long k = 0; k < kc; k++) s += a[k] * bj[k];               \
      c[j] = s;                                                      \
    }                                                                \
    return;                                                          \
  }                                                                  \
  for (long j = 0; j < n; j++) {                                     \
    const float *restrict bj = b + j * rsb;                          \
    float s = 0;                                                     \
    _Pragma("omp simd reduction(+:s)")                               \
    for (long k = 0; k < kc; k++) s += a[k * csa] * bj[k];           \
    c[j] = s;                                                        \
  }

static void gemv_n_portable(long kc, long n, const float *restrict a, long csa, const float *restrict b, long rsb, float *restrict c) { GEMV_N_BODY }
static void gemv_t_portable(long kc, long n, const float *restrict a, long csa, const float *restrict b, long rsb, float *restrict c) { GEMV_T_BODY }
#ifdef HEARTH_X86
/* Register-blocked: 64 columns of c stay in eight registers over all of k (the plain loop
 * above reloads and stores c for every k: bound by stores at twice this one's time). */
__attribute__((target("avx2,fma"))) static void gemv_n_avx2(long kc, long n, const float *restrict a, long csa, const float *restrict b, long rsb, float *restrict c) {
  long j = 0;
  for (; j + 64 <= n; j += 64) {
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
    const float *bk = b + j;
    for (long k = 0; k < kc; k++, bk += rsb) {
      const __m256 ak = _mm256_broadcast_ss(a + k * csa);
      s0 = _mm256_fmadd_ps(ak, _mm256_loadu_ps(bk), s0);
      s1 = _mm256_fmadd_ps(ak, _mm256_loadu_ps(bk + 8), s1);
      s2 = _mm256_fmadd_ps(ak, _mm256_loadu_ps(bk + 16), s2);
      s3 = _mm256_fmadd_ps(ak, _mm256_loadu_ps(bk + 24), s3);
      s4 = _mm256_fmadd_ps(ak, _mm256_loadu_ps(bk + 32), s4);
      s5 = _mm256_fmadd_ps(ak, _mm256_loadu_ps(bk + 40), s5);
      s6 = _mm256_fmadd_ps(ak, _mm256_loadu_ps(bk + 48), s6);
      s7 = _mm256_fmadd_ps(ak, _mm256_loadu_ps(bk + 56), s7);
    }
    _mm256_storeu_ps(c + j, s0); _mm256_storeu_ps(c + j + 8, s1); _mm256_storeu_ps(c + j + 16, s2); _mm256_storeu_ps(c + j + 24, s3);
    _mm256_storeu_ps(c + j + 32, s4); _mm256_storeu_ps(c + j + 40, s5); _mm256_storeu_ps(c + j + 48, s6); _mm256_storeu_ps(c + j + 56, s7);
  }
  for (; j + 8 <= n; j += 8) {
    __m256 s0 = _mm256_setzero_ps();
    for (long k = 0; k < kc; k++) s0 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + k * csa), _mm256_loadu_ps(b + k * rsb + j), s0);
    _mm256_storeu_ps(c + j, s0);
  }
  for (; j < n; j++) {
    float s = 0;
    for (long k = 0; k < kc; k++) s += a[k * csa] * b[k * rsb + j];
    c[j] = s;
  }
}

__attribute__((target("avx2,fma"))) static inline float hsum256(__m256 v) {
  __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  x = _mm_add_ps(x, _mm_movehl_ps(x, x));
  x = _mm_add_ss(x, _mm_movehdup_ps(x));
  return _mm_cvtss_f32(x);
}

/* Four dot products at a time, sharing each load of a (contiguous a only; else the plain loop). */
__attribute__((target("avx2,fma"))) static void gemv_t_avx2(long kc, long n, const float *restrict a, long csa, const float *restrict b, long rsb, float *restrict c) {
  if (csa != 1) { GEMV_T_BODY }
  const long k8 = kc & ~7L;
  long j = 0;
  for (; j + 4 <= n; j += 4) {
    const float *b0 = b + j * rsb, *b1 = b0 + rsb, *b2 = b1 + rsb, *b3 = b2 + rsb;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    for (long k = 0; k < k8; k += 8) {
      const __m256 ak = _mm256_loadu_ps(a + k);
      s0 = _mm256_fmadd_ps(ak, _mm256_loadu_ps(b0 + k), s0);
      s1 = _mm256_fmadd_ps(ak, _mm256_loadu_ps(b1 + k), s1);
      s2 = _mm256_fmadd_ps(ak, _mm256_loadu_ps(b2 + k), s2);
      s3 = _mm256_fmadd_ps(ak, _mm256_loadu_ps(b3 + k), s3);
    }
    float r0 = hsum256(s0), r1 = hsum256(s1), r2 = hsum256(s2), r3 = hsum256(s3);
    for (long k = k8; k < kc; k++) { r0 += a[k] * b0[k]; r1 += a[k] * b1[k]; r2 += a[k] * b2[k]; r3 += a[k] * b3[k]; }
    c[j] = r0; c[j + 1] = r1; c[j + 2] = r2; c[j + 3] = r3;
  }
  for (; j < n; j++) {
    const float *bj = b + j * rsb;
    __m256 s0 = _mm256_setzero_ps();
    for (long k = 0; k < k8; k += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + k), _mm256_loadu_ps(bj + k), s0);
    float r = hsum256(s0);
    for (long k = k8; k < kc; k++) r += a[k] * bj[k];
    c[j] = r;
  }
}
#endif

typedef void (*Gemv)(long kc, long n, const float *a, long csa, const float *b, long rsb, float *c);

static Kernel kernel = kern_portable;
static KernelDirect kernel_direct = kern_portable_direct;
static Gemv gemv_n = gemv_n_portable, gemv_t = gemv_t_portable;
static const char *kernel_name = "portable";
static pthread_once_t kernel_once = PTHREAD_ONCE_INIT;

int hearth_cpu_avx2_fma(void) {
#ifdef HEARTH_X86
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return 0;
#endif
}

int hearth_cpu_avx512f(void) {
#ifdef HEARTH_X86
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
#else
  return 0;
#endif
}

int hearth_gemm_set_kernel(const char *name) {
  if (strcmp(name, "portable") == 0) {
    kernel = kern_portable; kernel_direct = kern_portable_direct; gemv_n = gemv_n_portable; gemv_t = gemv_t_portable; kernel_name = "portable";
    return 1;
  }
#ifdef HEARTH_X86
  if (strcmp(name, "avx2-fma") == 0 && hearth_cpu_avx2_fma()) {
    kernel = kern_avx2; kernel_direct = kern_avx2_direct; gemv_n = gemv_n_avx2; gemv_t = gemv_t_avx2; kernel_name = "avx2-fma";
    return 1;
  }
#endif
  return 0;
}

static void choose_kernel(void) { hearth_gemm_set_kernel("avx2-fma"); }

const char *hearth_gemm_kernel(void) {
  pthread_once(&kernel_once, choose_kernel);
  return kernel_name;
}

/* ---- packing ---- */

/* mc x kc block of A into MR-row panels: panel p holds, for each k, rows p*MR .. p*MR+MR-1 (zero-padded). */
static void pack_a(long mc, long kc, View A, float *restrict dst) {
  for (long i0 = 0; i0 < mc; i0 += MR) {
    const long mr = mc - i0 < MR ? mc - i0 : MR;
    if (A.cs == 1) {
      for (long r = 0; r < mr; r++) {
        const float *restrict src = A.p + (i0 + r) * A.rs;
        for (long k = 0; k < kc; k++) dst[k * MR + r] = src[k];
      }
    } else if (A.rs == 1 && mr == MR) {
      for (long k = 0; k < kc; k++) {
        const float *restrict src = A.p + i0 + k * A.cs;
        for (long r = 0; r < MR; r++) dst[k * MR + r] = src[r];
      }
    } else {
      for (long k = 0; k < kc; k++) {
        const float *restrict src = A.p + i0 * A.rs + k * A.cs;
        for (long r = 0; r < mr; r++) dst[k * MR + r] = src[r * A.rs];
      }
    }
    for (long r = mr; r < MR; r++) for (long k = 0; k < kc; k++) dst[k * MR + r] = 0;
    dst += MR * kc;
  }
}

/* kc x nc block of B into NR-column panels: panel p holds, for each k, columns p*NR .. p*NR+NR-1 (zero-padded). */
static void pack_b(long kc, long nc, View B, float *restrict dst) {
  for (long j0 = 0; j0 < nc; j0 += NR) {
    const long nr = nc - j0 < NR ? nc - j0 : NR;
    if (B.cs == 1) {
      for (long k = 0; k < kc; k++) {
        const float *restrict src = B.p + k * B.rs + j0;
        float *restrict d = dst + k * NR;
        for (long j = 0; j < nr; j++) d[j] = src[j];
        for (long j = nr; j < NR; j++) d[j] = 0;
      }
    } else {
      for (long j = 0; j < nr; j++) {
        const float *restrict src = B.p + (j0 + j) * B.cs;
        for (long k = 0; k < kc; k++) dst[k * NR + j] = src[k * B.rs];
      }
      for (long j = nr; j < NR; j++) for (long k = 0; k < kc; k++) dst[k * NR + j] = 0;
    }
    dst += NR * kc;
  }
}

/* ---- work space: a few slots kept across calls (fresh memory costs page faults) ---- */

typedef struct {
  float *a, *b, *panel; /* MC*KC, KC*NC, KC*NR floats */
} Space;

static Space slots[MAX_THREADS * 2];
static atomic_int slot_used[MAX_THREADS * 2];

static float *alloc_floats(size_t n) {
  void *p = NULL;
  return posix_memalign(&p, 64, n * sizeof(float)) == 0 ? (float *)p : NULL;
}

static int space_init(Space *s) {
  if (!s->a) s->a = alloc_floats((size_t)MC * KC);
  if (!s->b) s->b = alloc_floats((size_t)KC * NC);
  if (!s->panel) s->panel = alloc_floats((size_t)KC * NR);
  return s->a && s->b && s->panel;
}

/* A free slot (or a fresh Space to free after use, *owned = 1, when all are taken). */
static Space *space_acquire(int *owned) {
  for (int i = 0; i < MAX_THREADS * 2; i++) {
    int expect = 0;
    if (atomic_compare_exchange_strong(&slot_used[i], &expect, 1)) {
      *owned = 0;
      if (space_init(&slots[i])) return &slots[i];
      atomic_store(&slot_used[i], 0);
      return NULL;
    }
  }
  Space *s = calloc(1, sizeof(Space));
  if (!s) return NULL;
  *owned = 1;
  if (space_init(s)) return s;
  free(s->a); free(s->b); free(s->panel); free(s);
  return NULL;
}

static void space_release(Space *s, int owned) {
  if (!s) return;
  if (owned) { free(s->a); free(s->b); free(s->panel); free(s); return; }
  for (int i = 0; i < MAX_THREADS * 2; i++) if (&slots[i] == s) atomic_store(&slot_used[i], 0);
}

/* ---- one product on one thread ---- */

/* Merge a scratch tile's valid mr x nr part into C. */
static void merge_tile(float *c, long ldc, const float *t, long mr, long nr, int acc) {
  for (long i = 0; i < mr; i++) {
    if (acc) for (long j = 0; j < nr; j++) c[i * ldc + j] += t[i * NR + j];
    else for (long j = 0; j < nr; j++) c[i * ldc + j] = t[i * NR + j];
  }
}

/* HEARTH_GEMM_DIRECT_A=0 packs A always (for comparing the two paths). */
static int direct_a_enabled(void) {
  static atomic_int flag = -1;
  int f = atomic_load(&flag);
  if (f < 0) {
    const char *e = getenv("HEARTH_GEMM_DIRECT_A");
    f = e ? atoi(e) != 0 : 1;
    atomic_store(&flag, f);
  }
  return f;
}

/* Many rows of a row-major A (not transposed): B packed in blocks of KC x NCD that stay in L2;
 * A read in place, one MR-row panel at a time (in L1 while it sweeps the block's column
 * panels): no packing of A (a scalar transpose, up to a quarter of the time when N is 128).
 * For a transposed A packing is a plain copy and the packed path measured faster. */
#define NCD 256
static void gemm_direct_a(long M, long N, long K, View A, View B, float *C, long ldc, int acc, Space *s, float *tile) {
  for (long jc = 0; jc < N; jc += NCD) {
    const long nc = N - jc < NCD ? N - jc : NCD;
    for (long pc = 0; pc < K; pc += KC) {
      const long kc = K - pc < KC ? K - pc : KC;
      const int accp = acc || pc > 0;
      const View Bb = {B.p + pc * B.rs + jc * B.cs, B.rs, B.cs};
      pack_b(kc, nc, Bb, s->b);
      for (long ir = 0; ir < M; ir += MR) {
        const long mr = M - ir < MR ? M - ir : MR;
        const float *ap = A.p + ir * A.rs + pc * A.cs;
        if (mr < MR) {
          const View Ap = {ap, A.rs, A.cs};
          pack_a(mr, kc, Ap, s->a);
        }
        for (long jr = 0; jr < nc; jr += NR) {
          const long nr = nc - jr < NR ? nc - jr : NR;
          const float *bp = s->b + jr * kc;
          float *cp = C + ir * ldc + jc + jr;
          if (mr == MR && nr == NR) kernel_direct(kc, ap, A.rs, A.cs, bp, NR, cp, ldc, accp);
          else {
            if (mr == MR) kernel_direct(kc, ap, A.rs, A.cs, bp, NR, tile, NR, 0);
            else kernel(kc, s->a, bp, NR, tile, NR, 0);
            merge_tile(cp, ldc, tile, mr, nr, accp);
          }
        }
      }
    }
  }
}

/* C (M x N, leading dim ldc) = or += (acc) A (M x K) @ B (K x N), views. */
static void gemm_serial(long M, long N, long K, View A, View B, float *C, long ldc, int acc, Space *s) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!acc) for (long i = 0; i < M; i++) memset(C + i * ldc, 0, sizeof(float) * (size_t)N);
    return;
  }
  if (M == 1 && !acc) {
    if (B.cs == 1) gemv_n(K, N, A.p, A.cs, B.p, B.rs, C);
    else if (B.rs == 1) gemv_t(K, N, A.p, A.cs, B.p, B.cs, C);
    if (B.cs == 1 || B.rs == 1) return;
  }
  float tile[MR * NR] __attribute__((aligned(64)));
  if (M > DIRECT_M && A.cs == 1 && direct_a_enabled()) {
    gemm_direct_a(M, N, K, A, B, C, ldc, acc, s, tile);
    return;
  }
  const int direct = B.cs == 1 && M <= DIRECT_M;
  for (long jc = 0; jc < N; jc += NC) {
    const long nc = N - jc < NC ? N - jc : NC;
    for (long pc = 0; pc < K; pc += KC) {
      const long kc = K - pc < KC ? K - pc : KC;
      const int accp = acc || pc > 0;
      const View Bb = {B.p + pc * B.rs + jc * B.cs, B.rs, B.cs};
      if (!direct) pack_b(kc, nc, Bb, s->b);
      for (long ic = 0; ic < M; ic += MC) {
        const long mc = M - ic < MC ? M - ic : MC;
        const View Ab = {A.p + ic * A.rs + pc * A.cs, A.rs, A.cs};
        pack_a(mc, kc, Ab, s->a);
        for (long jr = 0; jr < nc; jr += NR) {
          const long nr = nc - jr < NR ? nc - jr : NR;
          const float *bp;
          long rsb = NR;
          if (!direct) bp = s->b + jr * kc;
          else if (nr == NR) { bp = Bb.p + jr; rsb = B.rs; }
          else {
            const View Bp = {Bb.p + jr, B.rs, 1};
            pack_b(kc, nr, Bp, s->panel);
            bp = s->panel;
          }
          for (long ir = 0; ir < mc; ir += MR) {
            const long mr = mc - ir < MR ? mc - ir : MR;
            const float *ap = s->a + ir * kc;
            float *cp = C + (ic + ir) * ldc + jc + jr;
            if (mr == MR && nr == NR) kernel(kc, ap, bp, rsb, cp, ldc, accp);
            else {
              kernel(kc, ap, bp, rsb, tile, NR, 0);
              merge_tile(cp, ldc, tile, mr, nr, accp);
            }
          }
        }
      }
    }
  }
}

/* ---- threads ---- */

enum Split { SPLIT_BATCH, SPLIT_M, SPLIT_N, SPLIT_K };

typedef struct {
  int tA, tB;
  long batch, M, N, K;
  const float *A; long lda, sA;
  const float *B; long ldb, sB;
  float *C; long ldc, sC;
  enum Split split;
  long chunks, chunk; /* per batch item: number and size (rows, columns or K) of chunks */
  float *partials;    /* SPLIT_K: chunks x M x N floats, chunk t's partial product at t*M*N */
  atomic_long next;
  int own_first; /* each worker runs task `id` first (see worker_main) */
} Job;

static atomic_int own_first_tasks;
void hearth_gemm_set_own_first(int on) { atomic_store(&own_first_tasks, on != 0); }

typedef struct {
  Job *job;
  int id;
  Space *space;
  int owned;
  int failed;
  int first_done; /* whether it ran its own first task (task number = its id) */
} Worker;

static View view_a(const Job *j, long b) {
  const float *p = j->A + b * j->sA;
  return j->tA ? (View){p, 1, j->lda} : (View){p, j->lda, 1};
}

static View view_b(const Job *j, long b) {
  const float *p = j->B + b * j->sB;
  return j->tB ? (View){p, 1, j->ldb} : (View){p, j->ldb, 1};
}

static void run_task(Worker *w, long t) {
  Job *j = w->job;
  const long b = j->split == SPLIT_BATCH ? t : t / j->chunks, c = j->split == SPLIT_BATCH ? 0 : t % j->chunks;
  View A = view_a(j, b), B = view_b(j, b);
  float *C = j->C + b * j->sC;
  long M = j->M, N = j->N, K = j->K;
  const long from = c * j->chunk;
  switch (j->split) {
    case SPLIT_BATCH: break;
    case SPLIT_M:
      M = M - from < j->chunk ? M - from : j->chunk;
      A.p += from * A.rs;
      C += from * j->ldc;
      break;
    case SPLIT_N:
      N = N - from < j->chunk ? N - from : j->chunk;
      B.p += from * B.cs;
      C += from;
      break;
    case SPLIT_K: {
      K = K - from < j->chunk ? K - from : j->chunk;
      A.p += from * A.cs;
      B.p += from * B.rs;
      gemm_serial(M, N, K, A, B, j->partials + c * j->M * j->N, j->N, 0, w->space);
      return;
    }
  }
  gemm_serial(M, N, K, A, B, C, j->ldc, 0, w->space);
}

static void *worker_main(void *arg) {
  Worker *w = (Worker *)arg;
  Job *j = w->job;
  const long tasks = j->split == SPLIT_BATCH ? j->batch : j->batch * j->chunks;
  w->space = space_acquire(&w->owned);
  if (!w->space) { w->failed = 1; return NULL; }
  /* With own_first (tests: every split is then exercised), task `id` is this worker's own;
   * by default every task goes to whoever asks first, so a thread whose core is taken by
   * another process never holds up the product (measured: own first tasks made training
   * slower with two threads than with one on a loaded machine). */
  if (j->own_first && w->id < tasks) run_task(w, w->id);
  w->first_done = 1;
  for (;;) {
    const long t = atomic_fetch_add(&j->next, 1);
    if (t >= tasks) break;
    run_task(w, t);
  }
  space_release(w->space, w->owned);
  w->space = NULL;
  return NULL;
}

static void pool_worker(void *ctx, int id) { worker_main(&((Worker *)ctx)[id]); }

static long ceil_div(long a, long b) { return (a + b - 1) / b; }

void hearth_sgemm(int transA, int transB, long batch, long M, long N, long K,
                  const float *A, long lda, long strideA, const float *B, long ldb, long strideB,
                  float *C, long ldc, long strideC, int threads) {
  pthread_once(&kernel_once, choose_kernel);
  if (batch <= 0 || M <= 0 || N <= 0) return;
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  const double flops = 2.0 * (double)batch * (double)M * (double)N * (double)K;
  Job job = {transA, transB, batch, M, N, K, A, lda, strideA, B, ldb, strideB, C, ldc, strideC, SPLIT_BATCH, 1, 0, NULL, 0, atomic_load(&own_first_tasks)};
  if (threads > 1 && flops >= (double)THREAD_FLOPS) {
    if (batch >= 2L * threads) job.split = SPLIT_BATCH;
    else {
      /* Data each split repacks or adds beyond a serial product: M-split repacks B (K x N) per
       * chunk, N-split repacks A (M x K), K-split adds a private C (M x N) per thread. */
      const double costM = (double)K * N, costN = (double)M * K, costK = (double)M * N;
      if (M >= 2L * MR * threads && costM <= costN && costM <= costK) {
        job.split = SPLIT_M;
        /* Several chunks per thread (the threads balance themselves), each at least MC rows. */
        long chunks = 4L * threads;
        if (M / chunks < MC) chunks = M / MC > threads ? M / MC : threads;
        job.chunk = ceil_div(ceil_div(M, chunks), MR) * MR;
      } else if (N >= 2L * NR * threads && costN <= costK) {
        job.split = SPLIT_N;
        long chunks = 4L * threads;
        if (N / chunks < 4 * NR) chunks = threads;
        job.chunk = ceil_div(ceil_div(N, chunks), NR) * NR;
      } else if (batch == 1 && K >= 2L * KC) {
        job.split = SPLIT_K;
        job.chunk = ceil_div(ceil_div(K, 2L * threads), KC) * KC;
      } else if (M >= 2L * MR) {
        job.split = SPLIT_M;
        job.chunk = ceil_div(ceil_div(M, threads), MR) * MR;
      } else threads = 1;
      if (threads > 1) {
        const long dim = job.split == SPLIT_M ? M : job.split == SPLIT_N ? N : K;
        job.chunks = ceil_div(dim, job.chunk);
        if (job.chunks * batch < 2) threads = 1;
      }
    }
  } else threads = 1;
  if (job.split == SPLIT_K) {
    /* One partial C per K chunk, kept per calling thread across calls (fresh memory costs page faults). */
    static __thread float *partials = NULL;
    static __thread size_t partials_len = 0;
    const size_t need = (size_t)job.chunks * (size_t)M * (size_t)N;
    if (partials_len < need) {
      free(partials);
      partials = alloc_floats(need);
      partials_len = partials ? need : 0;
    }
    if (!partials) threads = 1; /* out of memory: the serial product needs none */
    job.partials = partials;
  }
  if (threads == 1) {
    int owned = 0;
    Space *s = space_acquire(&owned);
    if (!s) return; /* out of memory: nothing sensible to do in a product */
    for (long b = 0; b < batch; b++) gemm_serial(M, N, K, view_a(&job, b), view_b(&job, b), C + b * strideC, ldc, 0, s);
    space_release(s, owned);
    return;
  }
  Worker w[MAX_THREADS];
  for (int i = 0; i < threads; i++) w[i] = (Worker){&job, i, NULL, 0, 0, 0};
  atomic_store(&job.next, job.own_first ? threads : 0);
  /* The pool's helpers (native/pool.c) join while this thread works; a busy pool (another
   * thread's product) leaves this one to the calling thread alone. */
  if (!hearth_pool_run(pool_worker, w, threads)) worker_main(&w[0]);
  /* With own_first, a worker that never ran (joined too late, no memory) leaves its own task: run it here, as worker 0. */
  const long tasks = job.split == SPLIT_BATCH ? job.batch : job.batch * job.chunks;
  for (int i = 0; i < threads && job.own_first; i++) {
    if (w[i].first_done || i >= tasks) continue;
    w[0].space = space_acquire(&w[0].owned);
    if (!w[0].space) continue;
    run_task(&w[0], i);
    space_release(w[0].space, w[0].owned);
    w[0].space = NULL;
  }
  if (job.split == SPLIT_K) {
    /* C = the chunks' partial products added in chunk order, whoever computed them. */
    const float *p = job.partials;
    for (long i = 0; i < M; i++) for (long jj = 0; jj < N; jj++) C[i * ldc + jj] = p[i * N + jj];
    for (long t = 1; t < job.chunks; t++) {
      const float *q = p + t * M * N;
      for (long i = 0; i < M; i++) for (long jj = 0; jj < N; jj++) C[i * ldc + jj] += q[i * N + jj];
    }
  }
}

/* ---- peak ---- */

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

typedef struct { double ms; double flops; double secs; double cpu; } PeakArg;

static double thread_cpu_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#ifdef HEARTH_X86
/* 12 independent chains of 8-wide FMAs: the micro-kernel's register tile, without memory. */
__attribute__((target("avx2,fma"))) static void *peak_avx2(void *arg) {
  PeakArg *p = (PeakArg *)arg;
  __m256 x0 = _mm256_set1_ps(1.0f), x1 = x0, x2 = x0, x3 = x0, x4 = x0, x5 = x0, x6 = x0, x7 = x0, x8 = x0, x9 = x0, x10 = x0, x11 = x0;
  const __m256 m = _mm256_set1_ps(0.999999f), a = _mm256_set1_ps(1e-7f);
  const long inner = 1 << 16;
  double flops = 0;
  const double c0 = thread_cpu_s();
  const double t0 = now_s();
  double t = t0;
  do {
    for (long r = 0; r < inner; r++) {
      x0 = _mm256_fmadd_ps(x0, m, a); x1 = _mm256_fmadd_ps(x1, m, a); x2 = _mm256_fmadd_ps(x2, m, a);
      x3 = _mm256_fmadd_ps(x3, m, a); x4 = _mm256_fmadd_ps(x4, m, a); x5 = _mm256_fmadd_ps(x5, m, a);
      x6 = _mm256_fmadd_ps(x6, m, a); x7 = _mm256_fmadd_ps(x7, m, a); x8 = _mm256_fmadd_ps(x8, m, a);
      x9 = _mm256_fmadd_ps(x9, m, a); x10 = _mm256_fmadd_ps(x10, m, a); x11 = _mm256_fmadd_ps(x11, m, a);
      __asm__ volatile("" : "+x"(x0), "+x"(x1), "+x"(x2), "+x"(x3), "+x"(x4), "+x"(x5), "+x"(x6), "+x"(x7), "+x"(x8), "+x"(x9), "+x"(x10), "+x"(x11));
    }
    flops += (double)inner * 12 * 16;
    t = now_s();
  } while ((t - t0) * 1000 < p->ms);
  float sink[8];
  __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(x0, x1), _mm256_add_ps(x2, x3)), _mm256_add_ps(_mm256_add_ps(x4, x5), _mm256_add_ps(x6, x7)));
  s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(x8, x9), _mm256_add_ps(x10, x11)));
  _mm256_storeu_ps(sink, s);
  p->flops = flops + (sink[0] == 12345.0f); /* keeps the chains live */
  p->secs = t - t0;
  p->cpu = thread_cpu_s() - c0;
  return NULL;
}
#endif

static void *peak_portable(void *arg) {
  PeakArg *p = (PeakArg *)arg;
  float x[12][8];
  for (int i = 0; i < 12; i++) for (int l = 0; l < 8; l++) x[i][l] = 1.0f + 1e-7f * (float)(i + l);
  const long inner = 1 << 14;
  double flops = 0;
  const double c0 = thread_cpu_s();
  const double t0 = now_s();
  double t = t0;
  do {
    for (long r = 0; r < inner; r++) {
      for (int i = 0; i < 12; i++) for (int l = 0; l < 8; l++) x[i][l] = x[i][l] * 0.999999f + 1e-7f;
      __asm__ volatile("" : : "r"(x) : "memory");
    }
    flops += (double)inner * 12 * 16;
    t = now_s();
  } while ((t - t0) * 1000 < p->ms);
  p->flops = flops + (x[0][0] == 12345.0f);
  p->secs = t - t0;
  p->cpu = thread_cpu_s() - c0;
  return NULL;
}

double hearth_fma_peak(int threads, double ms, double *per_cpu_second) {
  pthread_once(&kernel_once, choose_kernel);
  if (threads < 1) threads = 1;
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  void *(*fn)(void *) = peak_portable;
#ifdef HEARTH_X86
  if (kernel == kern_avx2) fn = peak_avx2;
#endif
  PeakArg args[MAX_THREADS];
  pthread_t tid[MAX_THREADS];
  int spawned[MAX_THREADS] = {0};
  for (int i = 0; i < threads; i++) args[i] = (PeakArg){ms, 0, 0, 0};
  for (int i = 1; i < threads; i++) spawned[i] = pthread_create(&tid[i], NULL, fn, &args[i]) == 0;
  fn(&args[0]);
  double total = 0, flops = 0, cpu = 0;
  for (int i = 0; i < threads; i++) {
    if (i > 0 && spawned[i]) pthread_join(tid[i], NULL);
    if (i == 0 || spawned[i]) { total += args[i].flops / args[i].secs; flops += args[i].flops; cpu += args[i].cpu; }
  }
  if (per_cpu_second) *per_cpu_second = cpu > 0 ? flops / cpu / 1e9 : 0;
  return total / 1e9;
}
