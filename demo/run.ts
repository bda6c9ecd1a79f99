/**
 * The parity demo (`npm run demo`): one command, on a fresh clone, that shows the same catalog
 * computing the same predictions in batch and online, bit for bit.
 *
 *   1. checks that the committed generated executors match the catalog (`featc build --check`):
 *      the demo runs what is committed, so stale executors stop it;
 *   2. generates the warehouse (DuckDB, seeded) under data/;
 *   3. trains (batch: features + @fitted values, logistic regression, artifacts saved);
 *   4. scores every client (batch) and writes the predictions to DuckDB;
 *   5. scores every client again inside DuckDB with the SQL target (generated/duckdb.sql, on the
 *      same warehouse file), with the @fitted values also computed by the engine, and compares
 *      both with the batch run (predictions within the bound the target states);
 *   6. starts the Fastify service on a free loopback port, asks it for a seeded random sample
 *      of clients over HTTP (a few requests at a time), and compares every online prediction
 *      with the batch one read back from DuckDB, after the JSON round trip, with Object.is;
 *   7. prints a short report and exits 0 only when every prediction is identical online, within
 *      its stated bound in SQL, and every request succeeded.
 *
 *   npm run demo -- [--clients 100000] [--seed 1] [--sample 1000] [--concurrency 4]
 *                   [--dir data] [--lookups index|query] [--skip-build-check]
 */
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { AddressInfo } from "node:net";
import type { ProgressStream } from "featc/node";
import type { DuckDBConnection } from "@duckdb/node-api";
import { readTable } from "featc/duckdb";
import { compareNode, compareRuns, duckdbConnection, type NodeParity } from "featc/sql";
import { build } from "../compiler/build.js";
import { formatHuman } from "../compiler/cli/format.js";
import { hasErrors } from "../compiler/diagnostics.js";
import { generateWarehouse, mulberry32, type GenerateReport } from "./generate.js";
import { score, describeDrift, type ScoreReport } from "./score.js";
import { createServer } from "./server.js";
import type { ServiceKind } from "./services.js";
import { DEFAULT_EXECUTION_TIME, isMain, train, type TrainReport } from "./train.js";
import { TABLES, openWarehouse } from "./warehouse.js";
import * as duckdbTarget from "../generated/duckdb.js";

/** The repository's featc config: the demo checks the executors it imports against it. */
export const CONFIG_PATH = fileURLToPath(new URL("../featc.config.json", import.meta.url));

export interface DemoOptions {
  /** Surveyed clients to generate (default 100,000). */
  readonly clients?: number;
  /** Seed of the data and of the sample (default 1). */
  readonly seed?: number;
  /** Clients asked online (default 1,000; at most every client). */
  readonly sample?: number;
  /** Requests in flight at once (default 4). */
  readonly concurrency?: number;
  /** Folder for the warehouse file and the artifacts (default data). */
  readonly dir?: string;
  /** Lookup strategy of the online service (default "index"). */
  readonly lookups?: ServiceKind;
  /** Check the generated executors against the catalog first (default true). */
  readonly checkBuild?: boolean;
  /** Progress bars' stream (default stderr, drawn only on a terminal); false for none. */
  readonly progress?: ProgressStream | false;
  /** Receives each line of the report as its step completes (default: nothing). */
  readonly onLine?: (line: string) => void;
}

/** One sampled client whose online answer was not the batch prediction. */
export interface Mismatch {
  readonly client_id: number;
  readonly batch: number;
  /** The online prediction, or undefined when the request failed. */
  readonly online: number | undefined;
  /** What went wrong with the request (status and body, or the network error). */
  readonly failure?: string;
}

/** The SQL step: every client scored inside DuckDB, and the @fitted values fitted by the engine, against the batch run. */
export interface SqlStepReport {
  readonly rows: number;
  /** Per column the SQL target returns that batch also has (client_id, predictions). */
  readonly parity: readonly NodeParity[];
  /** The engine's fit() of each @fitted value against the batch target's. */
  readonly fitted: readonly NodeParity[];
  readonly passed: boolean;
  readonly ms: { readonly execute: number; readonly fit: number };
}

