// Hearth's WebAssembly SIMD kernels (AssemblyScript), the compute path where no C compiler
// exists: compiled at install by native/build.mjs (`asc`, from this source; no committed
// binary) to native/build/hearth_kernels.wasm, instantiated over the tfjs wasm backend's own
// memory (imported as env.memory), so products run on tensors where they lie, with no copies.
//
// Everything here is addressed in bytes of that memory. The module has no data segments and
// allocates nothing: work space comes from the caller (tfjs's malloc), because the memory
// belongs to tfjs and anything this module placed in it would overwrite tfjs's own data.
//
// Layout conventions (row-major, like native/gemm.c):
//   C_b (M, N) = op(A_b) (M, K) · op(B_b) (K, N), b < batch; op(A) = Aᵀ when transA (A stored
//   (K, M)), op(B) = Bᵀ when transB (B stored (N, K)); strideA/strideB in floats between batch
//   items (0 broadcasts one operand); C items are M·N apart.

// Micro-tile: MR rows × NR columns of C held in MR·NR/4 v128 accumulators (x64 V8 has 16 xmm
// registers: 4×8 keeps 8 accumulators, 2 B vectors and 1 broadcast A value live).
const MR: i32 = 4;
const NR: i32 = 8;
// Cache blocks: a packed B block KC×NC (256×512 floats = 512 KiB) stays in L2, a packed A
// block MC×KC (64×256 = 64 KiB) in L1/L2.
const KC: i32 = 256;
const NC: i32 = 512;
const MC: i32 = 64;

/** Floats of work space sgemm needs (packed A block, packed B block, one spill tile). */
export function sgemmWorkspaceFloats(): i32 {
  return MC * KC + KC * NC + MR * NR;
}

/** op(A)(i, k) address; lda: floats between stored rows. */
// @ts-ignore: decorator
@inline function addrA(a: usize, transA: bool, lda: i32, i: i32, k: i32): usize {
  return a + (<usize>(transA ? k * lda + i : i * lda + k) << 2);
}

/** op(B)(k, j) address; ldb: floats between stored rows. */
// @ts-ignore: decorator
@inline function addrB(b: usize, transB: bool, ldb: i32, k: i32, j: i32): usize {
  return b + (<usize>(transB ? j * ldb + k : k * ldb + j) << 2);
}

/**
 * Pack rows i0..i0+mc, columns k0..k0+kc of op(A) into MR-row panels, k-major inside a panel
 * (panel p holds rows p·MR.., element (r, k) at p·MR·kc + k·MR + r); rows past M are zero.
 */
function packA(dst: usize, a: usize, transA: bool, lda: i32, i0: i32, mc: i32, k0: i32, kc: i32): void {
  for (let p: i32 = 0; p < mc; p += MR) {
    const rows = min(MR, mc - p);
    const panel = dst + (<usize>(p * kc) << 2);
    if (transA && rows == MR) {
      // A stored (K, M): the panel's MR rows are contiguous in each stored row.
      for (let k: i32 = 0; k < kc; k++) {
        v128.store(panel + (<usize>(k * MR) << 2), v128.load(addrA(a, true, lda, i0 + p, k0 + k)));
      }
      continue;
    }
    for (let r: i32 = 0; r < MR; r++) {
      if (r < rows) {
        for (let k: i32 = 0; k < kc; k++) {
          f32.store(panel + (<usize>(k * MR + r) << 2), f32.load(addrA(a, transA, lda, i0 + p + r, k0 + k)));
        }
      } else {
        for (let k: i32 = 0; k < kc; k++) f32.store(panel + (<usize>(k * MR + r) << 2), 0);
      }
    }
  }
}

/**
 * Pack rows k0..k0+kc, columns j0..j0+nc of op(B) into NR-column panels, k-major inside a
 * panel (panel q holds columns q·NR.., element (k, c) at q·NR·kc + k·NR + c); columns past N
 * are zero.
 */
function packB(dst: usize, b: usize, transB: bool, ldb: i32, k0: i32, kc: i32, j0: i32, nc: i32): void {
  for (let q: i32 = 0; q < nc; q += NR) {
    const cols = min(NR, nc - q);
    const panel = dst + (<usize>(q * kc) << 2);
    if (!transB && cols == NR) {
      for (let k: i32 = 0; k < kc; k++) {
        const src = addrB(b, false, ldb, k0 + k, j0 + q);
        const out = panel + (<usize>(k * NR) << 2);
        v128.store(out, v128.load(src));
        v128.store(out, v128.load(src, 16), 16);
      }
      continue;
    }
    for (let c: i32 = 0; c < NR; c++) {
      if (c < cols) {
        for (let k: i32 = 0; k < kc; k++) {
          f32.store(panel + (<usize>(k * NR + c) << 2), f32.load(addrB(b, transB, ldb, k0 + k, j0 + q + c)));
        }
      } else {
        for (let k: i32 = 0; k < kc; k++) f32.store(panel + (<usize>(k * NR + c) << 2), 0);
      }
    }
  }
}

