/**
 * What a `@udf` node costs per row inside DuckDB, against the same function in the batch
 * executor's fused loop. The UDF fixture (test/fixtures/sql/udf) is built with the real
 * compiler; its `wave` node (a loop over Math.sin and Math.cos) runs:
 * - in the batch executor, over typed arrays in memory;
 * - in DuckDB, `SELECT sum(featc_udf_wave(x, y))` over a table of the same rows, and the same
 *   scan with `sum(x * y)` and no UDF: the difference is what the UDF adds per row;
 * - an identity UDF registered the same way (`out[i] = x[i]`): featc's and DuckDB's overhead
 *   alone, chunk hand-over and typed-array views included;
 * - the whole target (four UDFs, one translated node, every column read back into JavaScript)
 *   against the batch executor computing the same outputs.
 * Times are this process's CPU time per row. DuckDB runs on one thread: a UDF's JavaScript runs
 * on Node's one thread whatever DuckDB's count, and other DuckDB threads would only wait for it
 * (counted as CPU time while they spin). `--rows N` (default 1,000,000), `--quick` for 100,000
 * rows and fewer rounds.
 */
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { duckdbConnection, type SqlConnection } from "../runtime/sql/connection.js";
import { registerDuckdbFunctions } from "../runtime/sql/udf.js";
import { loadDuckDB, random, type DataColumn } from "../test/support/sql-data.js";
import { REPO, buildOk, importFrom, removeWorkspace, workspace } from "../test/support/workspace.js";
import { argument, consume, machine, measure, rows, table, writeRows } from "./harness.js";

const quick = process.argv.includes("--quick");
const n = Number(argument("--rows") ?? (quick ? 100_000 : 1_000_000));
const rounds = quick ? 5 : 9;
// The first runs of a UDF are several times slower (V8 compiles the chunk loop; the bindings' first calls): warm up well.
const warmup = 6;

type Columns = Record<string, ArrayLike<unknown>>;
interface SqlTarget {
  execute(connection: SqlConnection, inputs: Record<string, unknown>): Promise<{ length: number; columns: Columns }>;
}
interface BatchTarget {
  execute(outputs: readonly string[], inputs: Record<string, unknown>): Columns;
}

const dir = workspace("bench-udf", path.join(REPO, "test", "fixtures", "sql", "udf"));
try {
  await buildOk(dir);
  const duckTarget = await importFrom<SqlTarget>(dir, "generated/duck.ts");
  const batch = await importFrom<BatchTarget>(dir, "generated/batch.ts");

  const next = random(5);
  const x = Float64Array.from({ length: n }, () => (next() - 0.5) * 200);
  const y = Float64Array.from({ length: n }, () => (next() - 0.5) * 4);
  const name = Array.from({ length: n }, (_, i) => `Client ${i % 977} of ${i % 13}`);
  const flag = Array.from({ length: n }, () => next() < 0.5);
  const columns: DataColumn[] = [
    { name: "x", type: "number", values: Array.from(x) },
    { name: "y", type: "number", values: Array.from(y) },
    { name: "name", type: "string", values: name },
    { name: "flag", type: "boolean", values: flag },
  ];
  const db = await DuckDBInstance.create(":memory:");
  const raw = await db.connect();
  await loadDuckDB(raw, "rows", columns);
  await raw.run("SET threads = 1");
  const connection = duckdbConnection(raw);
  const sqlInputs = { rows_table: "rows", sep: "-", factor: 0.5 };
  const batchInputs = { x, y, name, flag, sep: "-", factor: 0.5 };
  // Registers the target's functions (the first execute does), and the identity.
  await duckTarget.execute(connection, sqlInputs);
  registerDuckdbFunctions(raw, [
    {
      name: "featc_bench_identity",
      parameters: ["number"],
      returns: "number",
      run: (args, out, count) => {
        const a = args[0] as Float64Array;
        const result = out as Float64Array;
        for (let i = 0; i < count; i++) result[i] = a[i]!;
      },
    },
  ]);
  const scalar = async (sql: string) => consume((await raw.runAndReadAll(sql)).getRows());
  const all = ["wave", "slug", "has_digit", "soft", "wave_scaled"];

  const wave = await measure(
    [
      { name: "batch executor: wave", run: () => consume(batch.execute(["wave"], batchInputs)) },
      { name: "duckdb: sum(featc_udf_wave(x, y))", run: () => scalar("SELECT sum(featc_udf_wave(x, y)) FROM rows") },
      { name: "duckdb: sum(x * y), no UDF (scan)", run: () => scalar("SELECT sum(x * y) FROM rows") },
      { name: "duckdb: sum(identity UDF(x))", run: () => scalar("SELECT sum(featc_bench_identity(x)) FROM rows") },
    ],
    rounds,
    n,
    warmup,
  );
  const target = await measure(
    [
      { name: "batch executor: 5 outputs", run: () => consume(batch.execute(all, batchInputs)) },
      { name: "duckdb target: 5 outputs read into JS", run: async () => consume(await duckTarget.execute(connection, sqlInputs)) },
    ],
    rounds,
    n,
    warmup,
  );
  const [, udf, scan, identity] = wave.map((s) => s.median * 1e6);
  const label = `udf: ${n.toLocaleString("en")} rows, per row`;
  const table1 = rows(
    label,
    wave,
    "ns",
    `wave UDF adds ${(udf! - scan!).toFixed(1)} ns/row over the scan; identity UDF adds ${(identity! - scan!).toFixed(1)} ns/row`,
  );
  const result = [...table1, ...rows(label, target, "ns")];
  raw.closeSync();
  db.closeSync();
  console.log(machine());
  console.log(table(result));
  writeRows(result);
} finally {
  removeWorkspace(dir);
}
