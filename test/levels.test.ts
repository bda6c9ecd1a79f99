/**
 * The level rules of DESIGN.md §2, one fixture per rule under test/fixtures/levels/<case>/: a clean
 * catalog and an expected.json of `{ levels: { <target>: { <node>: level } }, passing? }` where a
 * level is "row-map" (row-level, called once per row), "row" (row-level, computed whole),
 * "table" (a table value off the row axis) or "scalar". `levels` lists every node of each
 * target. `passing` (optional) pins how chosen dependencies reach their parameter:
 * `{ <target>: { "<node>.<param>": "map" | "whole" | "value" } }`.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { analyze } from "../compiler/analyze.js";
import type { GraphNode } from "../compiler/model.js";
import { REPO } from "./support/workspace.js";

const ROOT = path.join(REPO, "test", "fixtures", "levels");

type LevelName = "row-map" | "row" | "table" | "scalar";

interface Expected {
  levels: Record<string, Record<string, LevelName>>;
  passing?: Record<string, Record<string, "map" | "whole" | "value">>;
}

function levelOf(node: GraphNode): LevelName {
  if (node.table) return "table";
  if (node.level === "row") return node.map ? "row-map" : "row";
  return "scalar";
}

const cases = fs
  .readdirSync(ROOT)
  .filter((name) => fs.existsSync(path.join(ROOT, name, "expected.json")))
  .sort();

describe("levels", () => {
  it("has fixtures", () => {
    expect(cases.length).toBeGreaterThanOrEqual(7);
  });

  for (const name of cases) {
    it(name, async () => {
      const dir = path.join(ROOT, name);
      const expected = JSON.parse(fs.readFileSync(path.join(dir, "expected.json"), "utf8")) as Expected;
      const analysis = await analyze(path.join(dir, "featc.config.json"));
      // Levels of a catalog with problems mean nothing: every level fixture is clean.
      expect(
        analysis.diagnostics.map(
          (d) => `${d.code} ${d.span ? `${path.relative(dir, d.span.file)}:${d.span.line}:${d.span.column}` : ""} ${d.message}`,
        ),
      ).toEqual([]);
      expect(analysis.targets.map((t) => t.name).sort()).toEqual(Object.keys(expected.levels).sort());

      for (const target of analysis.targets) {
        const actual = Object.fromEntries([...target.nodes.values()].map((n) => [n.name, levelOf(n)]));
        expect(actual, `levels of target '${target.name}'`).toEqual(expected.levels[target.name]);
        if (target.shape === "online")
          expect(
            Object.values(actual).every((l) => l === "scalar"),
            `online target '${target.name}' is all scalar`,
          ).toBe(true);

        for (const [where, passing] of Object.entries(expected.passing?.[target.name] ?? {})) {
          const [nodeName, param] = where.split(".") as [string, string];
          const dep = target.nodes.get(nodeName)?.deps.find((d) => d.param.name === param);
          expect(dep, `${target.name}: ${where} exists`).toBeDefined();
          expect(dep!.passing, `${target.name}: how '${param}' reaches '${nodeName}'`).toBe(passing);
        }
      }
    });
  }
});