/**
 * One MR×NR tile: acc = Σ_k pa[k]ᵀ pb[k] over kc packed steps, then C(rows, cols) = acc (first
 * K block) or += acc. Full tiles store vectors straight into C; edge tiles go through `spill`
 * and write only their valid rows × cols.
 */
function microKernel(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, rows: i32, cols: i32, accumulate: bool, spill: usize): void {
  let c00 = f32x4.splat(0); let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0); let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0); let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0); let c31 = f32x4.splat(0);
  for (let k: i32 = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(a, b0)); c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 4);
    c10 = f32x4.add(c10, f32x4.mul(a, b0)); c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 8);
    c20 = f32x4.add(c20, f32x4.mul(a, b0)); c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 12);
    c30 = f32x4.add(c30, f32x4.mul(a, b0)); c31 = f32x4.add(c31, f32x4.mul(a, b1));
    pa += MR << 2;
    pb += NR << 2;
  }
  const row = <usize>ldc << 2;
  if (rows == MR && cols == NR) {
    if (accumulate) {
      c00 = f32x4.add(c00, v128.load(c)); c01 = f32x4.add(c01, v128.load(c, 16));
      c10 = f32x4.add(c10, v128.load(c + row)); c11 = f32x4.add(c11, v128.load(c + row, 16));
      c20 = f32x4.add(c20, v128.load(c + 2 * row)); c21 = f32x4.add(c21, v128.load(c + 2 * row, 16));
      c30 = f32x4.add(c30, v128.load(c + 3 * row)); c31 = f32x4.add(c31, v128.load(c + 3 * row, 16));
    }
    v128.store(c, c00); v128.store(c, c01, 16);
    v128.store(c + row, c10); v128.store(c + row, c11, 16);
    v128.store(c + 2 * row, c20); v128.store(c + 2 * row, c21, 16);
    v128.store(c + 3 * row, c30); v128.store(c + 3 * row, c31, 16);
    return;
  }
  v128.store(spill, c00); v128.store(spill, c01, 16);
  v128.store(spill, c10, 32); v128.store(spill, c11, 48);
  v128.store(spill, c20, 64); v128.store(spill, c21, 80);
  v128.store(spill, c30, 96); v128.store(spill, c31, 112);
  for (let r: i32 = 0; r < rows; r++) {
    for (let j: i32 = 0; j < cols; j++) {
      const dst = c + <usize>r * row + (<usize>j << 2);
      const v = f32.load(spill + (<usize>(r * NR + j) << 2));
      f32.store(dst, accumulate ? f32.load(dst) + v : v);
    }
  }
}

/** Batched sgemm (see the layout note at the top); work: sgemmWorkspaceFloats() floats. */
export function sgemm(a: usize, b: usize, c: usize, batch: i32, M: i32, N: i32, K: i32, transA: bool, transB: bool,
  strideA: i32, strideB: i32, work: usize): void {
  for (let t: i32 = 0; t < batch; t++) {
    sgemmPart(a + (<usize>(t * strideA) << 2), transA ? M : K, b + (<usize>(t * strideB) << 2), transB ? K : N,
      c + (<usize>(t * M * N) << 2), N, M, N, K, transA, transB, work);
  }
}

/**
 * One product with explicit leading dimensions (floats between stored rows of A, B, C), so a
 * block of C's rows or columns can be computed on its own (agent/wasm-threads.ts splits
 * products between two threads this way).
 */
export function sgemmPart(a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, M: i32, N: i32, K: i32, transA: bool, transB: bool,
  work: usize): void {
  const packedA = work;
  const packedB = work + (<usize>(MC * KC) << 2);
  const spill = packedB + (<usize>(KC * NC) << 2);
  if (K == 0) {
    for (let i: i32 = 0; i < M; i++) memory.fill(c + (<usize>(i * ldc) << 2), 0, <usize>N << 2);
    return;
  }
  for (let j0: i32 = 0; j0 < N; j0 += NC) {
    const nc = min(NC, N - j0);
    for (let k0: i32 = 0; k0 < K; k0 += KC) {
      const kc = min(KC, K - k0);
      packB(packedB, b, transB, ldb, k0, kc, j0, nc);
      for (let i0: i32 = 0; i0 < M; i0 += MC) {
        const mc = min(MC, M - i0);
        packA(packedA, a, transA, lda, i0, mc, k0, kc);
        for (let q: i32 = 0; q < nc; q += NR) {
          const pb = packedB + (<usize>(q * kc) << 2);
          for (let p: i32 = 0; p < mc; p += MR) {
            microKernel(kc, packedA + (<usize>(p * kc) << 2), pb, c + (<usize>((i0 + p) * ldc + j0 + q) << 2), ldc,
              min(MR, mc - p), min(NR, nc - q), k0 > 0, spill);
          }
        }
      }
    }
  }
}

