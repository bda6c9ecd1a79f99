/**
 * Windowed aggregation over a whole table, for batch executors: rows are grouped by a key,
 * ordered within each group by an order key (ties keep their row order) — once per (key, order
 * key) pair, shared by every window over it (`windowGroups`) — and each row's frame, the rows of
 * its group before it, by count or by a range of the order key, is reduced. The recognised
 * aggregates slide in O(n) per group; any other reducer is called once per row with a view of
 * the frame's values (a subarray: nothing is copied).
 *
 * Frames, for a row at position p of its group (positions in order; t the order key):
 * - rows: positions [p − lag − size + 1, p − lag], cut at the group's start;
 * - range: the rows q with t_q ≤ t_p − lag and t_q > (t_p − lag) − size.
 */
import type { Column } from "../containers.js";
import { before, stddevOf, type Window } from "./aggregates.js";
import { ExactSum } from "./exact.js";

/** Which rows of its group a row's frame holds. */
export interface WindowFrame {
  /** `rows`: a number of rows; `range`: an interval of the order key. */
  readonly kind: "rows" | "range";
  /** Rows in the frame, or the width of the interval. */
  readonly size: number;
  /** How far before the row the frame ends: rows, or order-key units. 0 includes the row itself. */
  readonly lag: number;
}

/** The aggregates computed incrementally. */
export type RollingAggregate = "sum" | "mean" | "count" | "min" | "max" | "stddev" | "first" | "last";

function checkFrame(frame: WindowFrame): void {
  const whole = frame.kind === "rows";
  if (!(frame.size > 0) || (whole && !Number.isInteger(frame.size)))
    throw new RangeError(`window size must be a positive ${whole ? "integer" : "number"}, got ${frame.size}`);
  if (!(frame.lag >= 0) || (whole && !Number.isInteger(frame.lag)))
    throw new RangeError(`window lag must be a non-negative ${whole ? "integer" : "number"}, got ${frame.lag}`);
}

/** Checks the order key (no NaN) and says whether it never decreases. */
function checkOrder(order: Column<number>): boolean {
  const n = order.length;
  let ascending = true;
  for (let i = 0; i < n; i++) {
    if (order[i] !== order[i]) throw new RangeError(`window: the order key is NaN at row ${i}`);
    if (i > 0 && order[i]! < order[i - 1]!) ascending = false;
  }
  return ascending;
}

/** Rows in group order: `perm[k]` is the row at position k; group g holds positions `starts[g] … starts[g + 1]`. */
interface SortedGroups {
  readonly perm: Int32Array;
  readonly starts: Int32Array;
  /** The order key at each position. */
  readonly time: Float64Array;
}

/**
 * The rows of a table grouped by a key and ordered by an order key within each group (ties in
 * row order), made once per (by, order) pair and shared by every window over it. What a kernel
 * needs is computed on first use: the order key's check (no NaN), the group of each row, and the
 * rows sorted group by group.
 */
export class WindowGroups {
  /** The number of rows. */
  readonly rows: number;
  private inOrder?: boolean;
  private ids?: { readonly gid: Int32Array; readonly groups: number };
  private sortedRows?: SortedGroups;
  private period?: number;

  constructor(
    private readonly by: Column<unknown>,
    private readonly order: Column<number>,
  ) {
    this.rows = by.length;
    if (order.length !== by.length)
      throw new RangeError(`window: the group key has ${by.length} rows but the order key has ${order.length}`);
  }

  /** Whether the order key never decreases down the table (a daily table in day order): every group is then in order. Throws on a NaN order key. */
  get ascending(): boolean {
    return (this.inOrder ??= checkOrder(this.order));
  }

  /** The order key while it is not checked yet, for a kernel that checks it as it streams through the rows (and calls `orderAscends` when it does not decrease). */
  uncheckedOrder(): Column<number> | undefined {
    return this.inOrder === undefined ? this.order : undefined;
  }

  /** Records that a kernel found the order key free of NaN and never decreasing. */
  orderAscends(): void {
    this.inOrder = true;
  }

  /** The group of each row, numbered by first appearance. */
  groupIds(): { readonly gid: Int32Array; readonly groups: number } {
    return (this.ids ??= groupIds(this.by));
  }

  /** The group key if it is a typed array of numbers, for kernels that read keys as they stream through the rows. */
  numericKeys(): ArrayLike<number> | undefined {
    const by = this.by;
    return ArrayBuffer.isView(by) && !(by instanceof DataView) && !(by instanceof BigInt64Array) && !(by instanceof BigUint64Array)
      ? (by as ArrayLike<number>)
      : undefined;
  }

