/**
 * The batch executor: map functions are called once per row in fused loops, scalar values are
 * computed once outside the loops and broadcast, whole-column and table parameters receive their
 * values whole, extracted Table fields are the table's own columns (no copy), and numeric
 * columns are Float64Arrays carved from one buffer. One row axis; no per-row object or Map.
 */
import { member, str } from "../../codegen/escape.js";
import type { CheckFact, GraphNode } from "../../model.js";
import { callArguments } from "../executor/arguments.js";
import { append, indent, inputReads, renderExecutor, scalarChecks, shorthand } from "../executor/module.js";
import { TargetPlan, fastPathOutputs, schedule, upstreamOf, type BodyMode, type Unit } from "../executor/plan.js";
import type { EmitInput } from "../shape.js";

interface Loop {
  readonly id: string;
  readonly index: number;
  readonly members: readonly string[];
}

interface BatchLayout {
  readonly stage: ReadonlyMap<string, number>;
  readonly loops: readonly Loop[];
  /** The loop each map node runs in. */
  readonly loopOf: ReadonlyMap<string, Loop>;
  /** Map nodes whose values are read outside their loop, with those consumers. */
  readonly outsideConsumers: ReadonlyMap<string, readonly string[]>;
}

export function emitBatchExecutor(input: EmitInput): string {
  const plan = new TargetPlan(input);
  const g = plan.target;
  const layout = layoutLoops(plan);
  const hasAsync = plan.asyncDependent.size > 0;
  const hasSync = !hasAsync || g.outputs.some((n) => !plan.asyncDependent.has(n));
  const runtime = new Set<string>(["RowAxis"]);
  const bodies: string[] = [];
  if (hasSync) bodies.push(computeFunction(plan, layout, { async: false, included: new Set(g.order.filter((n) => !plan.asyncDependent.has(n))) }, runtime));
  if (hasAsync) bodies.push(computeFunction(plan, layout, { async: true, included: new Set(g.order) }, runtime));
  const fastPaths = new Map<string, string>();
  for (const output of fastPathOutputs(plan)) {
    const name = plan.names.take(`computeOnly_${output}`);
    fastPaths.set(output, name);
    bodies.push(computeFunction(plan, layout, { async: plan.asyncDependent.has(output), included: upstreamOf(plan, output), only: output }, runtime, name));
  }
  const publicOutputs = plan.publicOutputs();
  return renderExecutor(plan, {
    runtimeValues: [...runtime],
    runtimeTypes: ["BatchExecuteOptions"],
    optionsType: "BatchExecuteOptions",
    resultPick: "Pick<Results, K>",
    results: publicOutputs.map((n) => ({ name: n, type: resultType(plan, plan.node(n)) })),
    bodies,
    fastPaths,
    hasSync,
    hasAsync,
  });
}

/** Stages: a map node runs in the loop of its stage; a non-map node that reads a map node's column waits for its loop. */
function layoutLoops(plan: TargetPlan): BatchLayout {
  const g = plan.target;
  const stage = new Map<string, number>();
  for (const name of g.order) {
    const node = plan.node(name);
    let s = 0;
    for (const d of node.deps) {
      if (d.source.kind !== "node") continue;
      const dep = plan.node(d.source.name);
      const sd = stage.get(dep.name)!;
      s = Math.max(s, dep.map && (!node.map || d.passing === "whole") ? sd + 1 : sd);
    }
    stage.set(name, s);
  }
  const byStage = new Map<number, string[]>();
  for (const name of g.order) {
    if (!plan.node(name).map) continue;
    const s = stage.get(name)!;
    const list = byStage.get(s);
    if (list) list.push(name);
    else byStage.set(s, [name]);
  }
  const loops: Loop[] = [...byStage.entries()].sort(([a], [b]) => a - b).map(([s, members], index) => ({ id: `loop:${s}`, index, members }));
  const loopOf = new Map<string, Loop>();
  for (const loop of loops) for (const m of loop.members) loopOf.set(m, loop);
  const outsideConsumers = new Map<string, string[]>();
  for (const name of g.order) {
    const node = plan.node(name);
    for (const d of node.deps) {
      if (d.source.kind !== "node" || !loopOf.has(d.source.name)) continue;
      const sameLoop = loopOf.get(name) === loopOf.get(d.source.name) && d.passing !== "whole";
      if (sameLoop) continue;
      const list = outsideConsumers.get(d.source.name) ?? [];
      if (!list.includes(name)) list.push(name);
      outsideConsumers.set(d.source.name, list);
    }
  }
  return { stage, loops, loopOf, outsideConsumers };
}