export interface DemoResult {
  readonly build: { readonly ms: number; readonly files: number } | undefined;
  readonly generate: GenerateReport;
  readonly train: TrainReport;
  readonly score: ScoreReport;
  readonly sql: SqlStepReport;
  readonly server: { readonly address: string; readonly startMs: number };
  readonly online: {
    /** The sampled clients, their batch predictions (from DuckDB) and online predictions (NaN when failed). */
    readonly client_id: Float64Array;
    readonly batch: Float64Array;
    readonly online: Float64Array;
    readonly identical: number;
    readonly failed: number;
    /** Largest |online - batch| over the successful requests. */
    readonly maxAbsDiff: number;
    readonly mismatches: readonly Mismatch[];
    /** HTTP round trips (client side) and executor times (the server-timing header), ms. */
    readonly latency: { readonly p50: number; readonly p99: number };
    readonly execute: { readonly p50: number; readonly p99: number };
    readonly ms: number;
  };
  readonly passed: boolean;
}

/** The generated executors are not what the catalog compiles to. */
export class StaleBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StaleBuildError";
  }
}

/** `featc build --check`, in process: throws StaleBuildError on errors or stale files. */
export async function checkBuild(configPath: string = CONFIG_PATH): Promise<{ files: number }> {
  const result = await build(configPath, { check: true });
  const rootDir = path.dirname(configPath);
  if (hasErrors(result.diagnostics)) {
    throw new StaleBuildError(`the catalog does not compile (featc build --check):\n${formatHuman(result.diagnostics, rootDir)}`);
  }
  const stale = [...result.changed, ...result.removed];
  if (stale.length > 0) {
    throw new StaleBuildError(
      `the committed generated files are stale: ${stale.join(", ")}.\n` +
        "The demo runs the executors that are committed; regenerate them with `npx featc build` (and commit), then run the demo again.",
    );
  }
  return { files: result.files.size };
}

/** `count` distinct row indices out of `n`, in a seeded random order (partial Fisher–Yates). */
export function sampleRows(n: number, count: number, seed: number): Int32Array {
  const k = Math.min(n, Math.max(0, count));
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const random = mulberry32(seed ^ 0x5eed5eed);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order.slice(0, k);
}

/** Untimed requests before the measured ones (JIT warm-up), to the sampled clients. */
const WARM_UP = 1000;

/** One GET over a keep-alive agent: status, the server-timing header and the body text. */
function get(agent: http.Agent, port: number, pathAndQuery: string): Promise<{ status: number; timing: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: "127.0.0.1", port, path: pathAndQuery, agent }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, timing: response.headers["server-timing"] as string | undefined, body }),
      );
      response.on("error", reject);
    });
    request.setTimeout(30_000, () => request.destroy(new Error("no answer within 30 s")));
    request.on("error", reject);
  });
}

