/**
 * The online executor: straight-line code over plain values for one entity. A synchronous
 * `computeSync` holds the nodes that need no async call; `computeAsync` starts every async call
 * as soon as its inputs exist and awaits it just before its value is first used.
 */
import type { GraphNode } from "../model.js";
import { member } from "./escape.js";
import { indent, inputReads, renderExecutor, scalarChecks } from "./module.js";
import { schedule, type TargetPlan, type Unit } from "./plan.js";

export function emitOnlineExecutor(plan: TargetPlan): string {
  const g = plan.target;
  const syncNodes = g.order.filter((n) => !plan.asyncDependent.has(n));
  const hasAsync = plan.asyncDependent.size > 0;
  const hasSync = !hasAsync || g.outputs.some((n) => !plan.asyncDependent.has(n));
  const bodies: string[] = [];
  const runtime = new Set<string>();
  if (hasSync) bodies.push(computeFunction(plan, "sync", syncNodes, runtime));
  if (hasAsync) bodies.push(computeFunction(plan, "async", g.order, runtime));
  return renderExecutor(plan, {
    runtimeValues: [...runtime],
    runtimeTypes: ["ExecuteOptions"],
    optionsType: "ExecuteOptions",
    resultPick: "Pick<Outputs, K>",
    bodies,
    hasSync,
    hasAsync,
  });
}

function computeFunction(plan: TargetPlan, mode: "sync" | "async", names: readonly string[], runtime: Set<string>): string {
  const included = new Set(names);
  const masks = Array.from({ length: plan.words }, (_, w) => `want${w}: number, need${w}: number`).join(", ");
  const reads = inputReads(plan, included);
  if (reads.used) runtime.add("MissingInputError");
  const index = new Map(plan.target.order.map((n, i) => [n, i]));
  const units: Unit[] = names.map((n) => ({
    id: n,
    async: mode === "async" && plan.node(n).async,
    deps: plan.node(n).deps.filter((d) => d.source.kind === "node").map((d) => (d.source as { name: string }).name),
    priority: index.get(n)!,
  }));
  const body: string[] = [];
  for (const step of schedule(units)) {
    const node = plan.node(step.unit);
    if (step.kind === "start") body.push(...startCall(plan, node, runtime));
    else body.push(...produce(plan, node, step.kind === "await" ? `await ${promiseLocal(plan, node)}!` : valueExpr(plan, node), runtime));
  }
  const signature =
    mode === "sync"
      ? `function computeSync(${masks}, inputs: Inputs, options: ExecuteOptions | undefined): Partial<Outputs>`
      : `async function computeAsync(${masks}, inputs: Inputs, options: ExecuteOptions | undefined): Promise<Partial<Outputs>>`;
  return [
    `/** ${mode === "sync" ? "The nodes that need no async call." : "Every node; async calls overlap."} */`,
    `${signature} {`,
    `  const result: Partial<Outputs> = {};`,
    ...indent(reads.lines, 1),
    ...indent(body, 1),
    `  return result;`,
    `}`,
  ].join("\n");
}

function promiseLocal(plan: TargetPlan, node: GraphNode): string {
  return plan.derived(node.name, "promise");
}

/** The expression computing a node from values already in scope. */
function valueExpr(plan: TargetPlan, node: GraphNode): string {
  switch (node.kind) {
    case "fitted":
      return `${plan.inputLocal.get("fitted")!}${member(node.name)}`;
    case "extract":
      return `${plan.local.get(node.extractOf!)!}${member(node.field!)}`;
    case "function":
      return `${plan.fn(node.fn)}(${node.deps.map((d) => argument(plan, d.source)).join(", ")})`;
  }
}

function argument(plan: TargetPlan, source: GraphNode["deps"][number]["source"]): string {
  if (source.kind === "node") return plan.local.get(source.name)!;
  if (source.kind === "input") return plan.inputLocal.get(source.name)!;
  throw new Error("featc: internal error: unresolved dependency reached the emitter");
}

function startCall(plan: TargetPlan, node: GraphNode, runtime: Set<string>): string[] {
  runtime.add("handled");
  const p = promiseLocal(plan, node);
  return [
    `${plan.describe(node)} (started now, awaited before first use)`,
    `let ${p}: ${plan.promiseType(node)} | undefined;`,
    `if (${plan.test("need", node.name)}) ${p} = handled(${valueExpr(plan, node)});`,
  ];
}

function produce(plan: TargetPlan, node: GraphNode, expr: string, runtime: Set<string>): string[] {
  const local = plan.local.get(node.name)!;
  const checks = scalarChecks(plan, node, local);
  if (checks.length > 0) runtime.add("reportCheck");
  const isOutput = plan.target.outputs.includes(node.name);
  return [
    plan.describe(node),
    `let ${local}!: ${plan.valueType(node)};`,
    `if (${plan.test("need", node.name)}) {`,
    `  ${local} = ${expr};`,
    ...indent(checks, 1),
    ...(isOutput ? [`  if (${plan.test("want", node.name)}) result${member(node.name)} = ${local};`] : []),
    `}`,
  ];
}