function computeFunction(plan: TargetPlan, layout: BatchLayout, mode: BodyMode, runtime: Set<string>, fastName?: string): string {
  const g = plan.target;
  const included = mode.included;
  const guarded = mode.only === undefined;
  const reads = inputReads(plan, included, guarded);
  if (reads.used) runtime.add("MissingInputError");
  const axisLines: string[] = [];
  const consumers = plan.inputConsumers();
  for (const f of g.inputs?.fields ?? []) {
    if (f.type.container !== "column") continue;
    const users = (consumers.get(f.name) ?? []).filter((n) => included.has(n));
    if (users.length === 0) continue;
    const local = plan.inputLocal.get(f.name)!;
    const conditions = [...(f.optional ? [`${local} !== undefined`] : []), ...(guarded ? [plan.anyBit("need", users)] : [])];
    const add = `axis.add(${str(f.name)}, ${local}.length);`;
    axisLines.push(conditions.length > 0 ? `if (${conditions.join(" && ")}) ${add}` : add);
  }

  // Scheduling units: every non-map node, and one unit per fused loop.
  const index = new Map(g.order.map((n, i) => [n, i]));
  const unitOf = (name: string) => layout.loopOf.get(name)?.id ?? name;
  const raw: { id: string; async: boolean; deps: Set<string>; key: [number, number, number] }[] = [];
  for (const name of g.order) {
    const node = plan.node(name);
    if (!included.has(name) || node.map) continue;
    const deps = new Set(node.deps.filter((d) => d.source.kind === "node").map((d) => unitOf((d.source as { name: string }).name)));
    raw.push({ id: name, async: mode.async && node.async, deps, key: [layout.stage.get(name)!, 0, index.get(name)!] });
  }
  const loops = layout.loops.map((l) => ({ ...l, members: l.members.filter((m) => included.has(m)) })).filter((l) => l.members.length > 0);
  for (const loop of loops) {
    const deps = new Set<string>();
    for (const m of loop.members) {
      for (const d of plan.node(m).deps) {
        if (d.source.kind !== "node") continue;
        const u = unitOf(d.source.name);
        if (u !== loop.id) deps.add(u);
      }
    }
    raw.push({ id: loop.id, async: false, deps, key: [layout.stage.get(loop.members[0]!)!, 1, index.get(loop.members[0]!)!] });
  }
  raw.sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2] - b.key[2]);
  const units: Unit[] = raw.map((u, priority) => ({ id: u.id, async: u.async, deps: [...u.deps], priority }));

  const body: string[] = [];
  for (const step of schedule(units)) {
    const loop = loops.find((l) => l.id === step.unit);
    if (loop) {
      append(body, emitLoop(plan, layout, loop, layout.loops.length, mode, runtime));
      continue;
    }
    const node = plan.node(step.unit);
    if (step.kind === "start") {
      runtime.add("handled");
      const p = plan.derived(node.name, "promise");
      body.push(`${plan.describe(node)} (started now, awaited before first use)`);
      if (guarded) {
        body.push(`let ${p}: ${plan.promiseType(node)} | undefined;`);
        body.push(`if (${plan.test("need", node.name)}) ${p} = handled(${valueExpr(plan, layout, node)});`);
      } else body.push(`const ${p} = handled(${valueExpr(plan, layout, node)});`);
    } else {
      const expr = step.kind === "await" ? `await ${plan.derived(node.name, "promise")}${guarded ? "!" : ""}` : valueExpr(plan, layout, node);
      append(body, produce(plan, node, expr, runtime, guarded));
    }
  }
  if (!guarded) {
    const only = plan.node(mode.only!);
    const type = `Pick<Results, ${str(only.name)}>`;
    const value = only.map ? plan.derived(only.name, "col") : plan.local.get(only.name)!;
    return [
      `/** Fast path for '${only.name}' alone: only its upstream runs, with no guards in the loops. */`,
      `${mode.async ? "async " : ""}function ${fastName}(inputs: Inputs, options: BatchExecuteOptions | undefined): ${mode.async ? `Promise<${type}>` : type} {`,
      `  const axis = new RowAxis();`,
      ...indent(reads.lines, 1),
      ...indent(axisLines, 1),
      ...indent(body, 1),
      `  return { ${shorthand(only.name, value)} };`,
      `}`,
    ].join("\n");
  }
  const masks = Array.from({ length: plan.words }, (_, w) => `want${w}: number, need${w}: number`).join(", ");
  const signature = mode.async
    ? `async function computeAsync(${masks}, inputs: Inputs, options: BatchExecuteOptions | undefined): Promise<Partial<Results>>`
    : `function computeSync(${masks}, inputs: Inputs, options: BatchExecuteOptions | undefined): Partial<Results>`;
  return [
    `/** ${mode.async ? "Every node; async calls overlap." : "The nodes that need no async call."} */`,
    `${signature} {`,
    `  const result: Partial<Results> = {};`,
    `  const axis = new RowAxis();`,
    ...indent(reads.lines, 1),
    ...indent(axisLines, 1),
    ...indent(body, 1),
    `  return result;`,
    `}`,
  ].join("\n");
}