function quantile(values: Float64Array, q: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Runs the whole demo and returns what happened; throws when a step cannot run at all. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const clients = options.clients ?? 100_000;
  const seed = options.seed ?? 1;
  const sample = options.sample ?? 1000;
  const concurrency = options.concurrency ?? 4;
  const dir = options.dir ?? "data";
  const lookups = options.lookups ?? "index";
  const db = path.join(dir, "warehouse.duckdb");
  const artifacts = path.join(dir, "artifacts");
  const progress = options.progress ?? process.stderr;
  const line = options.onLine ?? (() => {});
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);

  let buildReport: DemoResult["build"];
  if (options.checkBuild ?? true) {
    const t = performance.now();
    const { files } = await checkBuild();
    buildReport = { ms: performance.now() - t, files };
    line(row("build check", seconds(buildReport.ms), `generated/ matches the catalog (${files} files up to date)`));
  }

  const generated = await generateWarehouse({ clients, seed, db });
  line(row("generate", seconds(generated.ms), `${count(generated.clients)} clients (seed ${seed}) → ${db}`));

  // Batch: training and scoring share one read-write connection, closed before the service
  // opens the file read-only.
  const warehouse = await openWarehouse(db);
  let trained: TrainReport;
  let scored: ScoreReport;
  let batchIds: Float64Array;
  let batchPredictions: Float64Array;
  let sql: SqlStepReport;
  try {
    trained = await train({ warehouse, artifacts, executionTime: DEFAULT_EXECUTION_TIME, progress });
    const fittedText = Object.entries(trained.fitted)
      .map(([k, v]) => `${k} ${typeof v === "number" ? v.toFixed(2) : String(v)}`)
      .join(", ");
    line(
      row(
        "train",
        seconds(trained.ms.total),
        `${count(trained.labelled)} labelled rows: features ${seconds(trained.ms.features)}, fit ${seconds(trained.ms.fit)}; log-loss ${trained.logLoss.toFixed(4)}`,
      ),
    );
    line(row("", "", `saved ${artifacts}/model.json and fitted.json (${fittedText})`));
    scored = await score({ warehouse, model: trained.model, fitted: trained.fitted, executionTime: DEFAULT_EXECUTION_TIME, progress });
    const per100k = (scored.ms.total / Math.max(1, scored.rows)) * 100_000;
    line(
      row(
        "score",
        seconds(scored.ms.total),
        `${count(scored.rows)} rows → table ${scored.table}; ${seconds(per100k)} per 100k rows (executor with its DuckDB reads ${seconds(scored.ms.execute)}, writing ${seconds(scored.ms.write)})`,
      ),
    );
    if (scored.fittedDrift && scored.fittedDrift.length > 0)
      line(row("warning", "", `fitted values moved between training and scoring: ${describeDrift(scored.fittedDrift)}`));
    // What batch wrote, read back from DuckDB: the values the online answers are compared with.
    const readBack = await readTable(warehouse.connection, { table: scored.table.split(".") }, { client_id: "f64", prediction: "f64" });
    batchIds = readBack.columns.client_id;
    batchPredictions = readBack.columns.prediction;
    sql = await scoreInDuckDB(warehouse.connection, trained, { client_id: batchIds, predictions: batchPredictions });
    const verdict = (p: NodeParity) =>
      `${p.node} ${p.verdict === "within-ulps" ? `within ${p.boundUlps} ulp (max ${p.maxUlps}, ${count(p.rowsDiffering)} rows)` : p.verdict}`;
    line(
      row(
        "sql",
        seconds(sql.ms.execute),
        `${count(sql.rows)} clients scored inside DuckDB (generated/duckdb.sql): ${sql.parity.map(verdict).join(", ")} vs batch`,
      ),
    );
    line(
      row(
        "",
        seconds(sql.ms.fit),
        `@fitted values fitted by the engine (generated/duckdb.fit.sql): ${sql.fitted.map(verdict).join(", ")} vs batch`,
      ),
    );
  } finally {
    warehouse.close();
  }

  // Online. The service gets the batch run's execution_time, fixed, instead of the clock at each
  // request: time_since_last_login then has the same inputs in both contexts, so any difference
  // left would be skew between the two executors.
  const serverStarted = performance.now();
  const app = await createServer({
    db,
    artifacts,
    lookups,
    executionTime: DEFAULT_EXECUTION_TIME,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  let address: string;
  let startMs: number;
  const rows = sampleRows(batchIds.length, sample, seed);
  const n = rows.length;
  const client_id = new Float64Array(n);
  const batch = new Float64Array(n);
  const online = new Float64Array(n).fill(NaN);
  const latency = new Float64Array(n);
  const executeMs = new Float64Array(n).fill(NaN);
  const mismatches: Mismatch[] = [];
  let failed = 0;
  // node:http with keep-alive: the client's own cost per request stays small (~0.1 ms, against
  // ~0.5 ms for fetch), so the latencies are mostly the service's.
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let onlineMs: number;
  try {
    address = await app.listen({ port: 0, host: "127.0.0.1" });
    startMs = performance.now() - serverStarted;
    line(
      row(
        "serve",
        seconds(startMs),
        `${address}, ${lookups} lookups, execution_time ${new Date(DEFAULT_EXECUTION_TIME).toISOString()} (the batch run's)`,
      ),
    );

    for (let k = 0; k < n; k++) {
      client_id[k] = batchIds[rows[k]!]!;
      batch[k] = batchPredictions[rows[k]!]!;
    }
    const port = (app.server.address() as AddressInfo).port;
    // Untimed requests first, as many at once as below, so that the timings are of a process
    // whose server and client code is compiled (the first ~1,000 requests run several times slower).
    let warm = 0;
    const warmer = async (): Promise<void> => {
      for (let w = warm++; w < WARM_UP; w = warm++) await get(agent, port, `/predict?client_id=${client_id[w % n]}`).catch(() => {});
    };
    if (n > 0) await Promise.all(Array.from({ length: concurrency }, warmer));

    const started = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let k = next++; k < n; k = next++) {
        const id = client_id[k]!;
        const t = performance.now();
        let failure: string | undefined;
        try {
          const response = await get(agent, port, `/predict?client_id=${id}`);
          const text = response.body;
          latency[k] = performance.now() - t;
          const timing = /execute;dur=([0-9.]+)/.exec(response.timing ?? "");
          if (timing) executeMs[k] = Number(timing[1]);
          if (response.status !== 200) failure = `HTTP ${response.status} ${text}`;
          else {
            const body = JSON.parse(text) as { client_id?: unknown; prediction?: unknown };
            if (body.client_id !== id || typeof body.prediction !== "number") failure = `unexpected body ${text}`;
            else online[k] = body.prediction;
          }
        } catch (e) {
          latency[k] = performance.now() - t;
          failure = (e as Error).message;
        }
        if (failure !== undefined) {
          failed++;
          mismatches.push({ client_id: id, batch: batch[k]!, online: undefined, failure });
        } else if (!Object.is(online[k], batch[k])) {
          mismatches.push({ client_id: id, batch: batch[k]!, online: online[k]! });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, n)) }, worker));
    onlineMs = performance.now() - started;
  } finally {
    agent.destroy();
    await app.close();
  }

  let identical = 0;
  let maxAbsDiff = 0;
  for (let k = 0; k < n; k++) {
    if (Object.is(online[k], batch[k])) identical++;
    else if (!Number.isNaN(online[k]!)) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(online[k]! - batch[k]!));
  }
  const result: DemoResult = {
    build: buildReport,
    generate: generated,
    train: trained,
    score: scored,
    server: { address, startMs },
    online: {
      client_id,
      batch,
      online,
      identical,
      failed,
      maxAbsDiff,
      mismatches: mismatches.sort((a, b) => a.client_id - b.client_id),
      latency: { p50: quantile(latency, 0.5), p99: quantile(latency, 0.99) },
      execute: {
        p50: quantile(
          executeMs.filter((v) => !Number.isNaN(v)),
          0.5,
        ),
        p99: quantile(
          executeMs.filter((v) => !Number.isNaN(v)),
          0.99,
        ),
      },
      ms: onlineMs,
    },
    sql,
    passed: n > 0 && identical === n && failed === 0 && sql.passed,
  };
  const o = result.online;
  line(
    row(
      "online",
      seconds(o.ms),
      `${count(n)} sampled clients over HTTP, ${concurrency} in flight: ${count(Math.round(n / (o.ms / 1000)))} requests/s`,
    ),
  );
  line(
    row(
      "",
      "",
      `latency p50 ${millis(o.latency.p50)}, p99 ${millis(o.latency.p99)} (round trip, after ${count(WARM_UP)} warm-up requests)`,
    ),
  );
  line(row("", "", `executor p50 ${millis(o.execute.p50)}, p99 ${millis(o.execute.p99)} (execute(["predictions"]) inside the handler)`));
  line("");
  line(
    row(
      "parity",
      "",
      `${count(identical)} / ${count(n)} online predictions bit-identical to batch; largest |difference| ${o.maxAbsDiff}${failed > 0 ? `; ${count(failed)} requests failed` : ""}`,
    ),
  );
  for (const m of result.online.mismatches.slice(0, 5)) {
    line(
      `${" ".repeat(25)}client ${m.client_id}: batch ${m.batch}, ${m.failure !== undefined ? `request failed: ${m.failure}` : `online ${m.online}`}`,
    );
  }
  if (result.online.mismatches.length > 5) line(`${" ".repeat(25)}… and ${result.online.mismatches.length - 5} more`);
  return result;
}

