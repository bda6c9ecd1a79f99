/** The online shape's own rule. */
import { diagnostics, type Diagnostic } from "../../diagnostics.js";
import type { BuiltTarget } from "../../model.js";

/** FC1009: a `Column`/`Table` parameter would aggregate over a single entity, which is almost never meant (a `@window` frame comes from the entity's history). */
export function checkAggregatesOnline(g: BuiltTarget): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const node of g.nodes.values()) {
    if (node.kind !== "function") continue;
    for (const dep of node.deps) {
      if (dep.param.type.container !== "none" && dep.window !== "history")
        out.push(diagnostics.aggregateOnline(g.name, node.fn.exportName, dep.param.name, dep.param.type.text, dep.param.span));
    }
  }
  return out;
}