/** The expression computing a non-map node from values in scope. */
function valueExpr(plan: TargetPlan, layout: BatchLayout, node: GraphNode): string {
  switch (node.kind) {
    case "fitted":
      return `${plan.inputLocal.get("fitted")!}${member(node.name)}`;
    case "extract": {
      const owner = plan.node(node.extractOf!);
      return `${plan.local.get(owner.name)!}${owner.table ? `.columns${member(node.field!)}` : member(node.field!)}`;
    }
    case "function":
      return `${plan.fn(node.fn)}(${callArguments(node, (d) => wholeArgument(plan, layout, d))})`;
  }
}

/** A dependency read outside any loop: a scalar, or a whole column. */
function wholeArgument(plan: TargetPlan, layout: BatchLayout, dep: GraphNode["deps"][number]): string {
  const source = dep.source;
  if (source.kind === "input") return plan.inputLocal.get(source.name)!;
  if (source.kind === "node") return layout.loopOf.has(source.name) ? plan.derived(source.name, "col") : plan.local.get(source.name)!;
  throw new Error("featc: internal error: unresolved dependency reached the emitter");
}

/** A dependency read inside loop `loop` for row `i`. */
function rowArgument(plan: TargetPlan, layout: BatchLayout, loop: Loop, dep: GraphNode["deps"][number]): string {
  if (dep.passing !== "map") return wholeArgument(plan, layout, dep);
  const source = dep.source;
  if (source.kind === "input") return `${plan.inputLocal.get(source.name)!}[i]!`;
  if (source.kind === "node") {
    if (layout.loopOf.get(source.name)?.id === loop.id) return plan.local.get(source.name)!;
    return `${wholeArgument(plan, layout, dep)}[i]!`;
  }
  throw new Error("featc: internal error: unresolved dependency reached the emitter");
}

/** Statements producing a non-map node: compute, join the row axis if row-level, check, return. */
function produce(plan: TargetPlan, node: GraphNode, expr: string, runtime: Set<string>, guarded: boolean): string[] {
  const local = plan.local.get(node.name)!;
  const rowLevel = node.level === "row";
  const type = rowLevel ? columnType(plan, node) : plan.valueType(node);
  const checks = rowLevel ? columnChecks(plan, node, local) : scalarChecks(plan, node, local);
  if (checks.length > 0) runtime.add("reportCheck");
  if (!guarded) {
    return [plan.describe(node), `const ${local} = ${expr};`, ...(rowLevel ? [`axis.add(${str(node.name)}, ${local}.length);`] : []), ...checks];
  }
  const isOutput = plan.isOutput(node.name);
  return [
    plan.describe(node),
    plan.declareLocal(local, node, type),
    `if (${plan.test("need", node.name)}) {`,
    `  ${local} = ${expr};`,
    ...(rowLevel ? [`  axis.add(${str(node.name)}, ${local}.length);`] : []),
    ...indent(checks, 1),
    ...(isOutput ? [`  if (${plan.test("want", node.name)}) result${member(node.name)} = ${local};`] : []),
    `}`,
  ];
}

