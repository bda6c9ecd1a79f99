/**
 * featc's generated executors against hand-written code doing the same calls, on the reference
 * catalog's shared map features with in-memory inputs (bench/map-features):
 *  - online: one request, sync path, vs a hand-written function and a runtime DAG interpreter;
 *    and the async path (lookups returning promises) vs hand-written async code;
 *  - batch: 100,000 and 1,000,000 rows, vs hand-written fused loops (with and without the
 *    catalog's checks, which the generated loop runs).
 * Run: npx tsx bench/codegen.bench.ts [--quick]
 */
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "../compiler/build.js";
import { age_mean, age_stddev } from "../catalog/aggregations.js";
import { client_login_data__batch, survey_results__batch, survey_results__online } from "../catalog/data_loaders.js";
import { age_normalized, features, is_female, is_high_roller, is_male, time_since_last_login } from "../catalog/features.js";
import { last_logged_in__batch, last_logged_in__online } from "../catalog/joins.js";
import { predictions } from "../catalog/model.js";
import type { Login, LoginService, Model, Survey, SurveyService, Warehouse } from "../catalog/types.js";
import * as referenceBatch from "../generated/batch.js";
import * as referenceOnline from "../generated/online.js";
import { tableOf, type Table } from "../runtime/index.js";
import { DagInterpreter } from "./interpreter.js";
import { consume, machine, measure, peakRssMiB, rows, table, writeRows, type Row } from "./harness.js";

const quick = process.argv.includes("--quick");
/** `--only sync,async,batch,dag` runs a subset. */
const onlyArg = process.argv.indexOf("--only") >= 0 ? process.argv[process.argv.indexOf("--only") + 1]!.split(",") : undefined;
const want = (part: string) => !onlyArg || onlyArg.includes(part);
const here = path.dirname(fileURLToPath(import.meta.url));

const model: Model = {
  weights: { time_since_last_login: -0.05, is_male: 0.3, is_female: -0.2, is_high_roller: 0.8, age_normalized: 0.4 },
  bias: -0.1,
};
const GENDERS = ["male", "female", "other"];
const EXECUTION_TIME = Date.UTC(2026, 10, 1);

function columns(n: number) {
  const gender = new Array<string>(n);
  const budget = new Float64Array(n);
  const age = new Float64Array(n);
  const last = new Float64Array(n);
  let s = 12345;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let i = 0; i < n; i++) {
    gender[i] = GENDERS[i % 3]!;
    budget[i] = Math.floor(rnd() * 300);
    age[i] = 18 + Math.floor(rnd() * 60);
    last[i] = EXECUTION_TIME - Math.floor(rnd() * 90 * 86_400_000);
  }
  return { gender, budget, age, last_logged_in: last, age_mean: 47.5, age_stddev: 17.3, execution_time: EXECUTION_TIME, model };
}

type Executor = { execute: (o: readonly string[], i: object, opts?: object) => unknown };

