/**
 * A lookup's keys must be unique, and every target says so the same way. The fixture catalog has
 * a numeric lookup (NumericKeyIndex in batch, lookup() in SQL) and a string one (StringKeyIndex /
 * lookup()); it is built with the real compiler, and its batch executor and its DuckDB,
 * PostgreSQL and two-shard ClickHouse targets run on the same tables. Without duplicates every
 * output is bit-identical across the four, with -0 and 0 one key, NaN and NULL keys matching
 * nothing, and astral, accented and hostile strings as keys. With a duplicate — a repeated
 * number, a repeated string, -0 beside 0 — each target throws DuplicateKeyError naming the
 * same lookup, the same key (the least duplicated one: numbers in numeric order, strings by code
 * point, which differs from JavaScript's UTF-16 order) and the same number of rows; the SQL
 * targets before the statement runs (ClickHouse's `execute` beside it, its answer unused), and
 * `materialize` creates nothing.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuplicateKeyError } from "../../runtime/errors.js";
import type { SqlConnection } from "../../runtime/sql/connection.js";
import { quoteIdentifier, type SqlDialect } from "../../runtime/sql/identifiers.js";
import { startSqlEngines, type SqlEngines } from "../support/sql-engines.js";
import type { DataColumn } from "../support/sql-data.js";
import { REPO, buildOk, importFrom, removeWorkspace, workspace } from "../support/workspace.js";

const FIXTURE = path.join(REPO, "test", "fixtures", "sql", "lookups");
const OUTPUTS = ["id", "tier", "rate", "charged"] as const;
const SQL_TARGETS: Readonly<Record<string, SqlDialect>> = { duck: "duckdb", pg: "postgres", house: "clickhouse" };

type Columns = Record<string, ArrayLike<unknown>>;
interface SqlTarget {
  execute(connection: SqlConnection, inputs: Record<string, unknown>): Promise<{ length: number; columns: Columns }>;
  materialize(connection: SqlConnection, inputs: Record<string, unknown>, options: { as: "table" | "view"; name: string }): Promise<void>;
}
interface BatchTarget {
  execute(outputs: readonly string[], inputs: Record<string, unknown>): Columns;
}

/** The probe side: every edge a key has (±0, NaN, ±Infinity, unknown keys; astral, accented and hostile strings). */
const ORDERS: DataColumn[] = (() => {
  const clients = [0, -0, 1, 2, 3, NaN, Infinity, -Infinity, 5e-324, 1.5, 2 ** 53, 42, 7];
  const countries = ["fr", "de", "", "😀", "\uFFFF", "e\u0301", "é", "it's", "'; DROP TABLE x; --", "nowhere", "FR"];
  const rows = 60;
  return [
    { name: "id", type: "number", values: Array.from({ length: rows }, (_, i) => i) },
    { name: "client", type: "number", values: Array.from({ length: rows }, (_, i) => clients[i % clients.length]!) },
    { name: "country", type: "string", values: Array.from({ length: rows }, (_, i) => countries[(i * 7) % countries.length]!) },
    { name: "amount", type: "number", values: Array.from({ length: rows }, (_, i) => 10 + i * 0.1) },
  ];
})();

function clients(keys: readonly number[]): DataColumn[] {
  return [
    { name: "client", type: "number", values: keys },
    { name: "tier", type: "number", values: keys.map((_, i) => i + 0.25) },
  ];
}

function rates(keys: readonly string[]): DataColumn[] {
  return [
    { name: "country", type: "string", values: keys },
    { name: "rate", type: "number", values: keys.map((_, i) => i / 16) },
  ];
}

/** Unique keys — with two NaN keys, which match nothing and are no duplicate, and -0 standing for 0. */
const UNIQUE_CLIENTS = clients([-0, 1, 2, NaN, Infinity, -Infinity, 5e-324, NaN, 2 ** 53, 3]);
const UNIQUE_RATES = rates(["fr", "de", "", "😀", "\uFFFF", "e\u0301", "é", "it's", "'; DROP TABLE x; --"]);

/** Each case's tables, by table name: the same bytes in every engine and in the batch target. */
const TABLES: Record<string, DataColumn[]> = {
  'orders "o"; --': ORDERS,
  "clients unique": UNIQUE_CLIENTS,
  "rates unique": UNIQUE_RATES,
  // 7 twice and 3 three times: 3 is named (the least), with its 3 rows.
  "clients dup": clients([7, 3, 1, 7, 3, NaN, NaN, 3]),
  // -0 and 0 are one key.
  "clients zeros": clients([5, 0, 1, -0]),
  // Duplicated "\uFFFF" and "😀": UTF-16 puts "😀" (U+D83D…) first, code points put U+FFFF first, as every engine does.
  "rates dup": rates(["😀", "x", "\uFFFF", "😀", "\uFFFF", "fr"]),
};