/** A check over a whole column produced outside a loop. */
function columnChecks(plan: TargetPlan, node: GraphNode, column: string): string[] {
  return node.checks.flatMap((c) => [
    `{`,
    `  let failed = 0;`,
    `  const first: number[] = [];`,
    `  for (let i = 0; i < ${column}.length; i++) {`,
    `    const v = ${column}[i]!;`,
    `    if (!(${plan.checkCondition(c, "v")})) { failed++; if (first.length < 5) first.push(i); }`,
    `  }`,
    `  if (failed > 0) reportCheck(options, ${str(node.name)}, ${str(c.text)}, ${c.warn}, failed, ${column}.length, first);`,
    `}`,
  ]);
}

/** The type of a row-level value held whole (not a map node's column). */
function columnType(plan: TargetPlan, node: GraphNode): string {
  const f = `typeof ${plan.fn(node.fn)}`;
  if (node.kind === "extract") return `Value<${f}>["columns"][${str(node.field!)}]`;
  return `Value<${f}>`;
}

function storesNumbers(node: GraphNode): boolean {
  return node.valueType.code === "number";
}

/** The column type of a map node's materialised values. */
function mapColumnType(plan: TargetPlan, node: GraphNode): string {
  return storesNumbers(node) ? "Float64Array" : `${wrap(plan.valueType(node))}[]`;
}

function wrap(type: string): string {
  return /^[\w$.]+$/.test(type) || /^[\w$.]+<.*>$/.test(type) || /^[\w$.<>]+\[[^\]]*\]$/.test(type) ? type : `(${type})`;
}

/** What `execute` returns for an output. */
function resultType(plan: TargetPlan, node: GraphNode): string {
  if (node.level !== "row") return plan.valueType(node);
  return node.map ? mapColumnType(plan, node) : columnType(plan, node);
}

