/**
 * The online executor: straight-line code over plain values for one entity. A synchronous
 * `computeSync` holds the nodes that need no async call; `computeAsync` starts every async call
 * as soon as its inputs exist and awaits it just before its value is first used. An output that
 * nothing else consumes (the prediction) also gets a fast path with no guards at all.
 */
import { code, member, type Code } from "../../codegen/writer.js";
import type { DepSource, GraphNode } from "../../model.js";
import { callArguments } from "../executor/arguments.js";
import { append, indent, scalarChecks, writeExecutor, type BodyMode, type ComputeBody, type ExecutorShape } from "../executor/module.js";
import type { TargetPlan } from "../executor/plan.js";
import { nodeDeps } from "../executor/reach.js";
import { schedule, type Unit } from "../executor/schedule.js";
import { declareLocal, promiseType } from "../executor/types.js";
import type { EmitInput } from "../shape.js";
import { historyCall } from "./window.js";

const online: ExecutorShape = {
  optionsType: "ExecuteOptions",
  outputsDoc: "The outputs of target {target} for one entity.",
  fastPathDoc: "straight through",
  body,
  fastPathValue: (plan, name) => plan.local.get(name)!,
};

export function emitOnlineExecutor(input: EmitInput): string {
  return writeExecutor(input, online);
}

function body(plan: TargetPlan, mode: BodyMode): ComputeBody {
  const index = new Map(plan.order.map((n, i) => [n, i]));
  const units: Unit[] = plan.order
    .filter((n) => mode.included.has(n))
    .map((n) => ({ id: n, async: mode.async && plan.node(n).async, deps: nodeDeps(plan.node(n)), priority: index.get(n)! }));
  const statements: Code[] = [];
  for (const step of schedule(units)) {
    const node = plan.node(step.unit);
    if (step.kind === "start") append(statements, startCall(plan, node, mode));
    else {
      const awaited = code`await ${promiseLocal(plan, node)}${mode.only === undefined ? code`!` : code``}`;
      append(statements, produce(plan, node, step.kind === "await" ? awaited : valueExpr(plan, node), mode));
    }
  }
  return { setup: [], afterReads: [], statements };
}

function promiseLocal(plan: TargetPlan, node: GraphNode): Code {
  return plan.derived(node.name, "promise");
}

/** The expression computing a node from values already in scope. */
function valueExpr(plan: TargetPlan, node: GraphNode): Code {
  switch (node.kind) {
    case "fitted":
      return code`${plan.inputLocal.get("fitted")!}${member(node.name)}`;
    case "extract":
      return code`${plan.local.get(node.extractOf!)!}${member(node.field!)}`;
    case "function":
      if (node.fn.window) return historyCall(plan, node, (d) => argument(plan, d.source));
      return code`${plan.fn(node.fn)}(${callArguments(node, (d) => argument(plan, d.source))})`;
  }
}

function argument(plan: TargetPlan, source: DepSource): Code {
  if (source.kind === "node") return plan.local.get(source.name)!;
  if (source.kind === "input") return plan.inputLocal.get(source.name)!;
  throw new Error("featc: internal error: unresolved dependency reached the emitter");
}

function startCall(plan: TargetPlan, node: GraphNode, mode: BodyMode): Code[] {
  const p = promiseLocal(plan, node);
  const handled = plan.imports.runtime("handled");
  const comment = code`${plan.describe(node)} (started now, awaited before first use)`;
  if (mode.only !== undefined) return [comment, code`const ${p} = ${handled}(${valueExpr(plan, node)});`];
  return [comment, code`let ${p}: ${promiseType(plan, node)} | undefined;`, code`if (${plan.masks.test("need", node.name)}) ${p} = ${handled}(${valueExpr(plan, node)});`];
}

function produce(plan: TargetPlan, node: GraphNode, expr: Code, mode: BodyMode): Code[] {
  const local = plan.local.get(node.name)!;
  const checks = scalarChecks(plan, node, local);
  if (mode.only !== undefined) return [plan.describe(node), code`const ${local} = ${expr};`, ...checks];
  return [
    plan.describe(node),
    declareLocal(plan, local, node),
    code`if (${plan.masks.test("need", node.name)}) {`,
    code`  ${local} = ${expr};`,
    ...indent(checks, 1),
    ...(plan.isOutput(node.name) ? [code`  if (${plan.masks.test("want", node.name)}) result${member(node.name)} = ${local};`] : []),
    code`}`,
  ];
}