  /** The group key, for a kernel that groups the rows as it streams through them: while they are not grouped yet, if it is a typed array of numbers. */
  streamKeys(): ArrayLike<number> | undefined {
    return this.ids === undefined ? this.numericKeys() : undefined;
  }

  /**
   * The period P of a panel's layout — the first P rows are P different groups, and every later
   * row is the group of the row P before it (a daily table holding every entity every day, in the
   * same order) — as the first rows suggest it; 0 when they rule it out. A kernel confirms the
   * rest as it streams (`key[i] === key[i − P]`) and calls `notPanel` when a row breaks it.
   */
  panelPeriod(): number {
    return (this.period ??= findPeriod(this.numericKeys()));
  }

  /** Records that a row breaks the panel's layout. */
  notPanel(): void {
    this.period = 0;
  }

  /** Records the grouping a kernel made while streaming (numbered by first appearance, as `groupIds` numbers it). */
  recordIds(ids: { readonly gid: Int32Array; readonly groups: number }): void {
    this.ids ??= ids;
  }

  /** The rows group by group, each group in order-key order. */
  sorted(): SortedGroups {
    this.inOrder ??= checkOrder(this.order);
    return (this.sortedRows ??= sortGroups(this.groupIds(), this.order));
  }
}

/** Groups rows by key and orders each group by the order key, stably: once per (by, order) pair. */
export function windowGroups(by: Column<unknown>, order: Column<number>): WindowGroups {
  return new WindowGroups(by, order);
}

/** A counting sort by group (rows stay in table order), then each group not yet in order sorted by (order key, row). */
function sortGroups({ gid, groups }: { readonly gid: Int32Array; readonly groups: number }, order: Column<number>): SortedGroups {
  const n = gid.length;
  const sizes = new Int32Array(groups);
  for (let i = 0; i < n; i++) sizes[gid[i]!]!++;
  const starts = new Int32Array(groups + 1);
  for (let g = 0; g < groups; g++) starts[g + 1] = starts[g]! + sizes[g]!;
  const fill = starts.slice(0, groups);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[fill[gid[i]!]!++] = i;
  const time = new Float64Array(n);
  for (let k = 0; k < n; k++) time[k] = order[perm[k]!]!;
  for (let g = 0; g < groups; g++) {
    const s = starts[g]!;
    const e = starts[g + 1]!;
    let sorted = true;
    for (let k = s + 1; k < e && sorted; k++) sorted = time[k - 1]! <= time[k]!;
    if (sorted) continue;
    perm.subarray(s, e).sort((a, b) => order[a]! - order[b]! || a - b);
    for (let k = s; k < e; k++) time[k] = order[perm[k]!]!;
  }
  return { perm, starts, time };
}

/**
 * A group number per row, by first appearance; keys are equal as a Map finds them (SameValueZero).
 * Integer keys in a numeric typed array within a dense range are looked up in a table.
 */
function groupIds(by: Column<unknown>): { gid: Int32Array; groups: number } {
  const n = by.length;
  const gid = new Int32Array(n);
  let groups = 0;
  if (n > 0 && typeof by[0] === "number") {
    const keys = by as ArrayLike<number>;
    let lo = Infinity;
    let hi = -Infinity;
    let integers = true;
    for (let i = 0; i < n && integers; i++) {
      const k = keys[i]!;
      integers = Number.isInteger(k);
      if (k < lo) lo = k;
      if (k > hi) hi = k;
    }
    if (integers && hi - lo <= 4 * n + 1024) {
      const slot = new Int32Array(hi - lo + 1).fill(-1);
      for (let i = 0; i < n; i++) {
        const at = (keys[i]! - lo) | 0;
        let g = slot[at]!;
        if (g < 0) g = slot[at] = groups++;
        gid[i] = g;
      }
      return { gid, groups };
    }
  }
  const ids = new Map<unknown, number>();
  for (let i = 0; i < n; i++) {
    let g = ids.get(by[i]);
    if (g === undefined) ids.set(by[i], (g = groups++));
    gid[i] = g;
  }
  return { gid, groups };
}

/**
 * The frame of every position: `[lo[k], hi[k])` in positions, both non-decreasing within a group.
 */
