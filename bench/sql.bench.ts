/**
 * The SQL targets against the batch executor, on the same generated clients: the whole
 * reference DAG (loader, join, map features, predictions) for every client.
 *
 * `--engine duckdb` (default): `batch` reads the tables from memory; `duckdb` runs the generated
 * statement in an embedded DuckDB holding the same tables and reads every output column back
 * into JavaScript; `materialised in-engine` creates the result as a table inside DuckDB instead,
 * reading nothing back; `fit` computes the @fitted values in the engine; `key check` is the
 * query the target runs first on the login table (a duplicate key is refused), alone. Times are this
 * process's CPU time, DuckDB's worker threads included. Peak memory is measured per contender in
 * a process of its own (`--peak NAME`, one run after the data is loaded): the peak resident size,
 * and how much it grew over the loaded data.
 *
 * `--engine clickhouse`: the ClickHouse target on one server holding every row against a
 * Distributed table over two shards (two server processes on loopback), wall time per query
 * (the work is in the servers), result read back into JavaScript; the login table's key check,
 * which `execute` runs beside the statement, alone.
 *
 * `--rows N` (default 1,000,000), `--quick` for 100,000 rows and fewer rounds.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { generateData, type GeneratedData } from "../demo/generate.js";
import { execute as executeBatch } from "../generated/batch.js";
import * as clickhouseTarget from "../generated/clickhouse.js";
import * as duckdbTarget from "../generated/duckdb.js";
import { writeTable } from "../runtime/duckdb/write.js";
import { clickhouseConnection, duckdbConnection, type SqlConnection } from "../runtime/sql/connection.js";
import type { BoundKeyCheck } from "../runtime/sql/statement.js";
import { startClickHouse } from "../test/support/engines.js";
import { loadClickHouse, referenceColumns } from "../test/support/sql-data.js";
import { argument, consume, machine, measure, rows, table, writeRows, type Row } from "./harness.js";

const quick = process.argv.includes("--quick");
const clients = Number(argument("--rows") ?? (quick ? 100_000 : 1_000_000));
const rounds = quick ? 3 : 7;
const engine = argument("--engine") ?? "duckdb";
const peak = argument("--peak");

const model = {
  bias: -0.4,
  weights: { time_since_last_login: -0.035, is_male: -0.3, is_female: 0.7, is_high_roller: 1.6, age_normalized: -0.6 },
};
const execution_time = Date.UTC(2024, 0, 1);
const outputs = [
  "age_mean",
  "age_stddev",
  "predictions",
  "features",
  "is_male",
  "is_female",
  "is_high_roller",
  "age_normalized",
  "time_since_last_login",
] as const;
const tables = { survey_results_table: "survey", client_login_table: "logins" };

function batchInputs(data: GeneratedData) {
  const warehouse = {
    readSurvey: async () => ({ length: data.survey.client_id.length, columns: data.survey }),
    readLogins: async () => ({ length: data.logins.client_id.length, columns: data.logins }),
  };
  return { warehouse, ...tables, execution_time, model };
}

/** Runs a statement's lookup key checks alone (what `execute` runs before the statement). */
async function keyChecks(connection: SqlConnection, statement: { keyChecks: readonly BoundKeyCheck[] }): Promise<void> {
  for (const c of statement.keyChecks) {
    const found = await connection.query(
      c.sql,
      [],
      [
        { name: "featc_key", type: c.type },
        { name: "featc_rows", type: "number" },
      ],
    );
    if (found.length !== 0) throw new Error(`the bench data holds a duplicate key: ${JSON.stringify(found.columns)}`);
  }
}

async function loadDuckDB(data: GeneratedData): Promise<DuckDBConnection> {
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  await writeTable(connection, "survey", [
    { name: "client_id", type: "DOUBLE", values: data.survey.client_id },
    { name: "budget", type: "DOUBLE", values: data.survey.budget },
    { name: "age", type: "DOUBLE", values: data.survey.age },
    { name: "gender", type: "VARCHAR", values: data.survey.gender },
  ]);
  await writeTable(connection, "logins", [
    { name: "client_id", type: "DOUBLE", values: data.logins.client_id },
    { name: "last_logged_in", type: "DOUBLE", values: data.logins.last_logged_in },
  ]);
  return connection;
}

/** The DuckDB contenders, by name: each runs the whole DAG once. */
async function duckdbContenders(data: GeneratedData) {
  const batch = batchInputs(data);
  const first = await executeBatch(["age_mean", "age_stddev"], batch);
  const connection = await loadDuckDB(data);
  const adapter = duckdbConnection(connection);
  const sqlInputs = { ...tables, execution_time, model, fitted: { age_mean: first.age_mean, age_stddev: first.age_stddev } };
  return [
    { name: "batch executor", run: async () => consume(await executeBatch(outputs, batch)) },
    { name: "duckdb target, result read into JS", run: async () => consume(await duckdbTarget.execute(adapter, sqlInputs)) },
    {
      name: "duckdb target, materialised in-engine",
      run: async () => {
        await adapter.execute(`DROP TABLE IF EXISTS featc_bench`, []);
        await duckdbTarget.materialize(adapter, sqlInputs, { as: "table", name: "featc_bench" });
      },
    },
    { name: "duckdb fit() of the @fitted values", run: async () => consume(await duckdbTarget.fit(adapter, tables)) },
    { name: "duckdb key check of the lookup table (part of execute)", run: () => keyChecks(adapter, duckdbTarget.statement(sqlInputs)) },
  ];
}

