/**
 * Phase 2: one graph per target. Picks the variant of each node that the target's config
 * selects, expands `@extract`, wires parameters to nodes or inputs, orders the DAG, and infers
 * the level (row-level or scalar) of every value under the shape's level rules (`rows`).
 */
import { MinHeap } from "../heap.js";
import { diagnostics, type Diagnostic, type Span } from "../diagnostics.js";
import type { TargetConfig } from "../config.js";
import type {
  BuiltTarget,
  Catalog,
  Condition,
  ConfigValue,
  Dep,
  DepSource,
  FunctionFact,
  GraphNode,
  Level,
  LevelRules,
  Passing,
  TypeInfo,
} from "../model.js";
import { windowDeps, windowHistories } from "./window.js";

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

/** A node before its dependencies are wired and its level is known. */
interface Draft {
  readonly name: string;
  readonly kind: GraphNode["kind"];
  readonly fn: FunctionFact;
  readonly extractOf?: string;
  readonly field?: string;
  readonly valueType: TypeInfo;
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

  const drafts = new Map<string, Draft>();
  const fittedInputs: string[] = [];
  const names = [...producers.keys()].sort();
  for (const name of names) {
    const fn = producers.get(name)![0]!;
    const fitted = fn.fitted && target.fitted === "read";
    if (fitted) fittedInputs.push(name);
    drafts.set(name, { name, kind: fitted ? "fitted" : "function", fn, valueType: fn.returns });
  }
  if (fittedInputs.length > 0) inputTypes.delete("fitted");

  // @extract: every listed field of the producer's value becomes a node of its own.
  const extractSpans = new Map<string, Span>();
  for (const name of names) {
    const owner = drafts.get(name)!;
    const extract = owner.fn.extract;
    if (!extract) continue;
    if (!extract.row) {
      problems.push(diagnostics.extractNeedsObject(target.name, owner.fn.exportName, owner.fn.returns.text, extract.span));
      continue;
    }
    const { type: rowType, fields } = extract.row;
    const wanted = extract.fields ?? fields.map((f) => ({ name: f.name, span: extract.span }));
    for (const want of wanted) {
      const field = fields.find((f) => f.name === want.name);
      if (!field) {
        problems.push(
          diagnostics.extractUnknownField(
            target.name,
            want.name,
            rowType.text,
            owner.fn.exportName,
            fields.map((f) => f.name),
            want.span,
          ),
        );
        continue;
      }
      const clash = drafts.get(field.name);
      if (clash) {
        const other = { kind: clash.kind === "extract" ? ("field" as const) : ("feature" as const), name: clash.fn.exportName };
        problems.push(diagnostics.extractCollides(target.name, field.name, owner.fn.exportName, other, want.span));
        continue;
      }
      if (inputTypes.has(field.name)) {
        problems.push(
          diagnostics.extractCollides(target.name, field.name, owner.fn.exportName, { kind: "input", name: field.name }, want.span),
        );
        continue;
      }
      drafts.set(field.name, {
        name: field.name,
        kind: "extract",
        fn: owner.fn,
        extractOf: name,
        field: field.name,
        valueType: field.type,
      });
      extractSpans.set(field.name, want.span);
    }
  }

  // Every name is known now: wire each parameter to a node or an input.
  const sourceOf = (name: string): DepSource =>
    drafts.has(name) ? { kind: "node", name } : inputTypes.has(name) ? { kind: "input", name } : { kind: "unknown" };
  const histories = levels === "entity" ? windowHistories([...drafts.values()].flatMap((d) => (d.kind === "function" ? [d.fn] : []))) : [];
  const wired = new Map<string, readonly WiredDep[]>();
  for (const d of drafts.values()) {
    if (d.kind === "function" && d.fn.window) wired.set(d.name, windowDeps(d.fn, d.fn.window, levels, sourceOf, histories));
    else if (d.kind === "function")
      wired.set(
        d.name,
        d.fn.params.map((param) => ({ param, source: sourceOf(param.binds ?? param.name) })),
      );
    else if (d.kind === "extract") {
      const owner = drafts.get(d.extractOf!)!;
      wired.set(d.name, [
        {
          param: { name: d.extractOf!, index: 0, type: owner.fn.returns, span: extractSpans.get(d.name)! },
          source: { kind: "node", name: d.extractOf! },
        },
      ]);
    } else wired.set(d.name, []);
  }