function frameBounds(groups: SortedGroups, frame: WindowFrame): { lo: Int32Array; hi: Int32Array } {
  const { starts, time } = groups;
  const n = time.length;
  const lo = new Int32Array(n);
  const hi = new Int32Array(n);
  for (let g = 0; g + 1 < starts.length; g++) {
    const s = starts[g]!;
    const e = starts[g + 1]!;
    let a = s;
    let b = s;
    for (let k = s; k < e; k++) {
      if (frame.kind === "rows") {
        b = Math.max(s, k - frame.lag + 1);
        a = Math.max(s, b - frame.size);
      } else {
        const upper = time[k]! - frame.lag;
        const lower = upper - frame.size;
        while (b < e && time[b]! <= upper) b++;
        while (a < b && time[a]! <= lower) a++;
      }
      lo[k] = a;
      hi[k] = b;
    }
  }
  return { lo, hi };
}

/** The values in group order. */
function gather(values: Column<number>, perm: Int32Array): Float64Array {
  const out = new Float64Array(perm.length);
  for (let k = 0; k < perm.length; k++) out[k] = values[perm[k]!]!;
  return out;
}

/**
 * One recognised aggregate of `values` over each row's frame, in row order: equal, bit for bit,
 * to calling the runtime aggregate of that name on the frame's values. `count`, `first` and
 * `last` take a column of any values (`first` and `last` of strings or booleans give undefined
 * for an empty frame, as the aggregates do).
 */
export function rollingAggregate(
  groups: WindowGroups,
  values: Column<number>,
  frame: WindowFrame,
  aggregate: RollingAggregate,
): Float64Array;
export function rollingAggregate(groups: WindowGroups, values: Column<unknown>, frame: WindowFrame, aggregate: "count"): Float64Array;
export function rollingAggregate<T>(
  groups: WindowGroups,
  values: Column<T>,
  frame: WindowFrame,
  aggregate: "first" | "last",
): (T | undefined)[];
export function rollingAggregate(
  groups: WindowGroups,
  values: Column<unknown>,
  frame: WindowFrame,
  aggregate: RollingAggregate,
): Float64Array | unknown[] {
  checkFrame(frame);
  checkLength(groups, values);
  if (!holdsNumbers(values)) {
    if (aggregate !== "count" && aggregate !== "first" && aggregate !== "last")
      throw new TypeError(`window: ${aggregate} takes a column of numbers`);
    return aggregate === "count"
      ? rollingAggregate(groups, new Float64Array(values.length), frame, "count")
      : pick(groups, values, frame, aggregate);
  }
  const numbers = values as Column<number>;
  if (aggregate === "sum" || aggregate === "mean") {
    const fast = twoSumKernel(groups, numbers, frame, aggregate === "mean");
    if (fast) return fast;
  }
  const sorted = groups.sorted();
  const { lo, hi } = frameBounds(sorted, frame);
  const v = gather(numbers, sorted.perm);
  const byPosition = new Float64Array(v.length);
  const slide = SLIDERS[aggregate];
  for (let g = 0; g + 1 < sorted.starts.length; g++) slide(v, sorted.starts[g]!, sorted.starts[g + 1]!, lo, hi, byPosition);
  const out = new Float64Array(v.length);
  for (let k = 0; k < v.length; k++) out[sorted.perm[k]!] = byPosition[k]!;
  return out;
}

/** `first` or `last` of a column of strings or booleans: undefined for an empty frame. */
function pick<T>(groups: WindowGroups, values: Column<T>, frame: WindowFrame, aggregate: "first" | "last"): (T | undefined)[] {
  const { perm } = groups.sorted();
  const { lo, hi } = frameBounds(groups.sorted(), frame);
  const out = new Array<T | undefined>(perm.length);
  for (let k = 0; k < perm.length; k++)
    out[perm[k]!] = hi[k]! > lo[k]! ? values[perm[aggregate === "first" ? lo[k]! : hi[k]! - 1]!] : undefined;
  return out;
}

/**
 * Whether a column holds numbers: a typed array, or an array whose first value is a number (a
 * column without rows, whose frames are all empty, is taken for numbers). Frames of numbers are
 * Float64Arrays.
 */
function holdsNumbers(values: Column<unknown>): values is Column<number> {
  return values.length === 0 || ArrayBuffer.isView(values) || typeof values[0] === "number";
}

/**
 * Any reducer of the frames of `columns` over each row's frame, in row order: called once per row
 * with the frames' values, oldest first. A frame of numbers is a view of a Float64Array (nothing
 * is copied); a frame of strings or booleans, an array refilled from row to row. Do not keep
 * them past the call; the array of frames is reused from row to row too.
 */