let dir: string;
let batch: BatchTarget;
const sql = new Map<string, SqlTarget>();
let engines: SqlEngines;

beforeAll(async () => {
  dir = workspace("sql-lookups", FIXTURE);
  await buildOk(dir);
  batch = await importFrom<BatchTarget>(dir, "generated/batch.ts");
  for (const name of Object.keys(SQL_TARGETS)) sql.set(name, await importFrom<SqlTarget>(dir, `generated/${name}.ts`));
  engines = await startSqlEngines();
  for (const [table, columns] of Object.entries(TABLES)) await engines.load(table, columns);
}, 180_000);

afterAll(async () => {
  await engines?.stop();
  if (dir) removeWorkspace(dir);
}, 60_000);

/** A table of the batch target, from the same columns (numbers as a Float64Array). */
function batchTable(table: string): { length: number; columns: Record<string, ArrayLike<unknown>> } {
  const columns = TABLES[table]!;
  return {
    length: columns[0]!.values.length,
    columns: Object.fromEntries(columns.map((c) => [c.name, c.type === "number" ? Float64Array.from(c.values as number[]) : c.values])),
  };
}

interface Tables {
  readonly clients: string;
  readonly rates: string;
}

/** Runs one target on the orders and the given lookup tables: its columns in `id` order, or what it threw. */
async function run(target: string, tables: Tables): Promise<{ columns?: Columns; error?: unknown }> {
  try {
    if (target === "batch") {
      const columns = await batch.execute(OUTPUTS, {
        order_rows: batchTable('orders "o"; --'),
        client_rows: batchTable(tables.clients),
        rate_rows: batchTable(tables.rates),
      });
      return { columns };
    }
    const result = await sql.get(target)!.execute(engines.connection(SQL_TARGETS[target]!), {
      orders_table: 'orders "o"; --',
      clients_table: tables.clients,
      rates_table: tables.rates,
    });
    return { columns: byId(result.columns) };
  } catch (error) {
    return { error };
  }
}

/** The engine's rows put in `id` order (engines return rows in their own order). */
function byId(columns: Columns): Columns {
  const ids = Array.from(columns.id as ArrayLike<number>);
  const order = ids.map((_, i) => i).sort((a, b) => ids[a]! - ids[b]!);
  return Object.fromEntries(Object.entries(columns).map(([name, values]) => [name, order.map((i) => values[i])]));
}

/** Rows where two columns differ, numbers by their bits (Object.is: NaN is NaN, -0 is not 0). */
function differences(a: ArrayLike<unknown>, b: ArrayLike<unknown>): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (!Object.is(a[i], b[i])) out.push(i);
  return out;
}

const TARGETS = ["batch", ...Object.keys(SQL_TARGETS)];

describe("a lookup table without duplicates", () => {
  it("gives bit-identical results in the batch target, DuckDB, PostgreSQL and ClickHouse", async () => {
    const runs = await Promise.all(TARGETS.map((t) => run(t, { clients: "clients unique", rates: "rates unique" })));
    const [reference, ...others] = runs;
    expect(reference!.error).toBeUndefined();
    const expected = reference!.columns!;
    for (const [i, r] of others.entries()) {
      expect(r.error, TARGETS[i + 1]).toBeUndefined();
      for (const output of OUTPUTS) expect(differences(r.columns![output]!, expected[output]!), `${TARGETS[i + 1]} ${output}`).toEqual([]);
    }
    // The edges were reached: -0 and 0 both find the -0 row, NaN finds nothing (and the two NaN keys refused nothing).
    const client = ORDERS[1]!.values as number[];
    const tier = Array.from(expected.tier as ArrayLike<number>);
    const at = (key: number) => tier[client.findIndex((c) => Object.is(c, key))];
    expect([at(0), at(-0), at(NaN), at(Infinity), at(42)]).toEqual([0.25, 0.25, 1000, 4.25, 1000]);
    const country = ORDERS[2]!.values as string[];
    const rate = Array.from(expected.rate as ArrayLike<number>);
    const of = (key: string) => rate[country.indexOf(key)];
    expect([of("😀"), of("\uFFFF"), of("e\u0301"), of("é"), of("FR"), of("nowhere")]).toEqual([3 / 16, 4 / 16, 5 / 16, 6 / 16, 0, 0]);
  }, 60_000);
});