// e^x for four lanes: x = n ln2 + r, |r| ≤ ln2/2, e^r by a degree-6 polynomial, 2^n by building
// the float's exponent bits. Relative error < 3e-7 in between; e^x is 0 below -87.33 (where
// a float underflows: masked attention scores must weigh exactly nothing) and +∞ above 88.72
// (where it overflows), NaN stays NaN: the same answers as Math.exp rounded to float.
// @ts-ignore: decorator
@inline function exp4(x0: v128): v128 {
  const x = f32x4.min(f32x4.max(x0, f32x4.splat(-87.33)), f32x4.splat(88.72));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.3981999507e-3);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.mul(f32x4.mul(p, r), r), f32x4.add(r, f32x4.splat(1)));
  // 2^n: n is in [-126, 128]; 2^n = 2^(n/2)·2^(n - n/2) keeps each factor a normal float.
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const h = i32x4.shr_s(ni, 1);
  const s1 = i32x4.shl(i32x4.add(h, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(i32x4.sub(ni, h), i32x4.splat(127)), 23);
  // Zero where x < -87.33, +∞ where x > 88.72; NaN stays NaN (a diverged loss must show).
  const y = v128.andnot(f32x4.mul(f32x4.mul(p, s1), s2), f32x4.lt(x0, f32x4.splat(-87.33)));
  return v128.bitselect(f32x4.splat(Infinity), y, f32x4.gt(x0, f32x4.splat(88.72)));
}

/** y = e^x for n floats (addresses in bytes). */
export function exp(x: usize, y: usize, n: i32): void {
  let i: i32 = 0;
  for (; i + 4 <= n; i += 4) v128.store(y + (<usize>i << 2), exp4(v128.load(x + (<usize>i << 2))));
  for (; i < n; i++) {
    const v = exp4(f32x4.splat(f32.load(x + (<usize>i << 2))));
    f32.store(y + (<usize>i << 2), f32x4.extract_lane(v, 0));
  }
}

/** y (C) = column sums of x (R, C). */
export function colsum(x: usize, y: usize, R: i32, C: i32): void {
  memory.fill(y, 0, <usize>C << 2);
  for (let r: i32 = 0; r < R; r++) {
    const row = x + (<usize>(r * C) << 2);
    let j: i32 = 0;
    for (; j + 16 <= C; j += 16) {
      const o = <usize>j << 2;
      v128.store(y + o, f32x4.add(v128.load(y + o), v128.load(row + o)));
      v128.store(y + o, f32x4.add(v128.load(y + o, 16), v128.load(row + o, 16)), 16);
      v128.store(y + o, f32x4.add(v128.load(y + o, 32), v128.load(row + o, 32)), 32);
      v128.store(y + o, f32x4.add(v128.load(y + o, 48), v128.load(row + o, 48)), 48);
    }
    for (; j + 4 <= C; j += 4) {
      const o = <usize>j << 2;
      v128.store(y + o, f32x4.add(v128.load(y + o), v128.load(row + o)));
    }
    for (; j < C; j++) {
      const o = <usize>j << 2;
      f32.store(y + o, f32.load(y + o) + f32.load(row + o));
    }
  }
}

// GELU (tanh approximation, GPT-2's) and its derivative for four lanes:
//   u = c (x + 0.044715 x³), t = tanh u = 1 − 2 / (e^{2u} + 1)
//   y = ½ x (1 + t),  y' = ½ (1 + t) + ½ x (1 − t²) c (1 + 3·0.044715 x²)
// @ts-ignore: decorator
@inline function tanh4(u: v128): v128 {
  const e = exp4(f32x4.add(u, u));
  return f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
}

const GELU_C: f32 = 0.7978845608028654;

/** y = gelu(x) and d = gelu'(x) for n floats. */
export function geluGrad(x: usize, y: usize, d: usize, n: i32): void {
  const half = f32x4.splat(0.5);
  const one = f32x4.splat(1);
  const c = f32x4.splat(GELU_C);
  for (let i: i32 = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const v = i + 4 <= n ? v128.load(x + o) : tail4(x + o, n - i);
    const v2 = f32x4.mul(v, v);
    const t = tanh4(f32x4.mul(c, f32x4.mul(v, f32x4.add(one, f32x4.mul(v2, f32x4.splat(0.044715))))));
    const yv = f32x4.mul(f32x4.mul(half, v), f32x4.add(one, t));
    const du = f32x4.mul(c, f32x4.add(one, f32x4.mul(v2, f32x4.splat(3 * 0.044715))));
    const dv = f32x4.add(f32x4.mul(half, f32x4.add(one, t)),
      f32x4.mul(f32x4.mul(f32x4.mul(half, v), f32x4.sub(one, f32x4.mul(t, t))), du));
    if (i + 4 <= n) { v128.store(y + o, yv); v128.store(d + o, dv); continue; }
    for (let l: i32 = 0; l < n - i; l++) {
      f32.store(y + o + (<usize>l << 2), lane(yv, l));
      f32.store(d + o + (<usize>l << 2), lane(dv, l));
    }
  }
}

