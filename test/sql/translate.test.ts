/**
 * The SQL translation, run in the real engines: every function of a fixture catalog is lowered
 * through the type checker, rendered in DuckDB's, PostgreSQL's and ClickHouse's dialect, and
 * evaluated by the engine (ClickHouse: a Distributed table over two shards) over rows of edge
 * and random values — and so are 40 random expressions over the same constructs; each result is compared with the same JavaScript function called directly.
 * Exact translations must give the same bits; approximate ones must stay within their bound.
 */
import fs from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../compiler/config.js";
import { discover } from "../../compiler/discover/discover.js";
import type { FunctionFact } from "../../compiler/model.js";
import type { LoweredField } from "../../compiler/shapes/sql/ir.js";
import { renderExpr, ULPS_PER_APPROXIMATE_CALL, type RenderedExpr } from "../../compiler/shapes/sql/render.js";
import {
  clickhouseConnection,
  duckdbConnection,
  postgresConnection,
  type SqlConnection,
  type SqlValueType,
} from "../../runtime/sql/connection.js";
import { quoteIdentifier, type SqlDialect } from "../../runtime/sql/identifiers.js";
import { sameValue, ulpDistance } from "../../runtime/sql/parity.js";
import { startClickHouse, startPostgres, type ClickHouseCluster, type PostgresServer } from "../support/engines.js";
import {
  SPECIAL_NUMBERS,
  SPECIAL_STRINGS,
  loadClickHouse,
  loadDuckDB,
  loadPostgres,
  random,
  randomNumber,
  randomString,
  type DataColumn,
} from "../support/sql-data.js";
import { randomExpressionCatalog } from "../support/random-expressions.js";
import { REPO, importFrom, removeWorkspace, workspace } from "../support/workspace.js";

const FIXTURE = path.join(REPO, "test", "fixtures", "sql", "translate");
/** The fixture, plus random expressions over `a` and `b` in catalog/random.ts. */
const dir = workspace("sql-translate", FIXTURE);
fs.writeFileSync(path.join(dir, "catalog", "random.ts"), randomExpressionCatalog(20261130, 40));
const features = {
  ...(await importFrom<Record<string, (...args: unknown[]) => unknown>>(dir, "catalog/features.ts")),
  ...(await importFrom<Record<string, (...args: unknown[]) => unknown>>(dir, "catalog/random.ts")),
};
const NAMES = Object.keys(features).sort();
const ENGINES = ["duckdb", "postgres", "clickhouse"] as const;