describe("a lookup table holding a key twice", () => {
  const cases: { name: string; tables: Tables; lookup: string; key: number | string; count: number; rows: number[] }[] = [
    {
      name: "a repeated number",
      tables: { clients: "clients dup", rates: "rates unique" },
      lookup: "tier",
      key: 3,
      count: 3,
      rows: [1, 4],
    },
    { name: "-0 beside 0", tables: { clients: "clients zeros", rates: "rates unique" }, lookup: "tier", key: 0, count: 2, rows: [1, 3] },
    {
      name: "a repeated string",
      tables: { clients: "clients unique", rates: "rates dup" },
      lookup: "rate",
      key: "\uFFFF",
      count: 2,
      rows: [2, 4],
    },
  ];
  for (const c of cases) {
    it(`is refused with the same DuplicateKeyError in every target: ${c.name}`, async () => {
      const runs = await Promise.all(TARGETS.map((t) => run(t, c.tables)));
      for (const [i, r] of runs.entries()) {
        const target = TARGETS[i]!;
        expect(r.error, target).toBeInstanceOf(DuplicateKeyError);
        const e = r.error as DuplicateKeyError;
        expect({ code: e.code, lookup: e.lookup, count: e.count }, target).toEqual({
          code: "FEATC_DUPLICATE_KEY",
          lookup: c.lookup,
          count: c.count,
        });
        expect(Object.is(e.key, c.key), `${target}: key ${String(e.key)}`).toBe(true);
        // Where it is: rows of the batch table; the column and table in an engine, whose tables have no row order.
        if (target === "batch") expect(e.rows).toEqual(c.rows);
        else {
          expect(e.rows).toEqual([]);
          const column = c.lookup === "tier" ? "client" : "country";
          const table = c.lookup === "tier" ? c.tables.clients : c.tables.rates;
          expect(e.message).toContain(`in lookup '${c.lookup}' (column '${column}' of table '${table}'): ${c.count} rows hold it`);
        }
      }
    }, 60_000);
  }

  it("creates nothing when materialized", async () => {
    for (const [target, dialect] of Object.entries(SQL_TARGETS)) {
      const connection = engines.connection(dialect);
      const name = `charged ${target}`;
      await expect(
        sql
          .get(target)!
          .materialize(
            connection,
            { orders_table: 'orders "o"; --', clients_table: "clients dup", rates_table: "rates unique" },
            { as: "view", name },
          ),
      ).rejects.toThrow(DuplicateKeyError);
      const q = quoteIdentifier(dialect, name);
      await expect(connection.query(`SELECT count(*) AS n FROM ${q}`, [], [{ name: "n", type: "number" }])).rejects.toThrow();
    }
  }, 60_000);
});

describe("NULL keys", () => {
  it("match nothing and are no duplicates in the engines that hold them, as NaN in the batch target", async () => {
    // Two NULL keys beside the unique ones; the batch target's table has NaN in their place.
    const keys = [1, null, 2, null, -0];
    TABLES["clients nulls"] = clients(keys.map((k) => k ?? NaN));
    const expected = await run("batch", { clients: "clients nulls", rates: "rates unique" });
    expect(expected.error).toBeUndefined();
    const values = keys.map((k, i) => `(${i}, ${k === null ? "NULL" : Object.is(k, -0) ? "-0.0" : `${k}.0`}, ${i + 0.25})`).join(", ");
    const q = (dialect: SqlDialect, name = "clients nulls") => quoteIdentifier(dialect, name);
    await engines.duckdb.run(`CREATE TABLE ${q("duckdb")} (row_id INTEGER, client DOUBLE, tier DOUBLE)`);
    await engines.duckdb.run(`INSERT INTO ${q("duckdb")} (row_id, client, tier) VALUES ${values}`);
    await engines.postgres.query(`CREATE TABLE ${q("postgres")} (row_id integer, client float8, tier float8)`);
    await engines.postgres.query(`INSERT INTO ${q("postgres")} (row_id, client, tier) VALUES ${values}`);
    // ClickHouse: a Nullable key column, Distributed over both shards like the other tables, the rows on shard 0.
    const schema = "(row_id UInt32, client Nullable(Float64), tier Float64)";
    for (const shard of [0, 1] as const) {
      await engines.clickhouse.query(
        `CREATE TABLE ${q("clickhouse", "clients nulls_local")} ${schema} ENGINE = MergeTree() ORDER BY row_id`,
        shard,
      );
      await engines.clickhouse.query(
        `CREATE TABLE ${q("clickhouse")} ${schema} ENGINE = Distributed(${engines.clickhouse.cluster}, default, ${q("clickhouse", "clients nulls_local")}, row_id)`,
        shard,
      );
    }
    await engines.clickhouse.query(`INSERT INTO ${q("clickhouse", "clients nulls_local")} (row_id, client, tier) VALUES ${values}`, 0);
    for (const target of Object.keys(SQL_TARGETS)) {
      const r = await run(target, { clients: "clients nulls", rates: "rates unique" });
      expect(r.error, target).toBeUndefined();
      for (const output of OUTPUTS) expect(differences(r.columns![output]!, expected.columns![output]!), `${target} ${output}`).toEqual([]);
    }
  }, 60_000);
});
