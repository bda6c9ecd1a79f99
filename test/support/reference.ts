/**
 * A direct evaluation of a target, the slow obvious way: look functions up by name in the
 * catalog modules and call them one node at a time (per row, for map parameters). Tests compare
 * every generated executor with it; it shares no code with the emitter.
 */
import { pathToFileURL } from "node:url";
import type { BuiltTarget, GraphNode } from "../../compiler/model.js";

type Row = { row: true; values: ArrayLike<unknown> };
type Whole = { row: false; value: unknown };
type Held = Row | Whole;

async function loadFunctions(g: BuiltTarget): Promise<Map<string, (...args: unknown[]) => unknown>> {
  const fns = new Map<string, (...args: unknown[]) => unknown>();
  for (const node of g.nodes.values()) {
    const mod = (await import(/* @vite-ignore */ pathToFileURL(node.fn.file).href)) as Record<string, (...args: unknown[]) => unknown>;
    fns.set(`${node.fn.file}#${node.fn.exportName}`, mod[node.fn.exportName]!);
  }
  return fns;
}

function isContainer(kind: string): boolean {
  return kind === "column" || kind === "table";
}

/** Evaluates the requested outputs of a target directly. Batch row-level outputs come back as plain arrays. */
export async function evaluateDirectly(
  g: BuiltTarget,
  outputs: readonly string[],
  inputs: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const fns = await loadFunctions(g);
  const held = new Map<string, Held>();
  const batch = g.shape === "batch";
  const inputHeld = (name: string): Held => {
    const field = g.inputs?.fields.find((f) => f.name === name);
    const value = inputs[name];
    if (batch && field?.type.container === "column") return { row: true, values: value as ArrayLike<unknown> };
    return { row: false, value };
  };
  const needed = new Set<string>();
  const visit = (name: string) => {
    if (needed.has(name)) return;
    needed.add(name);
    for (const d of g.nodes.get(name)!.deps) if (d.source.kind === "node") visit(d.source.name);
  };
  outputs.forEach(visit);
  for (const name of g.order) {
    if (!needed.has(name)) continue;
    const node = g.nodes.get(name)!;
    if (node.kind === "fitted") {
      held.set(name, { row: false, value: (inputs.fitted as Record<string, unknown>)[name] });
      continue;
    }
    const args: Held[] = node.deps.map((d) =>
      d.source.kind === "node" ? held.get(d.source.name)! : inputHeld(d.source.kind === "input" ? d.source.name : d.param.name),
    );
    if (node.kind === "extract") {
      const owner = args[0]!;
      const field = node.field!;
      if (owner.row) held.set(name, { row: true, values: Array.from(owner.values, (v) => (v as Record<string, unknown>)[field]) });
      else if (batch && node.fn.returns.container === "table")
        held.set(name, { row: true, values: (owner.value as { columns: Record<string, ArrayLike<unknown>> }).columns[field]! });
      else held.set(name, { row: false, value: (owner.value as Record<string, unknown>)[field] });
      continue;
    }
    const fn = withConstants(node, fns.get(`${node.fn.file}#${node.fn.exportName}`)!);
    const mapped = node.deps.map((d, i) => args[i]!.row && !isContainer(d.param.type.container));
    if (batch && mapped.some(Boolean)) {
      const rows = (args.find((a, i) => mapped[i]) as Row).values.length;
      const values: unknown[] = [];
      for (let r = 0; r < rows; r++) {
        const call = args.map((a, i) => (mapped[i] ? (a as Row).values[r] : a.row ? a.values : a.value));
        values.push(await fn(...call));
      }
      held.set(name, { row: true, values });
    } else {
      const value = await fn(...args.map((a) => (a.row ? a.values : a.value)));
      held.set(
        name,
        batch && node.fn.returns.container === "column" ? { row: true, values: value as ArrayLike<unknown> } : { row: false, value },
      );
    }
  }
  const result: Record<string, unknown> = {};
  for (const o of outputs) {
    const h = held.get(o)!;
    result[o] = h.row ? Array.from(h.values) : h.value;
  }
  return result;
}

/** The function called with the dependencies' values, and `@parameterize`'s constants put in their parameters' places. */
function withConstants(node: GraphNode, fn: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown {
  const constants = node.fn.parameterized?.literals ?? [];
  if (constants.length === 0) return fn;
  return (...args) => {
    const full: unknown[] = [];
    node.deps.forEach((d, i) => (full[d.param.index] = args[i]));
    for (const c of constants) full[c.index] = c.value;
    return fn(...full);
  };
}

/** Bit-identical comparison: Object.is on every element of columns, deep on plain objects and arrays. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (ArrayBuffer.isView(a) || Array.isArray(a)) {
    const x = Array.from(a as ArrayLike<unknown>);
    const y = ArrayBuffer.isView(b) || Array.isArray(b) ? Array.from(b as ArrayLike<unknown>) : undefined;
    return y !== undefined && x.length === y.length && x.every((v, i) => sameValue(v, y[i]));
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return (
      ka.length === kb.length &&
      ka.every((k, i) => k === kb[i] && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return false;
}
