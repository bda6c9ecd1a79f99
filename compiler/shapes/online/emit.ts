/**
 * The online executor: straight-line code over plain values for one entity. A synchronous
 * `computeSync` holds the nodes that need no async call; `computeAsync` starts every async call
 * as soon as its inputs exist and awaits it just before its value is first used. An output that
 * nothing else consumes (the prediction) also gets a fast path with no guards at all.
 */
import { code, member, type Code } from "../../codegen/writer.js";
import type { DepSource, GraphNode } from "../../model.js";
import { callArguments } from "../executor/arguments.js";
import {
  indent,
  scalarChecks,
  writeExecutor,
  type BodyMode,
  type BodyStep,
  type ComputeBody,
  type ExecutorShape,
} from "../executor/module.js";
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
  const steps = schedule(units).map((step): BodyStep => {
    const node = plan.node(step.unit);
    if (step.kind === "start") return startCall(plan, node, mode);
    const awaited = code`await ${promiseLocal(plan, node)}${mode.only === undefined ? code`!` : code``}`;
    return produce(plan, node, step.kind === "await" ? awaited : valueExpr(plan, node), mode);
  });
  return { setup: [], afterReads: [], steps };
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

function startCall(plan: TargetPlan, node: GraphNode, mode: BodyMode): BodyStep {
  const p = promiseLocal(plan, node);
  const call = code`${plan.imports.runtime("handled")}(${valueExpr(plan, node)})`;
  const step = { nodes: [node.name], comment: code`${plan.describe(node)} (started now, awaited before first use)` };
  if (mode.only === undefined)
    return {
      ...step,
      declarations: [code`let ${p}: ${promiseType(plan, node)} | undefined;`],
      statements: [code`if (${plan.masks.test("need", node.name)}) ${p} = ${call};`],
    };
  return mode.split
    ? { ...step, declarations: [code`let ${p}!: ${promiseType(plan, node)};`], statements: [code`${p} = ${call};`] }
    : { ...step, declarations: [], statements: [code`const ${p} = ${call};`] };
}

function produce(plan: TargetPlan, node: GraphNode, expr: Code, mode: BodyMode): BodyStep {
  const local = plan.local.get(node.name)!;
  const checks = scalarChecks(plan, node, local);
  const step = { nodes: [node.name], comment: plan.describe(node) };
  if (mode.only !== undefined) {
    if (!mode.split) return { ...step, declarations: [], statements: [code`const ${local} = ${expr};`, ...checks] };
    return { ...step, declarations: [declareLocal(plan, local, node)], statements: [code`${local} = ${expr};`, ...checks] };
  }
  return {
    ...step,
    declarations: [declareLocal(plan, local, node)],
    statements: [
      code`if (${plan.masks.test("need", node.name)}) {`,
      code`  ${local} = ${expr};`,
      ...indent(checks, 1),
      ...(plan.isOutput(node.name) ? [code`  if (${plan.masks.test("want", node.name)}) result${member(node.name)} = ${local};`] : []),
      code`}`,
    ],
  };
}
