/**
 * The iteration order of a CPython set of small non-negative ints, for the one place where
 * the reference's result depends on it (spec §8, the PUTOBJBACK hash-order trap): GRAB takes
 * the first non-room element of `get_nodes_from(node, rel)` as the object's origin.
 *
 * That set is the one the reference stores for (node, rel) once an edge was added during
 * execution, updated in place by every later addition, removal and read (its first read merges
 * the initial graph's targets in), or a fresh set of the initial targets when nothing was added.
 * `pythonSetOrder` inserts keys; `pythonSetOrderOps` replays adds and discards, whose dummies
 * keep later colliding keys where they landed (exec/hands.ts, firstNonRoom, builds the
 * sequence: first addition, initial targets in ascending id order, then the rest in order).
 * Both follow CPython's set (hash(i) = i, open addressing with 9 linear probes then
 * perturbation, adds reuse the first dummy on their probe path, resize to 4×used when fill
 * reaches 3/5) and iterate the table in slot order. The rule reproduces the dataset on all 400
 * golden programs (test/env/golden.test.ts) and the reference on 19,051 name/id perturbations
 * of them (test/env/name-id.test.ts); pythonSetOrderOps matched CPython 3.11 on random
 * add/discard sequences.
 */

const MIN_SIZE = 8;
const LINEAR_PROBES = 9;
const PERTURB_SHIFT = 5;

function insertClean(table: Int32Array, mask: number, key: number): void {
  let i = key & mask;
  let perturb = key;
  for (;;) {
    if (table[i] < 0) { table[i] = key; return; }
    if (i + LINEAR_PROBES <= mask) {
      for (let j = 1; j <= LINEAR_PROBES; j++) {
        if (table[i + j] < 0) { table[i + j] = key; return; }
      }
    }
    perturb = Math.floor(perturb / 32); // >>= PERTURB_SHIFT, unsigned
    i = (i * 5 + 1 + perturb) & mask;
  }
}

/** The elements of `keys` (distinct, ≥ 0) in the order a CPython set built by adding them iterates. */
export function pythonSetOrder(keys: readonly number[]): number[] {
  let size = MIN_SIZE;
  let table = new Int32Array(size).fill(-1);
  let used = 0;
  for (const key of keys) {
    if (key < 0 || !Number.isInteger(key) || key > 0x7fffffff) return keys.slice(); // outside the model
    const mask = size - 1;
    // Look for the key or an empty slot along the probe sequence.
    let i = key & mask;
    let perturb = key;
    let placed = false;
    for (;;) {
      if (table[i] === key) { placed = true; break; }
      if (table[i] < 0) { table[i] = key; break; }
      if (i + LINEAR_PROBES <= mask) {
        let done = false;
        for (let j = 1; j <= LINEAR_PROBES; j++) {
          if (table[i + j] === key) { placed = true; done = true; break; }
          if (table[i + j] < 0) { table[i + j] = key; done = true; break; }
        }
        if (done) break;
      }
      perturb = Math.floor(perturb / (1 << PERTURB_SHIFT));
      i = (i * 5 + 1 + perturb) & mask;
    }
    if (placed) continue; // already present
    used++;
    if (used * 5 >= mask * 3) {
      const minused = used * 4;
      let newSize = MIN_SIZE;
      while (newSize <= minused) newSize *= 2;
      const next = new Int32Array(newSize).fill(-1);
      for (let s = 0; s < size; s++) if (table[s] >= 0) insertClean(next, newSize - 1, table[s]);
      table = next;
      size = newSize;
    }
  }
  const out: number[] = [];
  for (let s = 0; s < size; s++) if (table[s] >= 0) out.push(table[s]);
  return out;
}

/** One operation on a CPython set: add the key, or discard it (the slot becomes a dummy). */
export type PySetOp = readonly [op: 'add' | 'discard', key: number];

/**
 * The iteration order of a CPython (3.x) set after a sequence of adds and discards: a discard
 * leaves a dummy that later keeps colliding keys where they were, and an add reuses the first
 * dummy on its probe sequence; resizes (by fill, dummies included) re-insert the live keys.
 */
export function pythonSetOrderOps(ops: readonly PySetOp[]): number[] {
  const UNUSED = -1, DUMMY = -2;
  let size = MIN_SIZE;
  let table = new Int32Array(size).fill(UNUSED);
  let used = 0, fill = 0;
  for (const [op, key] of ops) {
    if (key < 0 || !Number.isInteger(key) || key > 0x7fffffff) return liveInOrder(ops); // outside the model
    const mask = size - 1;
    let i = key & mask;
    let perturb = key;
    let free = -1;
    let found = -1;
    let unused = -1;
    search: for (;;) {
      const probes = i + LINEAR_PROBES <= mask ? LINEAR_PROBES : 0;
      for (let j = 0; j <= probes; j++) {
        const v = table[i + j];
        if (v === UNUSED) { unused = i + j; break search; }
        if (v === key) { found = i + j; break search; }
        if (v === DUMMY && free < 0) free = i + j;
      }
      perturb = Math.floor(perturb / (1 << PERTURB_SHIFT));
      i = (i * 5 + 1 + perturb) & mask;
    }
    if (op === 'discard') {
      if (found >= 0) { table[found] = DUMMY; used--; }
      continue;
    }
    if (found >= 0) continue;
    if (free >= 0) { table[free] = key; used++; continue; }
    table[unused] = key; used++; fill++;
    if (fill * 5 >= mask * 3) {
      const minused = used > 50000 ? used * 2 : used * 4;
      let newSize = MIN_SIZE;
      while (newSize <= minused) newSize *= 2;
      const next = new Int32Array(newSize).fill(UNUSED);
      for (let s = 0; s < size; s++) if (table[s] >= 0) insertClean(next, newSize - 1, table[s]);
      table = next;
      size = newSize;
      fill = used;
    }
  }
  const out: number[] = [];
  for (let s = 0; s < size; s++) if (table[s] >= 0) out.push(table[s]);
  return out;
}

/** Outside the model (negative or huge keys): the live keys in the order first added. */
function liveInOrder(ops: readonly PySetOp[]): number[] {
  const live = new Set<number>();
  for (const [op, key] of ops) if (op === 'add') live.add(key); else live.delete(key);
  return [...live];
}
