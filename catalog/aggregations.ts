/**
 * Aggregations: scalars computed over the whole training population. Both are `@fitted`: the
 * batch target computes them and saves them; the online target reads the saved values, so the
 * two contexts cannot disagree. Plain left-to-right loops, so the result is the same bits on
 * every run and every machine.
 */
import type { Column } from "featc";

/** Mean of a column, summed left to right (shared by both aggregations so they agree bit for bit). */
function _mean(values: Column<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/**
 * Mean age over the training population.
 * @fitted
 * @check range(0, 150)
 */
export function age_mean(age: Column<number>): number {
  return _mean(age);
}

/**
 * Sample standard deviation (n - 1, like pandas) of age over the training population.
 * @fitted
 * @check range(0.000001, 150)
 */
export function age_stddev(age: Column<number>): number {
  const n = age.length;
  if (n < 2) return NaN;
  const mean = _mean(age);
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = age[i]! - mean;
    squares += d * d;
  }
  return Math.sqrt(squares / (n - 1));
}
