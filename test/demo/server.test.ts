/**
 * The online service over real HTTP on a loopback port: good requests answer the batch value,
 * malformed ones a 400 with a reason, unknown clients a 404, a failed @check a 500, and the
 * server keeps serving after each.
 */
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTable } from "featc/duckdb";
import { generateWarehouse } from "../../demo/generate.js";
import { score } from "../../demo/score.js";
import { createServer, parseClientId } from "../../demo/server.js";
import { DEFAULT_EXECUTION_TIME, train } from "../../demo/train.js";
import { TABLES, openWarehouse } from "../../demo/warehouse.js";
import { removeTemporaryDirs, temporaryDir } from "./tmp.js";

let app: FastifyInstance;
let base: string;
/** Batch predictions by survey row, and the clients they belong to. */
let ids: Float64Array;
let batch: Float64Array;
/** A client whose age was blanked after the batch run: its features fail a @check online. */
let broken: number;

beforeAll(async () => {
  const dir = temporaryDir("server");
  const db = path.join(dir, "warehouse.duckdb");
  const artifacts = path.join(dir, "artifacts");
  await generateWarehouse({ clients: 3000, seed: 21, db });
  await train({ warehouse: db, artifacts, progress: false });
  await score({ warehouse: db, artifacts, progress: false });
  const warehouse = await openWarehouse(db);
  try {
    const read = await readTable(warehouse.connection, { table: TABLES.predictions }, { client_id: "f64", prediction: "f64" });
    ids = read.columns.client_id;
    batch = read.columns.prediction;
    broken = ids[ids.length - 1]!;
    await warehouse.connection.run(`UPDATE ${TABLES.survey} SET age = NULL WHERE client_id = ${broken}`);
  } finally {
    warehouse.close();
  }
  app = await createServer({ db, artifacts, executionTime: DEFAULT_EXECUTION_TIME });
  base = await app.listen({ port: 0, host: "127.0.0.1" });
});

afterAll(async () => {
  await app?.close();
  removeTemporaryDirs();
});

async function get(pathAndQuery: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${base}${pathAndQuery}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("GET /predict", () => {
  it("answers the batch prediction of a known client, bit for bit", async () => {
    for (const row of [0, 1, 777, 2998]) {
      const { status, body } = await get(`/predict?client_id=${ids[row]}`);
      expect(status).toBe(200);
      expect(body).toEqual({ client_id: ids[row], prediction: expect.any(Number) });
      expect(Object.is(body.prediction, batch[row])).toBe(true);
    }
  });

  it.each([
    ["missing", "/predict", /client_id is required/],
    ["empty", "/predict?client_id=", /client_id is required/],
    ["not a number", "/predict?client_id=abc", /must be a number, got 'abc'/],
    ["not an integer", "/predict?client_id=1.5", /must be an integer, got '1\.5'/],
    ["negative", "/predict?client_id=-1", /must not be negative, got '-1'/],
    ["too large", "/predict?client_id=99999999999999999999", /too large: at most 9007199254740991/],
    ["infinite", "/predict?client_id=1e999", /too large/],
    ["given twice", "/predict?client_id=1001&client_id=1004", /given exactly once/],
  ])("refuses a client_id that is %s with 400 and a reason", async (_name, url, reason) => {
    const { status, body } = await get(url);
    expect(status).toBe(400);
    expect(body.error).toBe("invalid client_id");
    expect(body.reason).toMatch(reason);
  });

  it("answers 404 for a client no service knows", async () => {
    const { status, body } = await get("/predict?client_id=5");
    expect(status).toBe(404);
    expect(body).toEqual({ error: "unknown client", reason: expect.stringMatching(/unknown client 5: no record in survey table/) });
  });

  it("answers 500 with the check's message when the request's values fail a @check", async () => {
    const { status, body } = await get(`/predict?client_id=${broken}`);
    expect(status).toBe(500);
    expect(body.error).toBe("check failed");
    expect(body.reason).toBe(`client ${broken}: check 'notNull' failed on node 'age_normalized'`);
  });

  it("keeps serving after bad requests", async () => {
    for (const url of ["/predict?client_id=abc", "/predict?client_id=5", `/predict?client_id=${broken}`, "/nowhere"]) await get(url);
    const { status, body } = await get(`/predict?client_id=${ids[42]}`);
    expect(status).toBe(200);
    expect(Object.is(body.prediction, batch[42])).toBe(true);
  });

  it("answers concurrent requests each with its own client's prediction", async () => {
    const rows = Array.from({ length: 64 }, (_, k) => (k * 47) % ids.length);
    const answers = await Promise.all(rows.map((row) => get(`/predict?client_id=${ids[row]}`)));
    answers.forEach((a, k) => {
      expect(a.body.client_id).toBe(ids[rows[k]!]);
      expect(Object.is(a.body.prediction, batch[rows[k]!])).toBe(true);
    });
  });
});

describe("the rest of the service", () => {
  it("GET /health", async () => {
    const { status, body } = await get("/health");
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "ok", lookups: "index", executionTime: "2024-01-01T00:00:00.000Z" });
  });

  it("unknown routes answer a JSON 404", async () => {
    const { status, body } = await get("/predict/1001");
    expect(status).toBe(404);
    expect(body.error).toBe("not found");
    expect(body.reason).toMatch(/GET \/predict\?client_id=N/);
  });
});

describe("parseClientId", () => {
  it("takes non-negative integers in decimal notation", () => {
    expect(parseClientId("1001")).toEqual({ ok: true, value: 1001 });
    expect(parseClientId("0")).toEqual({ ok: true, value: 0 });
    expect(parseClientId("-0")).toEqual({ ok: true, value: 0 });
    expect(parseClientId("1e3")).toEqual({ ok: true, value: 1000 });
    expect(parseClientId("9007199254740991")).toEqual({ ok: true, value: 9007199254740991 });
  });

  it("refuses everything else with a reason", () => {
    for (const raw of [undefined, "", " 1", "0x10", "1,000", "NaN", "Infinity", "9007199254740992", ["1", "2"]]) {
      const parsed = parseClientId(raw);
      expect(parsed.ok, String(raw)).toBe(false);
      if (!parsed.ok) expect(parsed.reason).toMatch(/client_id/);
    }
  });
});

describe("shutdown", () => {
  it("close() lets requests in flight finish, then stops listening", async () => {
    const inFlight = get(`/predict?client_id=${ids[7]}`);
    const closing = app.close();
    const answered = await inFlight.then(
      (a) => a,
      () => undefined,
    );
    await closing;
    // A request already accepted is answered (or refused before it was read); none is half served.
    if (answered) expect(answered.status === 200 || answered.status === 503).toBe(true);
    await expect(fetch(`${base}/health`)).rejects.toThrow();
  });
});
