import { joinCode, literal, type Code } from "../../codegen/writer.js";
import type { Dep, GraphNode } from "../../model.js";

/**
 * The argument list of a call to a node's function: each dependency's value as `read` writes it,
 * with the constants `@parameterize` binds in their parameters' places.
 */
export function callArguments(node: GraphNode, read: (dep: Dep) => Code): Code {
  const constants = node.fn.parameterized?.literals ?? [];
  // A window's `by` and `order` are edges of the graph, not arguments.
  const passed = node.deps.filter((d) => d.window !== "by" && d.window !== "order");
  const args = [
    ...passed.map((d) => ({ index: d.param.index, code: read(d) })),
    ...constants.map((c) => ({ index: c.index, code: literal(c.value) })),
  ];
  return joinCode(
    args.sort((a, b) => a.index - b.index).map((a) => a.code),
    ", ",
  );
}
