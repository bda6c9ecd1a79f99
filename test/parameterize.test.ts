/**
 * `@parameterize` end to end on the 'parameterize' emit fixture: the executors of both targets
 * against the catalog functions called by hand with the bindings written out here; what the
 * manifest, the code hashes and `featc explain` say about the nodes it makes.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BuildResult } from "../compiler/build.js";
import type { Manifest } from "../compiler/graph/manifest.js";
import { REPO, buildOk, importFrom, removeWorkspace, workspace, strictTypeCheck } from "./support/workspace.js";

const FIXTURE = path.join(REPO, "test", "fixtures", "emit", "parameterize");
const FEATC = path.join(REPO, "bin", "featc.js");

type Execute = (outputs: readonly string[], inputs: Record<string, unknown>) => Record<string, unknown>;
interface Catalog {
  vocabulary(values: ArrayLike<string>): string[];
  label_encode(value: string, vocab: string[]): number;
  above(value: number, threshold: number): boolean;
  tagged(prefix: string, store_id: string, upper: boolean): string;
  twice(x: number): number;
  heavy_store_code(is_heavy: boolean, store_id_encoded: number, answer: number): number;
}

const STORES = ["CA_1", "TX_2", "WI_3", "CA_1", "TX_2", "TX_1", "WI_3"];
const DEPTS = ["FOODS", "HOBBIES", "FOODS", "HOUSEHOLD", "FOODS", "HOBBIES", "TOYS"];
const WEIGHTS = [12, 95.5, 80, 81, -3, -0.5, NaN];
const QUIET = 'q"\\ \u2028 ${x} `';

let dir: string;
let result: BuildResult;
let batch: { execute: Execute; OUTPUT_NAMES: readonly string[] };
let online: { execute: Execute; OUTPUT_NAMES: readonly string[] };
let f: Catalog;

beforeAll(async () => {
  dir = workspace("parameterize", FIXTURE);
  result = await buildOk(dir);
  batch = await importFrom(dir, "generated/batch.ts");
  online = await importFrom(dir, "generated/online.ts");
  f = await importFrom<Catalog>(dir, "catalog/features.ts");
}, 60_000);
afterAll(() => removeWorkspace(dir));

/** Every output for one row, computed by calling the catalog's functions directly. */
function direct(store: string, dept: string, weight: number, storeVocab: string[], deptVocab: string[]): Record<string, unknown> {
  const is_heavy = f.above(weight, 80);
  const store_id_encoded = f.label_encode(store, storeVocab);
  const answer = f.twice(21);
  return {
    answer,
    store_vocab: storeVocab,
    dept_vocab: deptVocab,
    store_id_encoded,
    dept_id_encoded: f.label_encode(dept, deptVocab),
    is_heavy,
    is_positive: f.above(weight, -0.5),
    loud_store: f.tagged("S-", store, true),
    quiet_store: f.tagged(QUIET, store, false),
    heavy_store_code: f.heavy_store_code(is_heavy, store_id_encoded, answer),
  };
}

