import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import type { Table } from "featc";
import { LoadError, quoteString, readTable, writeTable, type RowOf } from "featc/duckdb";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";

let instance: DuckDBInstance;
let c: DuckDBConnection;
let dir: string;

beforeAll(async () => {
  instance = await DuckDBInstance.create(":memory:");
  c = await instance.connect();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "featc-duckdb-"));
});

afterAll(() => {
  c?.closeSync();
  instance?.closeSync();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The error a promise rejects with (the test fails if it resolves). */
async function rejection(p: Promise<unknown>): Promise<LoadError> {
  const e = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(e).toBeInstanceOf(LoadError);
  return e as LoadError;
}

describe("readTable: kinds", () => {
  it("reads numbers of every SQL type into the kind's typed array, NULL as NaN where the kind admits it", async () => {
    await c.run(`CREATE OR REPLACE TABLE kinds AS SELECT * FROM (VALUES
      (1::TINYINT, 2::SMALLINT, 3::INTEGER, -4::BIGINT, 5::UTINYINT, 6::USMALLINT, 7::UINTEGER, 1.5::FLOAT, 2.25::DOUBLE, 3.125::DECIMAL(10,3), 9007199254740991::BIGINT),
      (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, -9007199254740991::BIGINT)
    ) t(a, b, c, d, e, f, g, h, i, j, k)`);
    const schema = Object.fromEntries("abcdefghijk".split("").map((k) => [k, "f64?" as const]));
    const read = await readTable(c, { table: "kinds" }, schema);
    expect(read.length).toBe(2);
    const first = "abcdefghijk".split("").map((k) => read.columns[k]![0]);
    expect(first).toEqual([1, 2, 3, -4, 5, 6, 7, 1.5, 2.25, 3.125, 9007199254740991]);
    for (const k of "abcdefghij") {
      expect(read.columns[k]).toBeInstanceOf(Float64Array);
      expect(read.columns[k]![1]).toBeNaN();
    }
    expect(read.columns.k![1]).toBe(-9007199254740991);
  });

  it("reads f32, i32 (from any integer type that fits), bool and nullable text", async () => {
    await c.run(`CREATE OR REPLACE TABLE mixed AS SELECT * FROM (VALUES
      (0.5::FLOAT, 2147483647::BIGINT, -7::TINYINT, true, 'x', true),
      (NULL, -2147483648::BIGINT, 100::TINYINT, false, NULL, NULL)
    ) t(f, big, small, b, s, nb)`);
    const read = await readTable(c, { table: "mixed" }, { f: "f32?", big: "i32", small: "i32", b: "bool", s: "string?", nb: "bool?" });
    expect(read.columns.f).toBeInstanceOf(Float32Array);
    expect(read.columns.f[0]).toBe(0.5);
    expect(read.columns.f[1]).toBeNaN();
    expect(read.columns.big).toBeInstanceOf(Int32Array);
    expect(Array.from(read.columns.big)).toEqual([2147483647, -2147483648]);
    expect(Array.from(read.columns.small)).toEqual([-7, 100]);
    expect(read.columns.b).toEqual([true, false]);
    expect(read.columns.s).toEqual(["x", null]);
    expect(read.columns.nb).toEqual([true, null]);
  });

  it("reads text through a dictionary when it has few values, directly otherwise, and ENUM columns", async () => {
    const n = 5000; // more distinct values than the dictionary limit, and more than two chunks
    const many = Array.from({ length: n }, (_, i) => `value-${i}-${"é".repeat(i % 5)}-a-longer-tail`);
    const few = Array.from({ length: n }, (_, i) => ["x", "y", "it's"][i % 3]!);
    await writeTable(c, "texts", [
      { name: "many", type: "VARCHAR", values: many },
      { name: "few", type: "VARCHAR", values: few },
    ]);
    const read = await readTable(c, { table: "texts" }, { many: "string", few: "string" });
    expect(read.columns.many).toEqual(many);
    expect(read.columns.few).toEqual(few);
    await c.run("CREATE OR REPLACE TABLE enums AS SELECT CAST(few AS ENUM('y', 'x', 'it''s')) AS e FROM texts");
    expect((await readTable(c, { table: "enums" }, { e: "string" })).columns.e).toEqual(few);
    const query = await readTable(c, { query: "SELECT few FROM texts WHERE few <> $1", params: ["x"] }, { few: "string" });
    expect(query.columns.few).toEqual(few.filter((v) => v !== "x"));
  });

  it("reads text from a query's vectors as DuckDB's own reader does: short and long, repeated and not, past the dictionary limit", async () => {
    // A query is not read through an ENUM: every value goes through the VARCHAR vector reader,
    // short ones (≤ 12 bytes, inside the vector) through its dictionary, longer ones by pointer.
    const edges = ["", "a", "twelve bytes", "thirteen byte", "é", "日本語ab", "😀😀😀", "a😀b😀c", "it's", "x\0y"];
    const n = 12_000; // more distinct short values than the dictionary holds, over several chunks
    const values = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? edges[i % edges.length]! : i % 3 === 1 ? `k${i % 7001}` : `v${i}-é`));
    await writeTable(c, "shorts", [{ name: "s", type: "VARCHAR", values }]);
    const query = "SELECT CASE WHEN rowid % 11 = 5 THEN NULL ELSE s END AS s FROM shorts ORDER BY rowid";
    const expected = (await (await c.run(query)).getColumns())[0] as (string | null)[];
    expect(expected.filter((v) => v === null).length).toBeGreaterThan(1000);
    const read = await readTable(c, { query }, { s: "string?" });
    expect(read.columns.s).toEqual(expected);
    expect(read.columns.s.slice(0, 10)).toEqual(["", "k1", "v2-é", "thirteen byte", "k4", null, "😀😀😀", "k7", "v8-é", "x\0y"]);
    const refused = await rejection(readTable(c, { query }, { s: "string" }));
    expect(refused.message).toMatch(/column 's' of query at row 5 is NULL/);
  });

  it("writes and reads BIGINT exactly across the safe-integer range; writing validates before it writes", async () => {
    const values = [0, 1, -1, 4294967295, 4294967296, -4294967297, 1704067200000, 9007199254740991, -9007199254740991];
    await writeTable(c, "bigs", [{ name: "v", type: "BIGINT", values }]);
    expect(Array.from((await readTable(c, { table: "bigs" }, { v: "f64" })).columns.v)).toEqual(values);
    const sql = await (await c.run("SELECT CAST(v AS VARCHAR) FROM bigs")).getColumns();
    expect(sql[0]).toEqual(values.map(String));
    await expect(writeTable(c, "bad", [{ name: "v", type: "BIGINT", values: [2 ** 53] }])).rejects.toThrow(/not a safe integer/);
    await expect(writeTable(c, "bad", [{ name: "v", type: "INTEGER", values: [1.5] }])).rejects.toThrow(/not a 32-bit integer/);
    await expect(c.run("SELECT * FROM bad")).rejects.toThrow(/bad/);
    await expect(
      writeTable(c, "bad", [
        { name: "a", type: "INTEGER", values: [1] },
        { name: "b", type: "INTEGER", values: [] },
      ]),
    ).rejects.toThrow(/has 0 rows/);
  });

  it("keeps the source's row order across chunks (offsets)", async () => {
    await c.run("CREATE OR REPLACE TABLE seq AS SELECT i::INTEGER AS i, (i * 0.5)::DOUBLE AS h FROM range(10000) r(i)");
    const read = await readTable(c, { table: "seq" }, { i: "i32", h: "f64" });
    expect(read.length).toBe(10000);
    for (let i = 0; i < 10000; i++) if (read.columns.i[i] !== i || read.columns.h[i] !== i * 0.5) throw new Error(`row ${i} out of place`);
  });
});

