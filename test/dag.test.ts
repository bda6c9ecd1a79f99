/** The graphology view of a target's DAG (built on demand for tools that want a graph library's algorithms). */
import path from "node:path";
import { hasCycle, topologicalSort } from "graphology-dag";
import { describe, expect, it } from "vitest";
import { analyze } from "../compiler/analyze.js";
import { dagOf } from "../compiler/graph/build.js";
import { REPO } from "./support/workspace.js";

describe("dagOf", () => {
  it("has the reference catalog's nodes, inputs and dependency edges, and is acyclic", async () => {
    const analysis = await analyze(path.join(REPO, "featc.config.json"));
    const online = analysis.targets.find((t) => t.name === "online")!;
    const dag = dagOf(online);
    expect(dag).toBe(dagOf(online));
    expect(dag.hasEdge("features", "predictions")).toBe(true);
    expect(dag.hasEdge("input:model", "predictions")).toBe(true);
    expect(dag.hasEdge("input:fitted", "age_mean")).toBe(true);
    expect(dag.hasEdge("survey_results", "age")).toBe(true);
    expect(dag.inDegree("age_normalized")).toBe(3);
    expect(hasCycle(dag)).toBe(false);
    const order = topologicalSort(dag);
    expect(order.indexOf("features")).toBeLessThan(order.indexOf("predictions"));
    expect(dag.filterNodes((_, a) => a.kind === "node").sort()).toEqual([...online.nodes.keys()].sort());
  });
});
