import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Table } from "featc";
import { UnknownClientError, type Login, type Survey } from "../../catalog/types.js";
import { generateWarehouse } from "../../demo/generate.js";
import { DEFAULT_SERVICE_KIND, openOnlineServices, type OnlineServices, type ServiceKind } from "../../demo/services.js";
import { openWarehouse, type DemoWarehouse } from "../../demo/warehouse.js";
import { removeTemporaryDirs, temporaryDir } from "./tmp.js";

let warehouse: DemoWarehouse;
let survey: Table<Survey>;
let logins: Table<Login>;
const services = new Map<ServiceKind, OnlineServices>();

beforeAll(async () => {
  const db = path.join(temporaryDir("services"), "w.duckdb");
  await generateWarehouse({ clients: 3000, seed: 5, db });
  warehouse = await openWarehouse(db);
  survey = await warehouse.readSurvey("survey_results");
  logins = await warehouse.readLogins("client_logins");
  for (const kind of ["index", "query"] as const) services.set(kind, await openOnlineServices(warehouse, { kind }));
});

afterAll(() => {
  for (const s of services.values()) s.close();
  warehouse?.close();
  removeTemporaryDirs();
});

/** Every 37th survey row: a spread-out sample of clients. */
function sampleRows(): number[] {
  const rows: number[] = [];
  for (let r = 0; r < survey.length; r += 37) rows.push(r);
  return rows;
}

function loginOf(client_id: number): number {
  for (let r = 0; r < logins.length; r++) if (logins.columns.client_id[r] === client_id) return logins.columns.last_logged_in[r]!;
  throw new Error(`no login for ${client_id}`);
}

it("defaults to the in-memory index", () => {
  expect(DEFAULT_SERVICE_KIND).toBe("index");
});

describe.each(["index", "query"] as const)("online services (%s)", (kind) => {
  it("serve the same survey values as the batch table", async () => {
    const s = services.get(kind)!;
    for (const r of sampleRows()) {
      const id = survey.columns.client_id[r]!;
      const expected: Survey = {
        client_id: id,
        budget: survey.columns.budget[r]!,
        age: survey.columns.age[r]!,
        gender: survey.columns.gender[r]!,
      };
      expect(await s.survey_service.survey(id)).toEqual(expected);
    }
  });

  it("serve the same login times as the batch table", async () => {
    const s = services.get(kind)!;
    for (const r of sampleRows()) {
      const id = survey.columns.client_id[r]!;
      expect(await s.login_service.lastLoggedIn(id)).toBe(loginOf(id));
    }
  });

  it("answer concurrent lookups correctly", async () => {
    const s = services.get(kind)!;
    const rows = sampleRows().slice(0, 40);
    const answers = await Promise.all(rows.map((r) => s.survey_service.survey(survey.columns.client_id[r]!)));
    answers.forEach((a, i) => expect(a.budget).toBe(survey.columns.budget[rows[i]!]!));
  });

  it("reject unknown clients with UnknownClientError", async () => {
    const s = services.get(kind)!;
    for (const id of [-1, 0, 999, 1e12, 1000.5, NaN]) {
      const survey = s.survey_service.survey(id);
      await expect(survey).rejects.toBeInstanceOf(UnknownClientError);
      await expect(survey).rejects.toMatchObject({ client_id: id });
      await expect(s.login_service.lastLoggedIn(id)).rejects.toBeInstanceOf(UnknownClientError);
    }
    await expect(s.survey_service.survey(-1)).rejects.toThrow(/unknown client -1: no record in survey table 'survey_results'/);
  });

  it("know clients who logged in without answering the survey only in the login service", async () => {
    const s = services.get(kind)!;
    const surveyed = new Set(Array.from(survey.columns.client_id));
    let loginOnly: number | undefined;
    for (let r = 0; r < logins.length && loginOnly === undefined; r++)
      if (!surveyed.has(logins.columns.client_id[r]!)) loginOnly = logins.columns.client_id[r]!;
    expect(loginOnly).toBeDefined();
    await expect(s.survey_service.survey(loginOnly!)).rejects.toBeInstanceOf(UnknownClientError);
    expect(await s.login_service.lastLoggedIn(loginOnly!)).toBe(loginOf(loginOnly!));
  });
});

it("query services fail clearly after close", async () => {
  const s = await openOnlineServices(warehouse, { kind: "query" });
  s.close();
  await expect(s.survey_service.survey(survey.columns.client_id[0]!)).rejects.toThrow(/closed/);
});

it("services over a missing table fail at start", async () => {
  await expect(openOnlineServices(warehouse, { kind: "index", surveyTable: "nope" })).rejects.toThrow(/nope/);
  await expect(openOnlineServices(warehouse, { kind: "query", loginTable: "nope" })).rejects.toThrow(/nope/);
});