describe("readTable: one clear error naming the column", () => {
  beforeAll(async () => {
    await c.run(
      "CREATE OR REPLACE TABLE people AS SELECT * FROM (VALUES (1, 'a', 2.5, 3000000000::BIGINT, 9007199254740993::BIGINT), (2, NULL, NULL, 1::BIGINT, 1::BIGINT)) t(id, name, score, wide, huge)",
    );
  });

  it("a missing column, with the near spelling and the columns there are", async () => {
    const e = await rejection(readTable(c, { table: "people" }, { id: "f64", Name: "string" }));
    expect(e.column).toBe("Name");
    expect(e.message).toBe(
      `column 'Name' of table "people" is missing; did you mean 'name'? (table "people" has 'id', 'name', 'score', 'wide', 'huge')`,
    );
  });

  it("a wrong type", async () => {
    const e = await rejection(readTable(c, { table: "people" }, { name: "f64" }));
    expect(e.column).toBe("name");
    expect(e.message).toBe(
      `column 'name' of table "people" is VARCHAR, but the schema says 'f64', which reads DOUBLE, FLOAT, DECIMAL or an integer type`,
    );
    expect((await rejection(readTable(c, { table: "people" }, { score: "i32" }))).message).toMatch(
      /column 'score' of table "people" is DECIMAL\(2,1\), but the schema says 'i32'/,
    );
    expect((await rejection(readTable(c, { table: "people" }, { id: "string" }))).message).toMatch(
      /'id' .* is INTEGER, but the schema says 'string'/,
    );
  });

  it("an unexpected NULL, with its row, for numbers and text", async () => {
    const text = await rejection(readTable(c, { table: "people" }, { name: "string" }));
    expect(text.column).toBe("name");
    expect(text.message).toBe(
      `column 'name' of table "people" at row 1 is NULL, which the schema's kind does not admit (add '?' to the kind to read NULL)`,
    );
    const number = await rejection(readTable(c, { table: "people" }, { score: "f64" }));
    expect(number.message).toMatch(/column 'score' of table "people" at row 1 is NULL/);
  });

  it("an integer that does not fit", async () => {
    expect((await rejection(readTable(c, { table: "people" }, { wide: "i32" }))).message).toBe(
      `column 'wide' of table "people" at row 0 holds 3000000000, which does not fit in 32 bits`,
    );
    expect((await rejection(readTable(c, { table: "people" }, { huge: "f64" }))).message).toBe(
      `column 'huge' of table "people" at row 0 holds 9007199254740993, which a double cannot hold exactly`,
    );
  });

  it("an unreadable source", async () => {
    const e = await rejection(readTable(c, { table: "nobody" }, { id: "f64" }));
    expect(e.column).toBeUndefined();
    expect(e.message).toMatch(/^cannot read table "nobody": .*nobody/);
    expect((await rejection(readTable(c, { csv: path.join(dir, "absent.csv") }, { id: "f64" }))).message).toMatch(
      /^cannot read CSV file '.*absent\.csv'/,
    );
    await expect(readTable(c, { table: ["a", "", "b"] }, { id: "f64" })).rejects.toThrow(/invalid table name/);
  });
});

