/**
 * Keyed lookups and joins for catalogs. Numeric keys go through a typed index (no Map): a JS
 * Map with 1M numeric keys costs 160–260 ms to build and probe, a typed index 7–12 ms.
 *
 * A lookup's keys must be unique: building an index over a column that holds a key twice throws
 * DuplicateKeyError (the SQL targets refuse the same table with the same error), found while the
 * index is built at no measurable cost. Keys compare as with `===`: 0 and -0 are the same key
 * (so they are duplicates of each other), and NaN matches nothing (as NULL in a SQL join): a NaN
 * key in the indexed column is never found and never a duplicate.
 */
import type { Column } from "./containers.js";
import { DuplicateKeyError } from "./errors.js";

/** A read-only index from key to the one row holding it. */
export interface KeyIndex<K> {
  /** How many rows the index was built from (the length of the column it indexes). */
  readonly rows: number;
  /** The row holding `key`, or -1 when no row does. */
  get(key: K): number;
}

/**
 * The error for a column known to hold a duplicate: its least duplicated key (skipping NaN), how
 * many rows hold it and the first two. Two passes on the error path only.
 */
function duplicateKeyError<K extends number | string>(lookup: string, keys: Column<K>, less: (a: K, b: K) => boolean): DuplicateKeyError {
  const first = new Map<K, number>();
  let least: K | undefined;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (k !== k) continue;
    if (!first.has(k)) first.set(k, i);
    else if (least === undefined || less(k, least)) least = k;
  }
  const rows: number[] = [];
  let count = 0;
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] !== least) continue;
    count++;
    if (rows.length < 2) rows.push(i);
  }
  return new DuplicateKeyError(lookup, least === 0 ? 0 : least!, count, rows);
}

/** Code-point order (UTF-8 byte order, as SQL engines compare strings without a collation): UTF-16 order with surrogates moved above U+E000–U+FFFF. */
function codePointLess(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const fix = (u: number) => (u >= 0xe000 ? u - 0x800 : u >= 0xd800 ? u + 0x2000 : u);
    return fix(x) < fix(y);
  }
  return a.length < b.length;
}

const numberLess = (a: number, b: number) => a < b;

const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);

