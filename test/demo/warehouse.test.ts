import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readColumns, writeTable } from "../../demo/duckdb.js";
import { generateData, generateWarehouse, type GeneratedData } from "../../demo/generate.js";
import { openWarehouse, type DemoWarehouse } from "../../demo/warehouse.js";
import { removeTemporaryDirs, temporaryDir } from "./tmp.js";

const CLIENTS = 4000;
const SEED = 21;
let data: GeneratedData;
let warehouse: DemoWarehouse;

beforeAll(async () => {
  const db = path.join(temporaryDir("warehouse"), "w.duckdb");
  await generateWarehouse({ clients: CLIENTS, seed: SEED, db });
  data = generateData({ clients: CLIENTS, seed: SEED });
  warehouse = await openWarehouse(db);
});

afterAll(() => {
  warehouse?.close();
  removeTemporaryDirs();
});

describe("openWarehouse", () => {
  it("reads the survey table as columns equal to what was generated, in table order", async () => {
    const t = await warehouse.readSurvey("survey_results");
    expect(t.length).toBe(CLIENTS);
    expect(t.columns.client_id).toBeInstanceOf(Float64Array);
    expect(t.columns.budget).toBeInstanceOf(Float64Array);
    expect(t.columns.age).toBeInstanceOf(Float64Array);
    expect(Array.isArray(t.columns.gender)).toBe(true);
    expect(Array.from(t.columns.client_id)).toEqual(Array.from(data.survey.client_id));
    expect(Array.from(t.columns.budget)).toEqual(Array.from(data.survey.budget));
    expect(Array.from(t.columns.age)).toEqual(Array.from(data.survey.age));
    expect(Array.from(t.columns.gender)).toEqual(data.survey.gender);
  });

  it("reads the login and label tables as generated", async () => {
    const logins = await warehouse.readLogins("client_logins");
    expect(logins.length).toBe(data.logins.client_id.length);
    expect(Array.from(logins.columns.client_id)).toEqual(Array.from(data.logins.client_id));
    expect(Array.from(logins.columns.last_logged_in)).toEqual(Array.from(data.logins.last_logged_in));
    const labels = await warehouse.readLabels("labels");
    expect(Array.from(labels.columns.client_id)).toEqual(Array.from(data.labels.client_id));
    expect(Array.from(labels.columns.label)).toEqual(Array.from(data.labels.label));
  });

  it("writes predictions with the appender and reads them back", async () => {
    const ids = data.survey.client_id;
    const p = Float64Array.from(ids, (id, i) => (i % 17) / 17 + id * 1e-9);
    await warehouse.writePredictions("predictions", ids, p);
    const back = await readColumns(warehouse.connection, "predictions", { client_id: "number", prediction: "number" });
    expect(back.length).toBe(ids.length);
    expect(Array.from(back.columns.client_id)).toEqual(Array.from(ids));
    expect(Array.from(back.columns.prediction)).toEqual(Array.from(p));
    // Again: the table is replaced, not appended to.
    await warehouse.writePredictions("predictions", ids.subarray(0, 10), p.subarray(0, 10));
    expect((await readColumns(warehouse.connection, "predictions", { prediction: "number" })).length).toBe(10);
    await expect(warehouse.writePredictions("predictions", ids, p.subarray(1))).rejects.toThrow(/client ids but/);
  });

  it("explains a missing table or column", async () => {
    await expect(warehouse.readSurvey("no_such_table")).rejects.toThrow(/cannot read columns client_id, budget, age, gender of table 'no_such_table'/);
    await warehouse.connection.run("CREATE OR REPLACE TABLE half_survey AS SELECT client_id, budget FROM survey_results");
    await expect(warehouse.readSurvey("half_survey")).rejects.toThrow(/half_survey/);
  });

  it("refuses to open a missing file read-only", async () => {
    await expect(openWarehouse(path.join(temporaryDir("missing"), "nope.duckdb"), { readOnly: true })).rejects.toThrow(/does not exist/);
  });

  it("fails clearly once closed", async () => {
    const w = await openWarehouse(":memory:");
    w.close();
    w.close();
    await expect(w.readSurvey("survey_results")).rejects.toThrow(/closed/);
  });
});

