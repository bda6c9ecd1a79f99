import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REFERENCE_TIME, generateData, generateWarehouse, main, mulberry32 } from "../../demo/generate.js";
import { openWarehouse } from "../../demo/warehouse.js";
import { removeTemporaryDirs, temporaryDir } from "./tmp.js";

afterAll(removeTemporaryDirs);

const DAY = 86_400_000;

describe("generateData", () => {
  it("is deterministic: the same seed gives the same data", () => {
    const a = generateData({ clients: 2000, seed: 7 });
    const b = generateData({ clients: 2000, seed: 7 });
    expect(b).toEqual(a);
    const c = generateData({ clients: 2000, seed: 8 });
    expect(Array.from(c.survey.budget)).not.toEqual(Array.from(a.survey.budget));
  });

  it("has the documented table sizes and shapes", () => {
    const clients = 3000;
    const d = generateData({ clients, seed: 1 });
    expect(d.survey.client_id.length).toBe(clients);
    expect(d.survey.budget.length).toBe(clients);
    expect(d.survey.age.length).toBe(clients);
    expect(d.survey.gender.length).toBe(clients);
    expect(d.labels.client_id.length).toBe(clients);
    // Every client logged in, plus a few who never answered the survey.
    expect(d.logins.client_id.length).toBeGreaterThan(clients);
    expect(d.logins.client_id.length).toBeLessThan(clients * 1.05);

    const surveyIds = new Set(d.survey.client_id);
    expect(surveyIds.size).toBe(clients);
    const loginIds = new Set(d.logins.client_id);
    expect(loginIds.size).toBe(d.logins.client_id.length);
    for (const id of surveyIds) expect(loginIds.has(id)).toBe(true);
    expect(new Set(d.labels.client_id)).toEqual(surveyIds);

    for (const t of d.logins.last_logged_in) {
      expect(Number.isInteger(t)).toBe(true);
      expect(t).toBeLessThan(REFERENCE_TIME);
      expect(t).toBeGreaterThanOrEqual(REFERENCE_TIME - 90 * DAY);
    }
    for (const g of d.survey.gender) expect(["male", "female", "other"]).toContain(g);
    for (const a of d.survey.age) expect(a >= 18 && a <= 80 && Number.isInteger(a)).toBe(true);
    for (const b of d.survey.budget) expect(b).toBeGreaterThan(0);
    for (const l of d.labels.label) expect(l === 0 || l === 1).toBe(true);
  });

  it("shuffles the survey and login rows (the join must be a real one)", () => {
    const d = generateData({ clients: 1000, seed: 3 });
    const sorted = (xs: Float64Array) => xs.every((x, i) => i === 0 || xs[i - 1]! < x);
    expect(sorted(d.survey.client_id)).toBe(false);
    expect(sorted(d.logins.client_id)).toBe(false);
    expect(Array.from(d.logins.client_id.subarray(0, 50))).not.toEqual(Array.from(d.survey.client_id.subarray(0, 50)));
    expect(sorted(d.labels.client_id)).toBe(true);
  });

  it("has labels that depend on the features", () => {
    const d = generateData({ clients: 5000, seed: 1 });
    const budgetById = new Map<number, number>();
    d.survey.client_id.forEach((id, i) => budgetById.set(id, d.survey.budget[i]!));
    let highPos = 0,
      high = 0,
      lowPos = 0,
      low = 0;
    d.labels.client_id.forEach((id, i) => {
      if (budgetById.get(id)! > 100) {
        high++;
        highPos += d.labels.label[i]!;
      } else {
        low++;
        lowPos += d.labels.label[i]!;
      }
    });
    expect(highPos / high).toBeGreaterThan(lowPos / low + 0.1);
  });

  it("rejects bad sizes and seeds", () => {
    expect(() => generateData({ clients: -1 })).toThrow(/clients/);
    expect(() => generateData({ clients: 1.5 })).toThrow(/clients/);
    expect(() => generateData({ seed: 0.5 })).toThrow(/seed/);
    expect(generateData({ clients: 0 }).survey.client_id.length).toBe(0);
  });

  it("uses a stable PRNG", () => {
    const r = mulberry32(42);
    const first = [r(), r(), r()];
    const again = mulberry32(42);
    expect([again(), again(), again()]).toEqual(first);
    for (const x of first) expect(x >= 0 && x < 1).toBe(true);
  });
});

describe("generateWarehouse", () => {
  it("writes the same tables for the same seed", async () => {
    const dir = temporaryDir("gen");
    const dbs = [path.join(dir, "a.duckdb"), path.join(dir, "b.duckdb")];
    const reports = [];
    for (const db of dbs) reports.push(await generateWarehouse({ clients: 1500, seed: 11, db }));
    expect(reports[0]!.rows).toEqual(reports[1]!.rows);
    expect(reports[0]!.rows.survey_results).toBe(1500);
    const contents = [];
    for (const db of dbs) {
      const w = await openWarehouse(db, { readOnly: true });
      try {
        const rows: unknown[] = [];
        for (const t of ["survey_results", "client_logins", "labels"])
          rows.push(await (await w.connection.run(`SELECT * FROM ${t}`)).getRowsJson());
        contents.push(rows);
      } finally {
        w.close();
      }
    }
    expect(contents[1]).toEqual(contents[0]);
  });

  it("replaces its tables on a second run and leaves other tables alone", async () => {
    const db = path.join(temporaryDir("regen"), "w.duckdb");
    await generateWarehouse({ clients: 500, seed: 1, db });
    const w = await openWarehouse(db);
    await w.connection.run("CREATE TABLE keep AS SELECT 1 AS x");
    w.close();
    await generateWarehouse({ clients: 200, seed: 2, db });
    const again = await openWarehouse(db, { readOnly: true });
    try {
      expect((await again.readSurvey("survey_results")).length).toBe(200);
      expect(await (await again.connection.run("SELECT x FROM keep")).getRowsJson()).toEqual([[1]]);
    } finally {
      again.close();
    }
  });

  it("has a command line", async () => {
    const db = path.join(temporaryDir("cli"), "sub", "w.duckdb");
    const log: string[] = [];
    const error: string[] = [];
    const origLog = console.log;
    const origError = console.error;
    console.log = (m: string) => log.push(m);
    console.error = (m: string) => error.push(m);
    try {
      expect(await main(["--clients", "100", "--seed", "5", "--db", db])).toBe(0);
      expect(await main(["--clients", "many"])).toBe(1);
      expect(await main(["--bogus"])).toBe(2);
      expect(await main(["--help"])).toBe(0);
    } finally {
      console.log = origLog;
      console.error = origError;
    }
    expect(fs.existsSync(db)).toBe(true);
    expect(log[0]).toMatch(/generated 100 clients \(seed 5\)/);
    expect(error.join("\n")).toMatch(/--clients must be an integer/);
    expect(error.join("\n")).toMatch(/usage:/);
  });
});
