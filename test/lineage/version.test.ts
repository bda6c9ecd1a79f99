/**
 * `featc version`: content hashes of each target's graph and each node. Whitespace, comments,
 * descriptions and moving code leave every hash alone; a code change changes the node and
 * everything downstream of it (and nothing upstream); a wiring change — the same function whose
 * parameter now binds to a node instead of an input — changes the consumer too.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TargetVersion } from "../../compiler/lineage/version.js";
import { REPO, removeWorkspace, workspace } from "../support/workspace.js";
import { featc } from "./cli.js";

/** The emit fixture's catalog, with the lineage config (it declares the online outputs). */
const FIXTURE = path.join(REPO, "test", "fixtures", "emit", "mixed");
let dir: string;
let baseline: Versions;

interface Versions {
  graph: Record<string, string>;
  node: Record<string, Record<string, string>>;
  text: string;
}

async function versions(): Promise<Versions> {
  const run = await featc("version", "-c", path.join(dir, "lineage.config.json"), "--format", "json");
  expect(run.code, run.err).toBe(0);
  const targets = (JSON.parse(run.out) as { format: string; targets: TargetVersion[] }).targets;
  return {
    graph: Object.fromEntries(targets.map((t) => [t.target, t.hash])),
    node: Object.fromEntries(targets.map((t) => [t.target, Object.fromEntries(t.vertices.map((v) => [v.id, v.hash]))])),
    text: run.out,
  };
}

function edit(rel: string, change: (text: string) => string): () => void {
  const file = path.join(dir, rel);
  const before = fs.readFileSync(file, "utf8");
  const after = change(before);
  expect(after, `the edit of ${rel} changed nothing`).not.toBe(before);
  fs.writeFileSync(file, after);
  return () => fs.writeFileSync(file, before);
}

const changedIds = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(b)
    .filter((id) => a[id] !== b[id])
    .sort();

beforeAll(async () => {
  dir = workspace("lineage-version", FIXTURE);
  baseline = await versions();
});
afterAll(() => removeWorkspace(dir));

describe("featc version", () => {
  it("prints a hash per target and per node, the same on every run", async () => {
    expect(Object.keys(baseline.graph)).toEqual(["batch", "online"]);
    expect(baseline.graph.batch).toMatch(/^[0-9a-f]{16}$/);
    expect(baseline.graph.batch).not.toBe(baseline.graph.online);
    expect(Object.keys(baseline.node.batch!)).toContain("input:weights");
    expect(Object.keys(baseline.node.batch!)).toContain("share_gap");
    expect((await versions()).text).toBe(baseline.text);
    const human = await featc("version", "-c", path.join(dir, "lineage.config.json"), "-t", "online");
    expect(human.out.split("\n")[0]).toBe(`target online (online)  ${baseline.graph.online}`);
    expect(human.out).toMatch(new RegExp(`\\n {2}total +${baseline.node.online!.total}(\\n|$)`));
  });

  it("is unchanged by whitespace, comments, descriptions and moved code", async () => {
    const undo = edit("catalog/features.ts", (t) =>
      [
        "// a new comment that shifts every line\n\n",
        t
          .replace("return (score - score_mean) * weights;", "return (score  -  score_mean)   *  weights; // centred")
          .replace("/** Score weighted and centred. */", "/** Score, weighted and centred around the population mean. */")
          .replace(
            "/** @check notNull */\nexport function total(sum: number, diff: number, age_plus: number): number {\n  return sum * 0.5 + diff * 0.25 + age_plus / 3;\n}\n",
            "",
          ),
        "\n/** @check notNull */\nexport function total(\n  sum: number,\n  diff: number,\n  age_plus: number,\n): number {\n  /* same sum */ return sum * 0.5 + diff * 0.25 + age_plus / 3\n}\n",
      ].join(""),
    );
    try {
      expect((await versions()).text).toBe(baseline.text);
    } finally {
      undo();
    }
  });

  it("changes for a code change: the node and its downstream, not its upstream", async () => {
    const undo = edit("catalog/features.ts", (t) =>
      t.replace("return (score - score_mean) * weights;", "return (score - score_mean) * weights * 2;"),
    );
    try {
      const after = await versions();
      expect(changedIds(baseline.node.batch!, after.node.batch!)).toEqual(["above", "count_above", "share_gap", "weighted"]);
      expect(changedIds(baseline.node.online!, after.node.online!)).toEqual(["above", "weighted"]);
      expect(after.graph.batch).not.toBe(baseline.graph.batch);
      expect(after.graph.online).not.toBe(baseline.graph.online);
    } finally {
      undo();
    }
  });

  it("changes for a wiring change: a parameter that now reads a node instead of an input", async () => {
    // `above(weighted, threshold)` keeps its code; `threshold` stops being an input of batch and
    // becomes a feature computed from `rows`.
    const undoInputs = edit("catalog/inputs.ts", (t) =>
      t.replace("  rows: number;\n  threshold: number;\n  weights: Column<number>;", "  rows: number;\n  weights: Column<number>;"),
    );
    const undoFeature = edit(
      "catalog/features.ts",
      (t) => `${t}\n/** @when mode=batch */\nexport function threshold__batch(rows: number): number {\n  return rows / 2;\n}\n`,
    );
    try {
      const after = await versions();
      expect(changedIds(baseline.node.batch!, after.node.batch!)).toEqual(["above", "count_above", "share_gap", "threshold"]);
      expect(after.node.batch!["input:threshold"]).toBeUndefined();
      expect(after.graph.batch).not.toBe(baseline.graph.batch);
      expect(after.graph.online, "online is wired as before").toBe(baseline.graph.online);
    } finally {
      undoFeature();
      undoInputs();
    }
  });

  it("changes the graph's hash, not the nodes', when the public outputs change", async () => {
    const undo = edit("lineage.config.json", (t) =>
      t.replace(`"outputs": ["total", "above", "name_kind"]`, `"outputs": ["total", "above"]`),
    );
    try {
      const after = await versions();
      expect(after.node.online).toEqual(baseline.node.online);
      expect(after.graph.online).not.toBe(baseline.graph.online);
    } finally {
      undo();
    }
  });
});
