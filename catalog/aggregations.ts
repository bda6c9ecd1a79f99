/**
 * Aggregations: scalars computed over the whole training population. Both are `@fitted`: the
 * batch target computes them and saves them; the online target reads the saved values, so the
 * two contexts cannot disagree. Plain left-to-right loops, so the result is the same bits on
 * every run and every machine. Each function is self-contained (no private helper) so that its
 * code hash, which decides whether a saved fitted artifact is stale, covers all of its code.
 * The SQL targets have their own variants: one aggregate each, computed by the engine (in its
 * own summation order) when the target's fit() runs, saved in the same artifact.
 */
import type { Column } from "featc";
import { mean, stddev } from "featc/sql";

/**
 * Mean age over the training population.
 * @whenNot mode=sql
 * @fitted
 * @check range(0, 150)
 */
export function age_mean(age: Column<number>): number {
  let sum = 0;
  for (let i = 0; i < age.length; i++) sum += age[i]!;
  return sum / age.length;
}

/**
 * Sample standard deviation (n - 1, like pandas) of age over the training population.
 * @whenNot mode=sql
 * @fitted
 * @check range(0.000001, 150)
 */
export function age_stddev(age: Column<number>): number {
  const n = age.length;
  if (n < 2) return NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += age[i]!;
  const mean = sum / n; // the same loop as age_mean: the same bits
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = age[i]! - mean;
    squares += d * d;
  }
  return Math.sqrt(squares / (n - 1));
}

/**
 * Mean age over the training population, computed by the engine.
 * @when mode=sql
 * @fitted
 * @check range(0, 150)
 */
export function age_mean__sql(age: Column<number>): number {
  return mean(age);
}

/**
 * Sample standard deviation (n - 1, like pandas) of age over the training population, computed by the engine.
 * @when mode=sql
 * @fitted
 * @check range(0.000001, 150)
 */
export function age_stddev__sql(age: Column<number>): number {
  return stddev(age, "sample");
}