/**
 * The SQL step: the duckdb target's statement runs inside the warehouse's DuckDB with the model
 * and fitted values batch trained, and its fit() computes the fitted values in the engine; each
 * is compared with the batch run, row by row on client_id, against the bound the target states.
 */
async function scoreInDuckDB(
  connection: DuckDBConnection,
  trained: TrainReport,
  batch: { client_id: Float64Array; predictions: Float64Array },
): Promise<SqlStepReport> {
  const adapter = duckdbConnection(connection);
  const tables = { survey_results_table: TABLES.survey, client_login_table: TABLES.logins };
  let t = performance.now();
  const result = await duckdbTarget.execute(adapter, {
    ...tables,
    execution_time: DEFAULT_EXECUTION_TIME,
    model: trained.model,
    fitted: trained.fitted,
  });
  const execute = performance.now() - t;
  const parity = compareRuns(
    batch,
    { client_id: result.columns.client_id, predictions: result.columns.predictions },
    { key: "client_id", bounds: duckdbTarget.NODES },
  );
  t = performance.now();
  const engine = await duckdbTarget.fit(adapter, tables);
  const fit = performance.now() - t;
  const fitted = (["age_mean", "age_stddev"] as const).map((name) => {
    const note = duckdbTarget.NODES[name];
    return compareNode(name, [trained.fitted[name]], [engine.values[name]], note.boundUlps * (note.perRow ? engine.rows : 1));
  });
  return {
    rows: result.length,
    parity,
    fitted,
    passed: result.length === batch.client_id.length && [...parity, ...fitted].every((p) => p.ok),
    ms: { execute, fit },
  };
}

