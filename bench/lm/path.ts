/**
 * One compute path of `npm run bench:lm`, in its own process (the path is chosen by the
 * environment, read once at start-up: HEARTH_NATIVE=0 for pure wasm, HEARTH_GEMM=openblas
 * for the OpenBLAS variant, neither for Hearth's GEMM). Prints one JSON line: training and
 * decoding tokens/s (wall clock and per CPU-second) and, with --gemm, the native GEMM's
 * GFLOP/s on the quick recipe's training products and on decoding products against the
 * FMA peak measured in the same run.
 */
import { nativeBlas, nativeBlasNote } from '../../agent/native-blas.ts';
import { backendDetail } from '../../agent/tfjs.ts';
import { decodeShapes, gemmReport, QUICK_MODEL, trainingShapes, type GemmReport, type GemmUnderTest } from './gemm-bench.ts';
import { wasmGemmUnderTest } from './wasm-gemm.ts';
import { benchDecode, benchTrain, type BenchShape } from './tfjs-bench.ts';

const arg = (name: string, fb: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fb;
};
const shape: BenchShape = {
  layers: arg('layers', 2), d: arg('d', 128), heads: arg('heads', 4), ctx: arg('ctx', 128), batch: arg('batch', 16), vocab: arg('vocab', 512),
  steps: arg('steps', 5), backend: 'wasm',
};
const decodeSteps = arg('decode-steps', 64);

const train = await benchTrain(shape);
// A discarded warm-up run: the decoding engine's JS loops reach steady state (V8 tiers up)
// only after some hundred steps, which would otherwise penalise whichever shape runs first.
await benchDecode({ ...shape, batch: 4, steps: decodeSteps });
const dec1 = await benchDecode({ ...shape, batch: 1, steps: decodeSteps });
const dec32 = await benchDecode({ ...shape, batch: 32, steps: decodeSteps });
const blas = nativeBlas();
let gemm: { training: GemmReport; decoding: GemmReport } | null = null;
// The native GEMM, or without the addon the wasm SIMD kernels' product.
const underTest: GemmUnderTest | null = blas ?? (process.env.HEARTH_WASM_KERNELS === '0' ? null : wasmGemmUnderTest());
if (underTest && process.argv.includes('--gemm')) {
  gemm = {
    training: gemmReport(underTest, trainingShapes(QUICK_MODEL)),
    decoding: gemmReport(underTest, [...decodeShapes(QUICK_MODEL, 1), ...decodeShapes(QUICK_MODEL, 32)]),
  };
}
console.log(JSON.stringify({
  backendDetail: backendDetail(), native: blas ? blas.info() : null, note: nativeBlasNote(),
  trainTokensPerSecond: train.tokensPerSecond, decodeTokensPerSecond: dec1.tokensPerSecond, batchedDecodeTokensPerSecond: dec32.tokensPerSecond,
  trainTokensPerCpuSecond: train.tokensPerCpuSecond, decodeTokensPerCpuSecond: dec1.tokensPerCpuSecond, batchedDecodeTokensPerCpuSecond: dec32.tokensPerCpuSecond,
  gemm,
}));
