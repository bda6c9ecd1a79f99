/**
 * The batch executor: map functions are called once per row in fused loops, scalar values are
 * computed once outside the loops and broadcast, whole-column and table parameters receive their
 * values whole, extracted Table fields are the table's own columns (no copy), and numeric
 * columns are Float64Arrays carved from one buffer. One row axis; no per-row object or Map.
 */
import { code, joinCode, lineComment, member, str, type Code } from "../../codegen/writer.js";
import type { Dep, GraphNode } from "../../model.js";
import { callArguments } from "../executor/arguments.js";
import {
  append,
  indent,
  scalarChecks,
  writeExecutor,
  type BodyMode,
  type BodyStep,
  type ComputeBody,
  type ExecutorShape,
} from "../executor/module.js";
import { inputBit } from "../executor/masks.js";
import type { TargetPlan } from "../executor/plan.js";
import { schedule } from "../executor/schedule.js";
import { declareLocal, promiseType, valueType } from "../executor/types.js";
import type { EmitInput } from "../shape.js";
import { batchUnits, layoutLoops, type Loop, type LoopLayout } from "./loops.js";
import { windowColumnType, windowGroupDeclarations, windowValue } from "./window.js";

export function emitBatchExecutor(input: EmitInput): string {
  const layout = layoutLoops(input.target);
  const batch: ExecutorShape = {
    optionsType: "BatchExecuteOptions",
    outputsDoc: "The outputs of target {target}, per row for row-level outputs.",
    resultType,
    fastPathDoc: "with no guards in the loops",
    body: (plan, mode) => body(plan, layout, mode),
    fastPathValue: (plan, name) => (plan.node(name).map ? plan.derived(name, "col") : plan.local.get(name)!),
  };
  return writeExecutor(input, batch);
}

function body(plan: TargetPlan, layout: LoopLayout, mode: BodyMode): ComputeBody {
  const g = plan.target;
  const included = mode.included;
  const guarded = mode.only === undefined;
  const afterReads: Code[] = [];
  for (const f of g.inputs?.fields ?? []) {
    if (f.type.container !== "column") continue;
    const users = (plan.inputConsumers.get(f.name) ?? []).filter((n) => included.has(n));
    if (users.length === 0) continue;
    const local = plan.inputLocal.get(f.name)!;
    const conditions = [
      ...(f.optional ? [code`${local} !== undefined`] : []),
      ...(guarded ? [plan.masks.anyBit("need", [inputBit(f.name)])] : []),
    ];
    const add = code`axis.add(${str(f.name)}, ${local}.length);`;
    afterReads.push(conditions.length > 0 ? code`if (${joinCode(conditions, " && ")}) ${add}` : add);
  }

  const { units, loops } = batchUnits(g, layout, included, mode.async);
  const loopById = new Map(loops.map((l) => [l.id, l]));
  const steps = schedule(units).map((step): BodyStep => {
    const loop = loopById.get(step.unit);
    if (loop) return emitLoop(plan, layout, loop, layout.loops.length, mode);
    const node = plan.node(step.unit);
    if (step.kind === "start") {
      const p = plan.derived(node.name, "promise");
      const call = code`${plan.imports.runtime("handled")}(${valueExpr(plan, layout, node)})`;
      const start = { nodes: [node.name], comment: code`${plan.describe(node)} (started now, awaited before first use)` };
      if (guarded)
        return {
          ...start,
          declarations: [code`let ${p}: ${promiseType(plan, node)} | undefined;`],
          statements: [code`if (${plan.masks.test("need", node.name)}) ${p} = ${call};`],
        };
      return mode.split
        ? { ...start, declarations: [code`let ${p}!: ${promiseType(plan, node)};`], statements: [code`${p} = ${call};`] }
        : { ...start, declarations: [], statements: [code`const ${p} = ${call};`] };
    }
    const expr =
      step.kind === "await"
        ? code`await ${plan.derived(node.name, "promise")}${guarded ? code`!` : code``}`
        : valueExpr(plan, layout, node);
    return produce(plan, node, expr, mode);
  });
  return {
    setup: [code`const axis = new ${plan.imports.runtime("RowAxis")}();`, ...windowGroupDeclarations(plan, included)],
    afterReads,
    steps,
  };
}

