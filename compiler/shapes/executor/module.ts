/**
 * The parts of an executor module that both shapes share: the typed API (Outputs, InputsFor,
 * Result, execute), the fitted values, the imports, and the output-name dispatch. The module
 * skeleton is the handlebars template beside this file; code fragments come from small functions.
 */
import fs from "node:fs";
import Handlebars from "handlebars";
import { comment, key, str } from "../../codegen/escape.js";
import type { GraphNode } from "../../model.js";
import { packageFile } from "../../paths.js";
import type { TargetPlan } from "./plan.js";

const templates = Handlebars.create();
templates.registerHelper("str", (value: unknown) => str(String(value)));
const executorTemplate = templates.compile(fs.readFileSync(packageFile("compiler", "shapes", "executor", "templates", "executor.hbs"), "utf8"), {
  noEscape: true,
  strict: true,
});

export interface ShapeParts {
  /** Values imported from the runtime (sorted), besides the error classes the prologue needs. */
  readonly runtimeValues: readonly string[];
  readonly runtimeTypes: readonly string[];
  readonly optionsType: string;
  readonly resultPick: string;
  /** Per public output, the type `execute` returns for it (batch: columns); undefined for online. */
  readonly results?: readonly { readonly name: string; readonly type: string }[];
  /** The compute functions: `computeSync` and/or `computeAsync`, then the fast paths. */
  readonly bodies: readonly string[];
  /** Fast-path functions for one output alone, by output. */
  readonly fastPaths: ReadonlyMap<string, string>;
  readonly hasSync: boolean;
  readonly hasAsync: boolean;
}

/** Renders the whole executor module. */
export function renderExecutor(plan: TargetPlan, parts: ShapeParts): string {
  const g = plan.target;
  const inputsUpstream = plan.inputsUpstream();
  const publicOutputs = plan.publicOutputs();
  // The fitted values themselves (read, or computed once for the run); fields extracted from one
  // are taken from it where it is read.
  const fittedNodes = g.order.filter((n) => {
    const node = plan.node(n);
    return node.fn.fitted && (node.kind === "fitted" || (node.kind === "function" && node.level === "scalar"));
  });
  const fittedCompute = g.fitted === "compute";

  const inputsImport = g.inputs ? `import type { ${g.inputs.name} } from ${str(plan.moduleSpecifier(g.inputs.file))};` : undefined;
  const base = g.inputs ? g.inputs.name : "{}";
  const inputsType = g.fittedInputs.length > 0 ? `${base} & { fitted: FittedValues }` : g.inputs ? base : "{}";

  const runtimeValues = new Set(parts.runtimeValues);
  runtimeValues.add("UnknownOutputError");
  const runtimeTypes = new Set(parts.runtimeTypes);
  const asyncOutputs = publicOutputs.filter((n) => plan.asyncDependent.has(n));

  const catalogImports = plan.imports.map((line) => {
    const allTypes = line.names.every((n) => n.typeOnly);
    const names = line.names.map((n) => `${!allTypes && n.typeOnly ? "type " : ""}${n.exported === n.local ? n.exported : `${n.exported} as ${n.local}`}`);
    return `import ${allTypes ? "type " : ""}{ ${names.join(", ")} } from ${str(line.from)};`;
  });

  const prologue: string[] = [];
  if (parts.fastPaths.size > 0) {
    prologue.push(`if (outputs.length === 1) {`, `  switch (outputs[0] as OutputName) {`);
    for (const [output, fn] of parts.fastPaths) prologue.push(`    case ${str(output)}: return ${fn}(inputs as unknown as Inputs, options) as unknown as Result<K>;`);
    prologue.push(`  }`, `}`);
  }
  append(
    prologue,
    Array.from({ length: plan.words }, (_, w) => `let want${w} = 0;`),
    [`for (let k = 0; k < outputs.length; k++) {`, `  switch (outputs[k] as OutputName) {`],
    publicOutputs.map((n) => `    case ${str(n)}: ${plan.setBits("want", [n]).join(" ")} break;`),
    [`    default: throw new UnknownOutputError(String(outputs[k]), TARGET, OUTPUT_NAMES);`, `  }`, `}`],
    Array.from({ length: plan.words }, (_, w) => `let need${w} = want${w};`),
    plan.needPropagation(),
  );
  const maskArgs = Array.from({ length: plan.words }, (_, w) => `want${w}, need${w}`).join(", ");
  const call = (fn: string) => `${fn}(${maskArgs}, inputs as unknown as Inputs, options) as unknown as Result<K>`;
  if (parts.hasAsync && parts.hasSync) {
    prologue.push(`if (${plan.anyBit("need", [...plan.asyncDependent])}) return ${call("computeAsync")};`);
    prologue.push(`return ${call("computeSync")};`);
  } else if (parts.hasAsync) {
    // Result<never> is not a Promise: asking for nothing answers synchronously even when every node is async.
    prologue.push(`if (${plan.noBit("need", [...plan.asyncDependent])}) return {} as unknown as Result<K>;`);
    prologue.push(`return ${call("computeAsync")};`);
  } else prologue.push(`return ${call("computeSync")};`);

  const PLACEHOLDER = "/* featc runtime imports */";

  const code = executorTemplate({
    target: g.name,
    shape: g.shape,
    configFile: comment(plan.input.configFile),
    runtimeImports: [PLACEHOLDER],
    inputsImport,
    catalogImports,
    outputsDoc: g.levels === "entity" ? `The outputs of target '${comment(g.name)}' for one entity.` : `The outputs of target '${comment(g.name)}', per row for row-level outputs.`,
    outputs: publicOutputs.map((n) => ({ name: n, key: key(n), type: plan.valueType(plan.node(n)), doc: docOf(plan.node(n)) })),
    results: parts.results?.map((r) => ({ key: key(r.name), type: r.type })),
    fitted: fittedNodes.length > 0 ? fittedNodes.map((n) => ({ name: n, key: key(n), type: fittedType(plan, plan.node(n)), schema: schemaOf(plan.node(n)) })) : undefined,
    fittedDoc: fittedCompute ? "computed by this target, saved for targets that read them." : "read from the artifact a fitting target saved.",
    fittedCompute,
    fittedHash: plan.input.fittedHash,
    inputsType,
    inputsNeeded: publicOutputs.map((n) => ({ key: key(n), inputs: union(inputsUpstream.get(n) ?? []) })),
    asyncOutputs: asyncOutputs.length > 0 && parts.hasSync ? union(asyncOutputs) : asyncOutputs.length > 0 ? "OutputName" : undefined,
    resultPick: parts.resultPick,
    optionsType: parts.optionsType,
    prologue,
    bodies: parts.bodies,
  });
  // Import exactly the runtime names the module uses. A substring search (fast on a large module)
  // finds the candidates; a word-boundary search of that one name confirms each.
  const body = code.replace(PLACEHOLDER, "");
  const candidates = [...new Set([...runtimeValues, ...runtimeTypes, "Value", "ColumnElement", "TableRow"])];
  const seen = new Set(candidates.filter((name) => body.includes(name) && new RegExp(`\\b${name}\\b`).test(body)));
  const typeImports = [...runtimeTypes, "Value", "ColumnElement", "TableRow"].filter((t, i, all) => all.indexOf(t) === i && seen.has(t)).sort();
  const valueImports = [...runtimeValues].filter((v) => seen.has(v)).sort();
  const importLine = `import { ${[...valueImports, ...typeImports.map((t) => `type ${t}`)].join(", ")} } from "featc";`;
  const full = code.replace(PLACEHOLDER, importLine);
  return full.endsWith("\n") ? full : full + "\n";
}

