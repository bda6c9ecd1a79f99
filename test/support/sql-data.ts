/**
 * Test data for the SQL engines: the same columns loaded into DuckDB, PostgreSQL and a
 * two-shard ClickHouse table with their exact bits (DuckDB's appender, PostgreSQL's float8 text,
 * ClickHouse's RowBinary), and deterministic random values that include every edge a double
 * and a JavaScript string have.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import type pg from "pg";
import type { GeneratedData } from "../../demo/generate.js";
import { float8Text } from "../../runtime/sql/connection.js";
import { quoteIdentifier, type SqlDialect } from "../../runtime/sql/identifiers.js";
import type { ClickHouseCluster } from "./engines.js";

export type ColumnType = "number" | "string" | "boolean";
export interface DataColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly values: readonly (number | string | boolean)[];
}

/** The reference catalog's two tables of generated data (the demo's survey and logins) as engine columns. */
export function referenceColumns(data: GeneratedData): { survey: DataColumn[]; logins: DataColumn[] } {
  return {
    survey: [
      { name: "client_id", type: "number", values: Array.from(data.survey.client_id) },
      { name: "budget", type: "number", values: Array.from(data.survey.budget) },
      { name: "age", type: "number", values: Array.from(data.survey.age) },
      { name: "gender", type: "string", values: data.survey.gender },
    ],
    logins: [
      { name: "client_id", type: "number", values: Array.from(data.logins.client_id) },
      { name: "last_logged_in", type: "number", values: Array.from(data.logins.last_logged_in) },
    ],
  };
}

/** A small deterministic generator (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Doubles where engines and JavaScript part ways: NaN, ±0, ±Infinity, subnormals, the extremes, ties, libm's overflow edges. */
export const SPECIAL_NUMBERS: readonly number[] = [
  NaN,
  0,
  -0,
  Infinity,
  -Infinity,
  1,
  -1,
  0.5,
  -0.5,
  1.5,
  2.5,
  -2.5,
  0.49999999999999994,
  0.1,
  -0.3,
  3,
  100,
  100.00000000000001,
  5e-324,
  -5e-324,
  2.2250738585072014e-308,
  1.7976931348623157e308,
  -1.7976931348623157e308,
  1e300,
  -1e300,
  1e-300,
  709.782712893384,
  710,
  -708.5,
  -745.2,
  -745.1,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 60) - 0.5e3,
  86_400_000,
];

/** Strings where engines and JavaScript part ways: astral characters (2 UTF-16 units), combining marks, quotes, SQL syntax. */
export const SPECIAL_STRINGS: readonly string[] = [
  "",
  "male",
  "female",
  "ma",
  "Male",
  "a😀",
  "😀😀",
  "e\u0301",
  "日本語",
  "\u{10FFFF}x",
  "it's",
  "'; DROP TABLE inputs; --",
  "/* not a comment */",
  "back\\slash",
  "line\nbreak",
  "{a:Float64}",
  "$1",
  "mal",
];

/** One random double: raw bits (any value, NaN payloads included), a uniform range, or a small integer. */
export function randomNumber(next: () => number): number {
  const kind = next();
  if (kind < 0.3) {
    const view = new DataView(new ArrayBuffer(8));
    view.setUint32(0, Math.floor(next() * 2 ** 32));
    view.setUint32(4, Math.floor(next() * 2 ** 32));
    return view.getFloat64(0);
  }
  if (kind < 0.6) return (next() - 0.5) * 2000;
  if (kind < 0.8) return Math.round((next() - 0.5) * 20) / 2;
  return (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20);
}

export function randomString(next: () => number): string {
  const alphabet = ["a", "m", "l", "e", "f", "😀", "\u0301", "é", "'", "\\", " ", "日", "\u{10400}"];
  const length = Math.floor(next() * 6);
  let s = "";
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(next() * alphabet.length)]!;
  return s;
}

function sqlType(dialect: SqlDialect, type: ColumnType): string {
  if (dialect === "clickhouse") return { number: "Float64", string: "String", boolean: "UInt8" }[type];
  if (dialect === "postgres") return { number: "float8", string: "text", boolean: "boolean" }[type];
  return { number: "DOUBLE", string: "VARCHAR", boolean: "BOOLEAN" }[type];
}