/** What each dialect reports as untranslatable in the fixture, with the reason (anything else must translate). */
const UNSUPPORTED: Record<(typeof ENGINES)[number], Record<string, RegExp>> = {
  duckdb: { rem: /fmod is not C's/ },
  postgres: { rem: /no fmod/, pow: /power raises/ },
  clickhouse: { rem: /truncates doubles/ },
};

function makeRows(): DataColumn[] {
  const next = random(20261130);
  const a: number[] = [];
  const b: number[] = [];
  for (const x of SPECIAL_NUMBERS) for (const y of SPECIAL_NUMBERS) (a.push(x), b.push(y));
  while (a.length < 3000) (a.push(randomNumber(next)), b.push(randomNumber(next)));
  const s: string[] = [];
  const t: string[] = [];
  for (let i = 0; i < a.length; i++) {
    const pair = i < SPECIAL_STRINGS.length ** 2;
    s.push(pair ? SPECIAL_STRINGS[i % SPECIAL_STRINGS.length]! : randomString(next));
    t.push(
      pair
        ? SPECIAL_STRINGS[Math.floor(i / SPECIAL_STRINGS.length)]!
        : next() < 0.3
          ? Array.from(s[i]!).slice(0, 2).join("")
          : randomString(next),
    );
  }
  const p = a.map((_, i) => (i & 1) === 1);
  const q = a.map((_, i) => (i & 2) === 2);
  return [
    { name: "a", type: "number", values: a },
    { name: "b", type: "number", values: b },
    { name: "s", type: "string", values: s },
    { name: "t", type: "string", values: t },
    { name: "p", type: "boolean", values: p },
    { name: "q", type: "boolean", values: q },
  ];
}

const columns = makeRows();
const ROWS = columns[0]!.values.length;
let functions: Map<string, FunctionFact>;
let duck: DuckDBInstance;
let postgres: PostgresServer;
let pgClient: pg.Client;
let clickhouse: ClickHouseCluster;
const connections = new Map<SqlDialect, SqlConnection>();

beforeAll(async () => {
  const { config, diagnostics } = await loadConfig(dir);
  expect(diagnostics).toEqual([]);
  const found = discover(config!, { lowerBodies: true, typeCheck: "builtin", codeHashes: false });
  expect(found.diagnostics).toEqual([]);
  expect((await found.typeErrors).diagnostics).toEqual([]);
  functions = new Map(found.catalog.functions.map((f) => [f.exportName, f]));
  [postgres, clickhouse] = await Promise.all([startPostgres(), startClickHouse()]);
  duck = await DuckDBInstance.create(":memory:");
  const duckConnection = await duck.connect();
  pgClient = await postgres.connect();
  await Promise.all([
    loadDuckDB(duckConnection, "inputs", columns),
    loadPostgres(pgClient, "inputs", columns),
    loadClickHouse(clickhouse, "inputs", columns),
  ]);
  connections.set("duckdb", duckdbConnection(duckConnection));
  connections.set("postgres", postgresConnection(pgClient));
  connections.set("clickhouse", clickhouseConnection({ url: `http://127.0.0.1:${clickhouse.httpPorts[0]}/` }));
}, 120_000);

afterAll(async () => {
  await pgClient?.end();
  await Promise.all([postgres?.stop(), clickhouse?.stop()]);
  duck?.closeSync();
  removeWorkspace(dir);
}, 30_000);

/** The JavaScript value of one output of `name` for row `i` (a field of a returned object, or the value). */
function jsValue(name: string, field: string | undefined, i: number): unknown {
  const fact = functions.get(name)!;
  const args = fact.params.map((p) => columns.find((c) => c.name === p.name)!.values[i]);
  const value = features[name]!(...args);
  return field === undefined ? value : (value as Record<string, unknown>)[field];
}

function outputsOf(name: string): LoweredField[] {
  const lowered = functions.get(name)!.lowered;
  if (!lowered?.ok) throw new Error(`${name} did not lower: ${lowered?.problem.reason}`);
  if (lowered.value.kind === "relation") throw new Error(`${name} is a relational call, not an expression`);
  return lowered.value.kind === "scalar" ? [{ name: "", type: lowered.value.type, expr: lowered.value.expr }] : [...lowered.value.fields];
}

interface Mismatch {
  readonly row: number;
  readonly inputs: string;
  readonly js: string;
  readonly sql: string;
}

/** The expression's value for each row, by row id. */
async function evaluate(dialect: SqlDialect, sql: string, type: SqlValueType, where = ""): Promise<unknown[]> {
  const table = quoteIdentifier(dialect, "inputs");
  const result = await connections.get(dialect)!.query(
    `SELECT CAST(row_id AS ${dialect === "clickhouse" ? "Float64" : "DOUBLE PRECISION"}) AS id, ${sql} AS v FROM ${table}${where}`,
    [],
    [
      { name: "id", type: "number" },
      { name: "v", type },
    ],
  );
  const ids = result.columns.id as Float64Array;
  const out: unknown[] = [];
  ids.forEach((id, i) => (out[id] = (result.columns.v as ArrayLike<unknown>)[i]));
  return out;
}

/**
 * PostgreSQL raises on overflow and underflow, failing the whole query: find the rows that
 * raise by halving the id range, and check that this is the only error.
 */
async function evaluateAroundErrors(
  dialect: SqlDialect,
  sql: string,
  type: SqlValueType,
): Promise<{ values: unknown[]; raised: number[] }> {
  const values: unknown[] = [];
  const raised: number[] = [];
  const range = async (from: number, to: number): Promise<void> => {
    try {
      const part = await evaluate(dialect, sql, type, ` WHERE row_id >= ${from} AND row_id < ${to}`);
      for (let i = from; i < to; i++) values[i] = part[i];
    } catch (e) {
      expect((e as Error).message).toMatch(/value out of range: (overflow|underflow)/);
      if (to - from === 1) {
        raised.push(from);
        return;
      }
      const middle = Math.floor((from + to) / 2);
      await range(from, middle);
      await range(middle, to);
    }
  };
  await range(0, ROWS);
  return { values, raised };
}

describe.each(ENGINES)("%s", (dialect) => {
  it.each(NAMES)(
    "%s",
    async (name) => {
      for (const field of outputsOf(name)) {
        const rendered = renderExpr(field.expr, dialect, (r) => quoteIdentifier(dialect, r.param));
        const expected = UNSUPPORTED[dialect][name];
        if (!rendered.ok) {
          expect(expected, `${name} was not translated: ${rendered.problem.reason}`).toBeDefined();
          expect(rendered.problem.reason).toMatch(expected!);
          expect(rendered.problem.span.line).toBeGreaterThan(0);
          continue;
        }
        expect(expected, `${name} translated although it should not be`).toBeUndefined();
        await compareWithJavaScript(dialect, name, field, rendered);
      }
    },
    60_000,
  );
});

async function compareWithJavaScript(dialect: SqlDialect, name: string, field: LoweredField, rendered: RenderedExpr): Promise<void> {
  let values: ArrayLike<unknown>;
  let raised: number[] = [];
  try {
    values = await evaluate(dialect, rendered.sql, field.type);
    expect(values.length).toBe(ROWS);
  } catch (e) {
    if (dialect !== "postgres" || rendered.raises.length === 0) throw e;
    ({ values, raised } = await evaluateAroundErrors(dialect, rendered.sql, field.type));
  }
  const bound = rendered.approximate.length * ULPS_PER_APPROXIMATE_CALL;
  const mismatches: Mismatch[] = [];
  let worst = 0;
  for (let i = 0; i < ROWS; i++) {
    if (raised.includes(i)) continue;
    const js = jsValue(name, field.name || undefined, i);
    const sql = values[i];
    if (sameValue(js, sql)) continue;
    const distance = typeof js === "number" && typeof sql === "number" ? ulpDistance(js, sql) : Infinity;
    worst = Math.max(worst, distance);
    if (distance > bound)
      mismatches.push({ row: i, inputs: columns.map((c) => `${c.name}=${show(c.values[i])}`).join(" "), js: show(js), sql: show(sql) });
  }
  expect(
    mismatches.slice(0, 5),
    `${mismatches.length} rows of ${name}${field.name ? `.${field.name}` : ""} differ from JavaScript beyond ${bound} ulp; SQL: ${rendered.sql}`,
  ).toEqual([]);
  // The rows PostgreSQL refused are only those where JavaScript overflows or underflows.
  expect(raised.length).toBeLessThan(ROWS / 4);
}

function show(v: unknown): string {
  return typeof v === "number" ? (Object.is(v, -0) ? "-0" : String(v)) : JSON.stringify(v);
}
