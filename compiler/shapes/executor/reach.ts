/**
 * What each node reaches in a target's graph, as plain data: the nodes that wait on an async
 * call, the inputs upstream of each node, the nodes that read each input, the upstream of one
 * output, and the outputs worth a fast path of their own.
 */
import type { BuiltTarget, GraphNode } from "../../model.js";

/** The nodes a node's value is computed from. */
export function nodeDeps(node: GraphNode): string[] {
  const out: string[] = [];
  for (const d of node.deps) if (d.source.kind === "node") out.push(d.source.name);
  return out;
}

/** Nodes whose value depends, transitively, on an async node. */
export function asyncDependents(g: BuiltTarget): Set<string> {
  const out = new Set<string>();
  for (const name of g.order) {
    const node = g.nodes.get(name)!;
    if (node.async || nodeDeps(node).some((d) => out.has(d))) out.add(name);
  }
  return out;
}

/** The inputs each node needs, transitively, sorted (a reading target's `fitted` included). */
export function inputsUpstream(g: BuiltTarget): Map<string, string[]> {
  const sets = new Map<string, Set<string>>();
  for (const name of g.order) {
    const node = g.nodes.get(name)!;
    const set = new Set<string>();
    if (node.kind === "fitted") set.add("fitted");
    for (const d of node.deps) {
      if (d.source.kind === "input") set.add(d.source.name);
      else if (d.source.kind === "node") for (const i of sets.get(d.source.name) ?? []) set.add(i);
    }
    sets.set(name, set);
  }
  return new Map([...sets].map(([name, set]) => [name, [...set].sort()]));
}

/** The nodes that read each input directly (and, for a reading target, the `fitted` input's readers), in order. */
export function inputConsumers(g: BuiltTarget): Map<string, readonly string[]> {
  const sets = new Map<string, Set<string>>();
  for (const name of g.order) {
    for (const d of g.nodes.get(name)!.deps) {
      if (d.source.kind !== "input") continue;
      let set = sets.get(d.source.name);
      if (!set) sets.set(d.source.name, (set = new Set()));
      set.add(name);
    }
  }
  const out = new Map([...sets].map(([input, set]) => [input, [...set]] as const));
  if (g.fittedInputs.length > 0) out.set("fitted", [...g.fittedInputs]);
  return out;
}

/** The nodes upstream of `name`, itself included (stops early once more than `limit` are found). */
export function upstreamOf(g: BuiltTarget, name: string, limit = Infinity): Set<string> {
  const seen = new Set<string>();
  const stack = [name];
  while (stack.length > 0 && seen.size <= limit) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...nodeDeps(g.nodes.get(n)!));
  }
  return seen;
}

const MAX_FAST_PATHS = 8;

/**
 * Outputs that get a fast path: public outputs no other node consumes (the model's prediction,
 * say), while the fast paths together stay within a size budget linear in the graph.
 */
export function fastPathOutputs(g: BuiltTarget): string[] {
  const consumed = new Set<string>();
  for (const name of g.order) for (const d of nodeDeps(g.nodes.get(name)!)) consumed.add(d);
  const outputs = new Set(g.outputs);
  let budget = 2 * g.order.length + 64;
  const chosen: string[] = [];
  for (const name of g.order) {
    if (chosen.length === MAX_FAST_PATHS) break;
    if (consumed.has(name) || !outputs.has(name)) continue;
    const size = upstreamOf(g, name, budget).size;
    if (size > budget) continue;
    budget -= size;
    chosen.push(name);
  }
  return chosen;
}
