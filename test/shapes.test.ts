/**
 * A shape is a folder: a shape defined in a test folder, registered with `registerShape`, is
 * selected by a target's "shape", gets its options from the config, and its emitter's files are
 * written by `featc build` beside the other targets' executors.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { build } from "../compiler/build.js";
import { registerShape, shapeNames } from "../compiler/shapes/registry.js";
import type { TargetShape } from "../compiler/shapes/shape.js";
import { jsonListShape } from "./fixtures/shapes/json-list/shape.js";
import { REPO, buildOk, removeWorkspace, workspace, writeFiles } from "./support/workspace.js";

registerShape(jsonListShape);

const CATALOG = {
  "catalog/features.ts": [
    `import type { Column } from "featc";`,
    `export interface Inputs { age: Column<number> }`,
    `/** Mean age. */`,
    `export function age_mean(age: Column<number>): number { let s = 0; for (let i = 0; i < age.length; i++) s += age[i]!; return s / age.length; }`,
    `export function age_centred(age: number, age_mean: number): number { return age - age_mean; }`,
    ``,
  ].join("\n"),
};

function config(targets: Record<string, object>): string {
  return JSON.stringify({ catalog: ["catalog/**/*.ts"], outDir: "generated", targets }, null, 2);
}

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeWorkspace));

function project(targets: Record<string, object>): string {
  const dir = workspace("shapes");
  dirs.push(dir);
  writeFiles(dir, { ...CATALOG, "featc.config.json": config(targets) });
  return dir;
}

describe("a shape registered from outside compiler/", () => {
  it("is listed among the registered shapes", () => {
    expect(shapeNames()).toEqual(["batch", "json-list", "online", "sql"]);
  });

  it("builds its files, with its option, beside a batch target's executor", async () => {
    const inputs = "catalog/features.ts#Inputs";
    const dir = project({
      batch: { shape: "batch", inputs },
      pretty: { shape: "json-list", inputs },
      compact: { shape: "json-list", inputs, layout: "compact" },
    });
    const result = await buildOk(dir);
    expect([...result.files.keys()].sort()).toEqual([
      "generated/batch.graph.json",
      "generated/batch.ts",
      "generated/compact.graph.json",
      "generated/lists/compact.nodes.json",
      "generated/lists/pretty.nodes.json",
      "generated/pretty.graph.json",
    ]);
    const nodes = [
      { name: "age_mean", level: "scalar" },
      { name: "age_centred", level: "row" },
    ];
    expect(fs.readFileSync(path.join(dir, "generated/lists/compact.nodes.json"), "utf8")).toBe(JSON.stringify(nodes) + "\n");
    expect(fs.readFileSync(path.join(dir, "generated/lists/pretty.nodes.json"), "utf8")).toBe(JSON.stringify(nodes, null, 2) + "\n");
    // The shape's level rules ("rows") were applied by the shared graph phase.
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "generated/compact.graph.json"), "utf8"));
    expect(manifest.shape).toBe("json-list");
    expect(manifest.nodes.map((n: { level: string }) => n.level)).toEqual(["scalar", "row-map"]);
  }, 60_000);

  it("has its options checked by the config reader (FC1010 at the value)", async () => {
    const dir = project({ list: { shape: "json-list", inputs: "catalog/features.ts#Inputs", layout: "wide" } });
    const result = await build(path.join(dir, "featc.config.json"));
    expect(result.diagnostics.map((d) => [d.code, d.span?.line, d.message])).toEqual([
      ["FC1010", 10, `"layout" of target 'list' must be one of "compact", "pretty" (how the list is written)`],
    ]);
    expect(fs.existsSync(path.join(dir, "generated"))).toBe(false);
  }, 60_000);

  it("is named in FC1010 when a target asks for a shape nobody registered", async () => {
    const dir = project({ t: { shape: "stream" } });
    const result = await build(path.join(dir, "featc.config.json"));
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["FC1010", `unknown shape "stream" for target 't': use "batch", "json-list", "online" or "sql"`],
    ]);
  }, 60_000);

  it("may not write outside outDir", async () => {
    const escaping: TargetShape = { ...jsonListShape, name: "escaping", emit: () => [{ name: "../escaped.txt", text: "" }] };
    registerShape(escaping);
    const dir = project({ t: { shape: "escaping", inputs: "catalog/features.ts#Inputs" } });
    const result = await build(path.join(dir, "featc.config.json"));
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["FC1012", `code generation failed: shape 'escaping' named a file outside outDir: '../escaped.txt'`],
    ]);
    expect(fs.existsSync(path.join(dir, "escaped.txt"))).toBe(false);
    expect(path.relative(REPO, dir).startsWith("test")).toBe(true);
  }, 60_000);
});
