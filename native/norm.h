/* LayerNorm over the last axis for training (native/norm.c). */
#ifndef HEARTH_NORM_H
#define HEARTH_NORM_H

/* x (N, D) -> y = xhat * g + b, with xhat (N, D) and rstd (N) kept for the backward pass; eps 1e-5. */
void hearth_layer_norm(const float *x, const float *g, const float *b, float *y, float *xhat, float *rstd, long N, long D, int threads);

/* dx (N, D) = rstd * (dy*g - mean(dy*g) - xhat * mean(dy*g*xhat)); dg (D) = sum over rows of dy*xhat; db (D) = sum of dy. */
void hearth_layer_norm_grad(const float *dy, const float *xhat, const float *rstd, const float *g, float *dx, float *dg, float *db,
                            long N, long D, int threads);
#endif
