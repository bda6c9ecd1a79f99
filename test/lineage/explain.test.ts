/**
 * `featc explain NODE`: description, type and level per target, the variant each target uses and
 * where it is defined, checks and tags, transitive upstream and downstream — as text and JSON.
 */
import { describe, expect, it } from "vitest";
import type { Explanation } from "../../compiler/lineage/explain.js";
import { MIXED, featc } from "./cli.js";

async function explainJson(...args: string[]): Promise<Explanation> {
  const run = await featc("explain", "-c", MIXED, "--format", "json", ...args);
  expect(run.code, run.err).toBe(0);
  return JSON.parse(run.out) as Explanation;
}

describe("featc explain", () => {
  it("gives the variant each target uses, with its file and line, and the node's lineage per target", async () => {
    const e = await explainJson("bonus");
    expect(e.description).toBe("The bonus of each person: a join of the id column with the bonus table.");
    const [batch, online] = e.targets;
    expect(batch).toMatchObject({
      target: "batch",
      present: true,
      type: "number",
      level: "row",
      definedBy: { exportName: "bonus__batch", file: "catalog/loaders.ts", line: 33, variant: true },
    });
    expect(online).toMatchObject({
      target: "online",
      present: true,
      type: "number",
      level: "entity",
      async: true,
      definedBy: { exportName: "bonus__online", file: "catalog/loaders.ts", line: 40, variant: true },
    });
    expect(batch!.dependsOn).toEqual({ inputs: [], features: ["id", "bonus_table"] });
    expect(batch!.upstream).toEqual({ inputs: ["store", "rows"], features: ["bonus_table", "people", "id"] });
    expect(online!.dependsOn).toEqual({ inputs: ["store", "id"], features: [] });
    expect(online!.upstream).toEqual({ inputs: ["store", "id"], features: [] });
    // What changes if bonus changes: age_plus, then total; online declares its outputs, batch does not.
    expect(batch!.downstream.features).toEqual(["age_plus", "total"]);
    expect(batch!.downstream.outputs).toEqual(["bonus", "age_plus", "total"]);
    expect(online!.downstream).toEqual({ features: ["age_plus", "total"], outputs: ["total"] });
  });

  it("shows @fitted (computed in batch, read online), checks and tags", async () => {
    const e = await explainJson("score_mean");
    expect(e.targets.map((t) => [t.target, t.fitted, t.kind])).toEqual([
      ["batch", "compute", "function"],
      ["online", "read", "fitted"],
    ]);
    expect(e.targets[1]!.upstream).toEqual({ inputs: ["fitted"], features: [] });
    expect(e.targets[0]!.tags).toEqual(["@fitted"]);
    const total = await explainJson("total");
    expect(total.targets[0]!.checks).toEqual(["notNull"]);
    const above = await explainJson("above");
    expect(above.targets[0]!.checks).toEqual(["_positive warn"]);
  });

  it("says in which target a node is missing, and explains inputs", async () => {
    const e = await explainJson("count_above");
    expect(e.targets.map((t) => t.present)).toEqual([true, false]);
    const input = await explainJson("threshold", "--target", "online");
    expect(input.targets).toHaveLength(1);
    expect(input.targets[0]).toMatchObject({
      kind: "input",
      type: "number",
      declaredAt: { file: "catalog/inputs.ts", line: 14 },
      downstream: { features: ["above"], outputs: ["above"] },
    });
  });

  it("prints the same for people", async () => {
    const run = await featc("explain", "-c", MIXED, "people");
    expect(run.code, run.err).toBe(0);
    const text = run.out;
    expect(text.split("\n")[0]).toBe("people — Every person, as columns.");
    expect(text).toContain("target batch (batch): feature, Table<Person>, table, async\n  variant people__batch at catalog/loaders.ts:7");
    expect(text).toContain(
      "target online (online): feature, Person, entity, async\n  variant people__online at catalog/loaders.ts:14\n  description: One person.",
    );
    expect(text).toContain("  tags: @when mode=online @extract age name score");
    expect(text).toContain("  upstream inputs: store, id\n");
    expect(text).toMatch(/target online[\s\S]*outputs affected: name_kind, total, above/);
  });

  it("exits 1 for an unknown node, with the nearest name", async () => {
    const run = await featc("explain", "-c", MIXED, "scor_mean");
    expect(run.code).toBe(1);
    expect(run.err).toContain("'scor_mean' is not a node or an input of any target. Did you mean 'score_mean'?");
    const json = await featc("explain", "-c", MIXED, "--format", "json", "totl");
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({ suggestion: "total" });
    const none = await featc("explain", "-c", MIXED, "zzzzzzzzzz");
    expect(none.code).toBe(1);
    expect(none.err).not.toContain("Did you mean");
  });
});