describe("@parameterize executors", () => {
  it("make one node per tag; the functions' own names are no nodes", () => {
    for (const names of [batch.OUTPUT_NAMES, online.OUTPUT_NAMES]) {
      expect([...names].sort()).toEqual([
        "answer",
        "dept_id_encoded",
        "dept_vocab",
        "heavy_store_code",
        "is_heavy",
        "is_positive",
        "loud_store",
        "quiet_store",
        "store_id_encoded",
        "store_vocab",
      ]);
    }
  });

  it("type-check under tsc --strict: the constants are passed where their parameters' types allow them", () => {
    expect(strictTypeCheck([path.join(dir, "generated", "batch.ts"), path.join(dir, "generated", "online.ts")])).toBe("");
  });

  it("batch and online equal the functions called with the bindings, row by row", () => {
    const out = batch.execute(batch.OUTPUT_NAMES, { store_id: STORES, dept_id: DEPTS, weight: Float64Array.from(WEIGHTS) });
    const storeVocab = f.vocabulary(STORES);
    const deptVocab = f.vocabulary(DEPTS);
    expect(storeVocab).toEqual(["CA_1", "TX_1", "TX_2", "WI_3"]);
    const fitted = { store_vocab: out.store_vocab, dept_vocab: out.dept_vocab };
    for (let i = 0; i < STORES.length; i++) {
      const want = direct(STORES[i]!, DEPTS[i]!, WEIGHTS[i]!, storeVocab, deptVocab);
      for (const [name, value] of Object.entries(want)) {
        const column = out[name] as ArrayLike<unknown> | unknown;
        const got = name === "answer" || name.endsWith("_vocab") ? column : (column as ArrayLike<unknown>)[i];
        expect(got, `batch ${name} row ${i}`).toEqual(value);
      }
      const entity = online.execute(online.OUTPUT_NAMES, { store_id: STORES[i], dept_id: DEPTS[i], weight: WEIGHTS[i], fitted });
      expect(entity, `online row ${i}`).toEqual(want);
    }
    // An entity the training data never saw: the encoders say -1.
    const unseen = online.execute(["store_id_encoded", "dept_id_encoded", "heavy_store_code"], {
      store_id: "NY_9",
      dept_id: "GARDEN",
      weight: 90,
      fitted,
    });
    expect(unseen).toEqual({ store_id_encoded: -1, dept_id_encoded: -1, heavy_store_code: -1 });
  });
});

describe("@parameterize in the manifest and the lineage tools", () => {
  const manifest = () => JSON.parse(result.files.get("generated/batch.graph.json")!) as Manifest;
  const node = (name: string) => manifest().nodes.find((n) => n.name === name)!;

  it("records each node's bindings: sources as dependencies, the tag among its tags", () => {
    expect(node("dept_id_encoded").deps.map((d) => [d.param, d.source, d.kind])).toEqual([
      ["value", "dept_id", "input"],
      ["vocab", "dept_vocab", "node"],
    ]);
    expect(node("dept_id_encoded").function).toBe("label_encode");
    expect(node("is_positive").deps.map((d) => d.param)).toEqual(["value"]);
    expect(node("is_positive").tags).toEqual([{ name: "parameterize", text: "is_positive(value=weight, threshold=-0.5)" }]);
    expect(node("quiet_store").tags).toEqual([{ name: "parameterize", text: `quiet_store(upper=false, prefix=${JSON.stringify(QUIET)})` }]);
    expect(node("store_vocab").tags.map((t) => t.name)).toEqual(["fitted", "parameterize"]);
    expect(node("answer").deps).toEqual([]);
  });

  it("gives each node its own code hash: a binding changes only its node's, the body every node's", async () => {
    const before = manifest();
    const hash = (m: Manifest, name: string) => m.nodes.find((n) => n.name === name)!.codeHash;
    expect(new Set(["is_heavy", "is_positive"].map((n) => hash(before, n))).size).toBe(2);
    const file = path.join(dir, "catalog", "features.ts");
    const original = fs.readFileSync(file, "utf8");
    try {
      fs.writeFileSync(file, original.replace("is_heavy(value=weight, threshold=80)", "is_heavy(value=weight, threshold=81)"));
      const rebound = JSON.parse((await buildOk(dir)).files.get("generated/batch.graph.json")!) as Manifest;
      expect(hash(rebound, "is_heavy")).not.toBe(hash(before, "is_heavy"));
      expect(hash(rebound, "is_positive")).toBe(hash(before, "is_positive"));
      fs.writeFileSync(file, original.replace("return value > threshold;", "return value >= threshold;"));
      const edited = JSON.parse((await buildOk(dir)).files.get("generated/batch.graph.json")!) as Manifest;
      expect(hash(edited, "is_heavy")).not.toBe(hash(before, "is_heavy"));
      expect(hash(edited, "is_positive")).not.toBe(hash(before, "is_positive"));
    } finally {
      fs.writeFileSync(file, original);
      await buildOk(dir);
    }
  });

  it("featc explain names the tag that made the node and the function it calls", () => {
    const run = spawnSync(process.execPath, [FEATC, "explain", "is_positive", "--config", path.join(dir, "featc.config.json")], {
      encoding: "utf8",
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("made by @parameterize is_positive(value=weight, threshold=-0.5) from above at catalog/features.ts:25");
    expect(run.stdout).toContain("depends on: weight (input)");
  });
});
