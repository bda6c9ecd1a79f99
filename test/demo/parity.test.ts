/**
 * The parity demo end to end on a small warehouse: generate, train, score, serve on a loopback
 * port, and every sampled client's online HTTP answer is the batch prediction read back from
 * DuckDB, bit for bit. Also: the whole pipeline is deterministic, and the demo stops on stale
 * generated executors.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StaleBuildError, checkBuild, runDemo, sampleRows, type DemoResult } from "../../demo/run.js";
import { artifactPaths } from "../../demo/train.js";
import { REPO, buildOk, removeWorkspace, workspace } from "../support/workspace.js";
import { removeTemporaryDirs, temporaryDir } from "./tmp.js";

const SAMPLE = 300;
let first: DemoResult;
let firstDir: string;
const lines: string[] = [];

beforeAll(async () => {
  firstDir = temporaryDir("parity");
  first = await runDemo({
    clients: 3000,
    seed: 3,
    sample: SAMPLE,
    dir: firstDir,
    checkBuild: false,
    progress: false,
    onLine: (l) => lines.push(l),
  });
});

afterAll(() => removeTemporaryDirs());

describe("npm run demo on 3,000 clients", () => {
  it("answers every sampled client online with the batch prediction, bit for bit", () => {
    const o = first.online;
    expect(o.client_id.length).toBe(SAMPLE);
    expect(new Set(o.client_id).size).toBe(SAMPLE);
    for (let k = 0; k < SAMPLE; k++) {
      expect(Object.is(o.online[k], o.batch[k]), `client ${o.client_id[k]}: online ${o.online[k]} vs batch ${o.batch[k]}`).toBe(true);
    }
    expect(o.failed).toBe(0);
    expect(o.identical).toBe(SAMPLE);
    expect(o.maxAbsDiff).toBe(0);
    expect(o.mismatches).toEqual([]);
    expect(first.passed).toBe(true);
  });

  it("trained, scored and saved what it reports", () => {
    expect(first.generate.clients).toBe(3000);
    expect(first.train.rows).toBe(3000);
    expect(first.train.labelled).toBe(3000);
    expect(first.score.rows).toBe(3000);
    expect(first.score.fittedDrift).toEqual([]);
    const files = artifactPaths(path.join(firstDir, "artifacts"));
    expect(fs.existsSync(files.model) && fs.existsSync(files.fitted)).toBe(true);
    expect(first.server.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("prints a short report", () => {
    const text = lines.join("\n");
    expect(lines.length).toBeLessThan(20);
    for (const step of ["generate", "train", "score", "serve", "online", "parity"]) expect(text).toMatch(new RegExp(`^  ${step} `, "m"));
    expect(text).toMatch(/per 100k rows/);
    expect(text).toMatch(/latency p50 .*, p99 /);
    expect(text).toMatch(/300 \/ 300 online predictions bit-identical to batch; largest \|difference\| 0/);
    expect(text).toMatch(
      /^  sql .*3,000 clients scored inside DuckDB .*client_id bit-identical, predictions (bit-identical|within 2 ulp)/m,
    );
    expect(text).toMatch(/fitted by the engine .*age_mean (bit-identical|within)/);
    expect(first.sql.passed).toBe(true);
  });

  it("is deterministic: a second run gives the same model, fitted values and predictions", async () => {
    const second = await runDemo({
      clients: 3000,
      seed: 3,
      sample: SAMPLE,
      dir: temporaryDir("parity-again"),
      checkBuild: false,
      progress: false,
    });
    expect(second.train.model).toEqual(first.train.model);
    for (const [name, value] of Object.entries(first.train.fitted))
      expect(Object.is((second.train.fitted as unknown as Record<string, unknown>)[name], value), name).toBe(true);
    expect(Array.from(second.online.client_id)).toEqual(Array.from(first.online.client_id));
    expect(Buffer.from(second.online.batch.buffer).equals(Buffer.from(first.online.batch.buffer))).toBe(true);
    expect(second.passed).toBe(true);
  });
});

describe("sampleRows", () => {
  it("draws distinct rows, seeded", () => {
    const a = sampleRows(1000, 100, 7);
    expect(new Set(a).size).toBe(100);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a)).toBeLessThan(1000);
    expect(Array.from(sampleRows(1000, 100, 7))).toEqual(Array.from(a));
    expect(Array.from(sampleRows(1000, 100, 8))).not.toEqual(Array.from(a));
    expect(sampleRows(5, 100, 1).length).toBe(5);
  });
});

describe("the build check", () => {
  const made: string[] = [];
  afterAll(() => made.forEach(removeWorkspace));

  it("stops the demo when the generated executors are not what the catalog compiles to", async () => {
    // A catalog in a workspace (inside the package, so that it resolves "featc"), built, then
    // one generated file edited by hand.
    const dir = workspace("demo-stale", path.join(REPO, "test", "fixtures", "emit", "mixed"));
    made.push(dir);
    await buildOk(dir);
    const config = path.join(dir, "featc.config.json");
    expect(await checkBuild(config)).toEqual({ files: 4 });
    fs.appendFileSync(path.join(dir, "generated", "online.ts"), "// edited by hand\n");
    await expect(checkBuild(config)).rejects.toThrow(StaleBuildError);
    await expect(checkBuild(config)).rejects.toThrow(
      /generated files are stale: generated\/online\.ts\.\nThe demo runs the executors that are committed; regenerate them with `npx featc build`/,
    );
  });
});
