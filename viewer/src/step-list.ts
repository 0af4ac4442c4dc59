/**
 * The step list beside the 3D view: one row per step with the action as written, the grounded
 * script line, the result (failures in red with the environment's message), E2CL's speculative
 * trace (proposed action, predicted feedback, correction) and the goal progress. Row 0 is the
 * initial scene. All log text goes in through textContent: a log is untrusted input.
 */
import type { LogStep, LogUtterance } from './log-types.ts';

function el(tag: string, cls: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function row(s: LogStep): HTMLElement {
  const li = el('li', s.ok ? 'step ok' : 'step failed');
  li.dataset.t = String(s.t);
  const head = el('div', 'head');
  head.append(el('span', 'num', String(s.t)), el('span', 'action', s.action));
  head.append(el('span', 'goal', `goal ${s.goal.satisfied}/${s.goal.total}`));
  li.append(head);
  if (s.script) li.append(el('div', 'script', s.script));
  if (s.ok) li.append(el('div', 'result ok', 'ok'));
  else li.append(el('div', 'result failure', s.failure ? `failed (${s.failure.code}): ${s.failure.message}` : 'failed'));
  const sp = s.speculative;
  if (sp) {
    const box = el('div', 'speculative');
    if (sp.proposed !== undefined) box.append(el('div', 'proposed', `proposed: ${sp.proposed}`));
    if (sp.predictedFeedback !== undefined) box.append(el('div', 'predicted', `predicted feedback: ${sp.predictedFeedback}`));
    if (sp.correction) {
      box.append(el('div', sp.used ? 'correction used' : 'correction', `correction${sp.used ? ' (used)' : ' (not used)'}: ${sp.correction}`));
      if (sp.correctionFeedback) box.append(el('div', 'predicted', `predicted after correction: ${sp.correctionFeedback}`));
    }
    li.append(box);
  }
  return li;
}

/** A line of an interactive episode's dialogue (not a step: it cannot be picked). */
function said(u: LogUtterance): HTMLElement {
  const li = el('li', `utterance ${u.speaker === 'user' ? 'user' : 'agent'}`);
  li.append(el('span', 'who', `${u.speaker} (${u.kind}, round ${u.round})`), el('span', 'text', u.text));
  return li;
}

/**
 * The rows in reading order: the steps, and in an interactive episode each round's utterances
 * beside them — what was said before the round's first step (instruction, questions, answers,
 * the plan), then its steps, then the user's reaction.
 */
function inOrder(stepRows: HTMLElement[], steps: LogStep[], utterances: readonly LogUtterance[]): HTMLElement[] {
  if (utterances.length === 0) return stepRows;
  const out: HTMLElement[] = [stepRows[0]];
  const rounds = [...new Set([...utterances.map((u) => u.round), ...steps.map((s) => s.round ?? 0)])].sort((a, b) => a - b);
  for (const r of rounds) {
    const mine = utterances.filter((u) => u.round === r);
    out.push(...mine.filter((u) => u.kind !== 'reaction').map(said));
    steps.forEach((s, i) => { if ((s.round ?? 0) === r) out.push(stepRows[i + 1]); });
    out.push(...mine.filter((u) => u.kind === 'reaction').map(said));
  }
  return out;
}

export class StepList {
  private readonly rows: HTMLElement[] = [];
  private current = -1;

  constructor(private readonly list: HTMLOListElement, steps: LogStep[], onPick: (k: number) => void, utterances: readonly LogUtterance[] = []) {
    const start = el('li', 'step start');
    start.dataset.t = '0';
    start.append(el('div', 'head', 'start: the initial scene'));
    this.rows.push(start);
    for (const s of steps) this.rows.push(row(s));
    list.replaceChildren(...inOrder(this.rows, steps, utterances));
    list.addEventListener('click', (e) => {
      const li = (e.target as HTMLElement).closest('li');
      if (li?.dataset.t !== undefined) onPick(Number(li.dataset.t));
    });
  }

  /** Highlight step k (0 = start) and keep it in view. */
  highlight(k: number): void {
    if (k === this.current) return;
    this.rows[this.current]?.classList.remove('current');
    this.current = k;
    const r = this.rows[k];
    if (!r) return;
    r.classList.add('current');
    const top = r.offsetTop - this.list.offsetTop;
    const view = this.list.parentElement ?? this.list;
    if (top < view.scrollTop || top + r.offsetHeight > view.scrollTop + view.clientHeight) {
      view.scrollTop = Math.max(0, top - view.clientHeight / 3);
    }
  }
}
