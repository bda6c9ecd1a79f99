/**
 * Phase 3: every rule of DESIGN.md §3 that holds for every shape, over one target's graph (a
 * shape's own rules are its `validate`, run after these). Rules only read the graph and
 * return diagnostics, so a catalog with many problems reports all of them at once.
 */
import { checkWindows } from "../graph/window.js";
import path from "node:path";
import { diagnostics, nearestName, type Diagnostic } from "../diagnostics.js";
import type { TargetConfig } from "../config.js";
import type { BuiltTarget, Catalog, Dep, GraphNode, TypeInfo, TypeOracle } from "../model.js";

export interface ValidateContext {
  readonly rootDir: string;
  /** Targets (other than this one) that produce a node of the given name. */
  readonly producedIn: (name: string) => readonly string[];
  readonly oracle: TypeOracle;
}

export function validateTarget(g: BuiltTarget, target: TargetConfig, catalog: Catalog, ctx: ValidateContext): Diagnostic[] {
  return [
    ...checkProducers(g, ctx),
    ...checkUnknownDependencies(g, ctx),
    ...checkCycles(g),
    ...checkTypes(g, ctx.oracle),
    ...checkOutputs(g, target),
    ...checkFitted(g),
    ...checkCheckTags(g, catalog, ctx.oracle),
    ...checkUnusedInputs(g),
    ...checkWindows(g),
    ...(g.nodes.size === 0 ? [diagnostics.emptyTarget(g.name, target.span)] : []),
  ];
}

/**
 * Generated modules import catalog files by relative specifier, which Node reads as a URL and
 * TypeScript as a path: `#` and `?` start a fragment or query for Node, `%` starts an escape and
 * `\\` is a separator; no spelling satisfies both, so such a file name is refused (FC1010).
 */
export function checkCatalogFileNames(files: readonly string[], rootDir: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const file of files) {
    const where = path.relative(rootDir, file).split(path.sep).join("/");
    const bad = /[#?%\\]/.exec(where);
    if (!bad) continue;
    out.push(diagnostics.unimportableFileName(where, bad[0], { file, line: 1, column: 1, length: 1 }));
  }
  return out;
}

function where(file: string, line: number, ctx: ValidateContext): string {
  return `${path.relative(ctx.rootDir, file).replace(/\\/g, "/")}:${line}`;
}

function checkProducers(g: BuiltTarget, ctx: ValidateContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [name, list] of g.producers) {
    if (list.length > 1) {
      list.forEach((fn, i) => {
        const others = list.filter((_, j) => j !== i).map((o) => `'${o.exportName}' at ${where(o.file, o.span.line, ctx)}`);
        out.push(diagnostics.duplicateProducer(g.name, name, fn.span, others));
      });
    }
    const input = g.inputs?.fields.find((f) => f.name === name);
    if (input)
      out.push(diagnostics.inputShadowsFeature(g.name, name, list[0]!.span, g.inputs!.name, where(input.span.file, input.span.line, ctx)));
  }
  return out;
}

function checkUnknownDependencies(g: BuiltTarget, ctx: ValidateContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const known = [...g.nodes.keys(), ...(g.inputs?.fields.map((f) => f.name) ?? [])];
  for (const node of g.nodes.values()) {
    if (node.kind !== "function") continue;
    for (const dep of node.deps) {
      if (dep.source.kind !== "unknown") continue;
      const name = dep.param.binds ?? dep.param.name;
      const elsewhere = ctx.producedIn(name).filter((t) => t !== g.name);
      const suggestion =
        elsewhere.length > 0
          ? undefined
          : nearestName(
              name,
              known.filter((k) => k !== node.name),
            );
      out.push(diagnostics.unknownDependency(g.name, name, node.fn.exportName, dep.param.span, suggestion, elsewhere));
    }
  }
  return out;
}

/** One FC1002 per strongly connected component, with one concrete cycle through it. */
function checkCycles(g: BuiltTarget): Diagnostic[] {
  if (g.unordered.length === 0) return [];
  const pending = new Set(g.unordered);
  const sourcesOf = (name: string): string[] =>
    g.nodes.get(name)!.deps.flatMap((d) => (d.source.kind === "node" && pending.has(d.source.name) ? [d.source.name] : []));
  const out: Diagnostic[] = [];
  for (const component of stronglyConnected([...pending].sort(), sourcesOf)) {
    const start = [...component].sort()[0]!;
    const selfLoop = sourcesOf(start).includes(start);
    if (component.size === 1 && !selfLoop) continue; // behind a cycle, not on one
    // The shortest cycle from the smallest name, written in "depends on" order and closed.
    const path = selfLoop ? [start, start] : [...findCycle(start, component, sourcesOf), start];
    const dep = g.nodes.get(start)!.deps.find((d) => d.source.kind === "node" && d.source.name === path[1])!;
    out.push(diagnostics.cycle(g.name, path, dep.param.span));
  }
  return out;
}

function findCycle(start: string, component: ReadonlySet<string>, next: (n: string) => string[]): string[] {
  // Breadth-first from start's successors back to start gives a shortest cycle, deterministically.
  const parent = new Map<string, string>();
  const queue: string[] = [start];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const n of [...new Set(next(current))].filter((x) => component.has(x)).sort()) {
      if (n === start) {
        const path = [current];
        while (path[0] !== start) path.unshift(parent.get(path[0]!)!);
        return path;
      }
      if (!parent.has(n)) {
        parent.set(n, current);
        queue.push(n);
      }
    }
  }
  return [start];
}

