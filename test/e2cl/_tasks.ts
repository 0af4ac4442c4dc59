import { loadTaskSet, withExperts } from '../../exploration/task-source.ts';
import { planningRecords } from '../../alignment/datasets/records.ts';
import { expertTrajectory } from '../../exploration/expert.ts';
import { episodeFactory } from '../../exploration/world.ts';
const set = await loadTaskSet('generated');
let t0 = Date.now();
const tr0 = set.list({ split: 'train', seed: 42, count: 200 });
console.log('list 200', Date.now() - t0, 'ms');t0 = Date.now();
const w = withExperts(tr0, false, 42); const tr = w.tasks; console.log('planned', Date.now() - t0, 'ms dropped', w.dropped.length, w.dropped.slice(0,3));
console.log('list 200', Date.now() - t0, 'ms');
const un = set.list({ split: 'unseen', seed: 42, count: 5 });
for (const t of [...tr.slice(0, 3)]) console.log(t.id, '|', t.title, '|', t.description, '|', t.expertNL, t.scene.nodes.length);
let lens: number[] = [], chars: number[] = [], fails = 0;
t0 = Date.now();
for (const t of tr) {
  const r = expertTrajectory(t, episodeFactory, 42);
  if (!r.ok) { fails++; if (fails < 4) console.log('fail', t.id, r.reason); continue; }
  lens.push(r.trajectory.steps.length);
  for (const rec of planningRecords(t, r.trajectory.steps, { historySteps: 2, maxObservationChars: 120 })) chars.push(rec.input.length);
}
console.log('expert traj ms', Date.now() - t0, 'fails', fails, 'avg len', lens.reduce((a, b) => a + b, 0) / lens.length, 'max', Math.max(...lens));
chars.sort((a, b) => a - b);
console.log('prompt chars median', chars[chars.length >> 1], 'p90', chars[Math.floor(chars.length * 0.9)], 'max', chars[chars.length - 1], 'n', chars.length);