async function main(): Promise<void> {
  const result = await build(path.join(here, "map-features", "featc.config.json"));
  if (result.diagnostics.some((d) => d.severity === "error")) throw new Error(result.diagnostics.map((d) => d.message).join("\n"));
  const online = (await import(pathToFileURL(path.join(here, "out", "map-features", "online.ts")).href)) as Executor;
  const batch = (await import(pathToFileURL(path.join(here, "out", "map-features", "batch.ts")).href)) as Executor;
  const all: Row[] = [];

  // ---- online, sync: one request
  const request = {
    gender: "female",
    budget: 150,
    age: 33,
    last_logged_in: EXECUTION_TIME - 5 * 86_400_000,
    age_mean: 47.5,
    age_stddev: 17.3,
    execution_time: EXECUTION_TIME,
    model,
  };
  const calls = quick ? 20_000 : 200_000;
  // Distinct requests of one shape, cycled, so no contender computes a loop-invariant answer.
  const requests = Array.from({ length: 1024 }, (_, i) => ({
    ...request,
    gender: GENDERS[i % 3]!,
    budget: (i * 37) % 300,
    age: 18 + (i % 60),
    last_logged_in: EXECUTION_TIME - ((i * 7919) % 90) * 86_400_000,
  }));
  const handOnline = (r: typeof request) => {
    const f = features(
      time_since_last_login(r.execution_time, r.last_logged_in),
      is_male(r.gender),
      is_female(r.gender),
      is_high_roller(r.budget),
      age_normalized(r.age, r.age_mean, r.age_stddev),
    );
    return { predictions: predictions(f, r.model) };
  };
  // The same calls with the catalog's checks (notNull on two features, range(0, 1) on predictions), as featc runs them.
  const handOnlineChecked = (r: typeof request) => {
    const a = age_normalized(r.age, r.age_mean, r.age_stddev);
    if (!(a === a)) throw new Error("age_normalized is NaN");
    const t = time_since_last_login(r.execution_time, r.last_logged_in);
    if (!(t === t)) throw new Error("time_since_last_login is NaN");
    const p = predictions(features(t, is_male(r.gender), is_female(r.gender), is_high_roller(r.budget), a), r.model);
    if (!(p >= 0 && p <= 1)) throw new Error("predictions out of range");
    return { predictions: p };
  };
  const interpreter = new DagInterpreter([
    { name: "is_male", deps: ["gender"], fn: is_male },
    { name: "is_female", deps: ["gender"], fn: is_female },
    { name: "is_high_roller", deps: ["budget"], fn: is_high_roller },
    { name: "age_normalized", deps: ["age", "age_mean", "age_stddev"], fn: age_normalized },
    { name: "time_since_last_login", deps: ["execution_time", "last_logged_in"], fn: time_since_last_login },
    { name: "features", deps: ["time_since_last_login", "is_male", "is_female", "is_high_roller", "age_normalized"], fn: features },
    { name: "predictions", deps: ["features", "model"], fn: predictions },
  ]);
  const check = (a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`contenders disagree: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  };
  if (want("sync")) {
    check(online.execute(["predictions"], request), handOnline(request));
    check(handOnlineChecked(request), handOnline(request));
    check(interpreter.execute(["predictions"], request), handOnline(request));
    const outputs = ["predictions"] as const;
    all.push(
      ...rows(
        "online sync, 1 request",
        await measure(
          [
            {
              name: "hand-written + same checks",
              run: () => {
                for (let k = 0; k < calls; k++) consume(handOnlineChecked(requests[k & 1023]!));
              },
            },
            {
              name: "featc",
              run: () => {
                for (let k = 0; k < calls; k++) consume(online.execute(outputs, requests[k & 1023]!));
              },
            },
            {
              name: "hand-written, no checks",
              run: () => {
                for (let k = 0; k < calls; k++) consume(handOnline(requests[k & 1023]!));
              },
            },
            {
              name: "runtime interpreter",
              run: () => {
                for (let k = 0; k < calls; k++) consume(interpreter.execute(outputs, requests[k & 1023]!));
              },
            },
          ],
          quick ? 5 : 15,
          calls,
        ),
        "ns",
        "predictions from 7 map features",
      ),
    );
  }

  // ---- batch: fused loops over N rows
  for (const n of !want("batch") ? [] : quick ? [100_000] : [100_000, 1_000_000]) {
    const input = columns(n);
    const handBatch =
      (checks: boolean, storeMale = false) =>
      () => {
        const out = new Float64Array(n);
        const male: boolean[] = storeMale ? new Array<boolean>(n) : [];
        // Everything comes from the inputs, as for featc: no module constant for V8 to fold.
        const { gender, budget, age, last_logged_in, age_mean, age_stddev, execution_time, model } = input;
        let failed = 0;
        for (let i = 0; i < n; i++) {
          const g = gender[i]!;
          const a = age_normalized(age[i]!, age_mean, age_stddev);
          const t = time_since_last_login(execution_time, last_logged_in[i]!);
          const m = is_male(g);
          const p = predictions(features(t, m, is_female(g), is_high_roller(budget[i]!), a), model);
          if (checks && (!(a === a) || !(t === t) || !(p >= 0 && p <= 1))) failed++;
          out[i] = p;
          if (storeMale) male[i] = m;
        }
        if (failed > 0) throw new Error("check failed");
        consume(out);
      };
    const featc = () => consume(batch.execute(["predictions"], input));
    const featcGeneral = () => consume(batch.execute(["predictions", "is_male"], input));
    const ours = batch.execute(["predictions"], input) as { predictions: Float64Array };
    const ref = new Float64Array(n);
    for (let i = 0; i < n; i++)
      ref[i] = handOnline({
        ...request,
        gender: input.gender[i]!,
        budget: input.budget[i]!,
        age: input.age[i]!,
        last_logged_in: input.last_logged_in[i]!,
      }).predictions;
    for (let i = 0; i < n; i++) if (!Object.is(ours.predictions[i], ref[i])) throw new Error(`batch row ${i} differs`);
    all.push(
      ...rows(
        `batch ${n.toLocaleString("en")} rows`,
        await measure(
          [
            { name: "hand-written loop + same checks", run: handBatch(true) },
            { name: "featc", run: featc },
            { name: "hand-written, also storing is_male", run: handBatch(true, true) },
            { name: "featc, predictions + is_male", run: featcGeneral },
            { name: "hand-written loop, no checks", run: handBatch(false) },
          ],
          quick ? 5 : 15,
          1,
          8,
        ),
        "ms",
        "predictions, one fused loop",
      ),
    );
  }

  // ---- online, async: the reference target with in-memory lookups returning promises
  if (want("async")) {
    const surveys = new Map<number, Survey>();
    const logins = new Map<number, number>();
    for (let id = 0; id < 1024; id++) {
      surveys.set(id, { client_id: id, budget: (id * 37) % 300, age: 18 + (id % 60), gender: GENDERS[id % 3]! });
      logins.set(id, EXECUTION_TIME - ((id * 7919) % 90) * 86_400_000);
    }
    const survey_service: SurveyService = { survey: (id) => Promise.resolve(surveys.get(id)!) };
    const login_service: LoginService = { lastLoggedIn: (id) => Promise.resolve(logins.get(id)!) };
    const fitted = { age_mean: 47.5, age_stddev: 17.3 };
    const handAsync = async (client_id: number) => {
      const surveyP = survey_results__online(survey_service, client_id);
      const lastP = last_logged_in__online(login_service, client_id);
      const s = await surveyP;
      const a = age_normalized(s.age, fitted.age_mean, fitted.age_stddev);
      const last = await lastP;
      const f = features(time_since_last_login(EXECUTION_TIME, last), is_male(s.gender), is_female(s.gender), is_high_roller(s.budget), a);
      return { predictions: predictions(f, model) };
    };
    // The same, written to be safe when both lookups fail: Promise.all handles both rejections.
    const handAll = async (client_id: number) => {
      const [s, last] = await Promise.all([
        survey_results__online(survey_service, client_id),
        last_logged_in__online(login_service, client_id),
      ]);
      const f = features(
        time_since_last_login(EXECUTION_TIME, last),
        is_male(s.gender),
        is_female(s.gender),
        is_high_roller(s.budget),
        age_normalized(s.age, fitted.age_mean, fitted.age_stddev),
      );
      return { predictions: predictions(f, model) };
    };
    const inputs = (client_id: number) => ({ client_id, execution_time: EXECUTION_TIME, survey_service, login_service, model, fitted });
    check(await referenceOnline.execute(["predictions"], inputs(7)), await handAsync(7));
    const asyncCalls = quick ? 5_000 : 50_000;
    all.push(
      ...rows(
        "online async, 1 request",
        await measure(
          [
            {
              name: "hand-written async (await each)",
              run: async () => {
                for (let k = 0; k < asyncCalls; k++) consume(await handAsync(k & 1023));
              },
            },
            {
              name: "hand-written async (Promise.all)",
              run: async () => {
                for (let k = 0; k < asyncCalls; k++) consume(await handAll(k & 1023));
              },
            },
            {
              name: "featc",
              run: async () => {
                for (let k = 0; k < asyncCalls; k++) consume(await referenceOnline.execute(["predictions"], inputs(k & 1023)));
              },
            },
          ],
          quick ? 5 : 15,
          asyncCalls,
        ),
        "ns",
        "2 lookups (promises) + 7 map features",
      ),
    );
  }

  // ---- batch, the whole reference DAG in memory: loaders, join, aggregates, map features, predictions
  for (const n of !want("dag") ? [] : quick ? [100_000] : [100_000, 1_000_000]) {
    const input = columns(n);
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => ((a * 2654435761) % 1000003) - ((b * 2654435761) % 1000003));
    const survey: Table<Survey> = tableOf<Survey>({
      client_id: Float64Array.from({ length: n }, (_, i) => i),
      budget: input.budget,
      age: input.age,
      gender: input.gender,
    });
    const login: Table<Login> = tableOf<Login>({
      client_id: Float64Array.from(order),
      last_logged_in: Float64Array.from(order, (i) => input.last_logged_in[i]!),
    });
    const warehouse: Warehouse = { readSurvey: async () => survey, readLogins: async () => login };
    const batchInputs = { warehouse, survey_results_table: "survey", client_login_table: "logins", execution_time: EXECUTION_TIME, model };
    const handDag = async (inputs: typeof batchInputs) => {
      // Everything comes from the inputs, as for featc: no module constant for V8 to fold.
      const { warehouse, survey_results_table, client_login_table, execution_time, model } = inputs;
      const surveyP = survey_results__batch(warehouse, survey_results_table);
      const loginP = client_login_data__batch(warehouse, client_login_table);
      const s = await surveyP;
      const { client_id, budget, age, gender } = s.columns;
      const m = age_mean(age);
      const sd = age_stddev(age);
      const last = last_logged_in__batch(client_id, await loginP);
      const out = new Float64Array(n);
      let failed = 0;
      for (let i = 0; i < n; i++) {
        const g = gender[i]!;
        const a = age_normalized(age[i]!, m, sd);
        const t = time_since_last_login(execution_time, last[i]!);
        const p = predictions(features(t, is_male(g), is_female(g), is_high_roller(budget[i]!), a), model);
        if (!(a === a) || !(t === t) || !(p >= 0 && p <= 1)) failed++;
        out[i] = p;
      }
      if (failed > 0) throw new Error("check failed");
      return out;
    };
    const ours = (await referenceBatch.execute(["predictions"], batchInputs)).predictions;
    const theirs = await handDag(batchInputs);
    for (let i = 0; i < n; i++) if (!Object.is(ours[i], theirs[i])) throw new Error(`whole-DAG batch row ${i} differs`);
    all.push(
      ...rows(
        `batch DAG ${n.toLocaleString("en")} rows`,
        await measure(
          [
            { name: "hand-written (same calls + checks)", run: async () => consume(await handDag(batchInputs)) },
            { name: "featc", run: async () => consume(await referenceBatch.execute(["predictions"], batchInputs)) },
            {
              name: "featc, general path (2 outputs)",
              run: async () => consume(await referenceBatch.execute(["predictions", "client_id"], batchInputs)),
            },
          ],
          quick ? 5 : 11,
          1,
          8,
        ),
        "ms",
        "join + 2 aggregates + 7 map features",
      ),
    );
  }

  all.push({
    bench: `codegen process (${onlyArg?.join(", ") ?? "all parts"})`,
    contender: "peak RSS",
    median: `${peakRssMiB().toFixed(0)} MiB`,
    p99: "",
    ratio: "",
  });
  writeRows(all);
  console.log(`machine: ${machine()}`);
  console.log(table(all));
}

await main();
