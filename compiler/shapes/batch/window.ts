/**
 * `@window` nodes in a batch executor. The rows are grouped and ordered once per (by, order) pair
 * — the first window over a pair makes its `WindowGroups`, the others reuse it — and each node is
 * one call: a recognised aggregate (`return mean(units)`) slides incrementally in the runtime's
 * kernel, without calling the function; any other body is called once per row with views of its
 * frames.
 */
import { code, joinCode, num, str, type Code } from "../../codegen/writer.js";
import type { Dep, GraphNode, WindowFact } from "../../model.js";
import { callArguments } from "../executor/arguments.js";
import type { TargetPlan } from "../executor/plan.js";
import { valueType } from "../executor/types.js";

/** The declarations of the shared groupings the included window nodes use, one per (by, order) pair. */
export function windowGroupDeclarations(plan: TargetPlan, included: ReadonlySet<string>): Code[] {
  const pairs = new Map<string, Code>();
  for (const name of plan.order) {
    const w = plan.node(name).fn.window;
    if (!w || !included.has(name) || plan.node(name).kind !== "function") continue;
    pairs.set(pairKey(w), groupsLocal(plan, w));
  }
  return [...pairs.values()].map((local) => code`let ${local}: ${plan.imports.runtimeType("WindowGroups")} | undefined;`);
}

/** The expression computing a window node; `whole` reads a dependency's whole column. */
export function windowValue(plan: TargetPlan, node: GraphNode, whole: (dep: Dep) => Code): Code {
  const w = node.fn.window!;
  const key = (role: "by" | "order") => whole(node.deps.find((d) => d.window === role)!);
  const groups = code`(${groupsLocal(plan, w)} ??= ${plan.imports.runtime("windowGroups")}(${key("by")}, ${key("order")}))`;
  const frame = frameLiteral(w);
  const frames = node.deps.filter((d) => d.window === undefined && d.param.type.container === "window");
  if (w.aggregate) {
    const values = whole(frames.find((d) => d.param.name === w.aggregate!.param)!);
    return code`${plan.imports.runtime("rollingAggregate")}(${groups}, ${values}, ${frame}, ${str(w.aggregate.name)})`;
  }
  const position = new Map(frames.map((d, i) => [d, i]));
  const args = callArguments(node, (d) => (position.has(d) ? code`w[${position.get(d)!}]!` : whole(d)));
  const columns = joinCode(frames.map(whole), ", ");
  return code`${plan.imports.runtime("rollingReduce")}(${groups}, [${columns}], ${frame}, (w): ${valueType(plan, node)} => ${plan.fn(node.fn)}(${args}))`;
}

/** The column type of a window node's values. */
export function windowColumnType(plan: TargetPlan, node: GraphNode): Code {
  return code`${plan.imports.runtimeType("Column")}<${valueType(plan, node)}>`;
}

/** `{ kind: "rows", size: 28, lag: 1 }`: a frame as the runtime takes it. */
export function frameLiteral(w: WindowFact): Code {
  return code`{ kind: ${str(w.frame.kind)}, size: ${num(w.frame.size)}, lag: ${num(w.frame.lag)} }`;
}

function pairKey(w: WindowFact): string {
  return `${w.by.name}\0${w.order.name}`;
}

function groupsLocal(plan: TargetPlan, w: WindowFact): Code {
  return plan.derived(pairKey(w), "groups");
}
