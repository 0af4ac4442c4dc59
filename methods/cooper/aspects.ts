/**
 * Cooper's specialised agents for a household request with several goals (spec §E, household
 * mapping): one per aspect — locating (where to go), manipulation (grab, open, put, sit,
 * switch), tidiness (close what was opened) and the user's preferences (the stated places and
 * rules). Each summarises its progress (Cooper's state tracker) and proposes candidate next
 * actions (its aspect promoter). The agents are symbolic readers of the simulator state here,
 * where the paper prompts an LLM [reconstruction].
 */
import type { Episode } from '../../env/episode.ts';
import type { SceneGraph } from '../../env/graph.ts';
import { believedPlace, type Beliefs, type Instruction } from '../../dialogue/instructions.ts';
import { instructionDone } from '../../dialogue/judge.ts';
import { PLACEMENT_OPTIONS, statement } from '../../dialogue/preferences.ts';
import { CHARACTER, nodeOf } from '../../dialogue/scene.ts';

export const ASPECTS = ['locate', 'manipulate', 'tidy', 'preferences'] as const;
export type Aspect = (typeof ASPECTS)[number];

export interface Candidate { action: string; aspects: Aspect[] }
export interface AspectView { summaries: Record<Aspect, string>; candidates: Candidate[] }

const words = (cls: string): string => cls.replace(/_/g, ' ');
const close = (g: SceneGraph, id: number): boolean => g.hasEdge(CHARACTER, 'CLOSE', id);
const heldIds = (g: SceneGraph): number[] => [...g.out(CHARACTER, 'HOLDS_RH'), ...g.out(CHARACTER, 'HOLDS_LH')];

/** The multi-goal request's text: `Please put the cup and the book away, then make the living room cosy.` */
export function multiGoalText(goals: readonly Instruction[]): string {
  const objs = goals.flatMap((g) => (g.kind === 'put_away' ? [`the ${words(g.object)}`] : []));
  const put = objs.length ? `put ${objs.length > 1 ? `${objs.slice(0, -1).join(', ')} and ${objs[objs.length - 1]}` : objs[0]} away` : '';
  const cosy = goals.some((g) => g.kind === 'cosy') ? 'make the living room cosy' : '';
  return `Please ${[put, cosy].filter(Boolean).join(', then ')}.`;
}

/**
 * Every aspect agent's summary and candidates in this state. `opened`: containers this episode
 * opened (tidiness closes only those). Candidates proposed by several aspects are listed once
 * with all of them.
 */
export function aspectView(goals: readonly Instruction[], rules: Beliefs, ep: Episode, opened: ReadonlySet<number>): AspectView {
  const g = ep.graph;
  const pending = goals.filter((x) => !instructionDone(x, g));
  const puts = pending.filter((x): x is Extract<Instruction, { kind: 'put_away' }> => x.kind === 'put_away');
  const held = heldIds(g);
  const out = new Map<string, Set<Aspect>>();
  const propose = (aspect: Aspect, action: string): void => { (out.get(action) ?? out.set(action, new Set()).get(action)!).add(aspect); };
  const placeAction = (o: string, relation: 'ON' | 'INSIDE', t: string) => `Put ${words(o)} ${relation === 'ON' ? 'on' : 'in'} ${words(t)}`;

  for (const p of puts) {
    const id = nodeOf(g, p.object);
    if (held.includes(id)) {
      for (const opt of PLACEMENT_OPTIONS[p.object]) {
        const t = nodeOf(g, opt.target);
        if (!close(g, t)) propose('locate', `Walk to ${words(opt.target)}`);
        else if (g.node(t).states.has('CLOSED')) propose('manipulate', `Open ${words(opt.target)}`);
        else propose('manipulate', placeAction(p.object, opt.relation, opt.target));
      }
      const want = believedPlace(p.object, rules);
      const t = nodeOf(g, want.target);
      propose('preferences', !close(g, t) ? `Walk to ${words(want.target)}` : g.node(t).states.has('CLOSED') ? `Open ${words(want.target)}` : placeAction(p.object, want.relation, want.target));
    } else if (held.length === 0) {
      if (!close(g, id)) propose('locate', `Walk to ${words(p.object)}`);
      else propose('manipulate', `Grab ${words(p.object)}`);
    }
  }
  if (puts.length === 0 && pending.some((x) => x.kind === 'cosy')) {
    const tv = nodeOf(g, 'tv');
    const sofa = nodeOf(g, 'sofa');
    if (!close(g, tv) && !g.node(tv).states.has('ON')) propose('locate', 'Walk to tv');
    if (close(g, tv) && !g.node(tv).states.has('ON')) propose('manipulate', 'Switch on tv');
    if (!close(g, sofa)) propose('locate', 'Walk to sofa');
    else propose('manipulate', 'Sit on sofa');
    if (rules.get('tv')?.kind === 'forbid') propose('preferences', close(g, sofa) ? 'Sit on sofa' : 'Walk to sofa');
  }
  const openNow = [...opened].filter((id) => g.node(id).states.has('OPEN'));
  for (const id of openNow) {
    const name = words(g.node(id).className);
    propose('tidy', close(g, id) ? `Close ${name}` : `Walk to ${name}`);
  }
  const done = goals.length - pending.length;
  const summaries: Record<Aspect, string> = {
    locate: `near ${[...g.out(CHARACTER, 'CLOSE')].map((i) => words(g.node(i).className)).filter((n) => n !== 'character').slice(0, 3).join(', ') || 'nothing'}`,
    manipulate: held.length ? `holding ${held.map((i) => words(g.node(i).className)).join(', ')}; ${done} of ${goals.length} goals done` : `hands free; ${done} of ${goals.length} goals done`,
    tidy: openNow.length ? `${openNow.map((i) => words(g.node(i).className)).join(', ')} left open` : 'nothing left open',
    preferences: puts.length ? `${statement({ id: '', slot: '', kind: 'placement', object: puts[0].object, place: believedPlace(puts[0].object, rules) })}` : rules.get('tv')?.kind === 'forbid' ? 'never switch on the tv' : 'no rule applies',
  };
  return { summaries, candidates: [...out].map(([action, a]) => ({ action, aspects: [...a] })) };
}
