import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTable } from "featc/duckdb";
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
    const back = await readTable(warehouse.connection, { table: "predictions" }, { client_id: "f64", prediction: "f64" });
    expect(back.length).toBe(ids.length);
    expect(Array.from(back.columns.client_id)).toEqual(Array.from(ids));
    expect(Array.from(back.columns.prediction)).toEqual(Array.from(p));
    // Again: the table is replaced, not appended to.
    await warehouse.writePredictions("predictions", ids.subarray(0, 10), p.subarray(0, 10));
    expect((await readTable(warehouse.connection, { table: "predictions" }, { prediction: "f64" })).length).toBe(10);
    await expect(warehouse.writePredictions("predictions", ids, p.subarray(1))).rejects.toThrow(/client ids but/);
  });

  it("explains a missing table or column", async () => {
    await expect(warehouse.readSurvey("no_such_table")).rejects.toThrow(/cannot read table "no_such_table": .*does not exist/);
    await warehouse.connection.run("CREATE OR REPLACE TABLE half_survey AS SELECT client_id, budget FROM survey_results");
    await expect(warehouse.readSurvey("half_survey")).rejects.toThrow(/column 'age' of table "half_survey" is missing/);
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
