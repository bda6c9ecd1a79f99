/**
 * Would worker threads pay for the batch map loop on this machine? The reference catalog's map
 * features (predictions from 7 map features) over 1,000,000 rows: the fused loop on the main
 * thread, against a pool of two warmed workers that each run half of the rows. Numeric columns
 * and the output live in SharedArrayBuffers (no copy); the string column `gender` is what a
 * catalog really has, so it is either posted to each worker per call (structured clone, the
 * realistic case) or, as an upper bound, shared as small integer codes prepared in advance.
 * Wall time (this is about parallelism), interleaved, medians.
 * Run: npx tsx bench/workers.bench.ts [--quick] [--rows N]
 */
import { Worker } from "node:worker_threads";
import { age_normalized, features, is_female, is_high_roller, is_male, time_since_last_login } from "../catalog/features.js";
import { predictions } from "../catalog/model.js";
import type { Model } from "../catalog/types.js";
import { consume, machine, table, writeRows, type Row } from "./harness.js";

const quick = process.argv.includes("--quick");
const rowsArg = process.argv.indexOf("--rows");
const n = rowsArg >= 0 ? Number(process.argv[rowsArg + 1]) : 1_000_000;
const rounds = quick ? 7 : 21;
const GENDERS = ["male", "female", "other"];
const EXECUTION_TIME = Date.UTC(2026, 10, 1);
const model: Model = {
  weights: { time_since_last_login: -0.05, is_male: 0.3, is_female: -0.2, is_high_roller: 0.8, age_normalized: 0.4 },
  bias: -0.1,
};

const sharedF64 = (length: number) => new Float64Array(new SharedArrayBuffer(length * 8));
const budget = sharedF64(n);
const age = sharedF64(n);
const last = sharedF64(n);
const outShared = sharedF64(n);
const genderCode = new Uint8Array(new SharedArrayBuffer(n));
const gender = new Array<string>(n);
let s = 12345;
const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
for (let i = 0; i < n; i++) {
  genderCode[i] = i % 3;
  gender[i] = GENDERS[i % 3]!;
  budget[i] = Math.floor(rnd() * 300);
  age[i] = 18 + Math.floor(rnd() * 60);
  last[i] = EXECUTION_TIME - Math.floor(rnd() * 90 * 86_400_000);
}
const scalars = { age_mean: 47.5, age_stddev: 17.3, execution_time: EXECUTION_TIME, model };

function mainThread(): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const g = gender[i]!;
    const a = age_normalized(age[i]!, scalars.age_mean, scalars.age_stddev);
    const t = time_since_last_login(scalars.execution_time, last[i]!);
    out[i] = predictions(features(t, is_male(g), is_female(g), is_high_roller(budget[i]!), a), scalars.model);
  }
  return out;
}

function once(worker: Worker, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: unknown) => {
      if (m !== what) return;
      worker.off("message", onMessage);
      worker.off("error", reject);
      resolve();
    };
    worker.on("message", onMessage);
    worker.on("error", reject);
  });
}

const pool = [0, 1].map(() => new Worker(new URL("./workers-worker.mjs", import.meta.url)));
await Promise.all(pool.map((w) => once(w, "loaded")));
await Promise.all(
  pool.map((w) => {
    const ready = once(w, "ready");
    w.postMessage({ columns: { budget, age, last_logged_in: last, out: outShared, genderCode } });
    return ready;
  }),
);

async function workers(postStrings: boolean): Promise<Float64Array> {
  const half = Math.ceil(n / pool.length);
  await Promise.all(
    pool.map((w, k) => {
      const from = k * half;
      const to = Math.min(n, from + half);
      const done = once(w, "done");
      w.postMessage({ from, to, ...scalars, ...(postStrings ? { gender: gender.slice(from, to) } : {}) });
      return done;
    }),
  );
  return outShared;
}

// The same numbers every way.
const expected = mainThread();
for (const strings of [true, false]) {
  outShared.fill(0);
  const got = await workers(strings);
  for (let i = 0; i < n; i++) if (!Object.is(got[i], expected[i])) throw new Error(`worker result differs at row ${i}`);
}

const contenders: { name: string; run: () => Promise<unknown> | unknown }[] = [
  { name: "main thread, one fused loop", run: mainThread },
  { name: "2 workers, gender posted per call", run: () => workers(true) },
  { name: "2 workers, all columns shared (bound)", run: () => workers(false) },
];
const times = contenders.map(() => [] as number[]);
for (let r = -3; r < rounds; r++) {
  for (let k = 0; k < contenders.length; k++) {
    const i = (k + Math.max(r, 0)) % contenders.length;
    const start = performance.now();
    consume(await contenders[i]!.run());
    if (r >= 0) times[i]!.push(performance.now() - start);
  }
}
await Promise.all(pool.map((w) => w.terminate()));

const stats = times.map((t) => t.sort((a, b) => a - b));
const ref = stats[0]![stats[0]!.length >> 1]!;
const rowsOut: Row[] = contenders.map((c, i) => {
  const sorted = stats[i]!;
  const median = sorted[sorted.length >> 1]!;
  return {
    bench: `batch map ${n.toLocaleString("en")} rows, wall`,
    contender: c.name,
    median: `${median.toFixed(1)} ms`,
    p99: `${sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!.toFixed(1)} ms`,
    ratio: i === 0 ? "1.00 (ref)" : `${(median / ref).toFixed(2)}×`,
    note: i === 0 ? "predictions from 7 map features" : "",
  };
});
console.log(`machine: ${machine()}`);
console.log(table(rowsOut));
writeRows(rowsOut);
