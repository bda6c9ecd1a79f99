/**
 * Phase 2: one graph per target. Picks the variant of each node that the target's config
 * selects, expands `@extract`, wires parameters to nodes or inputs, orders the DAG, and infers
 * the level (row-level or scalar) of every value in batch targets.
 */
import { DirectedGraph } from "graphology";
import { MinHeap } from "../heap.js";
import { diagnostics, type Diagnostic } from "../diagnostics.js";
import type { TargetConfig } from "../config.js";
import type { BuiltTarget, Catalog, Condition, ConfigValue, Dep, DepSource, FieldInfo, FunctionFact, GraphNode, LevelRules, TypeInfo } from "../model.js";

export type DagGraph = DirectedGraph<{ kind: "node" | "input" }>;

/** Whether a function's `@when`/`@whenNot`/`@whenIn` tags select it for this config. */
export function selects(conditions: readonly Condition[], config: Readonly<Record<string, ConfigValue>>): boolean {
  for (const c of conditions) {
    const v = config[c.key];
    const actual = v === undefined ? undefined : String(v);
    if (c.kind === "when" && actual !== c.value) return false;
    if (c.kind === "whenNot" && actual === c.value) return false;
    if (c.kind === "whenIn" && (actual === undefined || !c.values.includes(actual))) return false;
  }
  return true;
}

function byPosition(a: FunctionFact, b: FunctionFact): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.span.line - b.span.line || a.span.column - b.span.column;
}

/** Builds the graph of one target under its shape's level rules; extract problems are added to `problems`. */
export function buildTargetGraph(target: TargetConfig, levels: LevelRules, catalog: Catalog, problems: Diagnostic[]): BuiltTarget {
  const producers = new Map<string, FunctionFact[]>();
  for (const fn of catalog.functions) {
    if (!selects(fn.conditions, target.config)) continue;
    const list = producers.get(fn.nodeName);
    if (list) list.push(fn);
    else producers.set(fn.nodeName, [fn]);
  }
  for (const list of producers.values()) list.sort(byPosition);

  const inputsFact = catalog.inputs.get(target.name);
  const inputTypes = new Map<string, TypeInfo>();
  for (const f of inputsFact?.fields ?? []) inputTypes.set(f.name, f.type);

  const nodes = new Map<string, GraphNode>();
  const fittedInputs: string[] = [];
  const names = [...producers.keys()].sort();
  for (const name of names) {
    const fn = producers.get(name)![0]!;
    if (fn.fitted && target.fitted === "read") {
      fittedInputs.push(name);
      nodes.set(name, newNode(name, "fitted", fn, [], fn.returns));
      continue;
    }
    const deps: Dep[] = fn.params.map((param) => ({ param, source: { kind: "unknown" }, passing: "value" }));
    nodes.set(name, newNode(name, "function", fn, deps, fn.returns));
  }
  if (fittedInputs.length > 0) inputTypes.delete("fitted");

  // @extract: every listed field of the producer's value becomes a node of its own.
  for (const name of names) {
    const owner = nodes.get(name)!;
    const extract = owner.fn.extract;
    if (!extract) continue;
    const value = owner.fn.returns;
    const rowType = value.container === "table" ? value.element : value.container === "column" ? undefined : value;
    const fields: readonly FieldInfo[] | undefined = rowType ? catalog.oracle.fields(rowType.ref) : undefined;
    if (!fields) {
      problems.push(diagnostics.badExtract(`@extract on '${owner.fn.exportName}' needs an object or Table return type, not '${value.text}'`, extract.span, target.name));
      continue;
    }
    const wanted = extract.fields ?? fields.map((f) => ({ name: f.name, span: extract.span }));
    for (const want of wanted) {
      const field = fields.find((f) => f.name === want.name);
      if (!field) {
        problems.push(diagnostics.badExtract(`@extract names '${want.name}', but '${rowType!.text}' (returned by '${owner.fn.exportName}') has no such field; it has ${fields.map((f) => f.name).join(", ") || "no fields"}`, want.span, target.name));
        continue;
      }
      const clash = nodes.get(field.name);
      if (clash) {
        problems.push(diagnostics.badExtract(`field '${field.name}' extracted from '${owner.fn.exportName}' collides with ${clash.kind === "extract" ? `the field extracted from '${clash.fn.exportName}'` : `the feature '${clash.fn.exportName}'`} in target '${target.name}'`, want.span, target.name));
        continue;
      }
      if (inputTypes.has(field.name)) {
        problems.push(diagnostics.badExtract(`field '${field.name}' extracted from '${owner.fn.exportName}' collides with the input '${field.name}' of target '${target.name}'`, want.span, target.name));
        continue;
      }
      const dep: Dep = { param: { name, index: 0, type: value, span: want.span }, source: { kind: "node", name }, passing: "value" };
      nodes.set(field.name, { ...newNode(field.name, "extract", owner.fn, [dep], field.type), extractOf: name, field: field.name });
    }
  }

  for (const node of nodes.values()) {
    if (node.kind !== "function") continue;
    for (const dep of node.deps) {
      const name = dep.param.name;
      const source: DepSource = nodes.has(name) ? { kind: "node", name } : inputTypes.has(name) ? { kind: "input", name } : { kind: "unknown" };
      (dep as { source: DepSource }).source = source;
    }
  }

  const order = topologicalOrder(nodes);
  const ordered = new Set(order);
  const unordered = [...nodes.keys()].filter((n) => !ordered.has(n)).sort();
  if (levels === "rows") inferLevels(order, nodes, inputTypes);

  const outputs = target.outputs ? target.outputs.map((o) => o.name).filter((o) => nodes.has(o)) : [...nodes.keys()].sort();
  return {
    name: target.name,
    shape: target.shape,
    levels,
    options: target.options,
    fitted: target.fitted,
    config: target.config,
    inputs: inputsFact,
    fittedInputs,
    nodes,
    producers,
    order,
    outputs,
    unordered,
  };
}

