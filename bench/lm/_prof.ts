import { createModel } from '../../agent/local-model.ts';
import { Tokenizer } from '../../agent/tokenizer.ts';
import { backendDetail, tf } from '../../agent/tfjs.ts';
import { Trainer } from '../../alignment/trainer.ts';
const lm = await createModel({ tokenizer: new Tokenizer([]), seed: 0, config: { vocabSize: 512, ctx: 128, layers: 2, d: 128, heads: 4, positions: 'learned' } });
const t = new Trainer(lm, { lr: 1e-3, seed: 0, microBatchRows: 16 });
const rows = Array.from({ length: 16 }, (_, r) => ({ examples: [{ ids: Array.from({ length: 129 }, (_, i) => (i * 7 + r) % 512), weights: new Array(128).fill(1) }], length: 128 }));
t.stepOnRows(rows); console.log(backendDetail());
const info = await tf.profile(() => { t.stepOnRows(rows); });
const agg = new Map<string, { ms: number; n: number }>();
let total = 0;
for (const k of info.kernels) {
  const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  const key = k.name + ' ' + JSON.stringify(k.inputShapes);
  const a = agg.get(key) ?? { ms: 0, n: 0 }; a.ms += ms; a.n++; agg.set(key, a); total += ms;
}
console.log('kernels', info.kernels.length, 'total kernel ms', total.toFixed(1));
for (const [k, v] of [...agg].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30)) console.log(v.ms.toFixed(1).padStart(7), String(v.n).padStart(4), k.slice(0, 120));
