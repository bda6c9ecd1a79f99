/**
 * The SQL target on DuckDB against the batch executor, on the same generated clients: the whole
 * reference DAG (loader, join, map features, predictions) for every client. `batch` reads the
 * tables from memory; `duckdb` runs the generated statement in an embedded DuckDB holding the
 * same tables and reads every output column back into JavaScript; `materialised in-engine`
 * creates the result as a table inside DuckDB instead, reading nothing back.
 * Times are this process's CPU time, DuckDB's worker threads included.
 * `--rows N` (default 1,000,000), `--quick` for 100,000 rows and fewer rounds.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { generateData } from "../demo/generate.js";
import { execute as executeBatch } from "../generated/batch.js";
import { execute as executeDuckDB, statement } from "../generated/duckdb.js";
import { duckdbConnection } from "../runtime/sql/connection.js";
import { quoteIdentifier } from "../runtime/sql/identifiers.js";
import { consume, machine, measure, peakRssMiB, rows, table } from "./harness.js";

const quick = process.argv.includes("--quick");
const rowsArg = process.argv.indexOf("--rows");
const clients = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : quick ? 100_000 : 1_000_000;
const rounds = quick ? 3 : 7;

const data = generateData({ clients, seed: 3 });
const model = { bias: -0.4, weights: { time_since_last_login: -0.035, is_male: -0.3, is_female: 0.7, is_high_roller: 1.6, age_normalized: -0.6 } };
const execution_time = Date.UTC(2024, 0, 1);
const outputs = ["age_mean", "age_stddev", "predictions", "features", "is_male", "is_female", "is_high_roller", "age_normalized", "time_since_last_login"] as const;
const warehouse = {
  readSurvey: async () => ({ length: data.survey.client_id.length, columns: data.survey }),
  readLogins: async () => ({ length: data.logins.client_id.length, columns: data.logins }),
};
const batchInputs = { warehouse, survey_results_table: "survey", client_login_table: "logins", execution_time, model };
const first = await executeBatch(outputs, batchInputs);
const fitted = { age_mean: first.age_mean, age_stddev: first.age_stddev };

const db = await DuckDBInstance.create(":memory:");
const connection = await db.connect();
for (const [name, columns] of [["survey", data.survey], ["logins", data.logins]] as const) {
  const specs = Object.entries(columns).map(([column, values]) => ({ column, text: Array.isArray(values) }));
  await connection.run(`CREATE TABLE ${quoteIdentifier("duckdb", name)} (${specs.map((s) => `${quoteIdentifier("duckdb", s.column)} ${s.text ? "VARCHAR" : "DOUBLE"}`).join(", ")})`);
  const appender = await connection.createAppender(name);
  const length = (columns.client_id as Float64Array).length;
  for (let i = 0; i < length; i++) {
    for (const s of specs) {
      const value = (columns as Record<string, ArrayLike<number | string>>)[s.column]![i]!;
      if (s.text) appender.appendVarchar(value as string);
      else appender.appendDouble(value as number);
    }
    appender.endRow();
  }
  appender.closeSync();
}
const sqlInputs = { survey_results_table: "survey", client_login_table: "logins", execution_time, model, fitted };
const adapter = duckdbConnection(connection);
const { sql, parameters } = statement(sqlInputs);
const values = parameters.map((p) => p.value as number);

const stats = await measure(
  [
    { name: "batch executor", run: async () => consume(await executeBatch(outputs, batchInputs)) },
    { name: "duckdb target, result read into JS", run: async () => consume(await executeDuckDB(adapter, sqlInputs)) },
    { name: "duckdb target, materialised in-engine", run: async () => consume(await connection.run(`CREATE OR REPLACE TEMP TABLE featc_bench AS ${sql}`, values)) },
  ],
  rounds,
  1,
  1,
);
console.log(machine());
console.log(table(rows(`reference DAG, ${clients.toLocaleString("en")} clients`, stats, "ms", `peak RSS ${peakRssMiB()} MiB`)));
for (const s of stats) console.log(`${s.name}: ${((clients / s.median) * 1000 / 1e6).toFixed(2)} M rows/s (CPU)`);