export function rollingReduce<const C extends readonly Column<unknown>[], R>(
  groups: WindowGroups,
  columns: C,
  frame: WindowFrame,
  reduce: (frames: { readonly [K in keyof C]: Window<C[K] extends Column<infer T> ? T : never> }) => R,
): R[] {
  checkFrame(frame);
  for (const c of columns) checkLength(groups, c);
  const sorted = groups.sorted();
  const { lo, hi } = frameBounds(sorted, frame);
  const gathered = columns.map((c) => (holdsNumbers(c) ? gather(c, sorted.perm) : undefined));
  const refilled = columns.map((): unknown[] => []);
  const views = new Array<Window<unknown>>(columns.length);
  const out = new Array<R>(sorted.perm.length);
  for (let k = 0; k < sorted.perm.length; k++) {
    for (let c = 0; c < columns.length; c++) {
      const numbers = gathered[c];
      if (numbers) views[c] = numbers.subarray(lo[k]!, hi[k]!);
      else {
        const frameValues = refilled[c]!;
        frameValues.length = 0;
        for (let q = lo[k]!; q < hi[k]!; q++) frameValues.push(columns[c]![sorted.perm[q]!]);
        views[c] = frameValues;
      }
    }
    out[sorted.perm[k]!] = reduce(views as unknown as Parameters<typeof reduce>[0]);
  }
  return out;
}

function checkLength(groups: WindowGroups, values: Column<unknown>): void {
  if (values.length !== groups.rows)
    throw new RangeError(`window: the group key has ${groups.rows} rows but the values have ${values.length}`);
}

/** Slides one aggregate over the positions `s … e` of one group, writing each position's result. */
type Slider = (v: Float64Array, s: number, e: number, lo: Int32Array, hi: Int32Array, out: Float64Array) => void;

/** The sample standard deviation from exact sums of the values and their squares. */
function stddevSlider(v: Float64Array, s: number, e: number, lo: Int32Array, hi: Int32Array, out: Float64Array): void {
  const s1 = new ExactSum();
  const s2 = new ExactSum();
  let a = s;
  let b = s;
  for (let k = s; k < e; k++) {
    for (; b < hi[k]!; b++) {
      s1.add(v[b]!);
      s2.addSquare(v[b]!);
    }
    for (; a < lo[k]!; a++) {
      s1.add(v[a]!, -1);
      s2.addSquare(v[a]!, -1);
    }
    out[k] = stddevOf(s1, s2, b - a);
  }
}

/** Sliding min or max: a queue of positions whose values only get worse towards the back; NaN counted apart. */
function extremeSlider(better: (a: number, b: number) => boolean): Slider {
  return (v, s, e, lo, hi, out) => {
    const queue = new Int32Array(e - s);
    let head = 0;
    let tail = 0;
    let nans = 0;
    let a = s;
    let b = s;
    for (let k = s; k < e; k++) {
      for (; b < hi[k]!; b++) {
        const x = v[b]!;
        if (x !== x) {
          nans++;
          continue;
        }
        while (tail > head && !better(v[queue[tail - 1]!]!, x)) tail--;
        queue[tail++] = b;
      }
      for (; a < lo[k]!; a++) {
        if (v[a] !== v[a]) nans--;
        else if (tail > head && queue[head] === a) head++;
      }
      out[k] = nans > 0 || tail === head ? NaN : v[queue[head]!]!;
    }
  };
}

/** A running sum, exact and rounded once as `sum` rounds: plain or exact (see `runningSum`). */
interface RunningSum {
  add(x: number, sign?: 1 | -1): void;
  round(): number;
}

/** A plain running sum, with NaN and infinities counted apart: exact while its values are integers whose sums stay below 2^53. */
class PlainSum implements RunningSum {
  private total = 0;
  private nans = 0;
  private posInf = 0;
  private negInf = 0;

  add(x: number, sign: 1 | -1 = 1): void {
    if (x - x === 0) this.total += sign * x;
    else if (x !== x) this.nans += sign;
    else if (x > 0) this.posInf += sign;
    else this.negInf += sign;
  }

  round(): number {
    if (this.nans > 0 || (this.posInf > 0 && this.negInf > 0)) return NaN;
    return this.posInf > 0 ? Infinity : this.negInf > 0 ? -Infinity : this.total;
  }
}

