/**
 * Longest common subsequence of two action sequences, the plan-similarity metric of the
 * LM-planner line of work (Huang et al. 2022): LCS length over the longer sequence's length.
 * Actions are compared case-insensitively with whitespace collapsed.
 */
export function normaliseAction(a: string): string {
  // Stryker disable next-line MethodExpression,Regex: trim, \s+ and filter(Boolean) each make the others redundant (equivalent mutants)
  return a.trim().toLowerCase().split(/\s+/).filter(Boolean).join(' ');
}

export function lcsLength<T>(a: readonly T[], b: readonly T[]): number {
  // Stryker disable next-line ConditionalExpression,LogicalOperator: a shortcut; the table below gives 0 for an empty side too
  if (a.length === 0 || b.length === 0) return 0;
  let prev = new Array<number>(b.length + 1).fill(0);
  let cur = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/** Normalised LCS in [0, 1]; two empty sequences score 1. */
export function normalisedLcs(actions: readonly string[], expert: readonly string[]): number {
  const n = Math.max(actions.length, expert.length);
  if (n === 0) return 1;
  return lcsLength(actions.map(normaliseAction), expert.map(normaliseAction)) / n;
}
