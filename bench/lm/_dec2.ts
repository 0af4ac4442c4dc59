import { benchDecode } from './tfjs-bench.ts';
const r = await benchDecode({ layers: 2, d: 128, heads: 4, ctx: 128, batch: 32, vocab: 512, steps: 120 });
console.log(r);