/** A well-mixed 32-bit hash of a number's float64 bits (0 and -0 hash alike). */
function hashKey(key: number): number {
  scratch[0] = key === 0 ? 0 : key;
  let h = Math.imul(scratchWords[0]! ^ Math.imul(scratchWords[1]!, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Extra slots the dense table may spend beyond 4 per row, so that small sparse-ish sets stay dense. */
const DENSE_SLACK = 1024;

/**
 * Index of numeric keys. Integer keys within a compact range (max − min < 4n + 1024) get a
 * direct Int32Array table; any other key set gets typed open addressing (Float64Array keys,
 * Int32Array rows, power-of-two capacity at most half full, linear probing).
 */
export class NumericKeyIndex implements KeyIndex<number> {
  readonly rows: number;
  private readonly min: number;
  private readonly dense: Int32Array | undefined;
  private readonly slotKeys: Float64Array;
  private readonly slotRows: Int32Array;
  private readonly mask: number;

  /**
   * Indexes `keys`; prefer `NumericKeyIndex.build(keys, name)`. Throws DuplicateKeyError, naming
   * the lookup `name`, when a key is held by two rows.
   */
  constructor(keys: Column<number>, name = "NumericKeyIndex") {
    const n = keys.length;
    this.rows = n;
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
    if (n > 0 && integers && max - min < 4 * n + DENSE_SLACK) {
      const dense = new Int32Array(max - min + 1).fill(-1);
      for (let i = 0; i < n; i++) dense[keys[i]! - min] = i;
      // Stores only, then one sequential pass that counts the keys held: a load before each store
      // (to find a duplicate as it comes) would stall on the cache miss of every shuffled key.
      let held = 0;
      for (let k = 0; k < dense.length; k++) held += (dense[k]! >>> 31) ^ 1;
      if (held !== n) throw duplicateKeyError(name, keys, numberLess);
      this.dense = dense;
      this.slotKeys = new Float64Array(0);
      this.slotRows = new Int32Array(0);
      this.mask = 0;
      return;
    }
    this.dense = undefined;
    let capacity = 16;
    while (capacity < 2 * n) capacity *= 2;
    this.slotKeys = new Float64Array(capacity);
    this.slotRows = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      if (k !== k) continue; // NaN matches nothing
      let slot = hashKey(k) & this.mask;
      while (this.slotRows[slot] !== -1) {
        if (this.slotKeys[slot] === k) throw duplicateKeyError(name, keys, numberLess);
        slot = (slot + 1) & this.mask;
      }
      this.slotKeys[slot] = k;
      this.slotRows[slot] = i;
    }
  }

  /** Indexes `keys`, whose values must be unique; `name` (the table and column, say) is what a DuplicateKeyError names. */
  static build(keys: Column<number>, name?: string): NumericKeyIndex {
    return new NumericKeyIndex(keys, name);
  }

  /** Whether the index uses the direct table of the dense fast path. */
  get isDense(): boolean {
    return this.dense !== undefined;
  }

  /** The row holding `key`, or -1. */
  get(key: number): number {
    if (this.dense !== undefined) {
      if (Math.floor(key) !== key) return -1;
      const offset = key - this.min;
      return offset >= 0 && offset < this.dense.length ? this.dense[offset]! : -1;
    }
    if (key !== key) return -1;
    let slot = hashKey(key) & this.mask;
    for (;;) {
      const row = this.slotRows[slot]!;
      if (row === -1 || this.slotKeys[slot] === key) return row;
      slot = (slot + 1) & this.mask;
    }
  }
}

/** Index of string keys, backed by a Map; keys are equal when their UTF-16 code units are. */
export class StringKeyIndex implements KeyIndex<string> {
  readonly rows: number;
  private readonly map = new Map<string, number>();

  /**
   * Indexes `keys`; prefer `StringKeyIndex.build(keys, name)`. Throws DuplicateKeyError, naming
   * the lookup `name`, when a key is held by two rows.
   */
  constructor(keys: Column<string>, name = "StringKeyIndex") {
    this.rows = keys.length;
    for (let i = 0; i < keys.length; i++) {
      this.map.set(keys[i]!, i);
      // One hash operation per key: a key seen before leaves the size behind the row count.
      if (this.map.size !== i + 1) throw duplicateKeyError(name, keys, codePointLess);
    }
  }

  /** Indexes `keys`, whose values must be unique; `name` (the table and column, say) is what a DuplicateKeyError names. */
  static build(keys: Column<string>, name?: string): StringKeyIndex {
    return new StringKeyIndex(keys, name);
  }

  /** The row holding `key`, or -1. */
  get(key: string): number {
    return this.map.get(key) ?? -1;
  }
}

/** Throws unless `values` has one value per row the index was built from. */
function checkJoinLengths(index: KeyIndex<unknown>, values: Column<unknown>): void {
  if (values.length !== index.rows) {
    throw new RangeError(
      `join: the value column has ${values.length} rows but the key index was built from ${index.rows}; both must come from the same table`,
    );
  }
}

/**
 * Gathers numbers by key into a new Float64Array: element i is the value of the row whose key
 * is `keys[i]`, or `missing` when no row has that key.
 */
export function joinColumn<K>(keys: Column<K>, index: KeyIndex<K>, values: Column<number>, missing = NaN): Float64Array {
  checkJoinLengths(index, values);
  const out = new Float64Array(keys.length);
  for (let i = 0; i < out.length; i++) {
    const row = index.get(keys[i]!);
    out[i] = row < 0 ? missing : values[row]!;
  }
  return out;
}

/** Gathers values of any type by key into a new packed array; `missing` fills rows whose key is absent. */
export function gather<K, T>(keys: Column<K>, index: KeyIndex<K>, values: Column<T>, missing: T): T[] {
  checkJoinLengths(index, values);
  const out: T[] = [];
  for (let i = 0; i < keys.length; i++) {
    const row = index.get(keys[i]!);
    out.push(row < 0 ? missing : values[row]!);
  }
  return out;
}