/**
 * A running sum for values that are never more than `most` at a time: plain where that is exact
 * (every finite value an integer and `most` of them summing below 2^53), exact otherwise.
 */
function runningSum(values: Column<number>, most: number): () => RunningSum {
  return integersWithin(values, 2 ** 53 / Math.max(1, most)) ? () => new PlainSum() : () => new ExactSum();
}

/** Sum or mean: old values leave before new ones enter, so a running sum never holds more than a frame. */
function sumSlider(finish: (sum: number, n: number) => number): Slider {
  return (v, s, e, lo, hi, out) => {
    let frameMax = 0;
    for (let k = s; k < e; k++) frameMax = Math.max(frameMax, hi[k]! - lo[k]!);
    const sum = runningSum(v.subarray(s, e), frameMax)();
    let a = s;
    let b = s;
    for (let k = s; k < e; k++) {
      for (; a < lo[k]! && a < b; a++) sum.add(v[a]!, -1);
      a = Math.max(a, lo[k]!);
      b = Math.max(b, a);
      for (; b < hi[k]!; b++) sum.add(v[b]!);
      out[k] = finish(sum.round(), b - a);
    }
  };
}

const SLIDERS: Readonly<Record<RollingAggregate, Slider>> = {
  sum: sumSlider((sum) => sum),
  mean: sumSlider((sum, n) => (n === 0 ? NaN : sum / n)),
  stddev: stddevSlider,
  count: (_v, s, e, lo, hi, out) => {
    for (let k = s; k < e; k++) out[k] = hi[k]! - lo[k]!;
  },
  first: (v, s, e, lo, hi, out) => {
    for (let k = s; k < e; k++) out[k] = hi[k]! > lo[k]! ? v[lo[k]!]! : NaN;
  },
  last: (v, s, e, lo, hi, out) => {
    for (let k = s; k < e; k++) out[k] = hi[k]! > lo[k]! ? v[hi[k]! - 1]! : NaN;
  },
  min: extremeSlider(before),
  max: extremeSlider((a, b) => before(b, a)),
};

/**
 * Sum or mean with a two-double running sum (`hi + lo`, each addition split exactly into its
 * rounded value and its error, the errors summed in `lo`), when the values make that exact (see
 * `exactEnough`). Then `hi + lo` is the exact frame sum and its rounding is the correctly rounded
 * sum, bit for bit `sum()` of the frame. Undefined when the values do not allow it.
 */
function twoSumKernel(groups: WindowGroups, values: Column<number>, frame: WindowFrame, mean: boolean): Float64Array | undefined {
  if (frame.kind === "rows" && groups.panelPeriod() > 0 && (groups.uncheckedOrder() || groups.ascending))
    return streamPanel(groups, values, frame, mean);
  if (frame.kind === "rows" && groups.ascending) return streamRows(groups, values, frame, mean);
  const n = values.length;
  let largest = 0;
  let smallest = Infinity;
  for (let i = 0; i < n; i++) {
    const x = Math.abs(values[i]!);
    if (!(x <= Number.MAX_VALUE)) return undefined; // NaN or an infinity: counted apart by the exact sum
    if (x > largest) largest = x;
    if (x !== 0 && x < smallest) smallest = x;
  }
  const sorted = groups.sorted();
  let held = 0;
  for (let g = 0; g + 1 < sorted.starts.length; g++) held = Math.max(held, sorted.starts[g + 1]! - sorted.starts[g]! + 1);
  if (frame.kind === "rows") held = Math.min(held, frame.size + 1);
  return exactEnough(n, held, largest, smallest) ? slideSums(sorted, values, frame, mean) : undefined;
}

/**
 * Whether a two-double running sum of n finite values, of magnitudes at most `largest` and (the
 * non-zero ones) at least `smallest`, holding at most `held` values at a time, is exact: the
 * errors of its additions are multiples of a unit no larger than the smallest value's unit in the
 * last place (log2 may round up by one); it makes at most 2n additions, each error at most half a
 * unit of the largest sum, so the errors stay exact while they total below 2^53 units.
 */
function exactEnough(n: number, held: number, largest: number, smallest: number): boolean {
  const unit = smallest === Infinity ? 1 : Math.max(2 ** -1074, 2 ** (Math.floor(Math.log2(smallest)) - 53));
  return 2 * n * held * largest <= 2 ** 105 * unit;
}