function union(names: readonly string[]): string {
  return names.length === 0 ? "never" : names.map(str).join(" | ");
}

function docOf(node: GraphNode): string | undefined {
  if (node.kind === "extract") return comment(`Field '${node.field}' of ${node.extractOf}.`) || undefined;
  return node.fn.description ? comment(node.fn.description) : undefined;
}

function fittedType(plan: TargetPlan, node: GraphNode): string {
  if (node.valueType.code !== undefined) return node.valueType.code;
  return `Value<typeof ${plan.fn(node.fn)}>`;
}

function schemaOf(node: GraphNode): string {
  const s = node.valueType.scalar;
  return s === "other" ? "json" : s;
}

/** Reads every input the included nodes consume, and throws MissingInputError for absent required ones. */
export function inputReads(plan: TargetPlan, included: ReadonlySet<string>, guarded = true): { lines: string[]; used: boolean } {
  const consumers = plan.inputConsumers();
  const lines: string[] = [];
  const fields = new Map((plan.target.inputs?.fields ?? []).map((f) => [f.name, f]));
  for (const [name, nodes] of [...consumers.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const users = nodes.filter((n) => included.has(n));
    if (users.length === 0) continue;
    const local = plan.inputLocal.get(name)!;
    const read = `inputs${name === "fitted" || /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${str(name)}]`}`;
    // An input named like a member of Object.prototype (constructor, toString, …) that was left
    // out must read as undefined, not as the inherited member.
    const value = name in Object.prototype ? `(Object.hasOwn(inputs, ${str(name)}) ? ${read} : undefined) as Inputs[${str(name)}]` : read;
    lines.push(`const ${local} = ${value};`);
    const optional = name === "fitted" ? false : (fields.get(name)?.optional ?? false);
    if (!optional) lines.push(`if (${local} === undefined${guarded ? ` && ${plan.anyBit("need", users)}` : ""}) throw new MissingInputError(${str(name)}, TARGET);`);
  }
  return { lines, used: lines.some((l) => l.includes("MissingInputError")) };
}

/** The statements that run a node's checks on one value (online, or a batch scalar). */
export function scalarChecks(plan: TargetPlan, node: GraphNode, value: string): string[] {
  return node.checks.map(
    (c) => `if (!(${plan.checkCondition(c, value)})) reportCheck(options, ${str(node.name)}, ${str(c.text)}, ${c.warn}, 1, 1, [0]);`,
  );
}

/** Appends lines to `out` without spreading them into call arguments (an executor can have millions of lines). */
export function append(out: string[], ...groups: readonly (readonly string[])[]): void {
  for (const group of groups) for (const line of group) out.push(line);
}

/** `name: local`, or just `name` when they are the same. */
export function shorthand(name: string, local: string): string {
  return key(name) === local ? local : `${key(name)}: ${local}`;
}

export function indent(lines: readonly string[], depth: number): string[] {
  const pad = "  ".repeat(depth);
  return lines.map((l) => (l === "" ? l : pad + l));
}
