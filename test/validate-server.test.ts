/**
 * The demo service validates every request's inputs with the online executor's generated
 * `validateInputs`, over real HTTP on a loopback port: a JSON body whose fields have the wrong
 * types gets a 400 naming the field, the expected type and what came; and both the service and
 * batch scoring run the executor's `checkFitted` on the fitted values they load.
 */
import fs from "node:fs";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTable } from "featc/duckdb";
import { CheckFailedError } from "../runtime/index.js";
import { checkFitted as checkFittedBatch } from "../generated/batch.js";
import { checkFitted as checkFittedOnline } from "../generated/online.js";
import { generateWarehouse } from "../demo/generate.js";
import { loadModel, saveModel } from "../demo/model.js";
import { score } from "../demo/score.js";
import { createServer } from "../demo/server.js";
import { DEFAULT_EXECUTION_TIME, artifactPaths, train } from "../demo/train.js";
import { TABLES, openWarehouse } from "../demo/warehouse.js";
import { removeTemporaryDirs, temporaryDir } from "./demo/tmp.js";

let app: FastifyInstance;
let base: string;
let db: string;
let artifacts: string;
let dir: string;
let ids: Float64Array;
let batch: Float64Array;

beforeAll(async () => {
  dir = temporaryDir("validate-server");
  db = path.join(dir, "warehouse.duckdb");
  artifacts = path.join(dir, "artifacts");
  await generateWarehouse({ clients: 500, seed: 5, db });
  await train({ warehouse: db, artifacts, progress: false });
  await score({ warehouse: db, artifacts, progress: false });
  const warehouse = await openWarehouse(db);
  try {
    const read = await readTable(warehouse.connection, { table: TABLES.predictions }, { client_id: "f64", prediction: "f64" });
    ids = read.columns.client_id;
    batch = read.columns.prediction;
  } finally {
    warehouse.close();
  }
  app = await createServer({ db, artifacts, executionTime: DEFAULT_EXECUTION_TIME });
  base = await app.listen({ port: 0, host: "127.0.0.1" });
}, 120_000);

afterAll(async () => {
  await app?.close();
  removeTemporaryDirs();
});