/**
 * A rows frame over a table in order-key order: one pass in table order — the shape of a
 * hand-written loop — with each group's last `size + lag` values in a ring and its running sum in
 * two arrays. The value entering a row's frame is the one `lag` rows back in its group, the value
 * leaving it `lag + size` back. The same pass measures the values for `exactEnough` and, when the
 * pair is not grouped yet and its key is integers in a typed array, groups the rows (a dense
 * table grown as keys appear), recording the grouping for the other windows over the pair.
 * Undefined when the values do not allow an exact two-double sum.
 */
function streamRows(groups: WindowGroups, values: Column<number>, frame: WindowFrame, mean: boolean): Float64Array | undefined {
  const n = values.length;
  const { size, lag } = frame;
  let cap = 1;
  while (cap < size + lag + 1) cap *= 2;
  const mask = cap - 1;
  const keys = groups.streamKeys();
  const made = keys ? undefined : groups.groupIds();
  const slots = new KeySlots(4 * n + 1024);
  const gid = made ? made.gid : new Int32Array(n);
  let room = made ? made.groups : 4;
  let ring = new Float64Array(room * cap);
  let seen = new Int32Array(room);
  let his = new Float64Array(room);
  let los = new Float64Array(room);
  let largest = 0;
  let smallest = Infinity;
  let finite = 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let g: number;
    if (keys) {
      const at = keys[i]! - slots.lo;
      g = at >>> 0 === at && at < slots.slot.length ? slots.slot[at]! : -1;
      if (g < 0) {
        g = slots.add(keys[i]!);
        if (g < 0) {
          groups.groupIds();
          return streamRows(groups, values, frame, mean);
        }
        if (g === room) {
          room *= 2;
          ring = grown(ring, room * cap);
          seen = grown(seen, room);
          his = grown(his, room);
          los = grown(los, room);
        }
      }
      gid[i] = g;
    } else g = gid[i]!;
    const v = values[i]!;
    finite += v - v;
    const magnitude = Math.abs(v);
    if (magnitude > largest) largest = magnitude;
    if (magnitude < smallest && magnitude !== 0) smallest = magnitude;
    const base = g * cap;
    const p = seen[g]!;
    seen[g] = p + 1;
    ring[base + (p & mask)] = v;
    const q = p - lag;
    let hi = his[g]!;
    let lo = los[g]!;
    if (q >= 0) {
      const x = ring[base + (q & mask)]!;
      const s = hi + x;
      const b = s - hi;
      lo += hi - (s - b) + (x - b);
      hi = s;
      if (q >= size) {
        const y = -ring[base + ((q - size) & mask)]!;
        const t = hi + y;
        const c = t - hi;
        lo += hi - (t - c) + (y - c);
        hi = t;
      }
    }
    his[g] = hi;
    los[g] = lo;
    const inFrame = q < 0 ? 0 : q < size ? q + 1 : size;
    out[i] = mean ? (inFrame === 0 ? NaN : (hi + lo) / inFrame) : hi + lo;
  }
  if (keys) groups.recordIds({ gid, groups: slots.count });
  // NaN or an infinity (`finite` is then NaN) is counted apart by the exact sum.
  return finite === 0 && exactEnough(n, Math.min(size, n) + 1, largest, smallest) ? out : undefined;
}

/**
 * A rows frame over a panel's rows in order-key order (see `panelPeriod`): the loop a person
 * writes who knows the layout, block by block of `period` rows (one row per group, in the same
 * group order), with no ring — the value entering a row's frame is `lag` blocks back, the one
 * leaving it `lag + size` blocks back, and every row of a block has as many values in its frame.
 * Each row's key is checked against the one a block back, and the order key, if it is not checked
 * yet, against the row before: at the first that differs, the column takes the path of any table.
 * When the values are 32-bit integers and a frame holds fewer than 2^21 of them, a plain running
 * sum is exact (below 2^52), as in the loop a person writes; otherwise the two-double sum, which
 * measures the values for `exactEnough`. Undefined when they do not allow an exact two-double sum.
 */
