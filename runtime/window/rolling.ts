/**
 * Windowed aggregation over a whole table, for batch executors: rows are grouped by a key,
 * ordered within each group by an order key (ties keep their row order), and each row's frame
 * — the rows of its group before it, by count or by a range of the order key — is reduced.
 * The recognised aggregates slide in O(n) per group; any other reducer is called once per row
 * with a view of the frame's values (a subarray: nothing is copied).
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

/** Rows in group order: `perm[k]` is the row at position k; group g holds positions `starts[g] … starts[g + 1]`. */
interface Groups {
  readonly perm: Int32Array;
  readonly starts: Int32Array;
  /** The order key at each position. */
  readonly time: Float64Array;
}

function checkFrame(frame: WindowFrame): void {
  const whole = frame.kind === "rows";
  if (!(frame.size > 0) || (whole && !Number.isInteger(frame.size))) throw new RangeError(`window size must be a positive ${whole ? "integer" : "number"}, got ${frame.size}`);
  if (!(frame.lag >= 0) || (whole && !Number.isInteger(frame.lag))) throw new RangeError(`window lag must be a non-negative ${whole ? "integer" : "number"}, got ${frame.lag}`);
}

/** Checks the order key (as long as the group key, no NaN) and says whether it never decreases. */
function checkOrder(by: Column<unknown>, order: Column<number>): boolean {
  const n = by.length;
  if (order.length !== n) throw new RangeError(`window: the group key has ${n} rows but the order key has ${order.length}`);
  let ascending = true;
  for (let i = 0; i < n; i++) {
    if (order[i] !== order[i]) throw new RangeError(`window: the order key is NaN at row ${i}`);
    if (i > 0 && order[i]! < order[i - 1]!) ascending = false;
  }
  return ascending;
}

/** Groups rows by key and orders each group by the order key, stably. */
function groupRows(by: Column<unknown>, order: Column<number>): Groups {
  const n = by.length;
  checkOrder(by, order);
  const { gid, groups } = groupIds(by);
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
  if (ArrayBuffer.isView(by) && n > 0) {
    const keys = by as unknown as ArrayLike<number>;
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
        const at = keys[i]! - lo;
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
function frameBounds(groups: Groups, frame: WindowFrame): { lo: Int32Array; hi: Int32Array } {
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
 * to calling the runtime aggregate of that name on the frame's values.
 */
export function rollingAggregate(by: Column<unknown>, order: Column<number>, values: Column<number>, frame: WindowFrame, aggregate: RollingAggregate): Float64Array {
  checkFrame(frame);
  if (values.length !== by.length) throw new RangeError(`window: the group key has ${by.length} rows but the values have ${values.length}`);
  const streamed = streamInOrder(by, order, values, frame, aggregate);
  if (streamed) return streamed;
  const groups = groupRows(by, order);
  const { lo, hi } = frameBounds(groups, frame);
  const v = gather(values, groups.perm);
  const byPosition = new Float64Array(v.length);
  const slide = SLIDERS[aggregate];
  for (let g = 0; g + 1 < groups.starts.length; g++) slide(v, groups.starts[g]!, groups.starts[g + 1]!, lo, hi, byPosition);
  const out = new Float64Array(v.length);
  for (let k = 0; k < v.length; k++) out[groups.perm[k]!] = byPosition[k]!;
  return out;
}

/**
 * Any reducer of `values` over each row's frame, in row order: called once per row with the
 * frame's values, oldest first, as a view (nothing is copied; do not keep it past the call).
 */
export function rollingReduce<R>(by: Column<unknown>, order: Column<number>, values: Column<number>, frame: WindowFrame, reduce: (values: Window<number>) => R): R[] {
  checkFrame(frame);
  if (values.length !== by.length) throw new RangeError(`window: the group key has ${by.length} rows but the values have ${values.length}`);
  const groups = groupRows(by, order);
  const { lo, hi } = frameBounds(groups, frame);
  const v = gather(values, groups.perm);
  const out = new Array<R>(v.length);
  for (let k = 0; k < v.length; k++) out[groups.perm[k]!] = reduce(v.subarray(lo[k]!, hi[k]!));
  return out;
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

/** The aggregates a pass in table order computes (rows frames). */
const STREAMED = new Set<RollingAggregate>(["sum", "mean", "count", "first", "last"]);

/**
 * A rows frame over a table already in order-key order (a daily table in day order, say): one
 * pass in table order with per-group state — each group's last rows in a ring, its running sum —
 * the shape of a hand-written loop, with no gathering of groups. Undefined when it does not apply.
 */
function streamInOrder(by: Column<unknown>, order: Column<number>, values: Column<number>, frame: WindowFrame, aggregate: RollingAggregate): Float64Array | undefined {
  if (frame.kind !== "rows" || !STREAMED.has(aggregate) || !checkOrder(by, order)) return undefined;
  const n = by.length;
  const { size, lag } = frame;
  const cap = size + lag + 1;
  const { gid, groups } = groupIds(by);
  if (groups * cap > 4 * n + 65536) return undefined;
  const ring = new Float64Array(groups * cap);
  // Rows of each group seen so far, and where the next one goes in its ring.
  const seen = new Int32Array(groups);
  const cursor = new Int32Array(groups);
  // Each step adds the newest row before the oldest leaves: at most size + 1 values at a time.
  const sums = aggregate === "sum" || aggregate === "mean" ? Array.from({ length: groups }, runningSum(values, size + 1)) : undefined;
  const out = new Float64Array(n);
  /** The ring slot of the row `back` rows before the latest (back < cap). */
  const slot = (g: number, back: number): number => {
    const at = cursor[g]! - back;
    return g * cap + (at < 0 ? at + cap : at);
  };
  for (let i = 0; i < n; i++) {
    const g = gid[i]!;
    const p = seen[g]!;
    seen[g] = p + 1;
    const c = cursor[g]!;
    ring[g * cap + c] = values[i]!;
    // The frame holds the group's rows oldest … newest (positions); newest is `lag` rows back.
    const newest = p - lag;
    const inFrame = newest < 0 ? 0 : Math.min(newest + 1, size);
    if (sums) {
      const sum = sums[g]!;
      if (newest >= 0) sum.add(ring[slot(g, lag)]!);
      if (newest >= size) sum.add(ring[slot(g, lag + size)]!, -1);
      const total = sum.round();
      out[i] = aggregate === "sum" ? total : inFrame === 0 ? NaN : total / inFrame;
    } else if (aggregate === "count") out[i] = inFrame;
    else out[i] = inFrame === 0 ? NaN : ring[slot(g, aggregate === "first" ? lag + inFrame - 1 : lag)]!;
    cursor[g] = c + 1 === cap ? 0 : c + 1;
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