/**
 * One AdamW step over n floats (alignment/optim.ts's arithmetic, same order, float32: wasm
 * has no fused multiply-add, so the results equal tfjs's ops bit for bit). Addresses in bytes;
 * h (bytes) holds 9 floats: b1, 1-b1, b2, 1-b2, c1, c2, eps, lr, keep (= 1 - lr*decay).
 */
export function adamw(p: usize, m: usize, v: usize, g: usize, po: usize, mo: usize, vo: usize, n: i32, h: usize, decay: bool): void {
  const b1 = f32x4.splat(f32.load(h)), nb1 = f32x4.splat(f32.load(h, 4)), b2 = f32x4.splat(f32.load(h, 8)), nb2 = f32x4.splat(f32.load(h, 12));
  const c1 = f32x4.splat(f32.load(h, 16)), c2 = f32x4.splat(f32.load(h, 20)), eps = f32x4.splat(f32.load(h, 24));
  const lr = f32x4.splat(f32.load(h, 28)), keep = f32x4.splat(f32.load(h, 32));
  let i: i32 = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    const m2 = f32x4.add(f32x4.mul(v128.load(m + o), b1), f32x4.mul(gi, nb1));
    const v2 = f32x4.add(f32x4.mul(v128.load(v + o), b2), f32x4.mul(f32x4.mul(gi, gi), nb2));
    const u = f32x4.div(f32x4.div(m2, c1), f32x4.add(f32x4.sqrt(f32x4.div(v2, c2)), eps));
    const pi = v128.load(p + o);
    v128.store(mo + o, m2);
    v128.store(vo + o, v2);
    v128.store(po + o, decay ? f32x4.sub(f32x4.mul(pi, keep), f32x4.mul(u, lr)) : f32x4.sub(pi, f32x4.mul(u, lr)));
  }
  const sb1 = f32.load(h), snb1 = f32.load(h, 4), sb2 = f32.load(h, 8), snb2 = f32.load(h, 12);
  const sc1 = f32.load(h, 16), sc2 = f32.load(h, 20), seps = f32.load(h, 24), slr = f32.load(h, 28), skeep = f32.load(h, 32);
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = f32.load(g + o);
    const m2 = f32.load(m + o) * sb1 + gi * snb1;
    const v2 = f32.load(v + o) * sb2 + gi * gi * snb2;
    const u = (m2 / sc1) / (Mathf.sqrt(v2 / sc2) + seps);
    const pi = f32.load(p + o);
    f32.store(mo + o, m2);
    f32.store(vo + o, v2);
    f32.store(po + o, decay ? pi * skeep - u * slr : pi - u * slr);
  }
}

/**
 * Training LayerNorm over rows of D floats (native/norm.c's arithmetic): y = xhat·g + b, with
 * xhat (N, D) and rstd (N) kept for the backward pass; eps 1e-5. Addresses in bytes.
 */
export function layerNormTrain(x: usize, g: usize, b: usize, y: usize, xhat: usize, rstd: usize, N: i32, D: i32): void {
  const invD: f32 = 1 / <f32>D;
  for (let i: i32 = 0; i < N; i++) {
    const xi = x + ((<usize>i * <usize>D) << 2), yi = y + ((<usize>i * <usize>D) << 2), hi = xhat + ((<usize>i * <usize>D) << 2);
    let s: f32 = 0;
    for (let k: i32 = 0; k < D; k++) s += f32.load(xi + (<usize>k << 2));
    const mu = s * invD;
    let v: f32 = 0;
    for (let k: i32 = 0; k < D; k++) { const c = f32.load(xi + (<usize>k << 2)) - mu; v += c * c; }
    const r: f32 = 1 / Mathf.sqrt(v * invD + 1e-5);
    f32.store(rstd + (<usize>i << 2), r);
    let k: i32 = 0;
    const muv = f32x4.splat(mu), rv = f32x4.splat(r);
    for (; k + 4 <= D; k += 4) {
      const o = <usize>k << 2;
      const h = f32x4.mul(f32x4.sub(v128.load(xi + o), muv), rv);
      v128.store(hi + o, h);
      v128.store(yi + o, f32x4.add(f32x4.mul(h, v128.load(g + o)), v128.load(b + o)));
    }
    for (; k < D; k++) {
      const o = <usize>k << 2;
      const h = (f32.load(xi + o) - mu) * r;
      f32.store(hi + o, h);
      f32.store(yi + o, h * f32.load(g + o) + f32.load(b + o));
    }
  }
}

/**
 * LayerNorm's backward pass: dx = rstd·(dy·g − mean(dy·g) − xhat·mean(dy·g·xhat)) per row;
 * dg = Σ_rows dy·xhat, db = Σ_rows dy (rows in order). Addresses in bytes.
 */