function streamPanel(groups: WindowGroups, values: Column<number>, frame: WindowFrame, mean: boolean): Float64Array | undefined {
  const n = values.length;
  const plain = frame.size < 2 ** 21 && int32s(values);
  const { size, lag } = frame;
  const keys = groups.numericKeys()!;
  const period = groups.panelPeriod();
  const order = groups.uncheckedOrder();
  const enter = lag * period;
  const leave = (lag + size) * period;
  const his = new Float64Array(period);
  const los = new Float64Array(period);
  let last = -Infinity;
  let largest = 0;
  let smallest = Infinity;
  let finite = 0;
  const out = new Float64Array(n);
  // The checks leave the loop rather than call out of it: a call there slows every row.
  let broken: "order" | "layout" | undefined;
  blocks: for (let start = 0, block = 0; start < n; start += period, block++) {
    const end = Math.min(n, start + period);
    const entering = start >= enter;
    const leaving = start >= leave;
    // x / 1 is x, bit for bit: a sum is its mean over one.
    const divisor = mean ? Math.min(size, Math.max(0, block - lag + 1)) : 1;
    for (let i = start, g = 0; i < end; i++, g++) {
      if (order) {
        const t = order[i]!;
        if (!(t >= last)) {
          broken = "order";
          break blocks;
        }
        last = t;
      }
      if (start > 0 && keys[i] !== keys[i - period]) {
        broken = "layout";
        break blocks;
      }
      if (!entering) {
        out[i] = mean ? NaN : 0;
        continue;
      }
      const x = values[i - enter]!;
      let hi = his[g]!;
      if (plain) {
        hi += x;
        if (leaving) hi -= values[i - leave]!;
        his[g] = hi;
        out[i] = hi / divisor;
        continue;
      }
      finite += x - x;
      const magnitude = Math.abs(x);
      if (magnitude > largest) largest = magnitude;
      if (magnitude < smallest && magnitude !== 0) smallest = magnitude;
      let lo = los[g]!;
      const s = hi + x;
      const b = s - hi;
      lo += hi - (s - b) + (x - b);
      hi = s;
      if (leaving) {
        const y = -values[i - leave]!;
        const t = hi + y;
        const c = t - hi;
        lo += hi - (t - c) + (y - c);
        hi = t;
      }
      his[g] = hi;
      los[g] = lo;
      out[i] = (hi + lo) / divisor;
    }
  }
  // Out of order or NaN: the order key's own check throws on NaN; a table out of order, or not a panel, takes the path of any table.
  if (broken === "order") void groups.ascending;
  else if (broken === "layout") groups.notPanel();
  if (broken) return twoSumKernel(groups, values, frame, mean);
  if (order) groups.orderAscends();
  return plain || (finite === 0 && exactEnough(n, Math.min(size, n) + 1, largest, smallest)) ? out : undefined;
}

/** Whether every value is a 32-bit integer (−0 included); stops at the first that is not. */
function int32s(values: Column<number>): boolean {
  for (let i = 0; i < values.length; i++) if ((values[i]! | 0) !== values[i]) return false;
  return true;
}

/** A panel's period as its first rows suggest it (see `WindowGroups.panelPeriod`): 0 for keys that are not integers in a dense range, or when the first key to repeat is not the first row's. */
function findPeriod(keys: ArrayLike<number> | undefined): number {
  if (!keys) return 0;
  const slots = new KeySlots(4 * keys.length + 1024);
  for (let i = 0; i < keys.length && i <= keys.length / 2; i++) {
    const before = slots.count;
    const g = slots.add(keys[i]!);
    if (g < 0) return 0;
    if (slots.count === before) return g === 0 ? i : 0;
  }
  return 0;
}

/** A copy of `array` with room for `length` elements. */
function grown<T extends Float64Array | Int32Array>(array: T, length: number): T {
  const copy = new (array.constructor as new (length: number) => T)(length);
  copy.set(array);
  return copy;
}

/**
 * The groups of integer keys met so far, numbered by first appearance: `slot[k − lo]` is key k's
 * group (−1 before it appears), in a table that grows as keys appear, up to `limit` entries.
 */
class KeySlots {
  lo = 0;
  slot = new Int32Array(0);
  count = 0;

  constructor(private readonly limit: number) {}

  /** The group of a key, numbered next when it is new; −1 when it is not an integer or the keys' range outgrows the limit. */
  add(key: number): number {
    if (!Number.isInteger(key)) return -1;
    const length = this.slot.length;
    if (length === 0) {
      this.lo = key;
      this.slot = new Int32Array(Math.min(1024, this.limit)).fill(-1);
    } else if (key < this.lo || key >= this.lo + length) {
      const span = Math.max(key, this.lo + length - 1) - Math.min(key, this.lo) + 1;
      if (span > this.limit) return -1;
      const wider = new Int32Array(Math.min(this.limit, Math.max(span, 2 * length))).fill(-1);
      const lo = key < this.lo ? this.lo + length - wider.length : this.lo;
      wider.set(this.slot, this.lo - lo);
      this.lo = lo;
      this.slot = wider;
    }
    const at = key - this.lo;
    if (this.slot[at]! < 0) this.slot[at] = this.count++;
    return this.slot[at]!;
  }
}