describe("readTable: names and paths are data", () => {
  const hostile = `x"; DROP TABLE victim; --'`;

  beforeAll(async () => {
    await c.run("CREATE OR REPLACE TABLE victim AS SELECT 1 AS v");
  });

  async function victimStands(): Promise<void> {
    expect((await (await c.run("SELECT count(*)::INTEGER FROM victim")).getColumns())[0]).toEqual([1]);
  }

  it("reads and writes tables with hostile names, schema-qualified ones, and dots inside one name", async () => {
    await writeTable(c, hostile, [{ name: 'col "q"', type: "DOUBLE", values: [1, 2] }]);
    expect(Array.from((await readTable(c, { table: hostile }, { 'col "q"': "f64" })).columns['col "q"'])).toEqual([1, 2]);
    await c.run("CREATE SCHEMA IF NOT EXISTS s");
    await writeTable(c, ["s", "t"], [{ name: "x", type: "DOUBLE", values: [3] }]);
    expect(Array.from((await readTable(c, { table: ["s", "t"] }, { x: "f64" })).columns.x)).toEqual([3]);
    await writeTable(c, "s.t", [{ name: "x", type: "DOUBLE", values: [4] }]);
    expect(Array.from((await readTable(c, { table: "s.t" }, { x: "f64" })).columns.x)).toEqual([4]);
    await victimStands();
  });

  it("reads CSV and Parquet files whose paths hold quotes, semicolons and comment markers", async () => {
    const folder = path.join(dir, `it's "here"; -- /*`);
    fs.mkdirSync(folder, { recursive: true });
    const csv = path.join(folder, `a'b"; DROP TABLE victim; --.csv`);
    fs.writeFileSync(csv, "client_id,gender,budget\n1,male,10.5\n2,female,\n3,other,7\n");
    const fromCsv = await readTable(c, { csv }, { client_id: "i32", gender: "string", budget: "f64?" });
    expect(Array.from(fromCsv.columns.client_id)).toEqual([1, 2, 3]);
    expect(fromCsv.columns.gender).toEqual(["male", "female", "other"]);
    expect(Array.from(fromCsv.columns.budget)).toEqual([10.5, NaN, 7]);
    const parquet = path.join(folder, `p'q.parquet`);
    await c.run(`COPY (SELECT * FROM read_csv(${quoteString(csv)})) TO ${quoteString(parquet)} (FORMAT parquet)`);
    const fromParquet = await readTable(c, { parquet }, { client_id: "f64", gender: "string", budget: "f64?" });
    expect(Array.from(fromParquet.columns.client_id)).toEqual([1, 2, 3]);
    expect(fromParquet.columns.gender).toEqual(["male", "female", "other"]);
    await victimStands();
  });
});

describe("readTable: types", () => {
  it("infers the row type from the schema; the result is a featc Table of a matching interface", async () => {
    interface Survey {
      client_id: number;
      gender: string;
      tag: string | null;
    }
    const schema = { client_id: "f64", gender: "string", tag: "string?" } as const;
    expectTypeOf<RowOf<typeof schema>>().toEqualTypeOf<Survey>();
    await c.run("CREATE OR REPLACE TABLE survey AS SELECT 1.0::DOUBLE AS client_id, 'male' AS gender, NULL::VARCHAR AS tag");
    const t = await readTable(c, { table: "survey" }, schema);
    expectTypeOf(t.columns.client_id).toEqualTypeOf<Float64Array>();
    expectTypeOf(t.columns.gender).toEqualTypeOf<string[]>();
    const asTable: Table<Survey> = t;
    expect(asTable.columns.tag[0]).toBeNull();
    // @ts-expect-error: a number column cannot be read into a string field.
    const wrong: Table<{ client_id: string }> = t;
    expect(wrong.length).toBe(1);
  });
});
