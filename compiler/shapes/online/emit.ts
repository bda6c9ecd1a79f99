/**
 * The online executor: straight-line code over plain values for one entity. A synchronous
 * `computeSync` holds the nodes that need no async call; `computeAsync` starts every async call
 * as soon as its inputs exist and awaits it just before its value is first used. An output that
 * nothing else consumes (the prediction) also gets a fast path with no guards at all.
 */
import { member, str } from "../../codegen/escape.js";
import type { GraphNode } from "../../model.js";
import { callArguments } from "../executor/arguments.js";
import { append, indent, inputReads, renderExecutor, scalarChecks, shorthand } from "../executor/module.js";
import { TargetPlan, fastPathOutputs, schedule, upstreamOf, type BodyMode, type Unit } from "../executor/plan.js";
import type { EmitInput } from "../shape.js";

export function emitOnlineExecutor(input: EmitInput): string {
  const plan = new TargetPlan(input);
  const g = plan.target;
  const hasAsync = plan.asyncDependent.size > 0;
  const hasSync = !hasAsync || g.outputs.some((n) => !plan.asyncDependent.has(n));
  const bodies: string[] = [];
  const runtime = new Set<string>();
  if (hasSync) bodies.push(computeFunction(plan, { async: false, included: new Set(g.order.filter((n) => !plan.asyncDependent.has(n))) }, runtime));
  if (hasAsync) bodies.push(computeFunction(plan, { async: true, included: new Set(g.order) }, runtime));
  const fastPaths = new Map<string, string>();
  for (const output of fastPathOutputs(plan)) {
    const name = plan.names.take(`computeOnly_${output}`);
    fastPaths.set(output, name);
    bodies.push(computeFunction(plan, { async: plan.asyncDependent.has(output), included: upstreamOf(plan, output), only: output }, runtime, name));
  }
  return renderExecutor(plan, {
    runtimeValues: [...runtime],
    runtimeTypes: ["ExecuteOptions"],
    optionsType: "ExecuteOptions",
    resultPick: "Pick<Outputs, K>",
    bodies,
    fastPaths,
    hasSync,
    hasAsync,
  });
}

function computeFunction(plan: TargetPlan, mode: BodyMode, runtime: Set<string>, fastName?: string): string {
  const names = plan.target.order.filter((n) => mode.included.has(n));
  const reads = inputReads(plan, mode.included, mode.only === undefined);
  if (reads.used) runtime.add("MissingInputError");
  const index = new Map(plan.target.order.map((n, i) => [n, i]));
  const units: Unit[] = names.map((n) => ({
    id: n,
    async: mode.async && plan.node(n).async,
    deps: plan.node(n).deps.filter((d) => d.source.kind === "node").map((d) => (d.source as { name: string }).name),
    priority: index.get(n)!,
  }));
  const body: string[] = [];
  for (const step of schedule(units)) {
    const node = plan.node(step.unit);
    if (step.kind === "start") append(body, startCall(plan, node, runtime, mode));
    else {
      const awaited = `await ${promiseLocal(plan, node)}${mode.only === undefined ? "!" : ""}`;
      append(body, produce(plan, node, step.kind === "await" ? awaited : valueExpr(plan, node), runtime, mode));
    }
  }
  if (mode.only !== undefined) {
    const only = mode.only;
    const type = `Pick<Outputs, ${str(only)}>`;
    return [
      `/** Fast path for '${only}' alone: only its upstream runs, straight through. */`,
      `${mode.async ? "async " : ""}function ${fastName}(inputs: Inputs, options: ExecuteOptions | undefined): ${mode.async ? `Promise<${type}>` : type} {`,
      ...indent(reads.lines, 1),
      ...indent(body, 1),
      `  return { ${shorthand(only, plan.local.get(only)!)} };`,
      `}`,
    ].join("\n");
  }
  const masks = Array.from({ length: plan.words }, (_, w) => `want${w}: number, need${w}: number`).join(", ");
  const signature = mode.async
    ? `async function computeAsync(${masks}, inputs: Inputs, options: ExecuteOptions | undefined): Promise<Partial<Outputs>>`
    : `function computeSync(${masks}, inputs: Inputs, options: ExecuteOptions | undefined): Partial<Outputs>`;
  return [
    `/** ${mode.async ? "Every node; async calls overlap." : "The nodes that need no async call."} */`,
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
      return `${plan.fn(node.fn)}(${callArguments(node, (d) => argument(plan, d.source))})`;
  }
}

function argument(plan: TargetPlan, source: GraphNode["deps"][number]["source"]): string {
  if (source.kind === "node") return plan.local.get(source.name)!;
  if (source.kind === "input") return plan.inputLocal.get(source.name)!;
  throw new Error("featc: internal error: unresolved dependency reached the emitter");
}

function startCall(plan: TargetPlan, node: GraphNode, runtime: Set<string>, mode: BodyMode): string[] {
  runtime.add("handled");
  const p = promiseLocal(plan, node);
  const comment = `${plan.describe(node)} (started now, awaited before first use)`;
  if (mode.only !== undefined) return [comment, `const ${p} = handled(${valueExpr(plan, node)});`];
  return [comment, `let ${p}: ${plan.promiseType(node)} | undefined;`, `if (${plan.test("need", node.name)}) ${p} = handled(${valueExpr(plan, node)});`];
}

function produce(plan: TargetPlan, node: GraphNode, expr: string, runtime: Set<string>, mode: BodyMode): string[] {
  const local = plan.local.get(node.name)!;
  const checks = scalarChecks(plan, node, local);
  if (checks.length > 0) runtime.add("reportCheck");
  if (mode.only !== undefined) return [plan.describe(node), `const ${local} = ${expr};`, ...checks];
  const isOutput = plan.isOutput(node.name);
  return [
    plan.describe(node),
    plan.declareLocal(local, node),
    `if (${plan.test("need", node.name)}) {`,
    `  ${local} = ${expr};`,
    ...indent(checks, 1),
    ...(isOutput ? [`  if (${plan.test("want", node.name)}) result${member(node.name)} = ${local};`] : []),
    `}`,
  ];
}