  const order = topologicalOrder(wired);
  const ordered = new Set(order);
  const unordered = [...drafts.keys()].filter((n) => !ordered.has(n)).sort();
  const level = levels === "rows" ? inferLevels(order, drafts, wired, inputTypes) : new Map<string, NodeLevel>();

  const nodes = new Map<string, GraphNode>();
  for (const d of drafts.values()) {
    const l = level.get(d.name);
    const deps = wired.get(d.name)!.map((w, i): Dep => ({ ...w, passing: l?.passing[i] ?? "value" }));
    nodes.set(d.name, {
      name: d.name,
      kind: d.kind,
      fn: d.fn,
      ...(d.kind === "extract" ? { extractOf: d.extractOf, field: d.field } : {}),
      deps,
      valueType: l?.valueType ?? d.valueType,
      level: l?.level ?? "scalar",
      map: l?.map ?? false,
      table: l?.table ?? false,
      async: d.kind === "function" && d.fn.async,
      checks: d.kind === "extract" ? [] : d.fn.checks,
    });
  }

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
    windowHistories: histories,
    nodes,
    producers,
    order,
    outputs,
    unordered,
  };
}

/** A dependency once wired, before its passing is known. */
type WiredDep = Omit<Dep, "passing">;

/** Kahn's algorithm with the node name as the tie-break, so the order is deterministic. */
function topologicalOrder(deps: ReadonlyMap<string, readonly { readonly source: DepSource }[]>): string[] {
  const indegree = new Map<string, number>();
  const consumers = new Map<string, string[]>();
  for (const [name, list] of deps) {
    const sources = new Set<string>();
    for (const d of list) if (d.source.kind === "node") sources.add(d.source.name);
    indegree.set(name, sources.size);
    for (const s of sources) {
      const consumersOfS = consumers.get(s);
      if (consumersOfS) consumersOfS.push(name);
      else consumers.set(s, [name]);
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

/** What the level rules decide for one node. */
interface NodeLevel {
  readonly level: Level;
  /** Row-level and computed once per row inside a fused loop. */
  readonly map: boolean;
  /** A scalar holding a Table that is not on the row axis. */
  readonly table: boolean;
  /** For a function returning Column<U>: U, the type of one row's value. */
  readonly valueType?: TypeInfo;
  /** How each dependency reaches its parameter, by parameter position. */
  readonly passing: readonly Passing[];
}

/**
 * Levels under the `rows` rules (DESIGN §2), a pure pass in topological order: a parameter whose
 * type is the element type of a row-level dependency is a map parameter and makes its function
 * row-level; Column/Table parameters receive values whole; a function returning Column<U> is
 * row-level; fields of a table (or of a row-level object) are row-level.
 */
function inferLevels(
  order: readonly string[],
  nodes: ReadonlyMap<string, Pick<Draft, "kind" | "fn" | "extractOf">>,
  deps: ReadonlyMap<string, readonly WiredDep[]>,
  inputTypes: ReadonlyMap<string, TypeInfo>,
): Map<string, NodeLevel> {
  const out = new Map<string, NodeLevel>();
  const rowLevel = (source: DepSource): boolean => {
    if (source.kind === "node") return out.get(source.name)?.level === "row";
    if (source.kind === "input") return inputTypes.get(source.name)!.container === "column";
    return false;
  };
  const scalar: NodeLevel = { level: "scalar", map: false, table: false, passing: [] };
  for (const name of order) {
    const node = nodes.get(name)!;
    const returns = node.fn.returns;
    if (node.kind === "fitted") {
      out.set(name, scalar);
      continue;
    }
    if (node.kind === "extract") {
      const owner = out.get(node.extractOf!)!;
      const passing = ["value" as const];
      out.set(
        name,
        owner.table
          ? { ...scalar, level: "row", passing }
          : owner.level === "row"
            ? { ...scalar, level: "row", map: true, passing }
            : { ...scalar, passing },
      );
      continue;
    }
    const passing = deps
      .get(name)!
      .map((d): Passing => (!rowLevel(d.source) ? "value" : d.param.type.container === "none" && !node.fn.window ? "map" : "whole"));
    // A window's row depends on other rows of its entity: row-level, computed over whole columns.
    if (node.fn.window) out.set(name, { level: "row", map: false, table: false, passing });
    else if (passing.includes("map")) out.set(name, { level: "row", map: true, table: false, passing });
    else if (returns.container === "column")
      out.set(name, { level: "row", map: false, table: false, passing, ...(returns.element ? { valueType: returns.element } : {}) });
    else out.set(name, { level: "scalar", map: false, table: returns.container === "table", passing });
  }
  return out;
}
