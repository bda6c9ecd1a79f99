/**
 * The @fitted artifact between training and serving: what training writes loads into the online
 * executor and gives the batch predictions, and the server refuses to start on an artifact that
 * is stale, malformed, missing or fails its checks.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { FittedArtifactError } from "featc";
import { loadFitted } from "featc/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as batchTarget from "../../generated/batch.js";
import * as onlineTarget from "../../generated/online.js";
import { readTable } from "featc/duckdb";
import { generateWarehouse } from "../../demo/generate.js";
import { score } from "../../demo/score.js";
import { createServer, ServerStartError } from "../../demo/server.js";
import { openOnlineServices } from "../../demo/services.js";
import { loadModel, saveModel } from "../../demo/model.js";
import { ArtifactsError, DEFAULT_EXECUTION_TIME, artifactPaths, loadArtifacts, train, type TrainReport } from "../../demo/train.js";
import { TABLES, openWarehouse } from "../../demo/warehouse.js";
import { removeTemporaryDirs, temporaryDir } from "./tmp.js";

const REPO = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
const ONLINE_GRAPH = path.join(REPO, "generated", "online.graph.json");
let dir: string;
let db: string;
let artifacts: string;
let trained: TrainReport;

beforeAll(async () => {
  dir = temporaryDir("fitted");
  db = path.join(dir, "warehouse.duckdb");
  artifacts = path.join(dir, "artifacts");
  await generateWarehouse({ clients: 3000, seed: 31, db });
  trained = await train({ warehouse: db, artifacts, progress: false });
  await score({ warehouse: db, artifacts, progress: false });
});

afterAll(() => removeTemporaryDirs());

/** A copy of the trained artifacts whose fitted.json text went through `edit`. */
function editedArtifacts(name: string, edit: (text: string) => string): string {
  const copy = path.join(dir, name);
  fs.cpSync(artifacts, copy, { recursive: true });
  const file = artifactPaths(copy).fitted;
  fs.writeFileSync(file, edit(fs.readFileSync(file, "utf8")));
  return copy;
}

/** Edits the parsed artifact as an object. */
const editJson = (f: (artifact: { catalogHash: string; values: Record<string, unknown> }) => void) => (text: string) => {
  const artifact = JSON.parse(text);
  f(artifact);
  return JSON.stringify(artifact);
};

describe("the artifact training writes", () => {
  it("holds the batch target's fitted values under the catalog's hash", () => {
    const text = JSON.parse(fs.readFileSync(artifactPaths(artifacts).fitted, "utf8"));
    expect(text).toMatchObject({ format: "featc-fitted/1", catalogHash: batchTarget.FITTED_HASH, target: "batch" });
    expect(Object.keys(text.values).sort()).toEqual([...batchTarget.FITTED_OUTPUTS].sort());
    // Both executors come from one catalog: the reader expects what the writer stamps.
    expect(onlineTarget.FITTED_HASH).toBe(batchTarget.FITTED_HASH);
    expect(onlineTarget.FITTED_SCHEMA).toEqual(batchTarget.FITTED_SCHEMA);
  });

  it("round-trips into the online executor: same values, same predictions as batch", async () => {
    const fitted = loadFitted<onlineTarget.FittedValues>(
      artifactPaths(artifacts).fitted,
      onlineTarget.FITTED_HASH,
      onlineTarget.FITTED_SCHEMA,
    );
    for (const name of batchTarget.FITTED_OUTPUTS) expect(Object.is(fitted[name], trained.fitted[name]), name).toBe(true);
    const { model } = loadArtifacts(artifacts, { hash: onlineTarget.FITTED_HASH, schema: onlineTarget.FITTED_SCHEMA, graph: ONLINE_GRAPH });
    expect(model).toEqual(trained.model);

    const warehouse = await openWarehouse(db, { readOnly: true });
    const services = await openOnlineServices(warehouse);
    try {
      const read = await readTable(warehouse.connection, { table: TABLES.predictions }, { client_id: "f64", prediction: "f64" });
      let compared = 0;
      for (let row = 0; row < read.length; row += 13) {
        const client_id = read.columns.client_id[row]!;
        const { predictions } = await onlineTarget.execute(["predictions"], {
          client_id,
          execution_time: DEFAULT_EXECUTION_TIME,
          survey_service: services.survey_service,
          login_service: services.login_service,
          model,
          fitted,
        });
        expect(Object.is(predictions, read.columns.prediction[row]), `client ${client_id}`).toBe(true);
        compared++;
      }
      expect(compared).toBeGreaterThan(200);
    } finally {
      services.close();
      warehouse.close();
    }
  });
});