export function layerNormGrad(dy: usize, xhat: usize, rstd: usize, g: usize, dx: usize, dg: usize, db: usize, N: i32, D: i32): void {
  const invD: f32 = 1 / <f32>D;
  memory.fill(dg, 0, <usize>D << 2);
  memory.fill(db, 0, <usize>D << 2);
  for (let i: i32 = 0; i < N; i++) {
    const row = (<usize>i * <usize>D) << 2;
    let a: f32 = 0, c: f32 = 0;
    for (let k: i32 = 0; k < D; k++) {
      const o = <usize>k << 2;
      const d = f32.load(dy + row + o) * f32.load(g + o);
      a += d;
      c += d * f32.load(xhat + row + o);
    }
    const ma = a * invD, mc = c * invD, r = f32.load(rstd + (<usize>i << 2));
    for (let k: i32 = 0; k < D; k++) {
      const o = <usize>k << 2;
      const dyv = f32.load(dy + row + o), h = f32.load(xhat + row + o);
      f32.store(dx + row + o, r * ((dyv * f32.load(g + o) - ma) - h * mc));
      f32.store(dg + o, f32.load(dg + o) + dyv * h);
      f32.store(db + o, f32.load(db + o) + dyv);
    }
  }
}

/** The last n < 4 floats at p as a vector (zeros beyond). */
function tail4(p: usize, n: i32): v128 {
  let v = f32x4.splat(0);
  if (n > 0) v = f32x4.replace_lane(v, 0, f32.load(p));
  if (n > 1) v = f32x4.replace_lane(v, 1, f32.load(p, 4));
  if (n > 2) v = f32x4.replace_lane(v, 2, f32.load(p, 8));
  return v;
}

function lane(v: v128, l: i32): f32 {
  return l == 0 ? f32x4.extract_lane(v, 0) : l == 1 ? f32x4.extract_lane(v, 1) : l == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
}

// ---------------------------------------------------------------------------------------
// Decoding: the transformer blocks of agent/fast-infer.ts for N new tokens, as
// native/forward.c does them (same arithmetic, same packed weight order), on one thread.

/**
 * C (M, N) = A (M, K) · B (K, N), both row-major and read in place (no packing): for the few
 * rows of decoding, packing the weights would cost as much as the product. Tiles of 4 rows ×
 * 8 columns; rows past M repeat the last row (computed, not stored); columns past the last
 * multiple of 8 go scalar.
 */
export function gemmRows(a: usize, b: usize, c: usize, M: i32, N: i32, K: i32): void {
  const N8 = N & ~7;
  for (let i0: i32 = 0; i0 < M; i0 += 4) {
    const rows = min(4, M - i0);
    if (rows == 1) { gemvRow(a + (<usize>(i0 * K) << 2), b, c + (<usize>(i0 * N) << 2), N, K); continue; }
    const a0 = a + (<usize>(i0 * K) << 2);
    const a1 = a + (<usize>((i0 + min(1, rows - 1)) * K) << 2);
    const a2 = a + (<usize>((i0 + min(2, rows - 1)) * K) << 2);
    const a3 = a + (<usize>((i0 + min(3, rows - 1)) * K) << 2);
    for (let j: i32 = 0; j < N8; j += 8) {
      let c00 = f32x4.splat(0); let c01 = f32x4.splat(0);
      let c10 = f32x4.splat(0); let c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0); let c21 = f32x4.splat(0);
      let c30 = f32x4.splat(0); let c31 = f32x4.splat(0);
      let pb = b + (<usize>j << 2);
      const rowB = <usize>N << 2;
      for (let k: i32 = 0; k < K; k++) {
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        const o = <usize>k << 2;
        let x = v128.load32_splat(a0 + o);
        c00 = f32x4.add(c00, f32x4.mul(x, b0)); c01 = f32x4.add(c01, f32x4.mul(x, b1));
        x = v128.load32_splat(a1 + o);
        c10 = f32x4.add(c10, f32x4.mul(x, b0)); c11 = f32x4.add(c11, f32x4.mul(x, b1));
        x = v128.load32_splat(a2 + o);
        c20 = f32x4.add(c20, f32x4.mul(x, b0)); c21 = f32x4.add(c21, f32x4.mul(x, b1));
        x = v128.load32_splat(a3 + o);
        c30 = f32x4.add(c30, f32x4.mul(x, b0)); c31 = f32x4.add(c31, f32x4.mul(x, b1));
        pb += rowB;
      }
      const out = c + (<usize>(i0 * N + j) << 2);
      const rowC = <usize>N << 2;
      v128.store(out, c00); v128.store(out, c01, 16);
      if (rows > 1) { v128.store(out + rowC, c10); v128.store(out + rowC, c11, 16); }
      if (rows > 2) { v128.store(out + 2 * rowC, c20); v128.store(out + 2 * rowC, c21, 16); }
      if (rows > 3) { v128.store(out + 3 * rowC, c30); v128.store(out + 3 * rowC, c31, 16); }
    }
    for (let r: i32 = 0; r < rows; r++) {
      for (let j: i32 = N8; j < N; j++) {
        let s: f32 = 0;
        for (let k: i32 = 0; k < K; k++) s += f32.load(a + (<usize>((i0 + r) * K + k) << 2)) * f32.load(b + (<usize>(k * N + j) << 2));
        f32.store(c + (<usize>((i0 + r) * N + j) << 2), s);
      }
    }
  }
}