/** The expression computing a non-map node from values in scope. */
function valueExpr(plan: TargetPlan, layout: LoopLayout, node: GraphNode): Code {
  switch (node.kind) {
    case "fitted":
      return code`${plan.inputLocal.get("fitted")!}${member(node.name)}`;
    case "extract": {
      const owner = plan.node(node.extractOf!);
      return code`${plan.local.get(owner.name)!}${owner.table ? code`.columns${member(node.field!)}` : member(node.field!)}`;
    }
    case "function":
      if (node.fn.window) return windowValue(plan, node, (d) => wholeArgument(plan, layout, d));
      return code`${plan.fn(node.fn)}(${callArguments(node, (d) => wholeArgument(plan, layout, d))})`;
  }
}

/** A dependency read outside any loop: a scalar, or a whole column. */
function wholeArgument(plan: TargetPlan, layout: LoopLayout, dep: Dep): Code {
  const source = dep.source;
  if (source.kind === "input") return plan.inputLocal.get(source.name)!;
  if (source.kind === "node") return layout.loopOf.has(source.name) ? plan.derived(source.name, "col") : plan.local.get(source.name)!;
  throw new Error("featc: internal error: unresolved dependency reached the emitter");
}

/** A dependency read inside loop `loop` for row `i`. */
function rowArgument(plan: TargetPlan, layout: LoopLayout, loop: Loop, dep: Dep): Code {
  if (dep.passing !== "map") return wholeArgument(plan, layout, dep);
  const source = dep.source;
  if (source.kind === "input") return code`${plan.inputLocal.get(source.name)!}[i]!`;
  if (source.kind === "node") {
    if (layout.loopOf.get(source.name)?.id === loop.id) return plan.local.get(source.name)!;
    return code`${wholeArgument(plan, layout, dep)}[i]!`;
  }
  throw new Error("featc: internal error: unresolved dependency reached the emitter");
}

/** Statements producing a non-map node: compute, join the row axis if row-level, check, return. */
function produce(plan: TargetPlan, node: GraphNode, expr: Code, mode: BodyMode): BodyStep {
  const local = plan.local.get(node.name)!;
  const rowLevel = node.level === "row";
  const type = rowLevel ? columnType(plan, node) : valueType(plan, node);
  const checks = rowLevel ? columnChecks(plan, node, local) : scalarChecks(plan, node, local);
  const axisAdd = code`axis.add(${str(node.name)}, ${local}.length);`;
  const step = { nodes: [node.name], comment: plan.describe(node) };
  if (mode.only !== undefined) {
    const rest = [...(rowLevel ? [axisAdd] : []), ...checks];
    if (!mode.split) return { ...step, declarations: [], statements: [code`const ${local} = ${expr};`, ...rest] };
    return { ...step, declarations: [declareLocal(plan, local, node, type)], statements: [code`${local} = ${expr};`, ...rest] };
  }
  return {
    ...step,
    declarations: [declareLocal(plan, local, node, type)],
    statements: [
      code`if (${plan.masks.test("need", node.name)}) {`,
      code`  ${local} = ${expr};`,
      ...(rowLevel ? [code`  ${axisAdd}`] : []),
      ...indent(checks, 1),
      ...(plan.isOutput(node.name) ? [code`  if (${plan.masks.test("want", node.name)}) result${member(node.name)} = ${local};`] : []),
      code`}`,
    ],
  };
}