/** One report line: the step, its wall time (right-aligned), what it did. */
function row(step: string, time: string, what: string): string {
  return `  ${step.padEnd(12)}${time.padStart(8)}   ${what}`;
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

function seconds(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

function millis(ms: number): string {
  if (!Number.isFinite(ms)) return "--";
  return ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(0)} µs`;
}

const USAGE =
  "usage: npm run demo -- [--clients N (default 100000)] [--seed S (default 1)] [--sample N (default 1000)] [--concurrency N (default 4)]\n" +
  "                       [--dir DIR (default data)] [--lookups index|query (default index)] [--skip-build-check]";

function positiveInteger(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === "" || !Number.isInteger(value) || value < min)
    throw new Error(`--${name} must be an integer ≥ ${min}, got '${text}'`);
  return value;
}

/** The command line. Returns the exit code: 0 when batch and online agree, 1 otherwise, 2 on usage errors. */
export async function main(argv: readonly string[]): Promise<number> {
  let options: DemoOptions;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        clients: { type: "string" },
        seed: { type: "string" },
        sample: { type: "string" },
        concurrency: { type: "string" },
        dir: { type: "string" },
        lookups: { type: "string" },
        "skip-build-check": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (values.lookups !== undefined && values.lookups !== "index" && values.lookups !== "query")
      throw new Error(`--lookups must be index or query, got '${values.lookups}'`);
    const seedText = values.seed;
    if (seedText !== undefined && (seedText.trim() === "" || !Number.isInteger(Number(seedText))))
      throw new Error(`--seed must be an integer, got '${seedText}'`);
    options = {
      clients: positiveInteger("clients", values.clients, 100_000, 2),
      seed: seedText === undefined ? 1 : Number(seedText),
      sample: positiveInteger("sample", values.sample, 1000, 1),
      concurrency: positiveInteger("concurrency", values.concurrency, 4, 1),
      dir: values.dir,
      lookups: values.lookups as ServiceKind | undefined,
      checkBuild: !values["skip-build-check"],
    };
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  console.log(`featc demo: one catalog, batch, SQL and online (${count(options.clients!)} clients, seed ${options.seed})\n`);
  let result: DemoResult;
  try {
    result = await runDemo({ ...options, onLine: (l) => console.log(l) });
  } catch (e) {
    console.error(`\ndemo: ${e instanceof StaleBuildError ? "" : "failed: "}${(e as Error).message}`);
    return 1;
  }
  const o = result.online;
  if (result.passed) {
    console.log(
      `\nOK: every sampled client got the same prediction online as in batch, bit for bit, and inside DuckDB within the SQL target's stated bound.`,
    );
    return 0;
  }
  if (!result.sql.passed)
    console.log(
      `\nFAILED: the SQL target is outside its stated bound: ${[...result.sql.parity, ...result.sql.fitted]
        .filter((p) => !p.ok)
        .map((p) => p.node)
        .join(", ")}.`,
    );
  if (o.identical !== o.client_id.length || o.failed > 0)
    console.log(`\nFAILED: ${o.client_id.length - o.identical} of ${o.client_id.length} sampled clients differ or failed.`);
  return 1;
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
