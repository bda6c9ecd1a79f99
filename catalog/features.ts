/**
 * The shared map features: written once, run per row in batch and per request online. These
 * are the article's "common operations"; none has a `@when`, so every target gets them.
 */
import type { FeatureVector } from "./types.js";

/** Whether the client said they are male. */
export function is_male(gender: string): boolean {
  return gender === "male";
}

/** Whether the client said they are female. */
export function is_female(gender: string): boolean {
  return gender === "female";
}

/** Whether the client declared a budget above 100 dollars. */
export function is_high_roller(budget: number): boolean {
  return budget > 100;
}

/**
 * Age in standard deviations from the training population's mean.
 * @check notNull
 */
export function age_normalized(age: number, age_mean: number, age_stddev: number): number {
  return (age - age_mean) / age_stddev;
}

/**
 * Days between the client's last login and the execution time (NaN when the client never logged in).
 * @check notNull
 */
export function time_since_last_login(execution_time: number, last_logged_in: number): number {
  return (execution_time - last_logged_in) / 86_400_000; // milliseconds per day
}

/** The model's input vector: the features above, booleans as 0/1. */
export function features(
  time_since_last_login: number,
  is_male: boolean,
  is_female: boolean,
  is_high_roller: boolean,
  age_normalized: number,
): FeatureVector {
  return {
    time_since_last_login,
    is_male: is_male ? 1 : 0,
    is_female: is_female ? 1 : 0,
    is_high_roller: is_high_roller ? 1 : 0,
    age_normalized,
  };
}
