#!/usr/bin/env python3
"""Issue 24's five gaps, applied by hand one at a time to a clean checkout, each followed by the
test file that must catch it; the file is restored after each run. Usage (from a scratch
worktree, never the shared one: it edits sources while it runs):

    git worktree add --detach /tmp/gaps HEAD && ln -s "$PWD/node_modules" /tmp/gaps/node_modules
    python3 stryker/verify-gaps.py /tmp/gaps

Prints CAUGHT/MISSED per change and exits 1 if any was missed.
"""
import subprocess, sys
import os
W = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else '.'
cases = [
 ('1 walk closed-door check deleted', 'env/exec/movement.ts',
  "  if (v1 && !doorAdjacent(ex, n, charRoom)) {", "  if (false && v1 && !doorAdjacent(ex, n, charRoom)) {", 'test/env/actions-preconditions.test.ts'),
 ('2a sit SITTABLE check removed', 'env/exec/movement.ts',
  "  if (!g.hasProperty(n, 'SITTABLE')) return", "  if (false) return", 'test/env/actions-preconditions.test.ts'),
 ('2b lie LIEABLE check removed', 'env/exec/movement.ts',
  "  if (!g.hasProperty(n, 'LIEABLE')) return", "  if (false) return", 'test/env/actions-preconditions.test.ts'),
 ('2c switch-on unplugged check removed', 'env/exec/objects.ts',
  "  if (on && g.hasState(n, 'PLUGGED_OUT'))", "  if (false)", 'test/env/actions-preconditions.test.ts'),
 ('2d plug free-hand check removed', 'env/exec/objects.ts',
  "  if (freeHand(g, c) === undefined) return ex.handErr();\n  const need: State = plugIn", "  const need: State = plugIn", 'test/env/actions-preconditions.test.ts'),
 ('2e drink holding check removed', 'env/exec/objects.ts',
  "  return isHolding(g, ex.character, n) ? null : ex.holdErr(n);\n}\n\nexport function read", "  return null;\n}\n\nexport function read", 'test/env/actions-preconditions.test.ts'),
 ('2f read READABLE check removed', 'env/exec/objects.ts',
  "  if (!g.hasProperty(n, 'READABLE')) return", "  if (false) return", 'test/env/actions-preconditions.test.ts'),
 ('2g squeeze close check removed', 'env/exec/objects.ts',
  "  if (!isClose(g, c, n)) return ex.closeErr(n);\n  if (!g.hasProperty(n, 'CLOTHES') && !SQUEEZABLE", "  if (!g.hasProperty(n, 'CLOTHES') && !SQUEEZABLE", 'test/env/actions-preconditions.test.ts'),
 ('2h cut CUTTABLE check removed', 'env/exec/objects.ts',
  "  if (!g.hasProperty(n, 'CUTTABLE')) return", "  if (false) return", 'test/env/actions-preconditions.test.ts'),
 ('2i move insideClosed check removed', 'env/exec/objects.ts',
  "  if (isInsideClosed(g, n)) return ex.insideErr(n);\n  return freeHand", "  return freeHand", 'test/env/actions-preconditions.test.ts'),
 ('2j drop holding check removed', 'env/exec/hands.ts',
  "  if (!isHolding(g, c, n)) return ex.holdErr(n);\n  const room = roomOf(g, c, ex.compat);", "  const room = roomOf(g, c, ex.compat);", 'test/env/actions-preconditions.test.ts'),
 ('2k puton CLOTHES check removed', 'env/exec/hands.ts',
  "  if (!g.hasProperty(n, 'CLOTHES')) return ex.affErr(n, 'is not clothes', 'CLOTHES');\n  g.addEdge(n, 'ON', c);", "  g.addEdge(n, 'ON', c);", 'test/env/actions-preconditions.test.ts'),
 ('2l putoff ON check removed', 'env/exec/hands.ts',
  "  if (!g.hasEdge(n, 'ON', c)) return", "  if (false) return", 'test/env/actions-preconditions.test.ts'),
 ('2m grab inside-closed check removed', 'env/exec/hands.ts',
  "  if (isInsideClosed(g, n)) return ex.insideErr(n);\n  const hand", "  const hand", 'test/env/actions-preconditions.test.ts'),
 ('2n eat close check removed', 'env/exec/objects.ts',
  "  if (!isClose(g, ex.character, n)) return ex.closeErr(n);\n  if (g.hasProperty(n, 'EATABLE')) return null;", "  if (g.hasProperty(n, 'EATABLE')) return null;", 'test/env/actions-preconditions.test.ts'),
 ('3a grab master clearing = v1', 'env/exec/hands.ts',
  "const GRAB_CLEARED_MASTER: readonly Relation[] = ['ON', 'INSIDE', 'CLOSE', 'HOLDS_RH', 'HOLDS_LH'];", "const GRAB_CLEARED_MASTER: readonly Relation[] = ['ON', 'INSIDE', 'CLOSE'];", 'test/env/actions-effects.test.ts'),
 ('3b master walk becomes v1', 'env/exec/movement.ts',
  "const g = ex.graph, c = ex.character, v1 = ex.compat === 'v1';", "const g = ex.graph, c = ex.character, v1 = true;", 'test/env/actions-effects.test.ts'),
 ('4a bootstrap 80% interval', 'suites/bootstrap.ts',
  "const level = options.level ?? 0.95;", "const level = options.level ?? 0.8;", 'test/suites/metrics-pinned.test.ts'),
 ('4b bootstrap resamples n+1 items', 'suites/bootstrap.ts',
  "const sample: T[] = new Array(items.length);\n  for (let b = 0; b < B; b++) {\n    for (let i = 0; i < items.length; i++)", "const sample: T[] = new Array(items.length + 1);\n  for (let b = 0; b < B; b++) {\n    for (let i = 0; i <= items.length; i++)", 'test/suites/metrics-pinned.test.ts'),
 ('4c bootstrap ignores seed', 'suites/bootstrap.ts',
  "const rng = mulberry32(options.seed ?? 0);", "const rng = mulberry32(0);", 'test/suites/metrics-pinned.test.ts'),
 ('4d LCS treats all actions as equal', 'suites/lcs.ts',
  "cur[j] = a[i - 1] === b[j - 1] ?", "cur[j] = true ?", 'test/suites/metrics-pinned.test.ts'),
 ('4e counts wrong', 'suites/metrics.ts',
  "failedSteps: steps.filter((s) => !s.ok).length,", "failedSteps: steps.filter((s) => s.ok).length,", 'test/suites/metrics-pinned.test.ts'),
 ('5a merges in wrong order', 'agent/tokenizer.ts',
  "if (r !== undefined && r < bestRank) { bestRank = r; at = i; }", "if (r !== undefined && (bestRank === Infinity || r > bestRank)) { bestRank = r; at = i; }", 'test/lm/tokenizer-fixed.test.ts'),
 ('5b vocabulary 6 too small', 'agent/tokenizer.ts',
  "get vocabSize(): number { return BYTE_COUNT + SPECIALS.length + this.merges.length; }", "get vocabSize(): number { return BYTE_COUNT - SPECIALS.length + this.merges.length; }", 'test/lm/tokenizer-fixed.test.ts'),
 ('5c 4-byte chars as CESU-8 (surrogate pairs not combined)', 'agent/tokenizer.ts',
  "if (d >= 0xdc00 && d <= 0xdfff) { c = 0x10000", "if (false) { c = 0x10000", 'test/lm/tokenizer-fixed.test.ts'),
]
ok = True
for name, f, old, new, test in cases:
    p = f'{W}/{f}'
    src = open(p).read()
    if src.count(old) != 1:
        print(f'PATCH NOT FOUND ({src.count(old)}): {name}'); ok = False; continue
    open(p, 'w').write(src.replace(old, new))
    r = subprocess.run(['npx', 'vitest', 'run', test], cwd=W, capture_output=True, text=True)
    open(p, 'w').write(src)
    fails = [l for l in r.stdout.splitlines() if 'Tests ' in l]
    res = 'CAUGHT' if r.returncode != 0 else 'MISSED'
    if r.returncode == 0: ok = False
    print(f'{res}: {name} ({test}) {fails[-1].strip() if fails else ""}')
print('ALL CAUGHT' if ok else 'SOME MISSED')
sys.exit(0 if ok else 1)
