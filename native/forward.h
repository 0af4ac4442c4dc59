/* The decode forward pass of native/forward.c (see there). */
#ifndef HEARTH_FORWARD_H
#define HEARTH_FORWARD_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
  float *x;                 /* (N, D) residual stream of the new tokens, updated in place */
  int N, D, H, F, L;
  const int32_t *pos;       /* (N) position of each token in its row */
  const int32_t *row_offset; /* (N) float offset of the token's row cache inside layer 0's block */
  float *k, *v;             /* all layers' caches; layer l starts at l * layer_stride */
  size_t layer_stride;
  int cap;                  /* rows' capacity in tokens (the context window) */
  /* Per layer, packed: ln1.g (D), ln1.b (D), qkv (D, 3D), o (D, D), ln2.g (D), ln2.b (D), fc (D, F), proj (F, D). */
  const float *weights;
  const float *cos_t, *sin_t; /* RoPE tables (cap, hd/2), or NULL for learned positions */
  int threads;              /* 1, or 2 to split the rows over two threads */
  float *scratch;           /* hearth_forward_scratch(N, D, F, cap) floats of work space */
} HearthForward;

void hearth_gelu(float *x, size_t n);
size_t hearth_forward_scratch(int N, int D, int F, int cap);
void hearth_forward(const HearthForward *f);
#endif
