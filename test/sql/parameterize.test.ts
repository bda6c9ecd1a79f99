/**
 * `@parameterize` nodes in SQL targets: the binding substitutes each parameter by the column or
 * input it names, or by the constant it gives (a number, a negative zero, a string with a quote
 * and a comment opener, a boolean). The batch executor and the DuckDB, PostgreSQL and two-shard
 * ClickHouse targets run on the same rows, edges included, and agree bit for bit.
 */
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clickhouseConnection, duckdbConnection, postgresConnection, type SqlConnection, type SqlResult } from "../../runtime/sql/connection.js";
import { compareRuns } from "../../runtime/sql/parity.js";
import { startClickHouse, startPostgres, type ClickHouseCluster, type PostgresServer } from "../support/engines.js";
import { SPECIAL_NUMBERS, SPECIAL_STRINGS, loadClickHouse, loadDuckDB, loadPostgres, type DataColumn } from "../support/sql-data.js";
import { REPO, buildOk, importFrom, removeWorkspace, workspace } from "../support/workspace.js";

const TABLE = `rows "p"; --`;
const NODES = ["is_heavy", "is_tall", "is_admin", "is_guest", "weight_negated", "height_over_zero", "heavy_or_tall"];
const n = SPECIAL_NUMBERS.length * 3;
const ids = Array.from({ length: n }, (_, i) => i);
const weight = ids.map((i) => SPECIAL_NUMBERS[i % SPECIAL_NUMBERS.length]!);
const height = ids.map((i) => SPECIAL_NUMBERS[(i * 11 + 3) % SPECIAL_NUMBERS.length]!);
const label = ids.map((i) => [...SPECIAL_STRINGS, "adm'in; -- x", "adm'in"][i % (SPECIAL_STRINGS.length + 2)]!);
const columns: DataColumn[] = [
  { name: "id", type: "number", values: ids },
  { name: "weight", type: "number", values: weight },
  { name: "height", type: "number", values: height },
  { name: "label", type: "string", values: label },
];

interface SqlTarget {
  NODES: Record<string, { boundUlps: number }>;
  execute(connection: SqlConnection, inputs: { rows_table: string; threshold_input: number }): Promise<SqlResult>;
}
type Batch = (outputs: readonly string[], inputs: Record<string, unknown>) => Record<string, ArrayLike<unknown>>;

let dir: string;
let batch: Batch;
let targets: Record<string, SqlTarget>;
let duck: DuckDBInstance;
let postgres: PostgresServer;
let pgClient: pg.Client;
let clickhouse: ClickHouseCluster;
const connections = new Map<string, SqlConnection>();

beforeAll(async () => {
  dir = workspace("sql-parameterize", path.join(REPO, "test", "fixtures", "sql", "parameterize"));
  await buildOk(dir);
  batch = (await importFrom<{ execute: Batch }>(dir, "generated/batch.ts")).execute;
  targets = {
    duck: await importFrom<SqlTarget>(dir, "generated/duck.ts"),
    pg: await importFrom<SqlTarget>(dir, "generated/pg.ts"),
    house: await importFrom<SqlTarget>(dir, "generated/house.ts"),
  };
  [postgres, clickhouse] = await Promise.all([startPostgres(), startClickHouse()]);
  duck = await DuckDBInstance.create(":memory:");
  pgClient = await postgres.connect();
  const duckConnection = await duck.connect();
  await loadDuckDB(duckConnection, TABLE, columns);
  await loadPostgres(pgClient, TABLE, columns);
  await loadClickHouse(clickhouse, TABLE, columns);
  connections.set("duck", duckdbConnection(duckConnection));
  connections.set("pg", postgresConnection(pgClient));
  connections.set("house", clickhouseConnection({ url: `http://127.0.0.1:${clickhouse.httpPorts[0]}/` }));
}, 120_000);

afterAll(async () => {
  await pgClient?.end();
  await Promise.all([postgres?.stop(), clickhouse?.stop()]);
  duck?.closeSync();
  if (dir) removeWorkspace(dir);
}, 30_000);

describe.each(["duck", "pg", "house"])("the %s target", (name) => {
  it.each([0.5, NaN, -0])("computes every parameterized node as the batch executor does (threshold input %d)", async (threshold) => {
    const data = { length: n, columns: { id: Float64Array.from(ids), weight: Float64Array.from(weight), height: Float64Array.from(height), label } };
    const expected = batch(["id", ...NODES], { data, threshold_input: threshold });
    const result = await targets[name]!.execute(connections.get(name)!, { rows_table: TABLE, threshold_input: threshold });
    expect(result.length).toBe(n);
    const verdicts = compareRuns(expected, { id: result.columns.id!, ...Object.fromEntries(NODES.map((node) => [node, result.columns[node]!])) }, { key: "id", bounds: targets[name]!.NODES });
    expect(verdicts.filter((v) => v.verdict !== "bit-identical" && v.verdict !== "equal")).toEqual([]);
    // The edges are there: a division by -0 gives -Infinity, Infinity and NaN, the quoted prefix matches.
    const overZero = new Set(Array.from(expected.height_over_zero as ArrayLike<number>, String));
    expect([...overZero].filter((v) => v === "Infinity" || v === "-Infinity" || v === "NaN").sort()).toEqual(["-Infinity", "Infinity", "NaN"]);
    expect(Array.from(expected.is_admin as ArrayLike<boolean>).filter(Boolean).length).toBeGreaterThan(0);
  }, 30_000);
});