/** c (N) = a (K) · B (K, N) for one row: 16 columns at a time (a 4-row tile would compute 3 rows for nothing). */
function gemvRow(a: usize, b: usize, c: usize, N: i32, K: i32): void {
  const rowB = <usize>N << 2;
  let j: i32 = 0;
  for (; j + 16 <= N; j += 16) {
    let c0 = f32x4.splat(0); let c1 = f32x4.splat(0); let c2 = f32x4.splat(0); let c3 = f32x4.splat(0);
    let pb = b + (<usize>j << 2);
    for (let k: i32 = 0; k < K; k++) {
      const x = v128.load32_splat(a + (<usize>k << 2));
      c0 = f32x4.add(c0, f32x4.mul(x, v128.load(pb)));
      c1 = f32x4.add(c1, f32x4.mul(x, v128.load(pb, 16)));
      c2 = f32x4.add(c2, f32x4.mul(x, v128.load(pb, 32)));
      c3 = f32x4.add(c3, f32x4.mul(x, v128.load(pb, 48)));
      pb += rowB;
    }
    const out = c + (<usize>j << 2);
    v128.store(out, c0); v128.store(out, c1, 16); v128.store(out, c2, 32); v128.store(out, c3, 48);
  }
  for (; j < N; j++) {
    let s: f32 = 0;
    for (let k: i32 = 0; k < K; k++) s += f32.load(a + (<usize>k << 2)) * f32.load(b + (<usize>(k * N + j) << 2));
    f32.store(c + (<usize>j << 2), s);
  }
}

/** Σ of a vector's four lanes. */
// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** Σ x[i]·y[i] for n floats (vectors over the first n & ~3, the rest scalar). */
function dot(x: usize, y: usize, n: i32): f32 {
  let acc = f32x4.splat(0);
  let i: i32 = 0;
  for (; i + 4 <= n; i += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(x + (<usize>i << 2)), v128.load(y + (<usize>i << 2))));
  let s = hsum(acc);
  for (; i < n; i++) s += f32.load(x + (<usize>i << 2)) * f32.load(y + (<usize>i << 2));
  return s;
}

/** y[i] += a · x[i] for n floats. */
function axpy(a: f32, x: usize, y: usize, n: i32): void {
  const av = f32x4.splat(a);
  let i: i32 = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(av, v128.load(x + o))));
  }
  for (; i < n; i++) f32.store(y + (<usize>i << 2), f32.load(y + (<usize>i << 2)) + a * f32.load(x + (<usize>i << 2)));
}

/** out (n, D) = LayerNorm of x (n, D) with gain g and bias b, eps 1e-5. */
export function layerNorm(x: usize, out: usize, n: i32, D: i32, g: usize, b: usize): void {
  for (let i: i32 = 0; i < n; i++) {
    const xi = x + (<usize>(i * D) << 2);
    const oi = out + (<usize>(i * D) << 2);
    let mu: f32 = 0;
    for (let j: i32 = 0; j < D; j++) mu += f32.load(xi + (<usize>j << 2));
    mu /= <f32>D;
    let v: f32 = 0;
    for (let j: i32 = 0; j < D; j++) { const d = f32.load(xi + (<usize>j << 2)) - mu; v += d * d; }
    const r: f32 = <f32>1 / Mathf.sqrt(v / <f32>D + <f32>1e-5);
    for (let j: i32 = 0; j < D; j++) {
      const o = <usize>j << 2;
      f32.store(oi + o, (f32.load(xi + o) - mu) * r * f32.load(g + o) + f32.load(b + o));
    }
  }
}

/** RoPE on the H heads of one token's (D) vector at position pos (tables (cap, hd/2)). */
function rope(x: usize, pos: i32, H: i32, hd: i32, cosT: usize, sinT: usize): void {
  const half = hd / 2;
  const c = cosT + (<usize>(pos * half) << 2);
  const s = sinT + (<usize>(pos * half) << 2);
  for (let h: i32 = 0; h < H; h++) {
    const o = x + (<usize>(h * hd) << 2);
    for (let j: i32 = 0; j < half; j++) {
      const x1 = f32.load(o + (<usize>j << 2));
      const x2 = f32.load(o + (<usize>(half + j) << 2));
      const cj = f32.load(c + (<usize>j << 2));
      const sj = f32.load(s + (<usize>j << 2));
      f32.store(o + (<usize>j << 2), x1 * cj - x2 * sj);
      f32.store(o + (<usize>(half + j) << 2), x2 * cj + x1 * sj);
    }
  }
}