describe("column transfer", () => {
  it("reads every numeric SQL type as Float64Array, NULL as NaN", async () => {
    const c = warehouse.connection;
    await c.run(`CREATE OR REPLACE TABLE kinds AS SELECT * FROM (VALUES
      (1::TINYINT, 2::SMALLINT, 3::INTEGER, -4::BIGINT, 5::UTINYINT, 6::USMALLINT, 7::UINTEGER, 1.5::FLOAT, 2.25::DOUBLE, 3.125::DECIMAL(10,3), 9007199254740991::BIGINT),
      (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, -9007199254740991::BIGINT)
    ) t(a, b, c, d, e, f, g, h, i, j, k)`);
    const spec = Object.fromEntries("abcdefghijk".split("").map((k) => [k, "number" as const]));
    const read = await readColumns(c, "kinds", spec);
    expect(read.length).toBe(2);
    const first = "abcdefghijk".split("").map((k) => read.columns[k]![0]);
    expect(first).toEqual([1, 2, 3, -4, 5, 6, 7, 1.5, 2.25, 3.125, 9007199254740991]);
    const second = "abcdefghij".split("").map((k) => read.columns[k]![1]);
    for (const v of second) expect(v).toBeNaN();
    expect(read.columns.k![1]).toBe(-9007199254740991);
  });

  it("reads text through a dictionary when it has few values, directly otherwise, and as ENUM", async () => {
    const c = warehouse.connection;
    const n = 5000; // more distinct values than the dictionary limit
    const many = Array.from({ length: n }, (_, i) => `value-${i}-${"é".repeat(i % 5)}-a-longer-tail`);
    const few = Array.from({ length: n }, (_, i) => ["x", "y", "it's"][i % 3]!);
    await writeTable(c, "texts", [
      { name: "many", type: "VARCHAR", values: many },
      { name: "few", type: "VARCHAR", values: few },
    ]);
    const read = await readColumns(c, "texts", { many: "string", few: "string" });
    expect(read.columns.many).toEqual(many);
    expect(read.columns.few).toEqual(few);
    await c.run("CREATE OR REPLACE TABLE enums AS SELECT CAST(few AS ENUM('y', 'x', 'it''s')) AS e FROM texts");
    expect((await readColumns(c, "enums", { e: "string" })).columns.e).toEqual(few);
  });

  it("refuses NULL text and non-numeric columns read as numbers", async () => {
    const c = warehouse.connection;
    await c.run("CREATE OR REPLACE TABLE nulls AS SELECT * FROM (VALUES ('a', 1), (NULL, 2)) t(s, n)");
    await expect(readColumns(c, "nulls", { s: "string" })).rejects.toThrow(/column 's' of table 'nulls' is NULL at row 1/);
    await expect(readColumns(c, "nulls", { s: "number" })).rejects.toThrow(/not a number/);
    await expect(readColumns(c, "nulls", { n: "string" })).rejects.toThrow(/not text/);
  });

  it("writes and reads BIGINT exactly across the safe-integer range", async () => {
    const c = warehouse.connection;
    const values = [0, 1, -1, 4294967295, 4294967296, -4294967297, 1704067200000, 9007199254740991, -9007199254740991];
    await writeTable(c, "bigs", [{ name: "v", type: "BIGINT", values }]);
    const back = await readColumns(c, "bigs", { v: "number" });
    expect(Array.from(back.columns.v)).toEqual(values);
    const sql = await (await c.run("SELECT CAST(v AS VARCHAR) FROM bigs")).getColumns();
    expect(sql[0]).toEqual(values.map(String));
    await expect(writeTable(c, "bad", [{ name: "v", type: "BIGINT", values: [2 ** 53] }])).rejects.toThrow(/not a safe integer/);
    await expect(writeTable(c, "bad", [{ name: "v", type: "INTEGER", values: [1.5] }])).rejects.toThrow(/not a 32-bit integer/);
    await expect(c.run("SELECT * FROM bad")).rejects.toThrow(/bad/);
    await expect(writeTable(c, "bad", [{ name: "a", type: "INTEGER", values: [1] }, { name: "b", type: "INTEGER", values: [] }])).rejects.toThrow(/has 0 rows/);
  });

  it("quotes table names", async () => {
    const c = warehouse.connection;
    await writeTable(c, 'odd "name"', [{ name: "x", type: "DOUBLE", values: [1, 2] }]);
    expect(Array.from((await readColumns(c, 'odd "name"', { x: "number" })).columns.x)).toEqual([1, 2]);
    await c.run("CREATE SCHEMA IF NOT EXISTS s");
    await writeTable(c, "s.t", [{ name: "x", type: "DOUBLE", values: [3] }]);
    expect(Array.from((await readColumns(c, "s.t", { x: "number" })).columns.x)).toEqual([3]);
    await expect(readColumns(c, "a..b", { x: "number" })).rejects.toThrow(/invalid table name/);
  });
});
