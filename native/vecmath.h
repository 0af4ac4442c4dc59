/* Vectorisable float math shared by native/forward.c and native/blas.c. */
#ifndef HEARTH_VECMATH_H
#define HEARTH_VECMATH_H
#include <math.h>
#include <stdint.h>

/* e^x for x in [-87, 88.72] (clamped outside), Cody-Waite range reduction and cephes'
 * polynomial (~1 ulp); written with plain float arithmetic so the compiler vectorises the
 * loops that call it. The power of two is applied as 2^(n-1) * 2 so that n = 128 (x near
 * the float maximum's log) does not overflow the exponent field. */
static inline float exp_poly(float x) {
  x = x < -87.0f ? -87.0f : (x > 88.72f ? 88.72f : x);
  const float n = floorf(x * 1.44269504088896341f + 0.5f);
  const float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  union { int32_t i; float f; } s;
  s.i = ((int32_t)n + 126) << 23;
  return p * s.f * 2.0f;
}

#endif