/** z (D) = causal attention of query q (D) over the first S rows of K, V ((cap, D)), all heads; sc: S floats of scratch. */
function attend(q: usize, K: usize, V: usize, z: usize, S: i32, H: i32, hd: i32, D: i32, scale: f32, sc: usize): void {
  memory.fill(z, 0, <usize>D << 2);
  for (let h: i32 = 0; h < H; h++) {
    const qh = q + (<usize>(h * hd) << 2);
    const zh = z + (<usize>(h * hd) << 2);
    let mx: f32 = -Infinity;
    for (let s: i32 = 0; s < S; s++) {
      const d = dot(qh, K + (<usize>(s * D + h * hd) << 2), hd) * scale;
      f32.store(sc + (<usize>s << 2), d);
      if (d > mx) mx = d;
    }
    // Scores → e^(score − max), four at a time; the tail through a vector too.
    const m4 = f32x4.splat(mx);
    let sum4 = f32x4.splat(0);
    let s: i32 = 0;
    for (; s + 4 <= S; s += 4) {
      const e = exp4(f32x4.sub(v128.load(sc + (<usize>s << 2)), m4));
      v128.store(sc + (<usize>s << 2), e);
      sum4 = f32x4.add(sum4, e);
    }
    let sum = hsum(sum4);
    for (; s < S; s++) {
      const e = f32x4.extract_lane(exp4(f32x4.splat(f32.load(sc + (<usize>s << 2)) - mx)), 0);
      f32.store(sc + (<usize>s << 2), e);
      sum += e;
    }
    const inv: f32 = <f32>1 / sum;
    for (let t: i32 = 0; t < S; t++) axpy(f32.load(sc + (<usize>t << 2)) * inv, V + (<usize>(t * D + h * hd) << 2), zh, hd);
  }
}

