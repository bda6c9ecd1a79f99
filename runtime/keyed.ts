/**
 * Keyed lookups and joins for catalogs: numeric keys through a typed index (no Map), the
 * reference catalog's batch join uses it.
 */
import type { Column } from "./containers.js";

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Hash of a number's bits (0 and -0 are the same key). */
function hashKey(key: number): number {
  f64[0] = key === 0 ? 0 : key;
  let h = Math.imul(u32[0]! ^ Math.imul(u32[1]!, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * A read-only index from numeric key to the first row holding it: dense slots for compact
 * integer keys, typed open addressing otherwise. A JS Map with 1M numeric keys costs ~10×
 * more to build and probe; this keeps a million-row join to a few milliseconds.
 */
export class NumericKeyIndex {
  private readonly min: number;
  private readonly dense: Int32Array | undefined;
  private readonly keys: Float64Array;
  private readonly rows: Int32Array;
  private readonly mask: number;

  constructor(keys: Column<number>) {
    const n = keys.length;
    let min = Infinity;
    let max = -Infinity;
    let integers = true;
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      if (k < min) min = k;
      if (k > max) max = k;
      if (Math.floor(k) !== k) integers = false;
    }
    this.min = min;
    const span = max - min + 1;
    if (n > 0 && integers && span <= 4 * n + 1024) {
      const dense = new Int32Array(span).fill(-1);
      for (let i = n - 1; i >= 0; i--) dense[keys[i]! - min] = i;
      this.dense = dense;
      this.keys = new Float64Array(0);
      this.rows = new Int32Array(0);
      this.mask = 0;
      return;
    }
    this.dense = undefined;
    let capacity = 16;
    while (capacity < 2 * n) capacity *= 2;
    this.keys = new Float64Array(capacity);
    this.rows = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      if (k !== k) continue; // NaN never matches
      let slot = hashKey(k) & this.mask;
      while (this.rows[slot] !== -1 && this.keys[slot] !== k) slot = (slot + 1) & this.mask;
      if (this.rows[slot] === -1) {
        this.keys[slot] = k;
        this.rows[slot] = i;
      }
    }
  }

  /** The first row holding `key`, or -1. */
  get(key: number): number {
    if (this.dense !== undefined) {
      if (Math.floor(key) !== key) return -1;
      const d = key - this.min;
      return d >= 0 && d < this.dense.length ? this.dense[d]! : -1;
    }
    if (key !== key) return -1;
    let slot = hashKey(key) & this.mask;
    for (;;) {
      const row = this.rows[slot]!;
      if (row === -1 || this.keys[slot] === key) return row;
      slot = (slot + 1) & this.mask;
    }
  }
}

/** Gathers `values` by key: row i of the result is the value of the row whose key is `keys[i]` (or `missing`). */
export function joinColumn(keys: Column<number>, index: NumericKeyIndex, values: Column<number>, missing = NaN): Float64Array {
  const out = new Float64Array(keys.length);
  for (let i = 0; i < out.length; i++) {
    const row = index.get(keys[i]!);
    out[i] = row < 0 ? missing : values[row]!;
  }
  return out;
}
