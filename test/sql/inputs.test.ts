/**
 * Run-time inputs of a SQL target are data, never SQL: table names holding quotes, semicolons,
 * backquotes and comment openers, and string parameters that look like SQL, placeholders or
 * comments, go through a built target (featc build, then the generated module) in DuckDB,
 * PostgreSQL and two-shard ClickHouse. Results equal the catalog functions called directly, and
 * the tables are intact afterwards.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlConnection } from "../../runtime/sql/connection.js";
import { quoteIdentifier, type SqlDialect } from "../../runtime/sql/identifiers.js";
import { SPECIAL_NUMBERS, SPECIAL_STRINGS, type DataColumn } from "../support/sql-data.js";
import { startSqlEngines, type SqlEngines } from "../support/sql-engines.js";
import { REPO, buildOk, importFrom, removeWorkspace, workspace } from "../support/workspace.js";

const EVENTS = `ev"ents'; DROP TABLE x; --`;
const NAMES = "na`mes /* \\ */";
const HOSTILE = ["'; DROP TABLE events; --", "{p1:String}", "\\' OR 1=1 --", "/*", "$1", "male", "ma", "", "a😀"];

interface Target {
  execute(
    connection: SqlConnection,
    inputs: Record<string, unknown>,
  ): Promise<{ length: number; columns: Record<string, ArrayLike<unknown>> }>;
}
type Fn = (...args: unknown[]) => unknown;

const ids = SPECIAL_STRINGS.map((_, i) => i);
const events: DataColumn[] = [
  { name: "id", type: "number", values: ids },
  { name: "x", type: "number", values: ids.map((i) => SPECIAL_NUMBERS[i % SPECIAL_NUMBERS.length]!) },
  { name: "name", type: "string", values: SPECIAL_STRINGS },
];
const nameRows = ids.filter((i) => i % 3 !== 0);
const names: DataColumn[] = [
  { name: "id", type: "number", values: nameRows },
  { name: "label", type: "string", values: nameRows.map((i) => HOSTILE[i % HOSTILE.length]!) },
];

const DIALECTS: Record<string, SqlDialect> = { duck: "duckdb", pg: "postgres", house: "clickhouse" };
let dir: string;
let targets: Record<string, Target>;
let catalog: Record<string, Fn>;
let engines: SqlEngines;

beforeAll(async () => {
  dir = workspace("sql-inputs", path.join(REPO, "test", "fixtures", "sql", "inputs"));
  await buildOk(dir);
  targets = {
    duck: await importFrom<Target>(dir, "generated/duck.ts"),
    pg: await importFrom<Target>(dir, "generated/pg.ts"),
    house: await importFrom<Target>(dir, "generated/house.ts"),
  };
  catalog = await importFrom<Record<string, Fn>>(dir, "catalog/features.ts");
  engines = await startSqlEngines();
  for (const [name, columns] of [
    [EVENTS, events],
    [NAMES, names],
  ] as const)
    await engines.load(name, columns);
}, 120_000);

afterAll(async () => {
  await engines?.stop();
  if (dir) removeWorkspace(dir);
}, 30_000);

/** The catalog functions called directly, row by row. */
function expected(prefix: string, threshold: number, strict: boolean): Record<string, unknown[]> {
  const label = ids.map((id) => {
    const row = nameRows.indexOf(id);
    return row < 0 ? "none" : (names[1]!.values[row] as string);
  });
  return {
    id: ids,
    label,
    matches: ids.map((i) => catalog.matches!(SPECIAL_STRINGS[i], prefix)),
    same: label.map((l) => catalog.same!(l, prefix)),
    above: ids.map((i) => catalog.above!(events[1]!.values[i], threshold, strict)),
  };
}

async function rowCounts(target: string): Promise<number[]> {
  const counts: number[] = [];
  for (const table of [EVENTS, NAMES]) {
    if (target === "duck")
      counts.push(
        Number((await engines.duckdb.runAndReadAll(`SELECT count(*) FROM ${quoteIdentifier("duckdb", table)}`)).getRows()[0]![0]),
      );
    else if (target === "pg")
      counts.push(Number((await engines.postgres.query(`SELECT count(*) FROM ${quoteIdentifier("postgres", table)}`)).rows[0].count));
    else counts.push(Number((await engines.clickhouse.query(`SELECT count() FROM ${quoteIdentifier("clickhouse", table)}`)).trim()));
  }
  return counts;
}

describe.each(["duck", "pg", "house"])("the %s target", (target) => {
  it.each(HOSTILE)(
    "binds the prefix %j as data",
    async (prefix) => {
      for (const [threshold, strict] of [
        [0.5, true],
        [NaN, false],
        [-0, false],
      ] as const) {
        const result = await targets[target]!.execute(engines.connection(DIALECTS[target]!), {
          events_table: EVENTS,
          names_table: NAMES,
          prefix,
          threshold,
          strict,
        });
        const want = expected(prefix, threshold, strict);
        const order = Array.from(result.columns.id!, (id) => id as number);
        for (const column of ["label", "matches", "same", "above"]) {
          expect(Array.from(result.columns[column]!), `${column} (threshold ${threshold}, strict ${strict})`).toEqual(
            order.map((id) => want[column]![id]),
          );
        }
      }
      expect(await rowCounts(target)).toEqual([ids.length, nameRows.length]);
    },
    30_000,
  );
});