/** A check over a whole column produced outside a loop. */
function columnChecks(plan: TargetPlan, node: GraphNode, column: Code): Code[] {
  return node.checks.flatMap((c) => [
    code`{`,
    code`  let failed = 0;`,
    code`  const first: number[] = [];`,
    code`  for (let i = 0; i < ${column}.length; i++) {`,
    code`    const v = ${column}[i]!;`,
    code`    if (!(${plan.checkCondition(c, code`v`)})) { failed++; if (first.length < 5) first.push(i); }`,
    code`  }`,
    code`  if (failed > 0) ${plan.reportCheck(node, c, code`failed`, code`${column}.length`, code`first`)}`,
    code`}`,
  ]);
}

/** The type of a row-level value held whole (not a map node's column). */
function columnType(plan: TargetPlan, node: GraphNode): Code {
  if (node.fn.window && node.kind === "function") return windowColumnType(plan, node);
  const value = code`${plan.imports.runtimeType("Value")}<${plan.fnType(node.fn)}>`;
  return node.kind === "extract" ? code`${value}["columns"][${str(node.field!)}]` : value;
}

function storesNumbers(node: GraphNode): boolean {
  return node.valueType.code === "number";
}

/** The column type of a map node's materialised values. */
function mapColumnType(plan: TargetPlan, node: GraphNode): Code {
  return storesNumbers(node) ? code`Float64Array` : code`${wrap(valueType(plan, node))}[]`;
}

function wrap(type: Code): Code {
  return /^[\w$.]+$/.test(type) || /^[\w$.]+<.*>$/.test(type) || /^[\w$.<>]+\[[^\]]*\]$/.test(type) ? type : code`(${type})`;
}

/** What `execute` returns for an output. */
function resultType(plan: TargetPlan, node: GraphNode): Code {
  if (node.level !== "row") return valueType(plan, node);
  return node.map ? mapColumnType(plan, node) : columnType(plan, node);
}