function stronglyConnected(names: readonly string[], next: (n: string) => string[]): Set<string>[] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const result: Set<string>[] = [];
  const valid = new Set(names);
  for (const root of names) {
    if (indices.has(root)) continue;
    // Iterative Tarjan: a frame is a node and the iterator over its successors.
    const frames: { name: string; succ: string[]; i: number }[] = [];
    const enter = (n: string) => {
      indices.set(n, index);
      low.set(n, index);
      index++;
      stack.push(n);
      onStack.add(n);
      frames.push({ name: n, succ: next(n).filter((s) => valid.has(s)), i: 0 });
    };
    enter(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      if (frame.i < frame.succ.length) {
        const s = frame.succ[frame.i++]!;
        if (!indices.has(s)) enter(s);
        else if (onStack.has(s)) low.set(frame.name, Math.min(low.get(frame.name)!, indices.get(s)!));
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) low.set(parent.name, Math.min(low.get(parent.name)!, low.get(frame.name)!));
      if (low.get(frame.name) === indices.get(frame.name)) {
        const component = new Set<string>();
        let n: string;
        do {
          n = stack.pop()!;
          onStack.delete(n);
          component.add(n);
        } while (n !== frame.name);
        result.push(component);
      }
    }
  }
  return result;
}

/** The type a dependency delivers, per row for row-level values. */
function deliveredType(g: BuiltTarget, dep: Dep): { type: TypeInfo; row: boolean } | undefined {
  if (dep.source.kind === "node") {
    const node = g.nodes.get(dep.source.name)!;
    return { type: node.valueType, row: node.level === "row" };
  }
  if (dep.source.kind === "input") {
    const name = dep.source.name;
    const input = g.inputs?.fields.find((f) => f.name === name);
    if (!input) return undefined;
    if (g.levels === "rows" && input.type.container === "column" && input.type.element) return { type: input.type.element, row: true };
    return { type: input.type, row: false };
  }
  return undefined;
}

function checkTypes(g: BuiltTarget, oracle: TypeOracle): Diagnostic[] {
  const out: Diagnostic[] = [];
  const ordered = new Set(g.order);
  for (const node of g.nodes.values()) {
    if (node.kind !== "function" || !ordered.has(node.name)) continue;
    for (const dep of node.deps) {
      const delivered = deliveredType(g, dep);
      if (!delivered) continue;
      const param = dep.param.type;
      const name = dep.source.kind === "unknown" ? (dep.param.binds ?? dep.param.name) : dep.source.name;
      // An entity target has no columns: its shape's own rule reports such a parameter (online: FC1009).
      if (g.levels === "entity" && param.container !== "none") continue;
      // A frame over one value for the whole run is the window rule's (FC1004 there, once).
      if (!delivered.row && param.container === "window") continue;
      if (delivered.row && param.container === "table") {
        out.push(
          diagnostics.columnToTable(g.name, name, delivered.type.text, dep.param.name, node.fn.exportName, param.text, dep.param.span),
        );
        continue;
      }
      const expected = delivered.row && (param.container === "column" || param.container === "window") ? param.element : param;
      if (!expected) continue;
      if (!oracle.assignable(delivered.type.ref, expected.ref)) {
        out.push(
          diagnostics.notAssignable(
            g.name,
            name,
            delivered.type.text,
            delivered.row,
            dep.param.name,
            node.fn.exportName,
            param.text,
            dep.param.span,
          ),
        );
      }
    }
  }
  return out;
}

function checkOutputs(g: BuiltTarget, target: TargetConfig): Diagnostic[] {
  return (target.outputs ?? [])
    .filter((o) => !g.nodes.has(o.name))
    .map((o) => diagnostics.unknownOutput(g.name, o.name, o.span, nearestName(o.name, g.nodes.keys())));
}

function checkFitted(g: BuiltTarget): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const node of g.nodes.values()) {
    if (!node.fn.fitted || node.kind !== "function") continue;
    if (node.level === "row" || node.table) {
      out.push(diagnostics.fittedNotScalar(g.name, node.fn.exportName, node.table, node.fn.fittedSpan ?? node.fn.span));
    }
  }
  return out;
}

function checkCheckTags(g: BuiltTarget, catalog: Catalog, oracle: TypeOracle): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const node of g.nodes.values()) {
    for (const check of node.checks) {
      const value = node.valueType;
      if (check.rule.kind === "range" && value.scalar !== "number") {
        out.push(diagnostics.rangeNeedsNumber(g.name, check.text, node.name, value.text, check.span));
      }
      if (check.rule.kind === "oneOf") {
        const kinds = new Set(check.rule.values.map((v) => typeof v));
        const expected = value.scalar === "other" ? undefined : value.scalar;
        if (expected && (kinds.size > 1 || !kinds.has(expected))) {
          out.push(diagnostics.oneOfWrongType(g.name, check.text, node.name, value.text, check.span));
        }
      }
      if (check.rule.kind === "validator") {
        const validator = catalog.validators.get(check.rule.fn);
        if (validator?.param && !oracle.assignable(value.ref, validator.param.ref)) {
          out.push(diagnostics.validatorType(g.name, check.rule.fn, validator.param.text, node.name, value.text, check.span));
        }
      }
    }
  }
  return out;
}

function checkUnusedInputs(g: BuiltTarget): Diagnostic[] {
  if (!g.inputs) return [];
  const used = new Set<string>();
  for (const node of g.nodes.values()) for (const d of node.deps) if (d.source.kind === "input") used.add(d.source.name);
  return g.inputs.fields
    .filter((f) => !used.has(f.name) && !g.nodes.has(f.name) && !(f.name === "fitted" && g.fittedInputs.length > 0))
    .map((f) => diagnostics.unusedInput(g.name, f.name, f.span));
}

export type { GraphNode };