/** GELU (tanh approximation) in place on n floats. */
export function gelu(x: usize, n: i32): void {
  const half = f32x4.splat(0.5);
  const one = f32x4.splat(1);
  const c = f32x4.splat(GELU_C);
  let i: i32 = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    const t = tanh4(f32x4.mul(c, f32x4.mul(v, f32x4.add(one, f32x4.mul(f32x4.mul(v, v), f32x4.splat(0.044715))))));
    v128.store(x + o, f32x4.mul(f32x4.mul(half, v), f32x4.add(one, t)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = f32.load(x + o);
    const t = f32x4.extract_lane(tanh4(f32x4.splat(<f32>GELU_C * (v + <f32>0.044715 * v * v * v))), 0);
    f32.store(x + o, <f32>0.5 * v * (<f32>1 + t));
  }
}

/** Floats of scratch `forward` needs for N tokens (as native/forward.c's hearth_forward_scratch). */
export function forwardScratchFloats(N: i32, D: i32, F: i32, cap: i32): i32 {
  return N * (6 * D + F) + 2 * cap;
}

/**
 * The blocks for N new tokens: x (N, D) in place; each token's key and value appended to its
 * row's cache (rowOffset[i]: the row's float offset inside a layer's block of the k/v caches,
 * layers layerStride floats apart); weights packed per layer as native/forward.h says
 * (ln1.g, ln1.b, qkv (D, 3D), o (D, D), ln2.g, ln2.b, fc (D, F), proj (F, D)); cosT/sinT the
 * RoPE tables or 0 for learned positions; scratch: forwardScratchFloats(N, D, F, cap) floats.
 */
export function forward(x: usize, N: i32, D: i32, H: i32, F: i32, L: i32, pos: usize, rowOffset: usize, k: usize, v: usize,
  layerStride: i32, weights: usize, cosT: usize, sinT: usize, scratch: usize): void {
  const hd = D / H;
  const h = scratch;
  const qkv = h + (<usize>(N * D) << 2);
  const z = qkv + (<usize>(N * 3 * D) << 2);
  const o = z + (<usize>(N * D) << 2);
  const m = o + (<usize>(N * D) << 2);
  const sc = m + (<usize>(N * F) << 2);
  const scale: f32 = <f32>1 / Mathf.sqrt(<f32>hd);
  const perLayer = 4 * D + 4 * D * D + 2 * D * F;
  for (let l: i32 = 0; l < L; l++) {
    const w = weights + (<usize>(l * perLayer) << 2);
    const ln1g = w;
    const ln1b = w + (<usize>D << 2);
    const wqkv = w + (<usize>(2 * D) << 2);
    const wo = wqkv + (<usize>(3 * D * D) << 2);
    const ln2g = wo + (<usize>(D * D) << 2);
    const ln2b = ln2g + (<usize>D << 2);
    const wfc = ln2b + (<usize>D << 2);
    const wproj = wfc + (<usize>(D * F) << 2);
    const kc = k + (<usize>(l * layerStride) << 2);
    const vc = v + (<usize>(l * layerStride) << 2);
    layerNorm(x, h, N, D, ln1g, ln1b);
    gemmRows(h, wqkv, qkv, N, 3 * D, D); // (N, 3D): q | k | v
    for (let i: i32 = 0; i < N; i++) {
      const q = qkv + (<usize>(i * 3 * D) << 2);
      const p = i32.load(pos + (<usize>i << 2));
      const off = i32.load(rowOffset + (<usize>i << 2));
      if (cosT) { rope(q, p, H, hd, cosT, sinT); rope(q + (<usize>D << 2), p, H, hd, cosT, sinT); }
      memory.copy(kc + (<usize>(off + p * D) << 2), q + (<usize>D << 2), <usize>D << 2);
      memory.copy(vc + (<usize>(off + p * D) << 2), q + (<usize>(2 * D) << 2), <usize>D << 2);
    }
    for (let i: i32 = 0; i < N; i++) {
      const p = i32.load(pos + (<usize>i << 2));
      const off = i32.load(rowOffset + (<usize>i << 2));
      attend(qkv + (<usize>(i * 3 * D) << 2), kc + (<usize>off << 2), vc + (<usize>off << 2), z + (<usize>(i * D) << 2), p + 1, H, hd, D, scale, sc);
    }
    gemmRows(z, wo, o, N, D, D);
    axpy(1, o, x, N * D);
    layerNorm(x, h, N, D, ln2g, ln2b);
    gemmRows(h, wfc, m, N, F, D);
    gelu(m, N * F);
    gemmRows(m, wproj, o, N, D, F);
    axpy(1, o, x, N * D);
  }
}

/**
 * Chunk `chunk` of a batched product split for two threads (agent/wasm-threads.ts): mode 0
 * takes batch items [chunk·size, …), mode 1 rows of C, mode 2 columns of C. Both threads run
 * this same function, each on its own copy of the operands' addresses.
 */
export function sgemmChunk(a: usize, b: usize, c: usize, batch: i32, M: i32, N: i32, K: i32, transA: bool, transB: bool,
  strideA: i32, strideB: i32, mode: i32, chunk: i32, size: i32, work: usize): void {
  const lda = transA ? M : K;
  const ldb = transB ? K : N;
  if (mode == 0) {
    const t1 = min(batch, (chunk + 1) * size);
    for (let t: i32 = chunk * size; t < t1; t++) {
      sgemmPart(a + (<usize>(t * strideA) << 2), lda, b + (<usize>(t * strideB) << 2), ldb, c + (<usize>(t * M * N) << 2), N, M, N, K, transA, transB, work);
    }
    return;
  }
  if (mode == 1) {
    const i0 = chunk * size;
    const rows = min(M, i0 + size) - i0;
    sgemmPart(a + (<usize>(transA ? i0 : i0 * K) << 2), lda, b, ldb, c + (<usize>(i0 * N) << 2), N, rows, N, K, transA, transB, work);
    return;
  }
  const j0 = chunk * size;
  const cols = min(N, j0 + size) - j0;
  sgemmPart(a, lda, b + (<usize>(transB ? j0 * K : j0) << 2), ldb, c + (<usize>j0 << 2), N, M, cols, K, transA, transB, work);
}

/**
 * The machine's wasm SIMD peak (for `hearth doctor` and `bench:lm`): `iterations` steps of
 * twelve independent multiply-then-add chains on four lanes, no memory traffic; returns a
 * value derived from the chains so the work cannot be optimised away. 96 FLOPs a step.
 */
export function simdPeak(iterations: i32): f32 {
  const m = f32x4.splat(0.9999);
  const a = f32x4.splat(0.0001);
  let c0 = f32x4.splat(1); let c1 = f32x4.splat(1.1); let c2 = f32x4.splat(1.2); let c3 = f32x4.splat(1.3);
  let c4 = f32x4.splat(1.4); let c5 = f32x4.splat(1.5); let c6 = f32x4.splat(1.6); let c7 = f32x4.splat(1.7);
  let c8 = f32x4.splat(1.8); let c9 = f32x4.splat(1.9); let c10 = f32x4.splat(2.0); let c11 = f32x4.splat(2.1);
  for (let i: i32 = 0; i < iterations; i++) {
    c0 = f32x4.add(f32x4.mul(c0, m), a); c1 = f32x4.add(f32x4.mul(c1, m), a); c2 = f32x4.add(f32x4.mul(c2, m), a);
    c3 = f32x4.add(f32x4.mul(c3, m), a); c4 = f32x4.add(f32x4.mul(c4, m), a); c5 = f32x4.add(f32x4.mul(c5, m), a);
    c6 = f32x4.add(f32x4.mul(c6, m), a); c7 = f32x4.add(f32x4.mul(c7, m), a); c8 = f32x4.add(f32x4.mul(c8, m), a);
    c9 = f32x4.add(f32x4.mul(c9, m), a); c10 = f32x4.add(f32x4.mul(c10, m), a); c11 = f32x4.add(f32x4.mul(c11, m), a);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)), f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11))));
  return hsum(s);
}
