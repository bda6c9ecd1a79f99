/**
 * Inference: the same code in batch and online. The weighted sum is added up in one fixed
 * order, so a client gets the same bits whichever target scores them.
 */
import type { FeatureVector, Model } from "./types.js";

/**
 * Probability of the positive class for the client, from the logistic-regression model.
 * @check range(0, 1)
 */
export function predictions(features: FeatureVector, model: Model): number {
  const w = model.weights;
  let z = model.bias;
  z += w.time_since_last_login * features.time_since_last_login;
  z += w.is_male * features.is_male;
  z += w.is_female * features.is_female;
  z += w.is_high_roller * features.is_high_roller;
  z += w.age_normalized * features.age_normalized;
  return 1 / (1 + Math.exp(-z));
}
