/**
 * `@window` nodes in an online executor: the request's frame is taken from the entity's rows
 * before it, an input of the target (`<by>_history`), with the comparisons a batch run makes, and
 * the function is called on it — so a recognised aggregate gives the batch run's bits.
 */
import { code, member, type Code } from "../../codegen/writer.js";
import type { Dep, GraphNode } from "../../model.js";
import { callArguments } from "../executor/arguments.js";
import type { TargetPlan } from "../executor/plan.js";
import { frameLiteral } from "../batch/window.js";

/** The call of a window node's function on the request's frames; `value` reads any other dependency. */
export function historyCall(plan: TargetPlan, node: GraphNode, value: (dep: Dep) => Code): Code {
  const w = node.fn.window!;
  const order = value(node.deps.find((d) => d.window === "order")!);
  const args = callArguments(node, (d) => {
    if (d.window !== "history" || d.source.kind !== "input") return value(d);
    const history = plan.inputLocal.get(d.source.name)!;
    // Frames of numbers are Float64Arrays, as in batch; frames of strings or booleans, arrays.
    const frameOf = plan.imports.runtime(d.param.type.element?.scalar === "number" ? "historyWindow" : "historyValues");
    return code`${frameOf}(${history}${member(w.order.name)}, ${order}, ${frameLiteral(w)}, ${history}${member(d.param.binds ?? d.param.name)})`;
  });
  return code`${plan.fn(node.fn)}(${args})`;
}
