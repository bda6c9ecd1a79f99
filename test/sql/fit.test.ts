/**
 * `@fitted` values computed by the engine, and results created in the engine. A target with
 * `"fitted": "compute"` fits count, sum, mean, both standard deviations, min and max of a column
 * in one aggregate query in DuckDB, PostgreSQL and two-shard ClickHouse; each value is compared
 * with featc's JavaScript loop (bit for bit where the translation is exact, within the bound the
 * module states otherwise), on values of one sign and on the edges: no rows, one row, a NaN, an
 * infinity. `materialize` then creates the result as a table and as a view under hostile names,
 * and reading either back gives what `execute` returns.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlConnection, SqlResult } from "../../runtime/sql/connection.js";
import { quoteTableName, type SqlDialect } from "../../runtime/sql/identifiers.js";
import { compareNode } from "../../runtime/sql/parity.js";
import { random, type DataColumn } from "../support/sql-data.js";
import { startSqlEngines, type SqlEngines } from "../support/sql-engines.js";
import { REPO, buildOk, importFrom, removeWorkspace, workspace } from "../support/workspace.js";

type Fitted = Record<string, number>;
interface Target {
  NODES: Record<string, { boundUlps: number; perRow?: boolean; fittedBy?: string }>;
  fit(connection: SqlConnection, inputs: { events_table: string }): Promise<{ catalogHash: string; values: Fitted; rows: number }>;
  execute(connection: SqlConnection, inputs: { events_table: string }): Promise<SqlResult>;
  materialize(connection: SqlConnection, inputs: { events_table: string }, options: { as: "table" | "view"; name: string }): Promise<void>;
}

const next = random(5);
const DATA: Record<string, readonly number[]> = {
  [`one sign "a"; --`]: Array.from({ length: 5000 }, () => 1 + next() * 1000),
  "no rows": [],
  "one row": [2.5],
  "a NaN": [1, NaN, 3],
  "an infinity": [Infinity, 1, 2],
};
const ONE_SIGN = Object.keys(DATA)[0]!;

/** featc's JavaScript meaning of each aggregate: loops left to right. */
function expected(x: readonly number[]): Fitted {
  const n = x.length;
  let total = 0;
  for (const v of x) total += v;
  const mean = n === 0 ? NaN : total / n;
  let squares = 0;
  for (const v of x) squares += (v - mean) * (v - mean);
  const extreme = (better: (a: number, b: number) => boolean) =>
    n === 0 || x.some(Number.isNaN) ? NaN : x.reduce((a, b) => (better(b, a) ? b : a));
  return {
    rows: n,
    total,
    x_mean: mean,
    x_sample_sd: n < 2 ? NaN : Math.sqrt(squares / (n - 1)),
    x_population_sd: n < 1 ? NaN : Math.sqrt(squares / n),
    lowest: extreme((a, b) => a < b),
    highest: extreme((a, b) => a > b),
  };
}

const DIALECTS: Record<string, SqlDialect> = { duck: "duckdb", pg: "postgres", house: "clickhouse" };
let dir: string;
let targets: Record<string, Target>;
let engines: SqlEngines;

beforeAll(async () => {
  dir = workspace("sql-fit", path.join(REPO, "test", "fixtures", "sql", "fit"));
  await buildOk(dir);
  targets = {
    duck: await importFrom<Target>(dir, "generated/duck.ts"),
    pg: await importFrom<Target>(dir, "generated/pg.ts"),
    house: await importFrom<Target>(dir, "generated/house.ts"),
  };
  engines = await startSqlEngines();
  for (const [table, x] of Object.entries(DATA)) {
    const columns: DataColumn[] = [
      { name: "id", type: "number", values: x.map((_, i) => i) },
      { name: "x", type: "number", values: x },
    ];
    await engines.load(table, columns);
  }
}, 120_000);

afterAll(async () => {
  await engines?.stop();
  if (dir) removeWorkspace(dir);
}, 30_000);

describe.each(["duck", "pg", "house"])("the %s target", (name) => {
  it.each(Object.keys(DATA))(
    "fits every aggregate of %j as featc's loop does, within the stated bounds",
    async (table) => {
      const target = targets[name]!;
      const { values, rows } = await target.fit(engines.connection(DIALECTS[name]!), { events_table: table });
      expect(rows).toBe(DATA[table]!.length);
      const want = expected(DATA[table]!);
      expect(Object.keys(values).sort()).toEqual(Object.keys(want).sort());
      const verdicts = Object.keys(want).map((node) => {
        const note = target.NODES[node]!;
        expect(note.fittedBy).toBe("engine");
        return compareNode(node, [want[node]], [values[node]], note.perRow ? note.boundUlps * rows : note.boundUlps);
      });
      expect(verdicts.filter((v) => !v.ok)).toEqual([]);
      // Away from values of one sign, the edges are exact: NaN, Infinity, no rows, one row.
      if (table !== ONE_SIGN) expect(verdicts.filter((v) => v.verdict !== "bit-identical").map((v) => v.node)).toEqual([]);
    },
    30_000,
  );

  it("computes the fitted values in the engine before the statement, and materializes the result under hostile names", async () => {
    const target = targets[name]!;
    const connection = engines.connection(DIALECTS[name]!);
    const inputs = { events_table: ONE_SIGN };
    const { values } = await target.fit(connection, inputs);
    const result = await target.execute(connection, inputs);
    const ids = Array.from(result.columns.id as Float64Array);
    const x = DATA[ONE_SIGN]!;
    expect(
      compareNode(
        "centered",
        ids.map((i) => x[i]! - values.x_mean!),
        result.columns.centered!,
      ).verdict,
    ).toBe("bit-identical");
    expect(
      compareNode(
        "share",
        ids.map((i) => x[i]! / values.total! + values.rows!),
        result.columns.share!,
      ).verdict,
    ).toBe("bit-identical");
    const specs = [
      { name: "id", type: "number" as const },
      { name: "centered", type: "number" as const },
      { name: "share", type: "number" as const },
    ];
    for (const [as, created] of [
      ["table", `made "t"; DROP TABLE x; --`],
      ["view", "v`iew /* \\ */ 'q'"],
    ] as const) {
      await target.materialize(connection, inputs, { as, name: created });
      const read = await connection.query(`SELECT * FROM ${quoteTableName(DIALECTS[name]!, created)}`, [], specs);
      const order = new Map(Array.from(read.columns.id as Float64Array, (id, row) => [id, row]));
      for (const column of ["centered", "share"]) {
        const back = ids.map((id) => (read.columns[column] as Float64Array)[order.get(id)!]!);
        expect(compareNode(column, result.columns[column]!, back).verdict, `${as} ${column}`).toBe("bit-identical");
      }
      expect(read.length).toBe(result.length);
    }
    await expect(target.materialize(connection, inputs, { as: "table", name: "" })).rejects.toThrow(/empty name/);
  }, 60_000);
});