function emitLoop(plan: TargetPlan, layout: LoopLayout, loop: Loop, loopCount: number, mode: BodyMode): BodyStep {
  const { masks } = plan;
  const guarded = mode.only === undefined;
  const members = loop.members.map((m) => plan.node(m));
  // Columns are materialised only for outputs and for values read outside this loop.
  const outside = (m: GraphNode) => (layout.outsideConsumers.get(m.name) ?? []).filter((c) => mode.included.has(c));
  const stored = members.filter((m) => (guarded ? plan.isOutput(m.name) : m.name === mode.only) || outside(m).length > 0);
  const storedSet = new Set(stored);
  const storeFlag = (m: GraphNode) => plan.derived(m.name, "stored");
  const col = (m: GraphNode) => plan.derived(m.name, "col");
  const numeric = stored.filter(storesNumbers);
  const comment = lineComment(`Fused loop ${loop.index + 1} of ${loopCount}, one call per row: ${loop.members.join(", ")}`);
  const declarations = stored.map((m) => code`let ${col(m)}!: ${mapColumnType(plan, m)};`);
  const inner: Code[] = [code`const n = axis.rows;`];
  if (guarded) {
    for (const m of stored) {
      const reasons = [
        ...(plan.isOutput(m.name) ? [code`(${masks.test("want", m.name)}) !== 0`] : []),
        ...(outside(m).length > 0 ? [masks.anyBit("need", outside(m))] : []),
      ];
      // Annotated, so tsc does not inline the mask tests into every narrowing that passes `if (flag)`.
      inner.push(code`const ${storeFlag(m)}: boolean = ${joinCode(reasons, " || ")};`);
    }
  }
  if (numeric.length > 0) {
    const allocate = plan.imports.runtime("allocateFloat64Columns");
    const count = guarded
      ? joinCode(
          numeric.map((m) => code`(${storeFlag(m)} ? 1 : 0)`),
          " + ",
        )
      : numeric.length;
    inner.push(code`const numbers = ${allocate}(n, ${count});`);
    if (guarded) inner.push(code`let next = 0;`);
  }
  numeric.forEach((m, k) =>
    inner.push(guarded ? code`${col(m)} = ${storeFlag(m)} ? numbers[next++]! : new Float64Array(0);` : code`${col(m)} = numbers[${k}]!;`),
  );
  for (const m of stored.filter((x) => !storesNumbers(x))) {
    const type = valueType(plan, m);
    inner.push(guarded ? code`${col(m)} = ${storeFlag(m)} ? new Array<${type}>(n) : [];` : code`${col(m)} = new Array<${type}>(n);`);
  }
  const checked = members.filter((m) => m.checks.length > 0);
  for (const m of checked) {
    m.checks.forEach((_, k) => {
      inner.push(code`let ${plan.derived(m.name, `failed${k}`)} = 0;`);
      inner.push(code`const ${plan.derived(m.name, `first${k}`)}: number[] = [];`);
    });
  }
  // The row body twice in the general path: without need guards when every member is needed
  // (the common case, as fast as hand-written), and guarded otherwise.
  const rowBody = (withGuards: boolean): Code[] => {
    const row: Code[] = [];
    for (const m of members) {
      const local = plan.local.get(m.name)!;
      let expr: Code;
      if (m.kind === "extract") {
        const ownerDep = m.deps[0]!;
        expr = code`${rowArgument(plan, layout, loop, { ...ownerDep, passing: "map" })}${member(m.field!)}`;
      } else {
        expr = code`${plan.fn(m.fn)}(${callArguments(m, (d) => rowArgument(plan, layout, loop, d))})`;
        if (m.async && mode.async) expr = code`await ${expr}`;
      }
      const body: Code[] = [];
      m.checks.forEach((c, k) => {
        const failed = plan.derived(m.name, `failed${k}`);
        const first = plan.derived(m.name, `first${k}`);
        body.push(code`if (!(${plan.checkCondition(c, local)})) { ${failed}++; if (${first}.length < 5) ${first}.push(i); }`);
      });
      // A numeric column not stored is a Float64Array of length 0, where a store is a no-op: no
      // flag test, one branch less per member for tsc to follow in every walk through the body.
      if (storedSet.has(m))
        body.push(guarded && !storesNumbers(m) ? code`if (${storeFlag(m)}) ${col(m)}[i] = ${local};` : code`${col(m)}[i] = ${local};`);
      if (withGuards)
        row.push(
          declareLocal(plan, local, m),
          code`if (${masks.test("need", m.name)}) {`,
          code`  ${local} = ${expr};`,
          ...indent(body, 1),
          code`}`,
        );
      else row.push(code`const ${local} = ${expr};`, ...body);
    }
    return row;
  };
  const chunked = (row: Code[]): Code[] => [
    code`for (let start = 0; start < n; start += chunk) {`,
    code`  const end = Math.min(n, start + chunk);`,
    code`  for (let i = start; i < end; i++) {`,
    ...indent(row, 2),
    code`  }`,
    code`  options?.onProgress?.({ target: TARGET, loop: ${loop.index}, loops: ${loopCount}, rows: end, total: n });`,
    code`}`,
  ];
  inner.push(code`const chunk = ${plan.imports.runtime("chunkRowsFor")}(options, n);`);
  if (guarded && members.length > 1) {
    append(
      inner,
      [code`if (${masks.allBits("need", loop.members)}) {`],
      indent(chunked(rowBody(false)), 1),
      [code`} else {`],
      indent(chunked(rowBody(true)), 1),
      [code`}`],
    );
  } else append(inner, chunked(rowBody(guarded)));
  for (const m of checked) {
    m.checks.forEach((c, k) => {
      const failed = plan.derived(m.name, `failed${k}`);
      inner.push(code`if (${failed} > 0) ${plan.reportCheck(m, c, failed, code`n`, plan.derived(m.name, `first${k}`))}`);
    });
  }
  if (guarded) {
    for (const m of stored) {
      if (plan.isOutput(m.name)) inner.push(code`if (${masks.test("want", m.name)}) result${member(m.name)} = ${col(m)};`);
    }
  }
  const lines: Code[] = [guarded ? code`if (${masks.anyBit("need", loop.members)}) {` : code`{`];
  append(lines, indent(inner, 1));
  lines.push(code`}`);
  return { nodes: loop.members, comment, declarations, statements: lines };
}
