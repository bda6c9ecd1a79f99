/**
 * `Window<T>` and the aggregates featc recognises in a `@window` feature. Each is a plain
 * function of the frame's values, usable anywhere; a batch executor computes the recognised ones
 * incrementally as the frame slides, with results bit-identical to calling them on each frame:
 * sums are exact until the final rounding, so they do not depend on the order of the values.
 */
import type { Column } from "../containers.js";
import { ExactSum } from "./exact.js";

/** The values of a dependency in a row's frame, oldest first: read-only and array-like. */
export interface Window<T> extends Column<T> {}

/** The correctly rounded sum of the values (0 for none); NaN if any is NaN. */
export function sum(values: Window<number>): number {
  const s = new ExactSum();
  for (let i = 0; i < values.length; i++) s.add(values[i]!);
  return s.round();
}

/** The number of values in the frame. */
export function count(values: Window<unknown>): number {
  return values.length;
}

/** The mean: the correctly rounded sum divided by the count (NaN for no values). */
export function mean(values: Window<number>): number {
  return values.length === 0 ? NaN : sum(values) / values.length;
}

/** The sample standard deviation (n − 1 in the denominator; NaN for fewer than two values). */
export function stddev(values: Window<number>): number {
  const s1 = new ExactSum();
  const s2 = new ExactSum();
  for (let i = 0; i < values.length; i++) {
    s1.add(values[i]!);
    s2.addSquare(values[i]!);
  }
  return stddevOf(s1, s2, values.length);
}

/**
 * The sample standard deviation from the exact sums of the values and of their squares:
 * √(round(n·Σx² − (Σx)²) / (n(n − 1))), where only the last steps round.
 */
export function stddevOf(s1: ExactSum, s2: ExactSum, n: number): number {
  if (n < 2) return NaN;
  const d = new ExactSum();
  d.addScaled(s2, n);
  d.subtractSquare(s1);
  return Math.sqrt(d.round() / (n * (n - 1)));
}

/** Whether a comes before b in the order min and max use: `<`, with −0 before +0. */
export function before(a: number, b: number): boolean {
  return a < b || (a === 0 && b === 0 && 1 / a < 1 / b);
}

/** The smallest value (−0 below +0); NaN for no values or if any is NaN. */
export function min(values: Window<number>): number {
  return extreme(values, before);
}

/** The largest value (+0 above −0); NaN for no values or if any is NaN. */
export function max(values: Window<number>): number {
  return extreme(values, (a, b) => before(b, a));
}

function extreme(values: Window<number>, better: (a: number, b: number) => boolean): number {
  if (values.length === 0) return NaN;
  let best = values[0]!;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v) return NaN;
    if (better(v, best)) best = v;
  }
  return best;
}

/** The oldest value in the frame: NaN for none in a frame of numbers, undefined in a frame of anything else. */
export function first(values: Window<number>): number;
export function first<T>(values: Window<T>): T | undefined;
export function first<T>(values: Window<T>): T | number | undefined {
  return values.length > 0 ? values[0] : missing(values);
}

/** The most recent value in the frame: NaN for none in a frame of numbers, undefined in a frame of anything else. */
export function last(values: Window<number>): number;
export function last<T>(values: Window<T>): T | undefined;
export function last<T>(values: Window<T>): T | number | undefined {
  return values.length > 0 ? values[values.length - 1] : missing(values);
}

/**
 * What `first` and `last` give for an empty frame: NaN for a frame of numbers — a typed array, as
 * batch and online frames of numbers are — and undefined for a frame of strings or booleans.
 */
function missing(values: Window<unknown>): number | undefined {
  return ArrayBuffer.isView(values) ? NaN : undefined;
}