/** A field of /proc/self/status in MiB (VmRSS: resident now, VmHWM: the peak since the last reset). */
function status(field: "VmRSS" | "VmHWM"): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(fs.readFileSync("/proc/self/status", "utf8"));
  return Number(match![1]) / 1024;
}

/**
 * In a process of its own: the data generated and loaded, then one run of one contender; prints
 * as JSON the resident memory before the run and its peak during the run (Linux resets the peak
 * when "5" is written to /proc/self/clear_refs, so generating the data does not count).
 */
async function measurePeak(name: string): Promise<void> {
  const data = generateData({ clients, seed: 3 });
  const contender = (await duckdbContenders(data)).find((c) => c.name === name)!;
  fs.writeFileSync("/proc/self/clear_refs", "5");
  const loaded = status("VmRSS");
  await contender.run();
  console.log(JSON.stringify({ peak: status("VmHWM"), loaded }));
}

function peakOf(name: string): string {
  const child = spawnSync(
    process.execPath,
    ["--import", "tsx", fileURLToPath(import.meta.url), "--rows", String(clients), "--peak", name],
    { encoding: "utf8", maxBuffer: 1 << 20 },
  );
  if (child.status !== 0) throw new Error(`peak memory of ${name}: ${child.stderr}`);
  const { peak, loaded } = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as { peak: number; loaded: number };
  return `peak RSS ${peak.toFixed(0)} MiB during one run (${loaded.toFixed(0)} MiB before it, data loaded)`;
}

async function duckdbBench(): Promise<Row[]> {
  const data = generateData({ clients, seed: 3 });
  const contenders = await duckdbContenders(data);
  const stats = await measure(contenders, clients >= 5_000_000 ? 3 : rounds, 1, 1);
  const label = `sql: reference DAG, ${clients.toLocaleString("en")} clients`;
  return rows(label, stats, "ms").map((row, i) => ({
    ...row,
    note: `${(((clients / stats[i]!.median) * 1000) / 1e6).toFixed(2)} M rows/s; ${peakOf(contenders[i]!.name)}`,
  }));
}

async function clickhouseBench(): Promise<Row[]> {
  const data = generateData({ clients, seed: 3 });
  const batch = await executeBatch(["age_mean", "age_stddev"], batchInputs(data));
  const { survey, logins } = referenceColumns(data);
  const cluster = await startClickHouse();
  try {
    for (const shards of [1, 2] as const) {
      await loadClickHouse(cluster, `survey_${shards}`, survey, shards);
      await loadClickHouse(cluster, `logins_${shards}`, logins, shards);
    }
    const connection = clickhouseConnection({
      url: `http://127.0.0.1:${cluster.httpPorts[0]}/`,
      settings: { distributed_product_mode: "global" },
    });
    const inputs = (shards: 1 | 2) => ({
      survey_results_table: `survey_${shards}`,
      client_login_table: `logins_${shards}`,
      execution_time,
      model,
      fitted: { age_mean: batch.age_mean, age_stddev: batch.age_stddev },
    });
    // Wall time: the work is done by the servers, not by this process.
    const times: Record<string, number[]> = {};
    const time = async (name: string, run: () => Promise<void>, record: boolean) => {
      const start = performance.now();
      await run();
      if (record) (times[name] ??= []).push(performance.now() - start);
    };
    for (let r = -1; r < rounds; r++) {
      for (const [name, shards] of [
        ["1 server", 1],
        ["2 shards (Distributed)", 2],
      ] as const) {
        await time(
          name,
          async () => {
            const result = await clickhouseTarget.execute(connection, inputs(shards));
            if (result.length !== clients) throw new Error(`ClickHouse returned ${result.length} rows instead of ${clients}`);
          },
          r >= 0,
        );
        await time(
          `${name}, key check of the lookup table alone`,
          () => keyChecks(connection, clickhouseTarget.statement(inputs(shards))),
          r >= 0,
        );
      }
    }
    const stats = Object.entries(times).map(([name, list]) => {
      const sorted = list.sort((a, b) => a - b);
      return { name: `clickhouse target, ${name}`, median: sorted[sorted.length >> 1]!, p99: sorted.at(-1)!, samples: sorted.length };
    });
    return rows(`sql: ClickHouse 18, ${clients.toLocaleString("en")} clients (wall time)`, stats, "ms").map((row, i) => ({
      ...row,
      note: `${(((clients / stats[i]!.median) * 1000) / 1e6).toFixed(2)} M rows/s`,
    }));
  } finally {
    await cluster.stop();
  }
}

/** The machine's load average over the last minute, five and fifteen minutes (other processes share its cores). */
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");

if (peak) await measurePeak(peak);
else {
  const before = load();
  const all = engine === "clickhouse" ? await clickhouseBench() : await duckdbBench();
  console.log(machine());
  console.log(`load average: ${before} before, ${load()} after`);
  console.log(table(all));
  writeRows(all);
}
