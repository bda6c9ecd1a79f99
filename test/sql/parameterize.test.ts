/**
 * `@parameterize` nodes in SQL targets: the binding substitutes each parameter by the column or
 * input it names, or by the constant it gives (a number, a negative zero, a string with a quote
 * and a comment opener, a boolean). The batch executor and the DuckDB, PostgreSQL and two-shard
 * ClickHouse targets run on the same rows, edges included, and agree bit for bit.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlConnection, SqlResult } from "../../runtime/sql/connection.js";
import type { SqlDialect } from "../../runtime/sql/identifiers.js";
import { compareRuns } from "../../runtime/sql/parity.js";
import { SPECIAL_NUMBERS, SPECIAL_STRINGS, type DataColumn } from "../support/sql-data.js";
import { startSqlEngines, type SqlEngines } from "../support/sql-engines.js";
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

const DIALECTS: Record<string, SqlDialect> = { duck: "duckdb", pg: "postgres", house: "clickhouse" };
let dir: string;
let batch: Batch;
let targets: Record<string, SqlTarget>;
let engines: SqlEngines;

beforeAll(async () => {
  dir = workspace("sql-parameterize", path.join(REPO, "test", "fixtures", "sql", "parameterize"));
  await buildOk(dir);
  batch = (await importFrom<{ execute: Batch }>(dir, "generated/batch.ts")).execute;
  targets = {
    duck: await importFrom<SqlTarget>(dir, "generated/duck.ts"),
    pg: await importFrom<SqlTarget>(dir, "generated/pg.ts"),
    house: await importFrom<SqlTarget>(dir, "generated/house.ts"),
  };
  engines = await startSqlEngines();
  await engines.load(TABLE, columns);
}, 120_000);

afterAll(async () => {
  await engines?.stop();
  if (dir) removeWorkspace(dir);
}, 30_000);

describe.each(["duck", "pg", "house"])("the %s target", (name) => {
  it.each([0.5, NaN, -0])(
    "computes every parameterized node as the batch executor does (threshold input %d)",
    async (threshold) => {
      const data = {
        length: n,
        columns: { id: Float64Array.from(ids), weight: Float64Array.from(weight), height: Float64Array.from(height), label },
      };
      const expected = batch(["id", ...NODES], { data, threshold_input: threshold });
      const result = await targets[name]!.execute(engines.connection(DIALECTS[name]!), { rows_table: TABLE, threshold_input: threshold });
      expect(result.length).toBe(n);
      const verdicts = compareRuns(
        expected,
        { id: result.columns.id!, ...Object.fromEntries(NODES.map((node) => [node, result.columns[node]!])) },
        { key: "id", bounds: targets[name]!.NODES },
      );
      expect(verdicts.filter((v) => v.verdict !== "bit-identical" && v.verdict !== "equal")).toEqual([]);
      // The edges are there: a division by -0 gives -Infinity, Infinity and NaN, the quoted prefix matches.
      const overZero = new Set(Array.from(expected.height_over_zero as ArrayLike<number>, String));
      expect([...overZero].filter((v) => v === "Infinity" || v === "-Infinity" || v === "NaN").sort()).toEqual([
        "-Infinity",
        "Infinity",
        "NaN",
      ]);
      expect(Array.from(expected.is_admin as ArrayLike<boolean>).filter(Boolean).length).toBeGreaterThan(0);
    },
    30_000,
  );
});
