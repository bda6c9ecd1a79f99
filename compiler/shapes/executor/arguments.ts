import { literal } from "../../codegen/escape.js";
import type { Dep, GraphNode } from "../../model.js";

/**
 * The argument list of a call to a node's function: each dependency's value as `read` spells it,
 * with the constants `@parameterize` binds in their parameters' places.
 */
export function callArguments(node: GraphNode, read: (dep: Dep) => string): string {
  const literals = node.fn.parameterized?.literals ?? [];
  if (literals.length === 0) return node.deps.map(read).join(", ");
  const args = [...node.deps.map((d) => ({ index: d.param.index, text: read(d) })), ...literals.map((l) => ({ index: l.index, text: literal(l.value) }))];
  return args
    .sort((a, b) => a.index - b.index)
    .map((a) => a.text)
    .join(", ");
}
