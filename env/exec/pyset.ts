/**
 * The iteration order of a CPython set of small non-negative ints, for the one place where
 * the reference's result depends on it (spec §8, the PUTOBJBACK hash-order trap).
 *
 * The reference's `get_nodes_from(node, rel)` builds a Python set from the edges added during
 * execution (first) and then the initial graph's edges (in file order), and GRAB takes the
 * first non-room element as the object's origin. Our rule: feed a sequence of the same shape
 * (targets added since the executor started, in the order they were added, then the initial
 * targets in ascending id order, which keeps the choice independent of our Sets' insertion
 * order after rollbacks) through CPython's set insertion (hash(i) = i, open addressing with 9 linear
 * probes then perturbation, resize to 4×used when 3/5 full) and iterate the table in slot
 * order. It reproduces the dataset on all 400 golden programs (test/env/golden.test.ts).
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
