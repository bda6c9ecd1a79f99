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

/** Groups rows by key and orders each group by the order key, stably. */
function groupRows(by: Column<unknown>, order: Column<number>): Groups {
  const n = by.length;
  if (order.length !== n) throw new RangeError(`window: the group key has ${n} rows but the order key has ${order.length}`);
  for (let i = 0; i < n; i++) if (order[i] !== order[i]) throw new RangeError(`window: the order key is NaN at row ${i}`);
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

function exactSlider(finish: (s1: ExactSum, s2: ExactSum | undefined, n: number) => number, squares: boolean): Slider {
  return (v, s, e, lo, hi, out) => {
    const s1 = new ExactSum();
    const s2 = squares ? new ExactSum() : undefined;
    let a = s;
    let b = s;
    for (let k = s; k < e; k++) {
      for (; b < hi[k]!; b++) {
        s1.add(v[b]!);
        s2?.addSquare(v[b]!);
      }
      for (; a < lo[k]!; a++) {
        s1.add(v[a]!, -1);
        s2?.addSquare(v[a]!, -1);
      }
      out[k] = finish(s1, s2, b - a);
    }
  };
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

/**
 * Whether a plain running sum of a group's values is exact: every finite value an integer small
 * enough that no sum of a frame's values (and one more, while the frame slides) leaves the
 * integers a double holds exactly.
 */
function plainSumIsExact(v: Float64Array, s: number, e: number, frameMax: number): boolean {
  const limit = 2 ** 53 / (frameMax + 1);
  for (let k = s; k < e; k++) {
    const x = v[k]!;
    if (x === Infinity || x === -Infinity || x !== x) continue;
    if (!Number.isInteger(x) || Math.abs(x) > limit) return false;
  }
  return true;
}

/** Sum or mean: a plain running sum where it is exact (integers), the exact sum otherwise; both round once. */
function sumSlider(finish: (sum: number, n: number) => number): Slider {
  const exact = exactSlider((s1, _s2, n) => finish(s1.round(), n), false);
  return (v, s, e, lo, hi, out) => {
    let frameMax = 0;
    for (let k = s; k < e; k++) frameMax = Math.max(frameMax, hi[k]! - lo[k]!);
    if (!plainSumIsExact(v, s, e, frameMax)) return exact(v, s, e, lo, hi, out);
    let total = 0;
    let nans = 0;
    let posInf = 0;
    let negInf = 0;
    const count = (x: number, sign: number): void => {
      if (x !== x) nans += sign;
      else if (x === Infinity) posInf += sign;
      else negInf += sign;
    };
    let a = s;
    let b = s;
    for (let k = s; k < e; k++) {
      for (; b < hi[k]!; b++) {
        const x = v[b]!;
        if (x - x === 0) total += x;
        else count(x, 1);
      }
      for (; a < lo[k]!; a++) {
        const x = v[a]!;
        if (x - x === 0) total -= x;
        else count(x, -1);
      }
      const sum = nans > 0 || (posInf > 0 && negInf > 0) ? NaN : posInf > 0 ? Infinity : negInf > 0 ? -Infinity : total;
      out[k] = finish(sum, b - a);
    }
  };
}

const SLIDERS: Readonly<Record<RollingAggregate, Slider>> = {
  sum: sumSlider((sum) => sum),
  mean: sumSlider((sum, n) => (n === 0 ? NaN : sum / n)),
  stddev: exactSlider((s1, s2, n) => stddevOf(s1, s2!, n), true),
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
