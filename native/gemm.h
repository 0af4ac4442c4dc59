/* Hearth's own single-precision GEMM (native/gemm.c): no BLAS library needed. */
#ifndef HEARTH_GEMM_H
#define HEARTH_GEMM_H
#include <stddef.h>

/*
 * For i in [0, batch): C_i (M x N) = op(A_i) (M x K) @ op(B_i) (K x N), all row-major.
 * op(A) is A when !transA (A stored (M x K), leading dimension lda) or A^T (A stored (K x M)).
 * op(B) likewise ((K x N) or, transposed, (N x K)). Matrix i starts at A + i * strideA,
 * B + i * strideB, C + i * strideC (stride 0 broadcasts one matrix). C is overwritten.
 * threads: how many threads the call may use (1: the calling thread only).
 */
void hearth_sgemm(int transA, int transB, long batch, long M, long N, long K,
                  const float *A, long lda, long strideA, const float *B, long ldb, long strideB,
                  float *C, long ldc, long strideC, int threads);

/* on != 0: in threaded products each thread first runs a task of its own (tests use it so
 * every split is exercised); default 0: all tasks go to whichever thread asks first. */
void hearth_gemm_set_own_first(int on);

/* The micro-kernel in use: "avx2-fma" or "portable". */
const char *hearth_gemm_kernel(void);
/* Force a kernel ("avx2-fma" or "portable"); returns 0 when that kernel cannot run here. */
int hearth_gemm_set_kernel(const char *name);
/* Whether the CPU has AVX2 + FMA, and AVX-512F (reported only; no AVX-512 kernel yet). */
int hearth_cpu_avx2_fma(void);
int hearth_cpu_avx512f(void);

/*
 * The machine's single-precision FMA peak, measured: `threads` threads each run independent
 * chains of 8-wide FMAs (the micro-kernel's instruction) for about `ms` milliseconds.
 * Returns GFLOP/s over all threads (an FMA counts 2 FLOPs per lane, wall clock); with
 * per_cpu_second, also the FLOPs per CPU-second of the threads (one core's peak while it runs,
 * robust when other processes share the cores).
 */
double hearth_fma_peak(int threads, double ms, double *per_cpu_second);
#endif
