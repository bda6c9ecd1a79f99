// A worker of bench/workers.bench.ts: runs the reference catalog's map features over its rows
// [from, to) of columns in shared memory, writing predictions into a shared output column.
import { parentPort } from "node:worker_threads";
import { tsImport } from "tsx/esm/api";

const here = import.meta.url;
const { age_normalized, features, is_female, is_high_roller, is_male, time_since_last_login } = await tsImport(
  "../catalog/features.ts",
  here,
);
const { predictions } = await tsImport("../catalog/model.ts", here);

let shared;
parentPort.on("message", (m) => {
  if (m.columns) {
    shared = m.columns;
    parentPort.postMessage("ready");
    return;
  }
  // Per call: the segment, the scalars, and (when not shared) this segment's string column.
  const { from, to, age_mean, age_stddev, execution_time, model, gender } = m;
  const { budget, age, last_logged_in, out, genderCode } = shared;
  const GENDERS = ["male", "female", "other"];
  for (let i = from; i < to; i++) {
    const g = gender ? gender[i - from] : GENDERS[genderCode[i]];
    const a = age_normalized(age[i], age_mean, age_stddev);
    const t = time_since_last_login(execution_time, last_logged_in[i]);
    out[i] = predictions(features(t, is_male(g), is_female(g), is_high_roller(budget[i]), a), model);
  }
  parentPort.postMessage("done");
});
parentPort.postMessage("loaded");