describe("the server refuses to start", () => {
  const refusal = async (artifactsDir: string): Promise<ServerStartError> => {
    const error = await createServer({ db, artifacts: artifactsDir }).then(
      async (app) => {
        await app.close();
        throw new Error("the server started");
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ServerStartError);
    return error as ServerStartError;
  };

  it("on a stale artifact (another catalog hash)", async () => {
    const stale = editedArtifacts(
      "stale",
      editJson((a) => (a.catalogHash = "0000000000000000")),
    );
    const error = await refusal(stale);
    expect(error.message).toMatch(
      /^cannot start: fitted artifact '.*fitted\.json'.*stale: fitted by a different catalog \(artifact 0000000000000000, executor [0-9a-f]{16}\); re-run target 'batch'/s,
    );
    expect(error.cause).toBeInstanceOf(ArtifactsError);
    expect((error.cause as Error).cause).toBeInstanceOf(FittedArtifactError);
  });

  it.each([
    ["not JSON", (t: string) => t.slice(0, t.length / 2), /not valid JSON/],
    ["a missing value", editJson((a) => delete a.values.age_stddev), /value 'age_stddev' is missing/],
    ["a value of the wrong type", editJson((a) => (a.values.age_mean = "48.9")), /value 'age_mean' should be a number, got a string/],
    ["an unexpected value", editJson((a) => (a.values.age_median = 49)), /unexpected value 'age_median'/],
    ["another format", editJson((a) => ((a as Record<string, unknown>).format = "pickle")), /unknown format "pickle"/],
  ])("on a malformed artifact: %s", async (name, edit, reason) => {
    const error = await refusal(editedArtifacts(`malformed-${name.replace(/\W+/g, "-")}`, edit));
    expect(error.message).toMatch(reason);
    expect(error.message).toMatch(/train first/);
  });

  it("on values that fail their @check (a standard deviation of 0), even when the model was stamped with them", async () => {
    const unchecked = editedArtifacts(
      "unchecked",
      editJson((a) => (a.values.age_stddev = 0)),
    );
    const { model, stamp } = loadModel(artifactPaths(unchecked).model);
    saveModel(artifactPaths(unchecked).model, {
      model,
      stamp: { ...stamp, fitted: { ...stamp.fitted, values: { ...stamp.fitted.values, age_stddev: 0 } } },
    });
    const error = await refusal(unchecked);
    expect(error.message).toMatch(/fail their checks: check 'range\(0\.000001, 150\)' failed on node 'age_stddev'/);
  });

  it("on fitted values edited under a valid catalog hash (they pass their @check, but the model learnt others)", async () => {
    const edited = editedArtifacts(
      "drifted",
      editJson((a) => Object.assign(a.values, { age_mean: 60, age_stddev: 1e-6 })),
    );
    const error = await refusal(edited);
    expect(error.message).toMatch(
      /^cannot start: model file '.*model\.json' is not a usable model: it does not belong with what would feed it: fitted value 'age_mean' is 60, but the model was trained with [\d.]+; fitted value 'age_stddev' is 0\.000001, but the model was trained with [\d.]+/,
    );
    // Scoring refuses the same pair.
    await expect(score({ warehouse: db, artifacts: edited, progress: false })).rejects.toThrow(/fitted value 'age_mean' is 60/);
  });

  it.each([
    [
      "flipped signs",
      (m: Record<string, unknown>) => (m.weights = Object.fromEntries(Object.entries(m.weights as object).map(([k, v]) => [k, -v]))),
      /does not match its digest/,
    ],
    ["a bias of 1e308", (m: Record<string, unknown>) => (m.bias = 1e308), /does not match its digest/],
    [
      "another feature set",
      (m: Record<string, unknown>) => (m.features = { ...(m.features as object), age_normalized: undefined, age: "0" }),
      /trained on another feature set/,
    ],
  ])("on a tampered model: %s", async (name, edit, reason) => {
    const copy = path.join(dir, `tampered-${name.replace(/\W+/g, "-")}`);
    fs.cpSync(artifacts, copy, { recursive: true });
    const file = artifactPaths(copy).model;
    const json = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
    edit(json);
    fs.writeFileSync(file, JSON.stringify(json));
    expect((await refusal(copy)).message).toMatch(reason);
  });

  it("on a model trained on other feature code (a stamp with a valid digest)", async () => {
    const copy = path.join(dir, "other-code");
    fs.cpSync(artifacts, copy, { recursive: true });
    const { model, stamp } = loadModel(artifactPaths(copy).model);
    saveModel(artifactPaths(copy).model, {
      model,
      stamp: { ...stamp, features: { ...stamp.features, age_normalized: "0123456789abcdef" } },
    });
    const error = await refusal(copy);
    expect(error.message).toMatch(
      /feature 'age_normalized' changed since the model was trained \(code hash 0123456789abcdef, now [0-9a-f]{16}\)/,
    );
  });

  it("when an artifact is missing", async () => {
    const noFitted = path.join(dir, "no-fitted");
    fs.cpSync(artifacts, noFitted, { recursive: true });
    fs.rmSync(artifactPaths(noFitted).fitted);
    expect((await refusal(noFitted)).message).toMatch(/file not found; run the fitting target first/);
    const noModel = path.join(dir, "no-model");
    fs.cpSync(artifacts, noModel, { recursive: true });
    fs.rmSync(artifactPaths(noModel).model);
    expect((await refusal(noModel)).message).toMatch(/model file .* the file does not exist/);
  });

  it("from the command line: exit code 1 and the reason on stderr", () => {
    const stale = editedArtifacts(
      "stale-cli",
      editJson((a) => (a.catalogHash = "0000000000000000")),
    );
    const run = spawnSync(
      process.execPath,
      ["--import", "tsx", path.join(REPO, "demo", "server.ts"), "--port", "0", "--db", db, "--artifacts", stale],
      { encoding: "utf8", cwd: REPO, timeout: 20_000 },
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^server: cannot start: fitted artifact .* stale/);
  });
});
