import { loadTaskSet, nlExpert } from '../../exploration/task-source.ts';
const set = await loadTaskSet('generated');
for (const split of ['train', 'unseen', 'seen'] as const) {
  const tr = set.list({ split, seed: 42, count: 100 });
  let ok = 0; const reasons: Record<string, number> = {};
  const t0 = Date.now();
  for (const t of tr) { const e = nlExpert(t, 42); if ('actions' in e) ok++; else { const k = e.reason.slice(0, 40); reasons[k] = (reasons[k] ?? 0) + 1; } }
  console.log(split, 'ok', ok, '/', tr.length, Date.now() - t0, 'ms', reasons);
}
