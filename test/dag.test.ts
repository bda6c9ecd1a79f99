/**
 * featc's own graph walks (ordering, cycle detection) checked against an independent graph
 * library: the reference catalog's targets as graphology graphs, whose algorithms must agree.
 */
import path from "node:path";
import { DirectedGraph } from "graphology";
import { hasCycle, topologicalSort } from "graphology-dag";
import { describe, expect, it } from "vitest";
import { analyze } from "../compiler/analyze.js";
import type { BuiltTarget } from "../compiler/model.js";
import { REPO } from "./support/workspace.js";

/** A target's DAG: edges from a dependency (a node, or `input:<name>`) to its consumer. */
function dagOf(target: BuiltTarget): DirectedGraph<{ kind: "node" | "input" }> {
  const dag = new DirectedGraph<{ kind: "node" | "input" }>({ allowSelfLoops: true });
  for (const f of target.inputs?.fields ?? []) if (!target.nodes.has(f.name)) dag.addNode(`input:${f.name}`, { kind: "input" });
  if (target.fittedInputs.length > 0) dag.mergeNode("input:fitted", { kind: "input" });
  for (const name of target.nodes.keys()) dag.addNode(name, { kind: "node" });
  for (const node of target.nodes.values()) {
    for (const dep of node.deps) {
      const from = dep.source.kind === "node" ? dep.source.name : dep.source.kind === "input" ? `input:${dep.source.name}` : undefined;
      if (from !== undefined && dag.hasNode(from) && !dag.hasEdge(from, node.name)) dag.addEdge(from, node.name);
    }
    if (node.kind === "fitted" && !dag.hasEdge("input:fitted", node.name)) dag.addEdge("input:fitted", node.name);
  }
  return dag;
}

describe("the target graphs", () => {
  it("agree with graphology: the reference catalog's edges, no cycle, and featc's order is a topological order", async () => {
    const analysis = await analyze(path.join(REPO, "featc.config.json"));
    expect(analysis.targets.map((t) => t.name).sort()).toEqual([
      "batch",
      "bigquery",
      "clickhouse",
      "duckdb",
      "online",
      "postgres",
      "spark",
    ]);
    for (const g of analysis.targets) {
      const dag = dagOf(g);
      expect(hasCycle(dag)).toBe(false);
      expect(g.unordered).toEqual([]);
      expect(
        topologicalSort(dag)
          .filter((n) => !n.startsWith("input:"))
          .sort(),
      ).toEqual([...g.order].sort());
      const position = new Map(g.order.map((n, i) => [n, i]));
      dag.forEachEdge((_, __, from, to) => {
        if (!from.startsWith("input:")) expect(position.get(from)!, `${from} before ${to}`).toBeLessThan(position.get(to)!);
      });
    }
    const online = dagOf(analysis.targets.find((t) => t.name === "online")!);
    expect(online.hasEdge("features", "predictions")).toBe(true);
    expect(online.hasEdge("input:model", "predictions")).toBe(true);
    expect(online.hasEdge("input:fitted", "age_mean")).toBe(true);
    expect(online.hasEdge("survey_results", "age")).toBe(true);
    expect(online.inDegree("age_normalized")).toBe(3);
  });
});