function emitLoop(plan: TargetPlan, layout: BatchLayout, loop: Loop, loopCount: number, mode: BodyMode, runtime: Set<string>): string[] {
  runtime.add("chunkRowsFor");
  const guarded = mode.only === undefined;
  const members = loop.members.map((m) => plan.node(m));
  // Columns are materialised only for outputs and for values read outside this loop.
  const outside = (m: GraphNode) => (layout.outsideConsumers.get(m.name) ?? []).filter((c) => mode.included.has(c));
  const stored = members.filter((m) => (guarded ? plan.isOutput(m.name) : m.name === mode.only) || outside(m).length > 0);
  const storedSet = new Set(stored);
  const storeFlag = (m: GraphNode) => plan.derived(m.name, "stored");
  const col = (m: GraphNode) => plan.derived(m.name, "col");
  const numeric = stored.filter(storesNumbers);
  if (numeric.length > 0) runtime.add("allocateFloat64Columns");
  const lines: string[] = [`// Fused loop ${loop.index + 1} of ${loopCount}, one call per row: ${loop.members.join(", ")}`];
  for (const m of stored) lines.push(`let ${col(m)}!: ${mapColumnType(plan, m)};`);
  const inner: string[] = [`const n = axis.rows;`];
  if (guarded) {
    for (const m of stored) {
      const reasons = [...(plan.isOutput(m.name) ? [`(${plan.test("want", m.name)}) !== 0`] : []), ...(outside(m).length > 0 ? [plan.anyBit("need", outside(m))] : [])];
      inner.push(`const ${storeFlag(m)} = ${reasons.join(" || ")};`);
    }
  }
  if (numeric.length > 0) {
    inner.push(`const numbers = allocateFloat64Columns(n, ${guarded ? numeric.map((m) => `(${storeFlag(m)} ? 1 : 0)`).join(" + ") : numeric.length});`);
    if (guarded) inner.push(`let next = 0;`);
  }
  numeric.forEach((m, k) => inner.push(guarded ? `${col(m)} = ${storeFlag(m)} ? numbers[next++]! : new Float64Array(0);` : `${col(m)} = numbers[${k}]!;`));
  for (const m of stored.filter((x) => !storesNumbers(x))) {
    inner.push(guarded ? `${col(m)} = ${storeFlag(m)} ? new Array<${plan.valueType(m)}>(n) : [];` : `${col(m)} = new Array<${plan.valueType(m)}>(n);`);
  }
  const checked = members.filter((m) => m.checks.length > 0);
  for (const m of checked) {
    m.checks.forEach((_, k) => {
      inner.push(`let ${plan.derived(m.name, `failed${k}`)} = 0;`);
      inner.push(`const ${plan.derived(m.name, `first${k}`)}: number[] = [];`);
    });
  }
  if (checked.length > 0) runtime.add("reportCheck");
  // The row body twice in the general path: without need guards when every member is needed
  // (the common case, as fast as hand-written), and guarded otherwise.
  const rowBody = (withGuards: boolean): string[] => {
    const row: string[] = [];
    for (const m of members) {
      const local = plan.local.get(m.name)!;
      let expr: string;
      if (m.kind === "extract") {
        const ownerDep = m.deps[0]!;
        expr = `${rowArgument(plan, layout, loop, { ...ownerDep, passing: "map" })}${member(m.field!)}`;
      } else {
        expr = `${plan.fn(m.fn)}(${callArguments(m, (d) => rowArgument(plan, layout, loop, d))})`;
        if (m.async && mode.async) expr = `await ${expr}`;
      }
      const body: string[] = [];
      m.checks.forEach((c: CheckFact, k) => {
        const failed = plan.derived(m.name, `failed${k}`);
        const first = plan.derived(m.name, `first${k}`);
        body.push(`if (!(${plan.checkCondition(c, local)})) { ${failed}++; if (${first}.length < 5) ${first}.push(i); }`);
      });
      if (storedSet.has(m)) body.push(guarded ? `if (${storeFlag(m)}) ${col(m)}[i] = ${local};` : `${col(m)}[i] = ${local};`);
      if (withGuards) row.push(plan.declareLocal(local, m), `if (${plan.test("need", m.name)}) {`, `  ${local} = ${expr};`, ...indent(body, 1), `}`);
      else row.push(`const ${local} = ${expr};`, ...body);
    }
    return row;
  };
  const chunked = (row: string[]): string[] => [
    `for (let start = 0; start < n; start += chunk) {`,
    `  const end = Math.min(n, start + chunk);`,
    `  for (let i = start; i < end; i++) {`,
    ...indent(row, 2),
    `  }`,
    `  options?.onProgress?.({ target: TARGET, loop: ${loop.index}, loops: ${loopCount}, rows: end, total: n });`,
    `}`,
  ];
  inner.push(`const chunk = chunkRowsFor(options, n);`);
  if (guarded && members.length > 1) {
    append(inner, [`if (${plan.allBits("need", loop.members)}) {`], indent(chunked(rowBody(false)), 1), [`} else {`], indent(chunked(rowBody(true)), 1), [`}`]);
  } else append(inner, chunked(rowBody(guarded)));
  for (const m of checked) {
    m.checks.forEach((c, k) => {
      const failed = plan.derived(m.name, `failed${k}`);
      inner.push(`if (${failed} > 0) reportCheck(options, ${str(m.name)}, ${str(c.text)}, ${c.warn}, ${failed}, n, ${plan.derived(m.name, `first${k}`)});`);
    });
  }
  if (guarded) {
    for (const m of stored) {
      if (plan.isOutput(m.name)) inner.push(`if (${plan.test("want", m.name)}) result${member(m.name)} = ${col(m)};`);
    }
  }
  lines.push(guarded ? `if (${plan.anyBit("need", loop.members)}) {` : `{`);
  append(lines, indent(inner, 1));
  lines.push(`}`);
  return lines;
}