async function post(body: string, contentType = "application/json"): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${base}/predict`, { method: "POST", headers: { "content-type": contentType }, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("POST /predict", () => {
  it("answers the batch prediction, as GET does", async () => {
    for (const row of [0, 17, 400]) {
      const answer = await post(JSON.stringify({ client_id: ids[row] }));
      expect(answer.status).toBe(200);
      expect(answer.body.client_id).toBe(ids[row]);
      expect(Object.is(answer.body.prediction, batch[row])).toBe(true);
      const got = await fetch(`${base}/predict?client_id=${ids[row]}`).then((r) => r.json() as Promise<Record<string, unknown>>);
      expect(Object.is(got.prediction, batch[row])).toBe(true);
    }
    // The execution time the server was started with, given explicitly, gives the same answer.
    const explicit = await post(JSON.stringify({ client_id: ids[3], execution_time: DEFAULT_EXECUTION_TIME }));
    expect(Object.is(explicit.body.prediction, batch[3])).toBe(true);
  });

  it.each([
    [
      "an ISO date for execution_time",
      { client_id: 1001, execution_time: "2024-01-01T00:00:00Z" },
      `input 'execution_time': expected number, got string "2024-01-01T00:00:00Z" (target 'online')`,
    ],
    [
      "null for execution_time",
      { client_id: 1001, execution_time: null },
      "input 'execution_time': expected number, got null (target 'online')",
    ],
    ["a string client_id", { client_id: "1001" }, `input 'client_id': expected number, got string "1001" (target 'online')`],
    ["an object client_id", { client_id: { id: 1001 } }, "input 'client_id': expected number, got object (target 'online')"],
    ["a boolean client_id", { client_id: true }, "input 'client_id': expected number, got boolean true (target 'online')"],
    ["no client_id", {}, "input 'client_id' of target 'online' is needed by the requested outputs but was not given"],
  ])("refuses %s with 400 naming the field", async (_name, body, reason) => {
    const answer = await post(JSON.stringify(body));
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: "invalid input", reason });
  });

  it.each([
    ["null", "null", `the body must be a JSON object such as {"client_id": 1001}, got null`],
    ["an array", "[1001]", `the body must be a JSON object such as {"client_id": 1001}, got array (1 item)`],
    ["a number", "1001", `the body must be a JSON object such as {"client_id": 1001}, got number 1001`],
    [
      "a misspelt field",
      `{"clientId": 1001}`,
      "unknown field 'clientId': the body holds client_id and, optionally, execution_time (epoch ms)",
    ],
    [
      "a field the service provides itself",
      `{"client_id": 1001, "model": {"bias": 1e308}}`,
      "unknown field 'model': the body holds client_id and, optionally, execution_time (epoch ms)",
    ],
  ])("refuses a body that is %s with 400", async (_name, body, reason) => {
    const answer = await post(body);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: "invalid body", reason });
  });

  it("refuses a client_id that is a number but no client id, and malformed JSON, with 400", async () => {
    expect(await post(`{"client_id": 1.5}`)).toEqual({
      status: 400,
      body: { error: "invalid client_id", reason: "client_id must be an integer, got '1.5'" },
    });
    expect(await post(`{"client_id": -3}`)).toEqual({
      status: 400,
      body: { error: "invalid client_id", reason: "client_id must not be negative, got '-3'" },
    });
    const broken = await post(`{"client_id": `);
    expect(broken.status).toBe(400);
    expect(broken.body.reason).toMatch(/JSON/);
    const text = await post("client_id=1001", "text/plain");
    expect(text).toEqual({
      status: 400,
      body: { error: "invalid body", reason: `the body must be a JSON object such as {"client_id": 1001}, got string "client_id=1001"` },
    });
  });

  it("keeps serving after every bad request", async () => {
    for (const body of ["null", `{"client_id": "x"}`, `{"client_id": `, `{"nope": 1}`]) await post(body);
    const answer = await post(JSON.stringify({ client_id: ids[42] }));
    expect(answer.status).toBe(200);
    expect(Object.is(answer.body.prediction, batch[42])).toBe(true);
  });
});

describe("checkFitted: the fitted values' @check rules, exported by the executors", () => {
  it("passes trained values, and fails implausible ones with the check's message, in both targets", () => {
    const trained = JSON.parse(fs.readFileSync(artifactPaths(artifacts).fitted, "utf8")) as {
      values: { age_mean: number; age_stddev: number };
    };
    for (const checkFitted of [checkFittedOnline, checkFittedBatch]) {
      expect(() => checkFitted(trained.values)).not.toThrow();
      for (const [values, message] of [
        [{ age_mean: 40, age_stddev: 0 }, "check 'range(0.000001, 150)' failed on node 'age_stddev'"],
        [{ age_mean: -1, age_stddev: 10 }, "check 'range(0, 150)' failed on node 'age_mean'"],
        [{ age_mean: NaN, age_stddev: 10 }, "check 'range(0, 150)' failed on node 'age_mean'"],
      ] as const) {
        let error: unknown;
        try {
          checkFitted(values);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(CheckFailedError);
        expect((error as Error).message).toBe(message);
      }
    }
  });

  it("batch scoring refuses saved fitted values that fail their checks, even when the model was stamped with them", async () => {
    const copy = path.join(dir, "unchecked");
    fs.cpSync(artifacts, copy, { recursive: true });
    const fittedFile = artifactPaths(copy).fitted;
    const artifact = JSON.parse(fs.readFileSync(fittedFile, "utf8")) as { values: Record<string, unknown> };
    artifact.values.age_stddev = 0;
    fs.writeFileSync(fittedFile, JSON.stringify(artifact));
    const { model, stamp } = loadModel(artifactPaths(copy).model);
    saveModel(artifactPaths(copy).model, {
      model,
      stamp: { ...stamp, fitted: { ...stamp.fitted, values: { ...stamp.fitted.values, age_stddev: 0 } } },
    });
    await expect(
      score({ warehouse: db, artifacts: copy, progress: false, tables: { predictions: "predictions_unchecked" } }),
    ).rejects.toThrow(
      /^the fitted values in '.*unchecked' fail their checks: check 'range\(0\.000001, 150\)' failed on node 'age_stddev'; train again$/,
    );
  });
});