const dags = new WeakMap<BuiltTarget, DagGraph>();

/**
 * The target's DAG as a graphology graph, built on first use (the compile path does not need
 * it): edges point from a dependency to its consumer; inputs are vertices named `input:<name>`.
 */
export function dagOf(target: BuiltTarget): DagGraph {
  let dag = dags.get(target);
  if (dag) return dag;
  dag = new DirectedGraph({ allowSelfLoops: true });
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
  dags.set(target, dag);
  return dag;
}

function newNode(name: string, kind: GraphNode["kind"], fn: FunctionFact, deps: Dep[], valueType: TypeInfo): GraphNode {
  return {
    name,
    kind,
    fn,
    deps,
    valueType,
    level: "scalar",
    map: false,
    table: false,
    async: kind === "function" && fn.async,
    checks: kind === "function" || kind === "fitted" ? fn.checks : [],
  };
}

/** Kahn's algorithm with the node name as the tie-break, so the order is deterministic. */
export function topologicalOrder(nodes: ReadonlyMap<string, GraphNode>): string[] {
  const indegree = new Map<string, number>();
  const consumers = new Map<string, string[]>();
  for (const node of nodes.values()) {
    const sources = new Set(node.deps.filter((d) => d.source.kind === "node").map((d) => (d.source as { name: string }).name));
    indegree.set(node.name, sources.size);
    for (const s of sources) {
      const list = consumers.get(s);
      if (list) list.push(node.name);
      else consumers.set(s, [node.name]);
    }
  }
  const heap = new MinHeap<string>((a, b) => a < b);
  for (const [name, d] of indegree) if (d === 0) heap.push(name);
  const order: string[] = [];
  while (heap.size > 0) {
    const name = heap.pop();
    order.push(name);
    for (const c of consumers.get(name) ?? []) {
      const d = indegree.get(c)! - 1;
      indegree.set(c, d);
      if (d === 0) heap.push(c);
    }
  }
  return order;
}

/**
 * Levels in a batch target (DESIGN §2): a parameter whose type is the element type of a
 * row-level dependency is a map parameter, and makes its function row-level; Column/Table
 * parameters receive values whole; a function returning Column<U> is row-level.
 */
function inferLevels(order: readonly string[], nodes: Map<string, GraphNode>, inputTypes: ReadonlyMap<string, TypeInfo>): void {
  const rowLevel = (source: DepSource): boolean => {
    if (source.kind === "node") return nodes.get(source.name)!.level === "row";
    if (source.kind === "input") return inputTypes.get(source.name)!.container === "column";
    return false;
  };
  for (const name of order) {
    const node = nodes.get(name)!;
    const returns = node.fn.returns;
    if (node.kind === "fitted") continue;
    if (node.kind === "extract") {
      const owner = nodes.get(node.extractOf!)!;
      if (owner.table) node.level = "row";
      else if (owner.level === "row") {
        node.level = "row";
        node.map = true;
      }
      continue;
    }
    let map = false;
    for (const dep of node.deps) {
      if (!rowLevel(dep.source)) dep.passing = "value";
      else if (dep.param.type.container === "none") {
        dep.passing = "map";
        map = true;
      } else dep.passing = "whole";
    }
    if (map) {
      node.level = "row";
      node.map = true;
    } else if (returns.container === "column") {
      node.level = "row";
      if (returns.element) node.valueType = returns.element;
    } else if (returns.container === "table") {
      node.table = true;
    }
  }
}