/** Any frame, group by group in order-key order: the two-double running sum in locals, old values leaving before new ones enter. */
function slideSums(sorted: SortedGroups, values: Column<number>, frame: WindowFrame, mean: boolean): Float64Array {
  const { perm, starts } = sorted;
  const { lo: from, hi: to } = frameBounds(sorted, frame);
  const out = new Float64Array(values.length);
  for (let g = 0; g + 1 < starts.length; g++) {
    let hi = 0;
    let lo = 0;
    let a = starts[g]!;
    let b = a;
    for (let k = a; k < starts[g + 1]!; k++) {
      for (; a < from[k]! && a < b; a++) {
        const y = -values[perm[a]!]!;
        const t = hi + y;
        const c = t - hi;
        lo += hi - (t - c) + (y - c);
        hi = t;
      }
      a = Math.max(a, from[k]!);
      b = Math.max(b, a);
      for (; b < to[k]!; b++) {
        const x = values[perm[b]!]!;
        const s = hi + x;
        const c = s - hi;
        lo += hi - (s - c) + (x - c);
        hi = s;
      }
      const inFrame = b - a;
      out[perm[k]!] = mean ? (inFrame === 0 ? NaN : (hi + lo) / inFrame) : hi + lo;
    }
  }
  return out;
}

/** Whether every finite value is an integer of magnitude at most `limit`. */
function integersWithin(values: Column<number>, limit: number): boolean {
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (x - x === 0 && !(Number.isInteger(x) && Math.abs(x) <= limit)) return false;
  }
  return true;
}

/**
 * The frame of a request computed from the entity's rows before it (online): `order` and `values`
 * hold those rows oldest first, `at` is the request's order key. The frame is the one a batch run
 * gives the request's row when the history holds every row of its group before it (or at least
 * the last `size + lag − 1`, for a rows frame): the same positions, the same comparisons of order
 * keys, so an aggregate of it has the same bits. The frame must end before the request (`lag` > 0).
 */
export function historyWindow(order: Column<number>, at: number, frame: WindowFrame, values: Column<number>): Float64Array {
  const { lo, hi } = historyBounds(order, at, frame, values);
  return Float64Array.from({ length: hi - lo }, (_, k) => values[lo + k]!);
}

/** `historyWindow` for a column of strings or booleans: the frame's values in an array. */
export function historyValues<T>(order: Column<number>, at: number, frame: WindowFrame, values: Column<T>): T[] {
  const { lo, hi } = historyBounds(order, at, frame, values);
  return Array.from({ length: hi - lo }, (_, k) => values[lo + k]!);
}

/** Where a request's frame lies in the entity's history (see `historyWindow`), after checking the history. */
function historyBounds(order: Column<number>, at: number, frame: WindowFrame, values: Column<unknown>): { lo: number; hi: number } {
  checkFrame(frame);
  const h = order.length;
  if (values.length !== h) throw new RangeError(`window history: the order key has ${h} rows but the values have ${values.length}`);
  if (!(frame.lag > 0)) throw new RangeError("window history: a frame with lag 0 holds the request itself, which is not in its history");
  if (at !== at) throw new RangeError("window history: the request's order key is NaN");
  for (let i = 0; i < h; i++) {
    if (!(order[i]! <= at))
      throw new RangeError(
        `window history: row ${i} has order key ${order[i]}, ${order[i] !== order[i] ? "NaN" : `after the request's ${at}`}: the history holds the rows before the request`,
      );
    if (i > 0 && order[i]! < order[i - 1]!)
      throw new RangeError(
        `window history: rows ${i - 1} and ${i} are out of order (${order[i - 1]} then ${order[i]}): the history is oldest first`,
      );
  }
  let lo: number;
  let hi: number;
  if (frame.kind === "rows") {
    hi = h - frame.lag + 1;
    lo = Math.max(0, hi - frame.size);
    hi = Math.max(0, hi);
  } else {
    const upper = at - frame.lag;
    const lower = upper - frame.size;
    hi = h;
    while (hi > 0 && !(order[hi - 1]! <= upper)) hi--;
    lo = hi;
    while (lo > 0 && !(order[lo - 1]! <= lower)) lo--;
  }
  return { lo, hi };
}
