/**
 * The executor's schedule and the batch loop layout, on plain data: no catalog, no compiler run.
 */
import { describe, expect, it } from "vitest";
import type { BuiltTarget, Dep, FunctionFact, GraphNode, Passing } from "../compiler/model.js";
import { batchUnits, layoutLoops } from "../compiler/shapes/batch/loops.js";
import { schedule, type Step, type Unit } from "../compiler/shapes/executor/schedule.js";

const unit = (id: string, deps: string[], priority: number, async = false): Unit => ({ id, deps, priority, async });
const show = (steps: readonly Step[]) => steps.map((s) => `${s.kind} ${s.unit}`);

describe("schedule", () => {
  it("runs synchronous units in dependency order, priority breaking ties", () => {
    const units = [unit("c", ["a", "b"], 0), unit("b", [], 2), unit("a", [], 1)];
    expect(show(schedule(units))).toEqual(["run a", "run b", "run c"]);
  });

  it("starts independent async calls together and awaits each just before its first use", () => {
    const units = [
      unit("x", [], 0, true),
      unit("y", [], 1, true),
      unit("s", [], 2),
      unit("ux", ["x"], 3),
      unit("uy", ["y"], 4),
      unit("z", ["ux", "uy"], 5),
    ];
    expect(show(schedule(units))).toEqual(["start x", "start y", "run s", "await x", "run ux", "await y", "run uy", "run z"]);
  });

  it("starts an async call as soon as its inputs exist, before unrelated synchronous work", () => {
    const units = [unit("a", [], 0), unit("b", [], 1), unit("fetch", ["a"], 2, true), unit("use", ["fetch", "b"], 3)];
    expect(show(schedule(units))).toEqual(["run a", "start fetch", "run b", "await fetch", "run use"]);
  });

  it("ignores dependencies outside the units and a unit's dependency on itself", () => {
    expect(show(schedule([unit("a", ["outside", "a"], 0)]))).toEqual(["run a"]);
  });

  it("gives the same steps whatever the order of the units", () => {
    const units = [unit("p", [], 0, true), unit("q", ["p"], 1), unit("r", [], 2), unit("s", ["q", "r"], 3, true), unit("t", ["s"], 4)];
    const expected = show(schedule(units));
    expect(show(schedule([...units].reverse()))).toEqual(expected);
    expect(expected).toEqual(["start p", "run r", "await p", "run q", "start s", "await s", "run t"]);
  });
});

/** A batch target from plain node descriptions: name, map or not, dependencies with how they pass. */
function target(nodes: { name: string; map?: boolean; deps?: [string, Passing][] }[]): BuiltTarget {
  const fn = { exportName: "f", file: "f.ts", async: false } as FunctionFact;
  const graphNodes = new Map<string, GraphNode>(
    nodes.map((n) => [
      n.name,
      {
        name: n.name,
        kind: "function",
        fn,
        deps: (n.deps ?? []).map(([name, passing]): Dep => ({
          param: { name, index: 0, type: fn.returns, span: { file: "f.ts", line: 1, column: 1, length: 1 } },
          source: { kind: "node", name },
          passing,
        })),
        valueType: fn.returns,
        level: n.map ? "row" : "scalar",
        map: n.map ?? false,
        table: false,
        async: false,
        checks: [],
      },
    ]),
  );
  return {
    name: "t",
    shape: "batch",
    levels: "rows",
    options: {},
    fitted: "compute",
    config: {},
    fittedInputs: [],
    windowHistories: [],
    nodes: graphNodes,
    producers: new Map(),
    order: nodes.map((n) => n.name),
    outputs: nodes.map((n) => n.name),
    unordered: [],
  };
}

describe("batch loop layout", () => {
  // rows (a column) → a, b (map) → mean (aggregates a whole) → c (map, uses a and mean) ; d (map over b)
  const g = target([
    { name: "a", map: true },
    { name: "b", map: true },
    { name: "mean", deps: [["a", "whole"]] },
    {
      name: "c",
      map: true,
      deps: [
        ["a", "map"],
        ["mean", "value"],
      ],
    },
    { name: "d", map: true, deps: [["b", "map"]] },
  ]);

  it("fuses map nodes into one loop per stage; an aggregate of a loop's column waits for it", () => {
    const layout = layoutLoops(g);
    expect(Object.fromEntries(layout.stage)).toEqual({ a: 0, b: 0, mean: 1, c: 1, d: 0 });
    expect(layout.loops.map((l) => [l.id, l.index, l.members])).toEqual([
      ["loop:0", 0, ["a", "b", "d"]],
      ["loop:1", 1, ["c"]],
    ]);
    expect(layout.loopOf.get("d")!.id).toBe("loop:0");
    // a's column is read by the aggregate and by the next loop; b's only inside its own loop.
    expect(Object.fromEntries(layout.outsideConsumers)).toEqual({ a: ["mean", "c"] });
  });

  it("schedules loops as units: the first loop, then the aggregate, then the loop that needs it", () => {
    const layout = layoutLoops(g);
    const { units, loops } = batchUnits(g, layout, new Set(g.order), false);
    expect(units.map((u) => [u.id, [...u.deps].sort()])).toEqual([
      ["loop:0", []],
      ["mean", ["loop:0"]],
      ["loop:1", ["loop:0", "mean"]],
    ]);
    expect(show(schedule(units))).toEqual(["run loop:0", "run mean", "run loop:1"]);
    // Only what is included is laid out: without d and c, the second loop disappears.
    const some = batchUnits(g, layout, new Set(["a", "b", "mean"]), false);
    expect(some.loops.map((l) => l.members)).toEqual([["a", "b"]]);
    expect(loops.length).toBe(2);
  });
});