/** Creates `table` (a `row_id` column, then the given ones) and loads the rows. */
export async function loadDuckDB(connection: DuckDBConnection, table: string, columns: readonly DataColumn[]): Promise<void> {
  const q = (n: string) => quoteIdentifier("duckdb", n);
  await connection.run(
    `CREATE OR REPLACE TABLE ${q(table)} (row_id INTEGER, ${columns.map((c) => `${q(c.name)} ${sqlType("duckdb", c.type)}`).join(", ")})`,
  );
  const appender = await connection.createAppender(table);
  const rows = columns[0]?.values.length ?? 0;
  for (let i = 0; i < rows; i++) {
    appender.appendInteger(i);
    for (const c of columns) {
      const v = c.values[i]!;
      if (c.type === "number") appender.appendDouble(v as number);
      else if (c.type === "boolean") appender.appendBoolean(v as boolean);
      else appender.appendVarchar(v as string);
    }
    appender.endRow();
  }
  appender.closeSync();
}

export async function loadPostgres(client: pg.Client, table: string, columns: readonly DataColumn[]): Promise<void> {
  const q = (n: string) => quoteIdentifier("postgres", n);
  await client.query(`DROP TABLE IF EXISTS ${q(table)}`);
  await client.query(
    `CREATE TABLE ${q(table)} (row_id integer, ${columns.map((c) => `${q(c.name)} ${sqlType("postgres", c.type)}`).join(", ")})`,
  );
  const rows = columns[0]?.values.length ?? 0;
  const ids = Array.from({ length: rows }, (_, i) => i);
  const arrays = columns.map((c) => (c.type === "number" ? c.values.map((v) => float8Text(v as number)) : c.values));
  const unnest = columns.map((c, i) => `$${i + 2}::${sqlType("postgres", c.type)}[]`).join(", ");
  await client.query(`INSERT INTO ${q(table)} SELECT * FROM unnest($1::integer[], ${unnest})`, [ids, ...arrays]);
}

/**
 * Creates `table_local` (MergeTree) on each shard and `table` (Distributed over both) on each,
 * and loads even rows into shard 0, odd rows into shard 1. With `shards` 1, `table` is instead a
 * MergeTree on shard 0 holding every row.
 */
export async function loadClickHouse(
  cluster: ClickHouseCluster,
  table: string,
  columns: readonly DataColumn[],
  shards: 1 | 2 = 2,
): Promise<void> {
  const q = (n: string) => quoteIdentifier("clickhouse", n);
  const local = shards === 2 ? `${table}_local` : table;
  const schema = `(row_id UInt32, ${columns.map((c) => `${q(c.name)} ${sqlType("clickhouse", c.type)}`).join(", ")})`;
  const rows = columns[0]?.values.length ?? 0;
  // The rows are encoded first, so that the statements follow one another without a pause (a
  // server closes an idle keep-alive connection after a few seconds).
  const shardList = shards === 2 ? ([0, 1] as const) : ([0] as const);
  const bodies = shardList.map((shard) => {
    const chunks: Uint8Array[] = [];
    for (let i = shard; i < rows; i += shards) {
      const id = new Uint8Array(4);
      new DataView(id.buffer).setUint32(0, i, true);
      chunks.push(id);
      for (const c of columns) {
        const v = c.values[i]!;
        if (c.type === "number") {
          const b = new Uint8Array(8);
          new DataView(b.buffer).setFloat64(0, v as number, true);
          chunks.push(b);
        } else if (c.type === "boolean") chunks.push(Uint8Array.of(v ? 1 : 0));
        else {
          const bytes = new TextEncoder().encode(v as string);
          const length: number[] = [];
          let n = bytes.length;
          do {
            length.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
            n >>>= 7;
          } while (n > 0);
          chunks.push(Uint8Array.from(length), bytes);
        }
      }
    }
    return Buffer.concat(chunks);
  });
  for (const shard of shardList) {
    await cluster.query(`DROP TABLE IF EXISTS ${q(table)}`, shard);
    await cluster.query(`DROP TABLE IF EXISTS ${q(local)}`, shard);
    await cluster.query(`CREATE TABLE ${q(local)} ${schema} ENGINE = MergeTree() ORDER BY row_id`, shard);
    if (shards === 2)
      await cluster.query(
        `CREATE TABLE ${q(table)} ${schema} ENGINE = Distributed(${cluster.cluster}, default, ${q(local)}, row_id)`,
        shard,
      );
  }
  for (const shard of shardList) await cluster.insert(`INSERT INTO ${q(local)} FORMAT RowBinary`, bodies[shard]!, shard);
}
