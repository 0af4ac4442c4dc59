import { loadSplits } from '../exploration/task-source.ts';
import { planningPrompt } from '../alignment/datasets/prompts.ts';
import { QUICK } from '../exploration/recipes.ts';
const s = await loadSplits('generated', undefined, 42, { train: 12, seen: 0, unseen: 0 }, 6);
for (const t of s.train) console.log(JSON.stringify(t.title), '=>', t.expertNL!.join(' | '));
console.log(planningPrompt(s.train[0], [{action: s.train[0].expertNL![0], observation: 'x'}] as any, QUICK.recipe.prompt));
