/**
 * The executor module every TypeScript shape writes, written once: the header, the imports, the
 * typed API (`Outputs`, `InputsFor`, `Result`, `execute`), the fitted values, the output-name
 * dispatch with its need/want masks, the input reads and guards, and the compute functions — a
 * synchronous one, an async one, and fast paths for single outputs. A shape supplies only what
 * differs (`ExecutorShape`): its options and result types and the statements that compute nodes.
 * A body too long for TypeScript's control-flow analysis (which gives up, TS2563, after a few
 * thousand branches in one function) is cut into nested functions of a few nodes each.
 */
import {
  code,
  commentText,
  docComment,
  joinCode,
  key,
  lineComment,
  member,
  str,
  type Code,
  type RuntimeType,
} from "../../codegen/writer.js";
import type { GraphNode } from "../../model.js";
import { inputBit } from "./masks.js";
import { TargetPlan } from "./plan.js";
import { fastPathOutputs, inputsUpstream, nodeDeps, upstreamOf } from "./reach.js";
import { historiesInterface } from "./histories.js";
import { valueType } from "./types.js";
import { validatedInputs, writeFittedChecks, writeInputValidation } from "./validate.js";
import type { EmitInput } from "../shape.js";

/** How one compute function of an executor is written. */
export interface BodyMode {
  readonly async: boolean;
  /** The nodes this function may compute. */
  readonly included: ReadonlySet<string>;
  /**
   * A fast path for one output alone: only its upstream runs, with no need/want guards, so V8
   * can inline and unbox as in hand-written code. Undefined for the general (guarded) path.
   */
  readonly only?: string;
  /**
   * The body is cut into nested functions of a few nodes each (`splitBody`): every local is
   * declared up front, so a step declares its locals apart from the statements that set them.
   */
  readonly split: boolean;
}

/** The statements of one node (or fused loop) of a compute function. */
export interface BodyStep {
  /** The nodes it computes, in order (they name the function holding it when the body is split). */
  readonly nodes: readonly string[];
  /** Its leading comment. */
  readonly comment: Code;
  /** Declarations of the locals it sets, hoisted to the top of the function when the body is split. */
  readonly declarations: readonly Code[];
  readonly statements: readonly Code[];
}

/** The most nodes in one compute function before its body is split (the reference catalog's bodies stay whole). */
export const NODES_PER_FUNCTION = 100;
/**
 * The most lines of one nested function of a split body: far fewer branches than `tsc` gives up
 * on, and short, because `tsc` follows each reference back through the lines before it (at
 * 10,000 features, functions of 200 lines type-check the online target in 70 % of the time 600 take).
 */
const LINES_PER_FUNCTION = 200;

/** The statements of one compute function, around the input reads the skeleton writes. */
export interface ComputeBody {
  /** Before the input reads (the batch row axis). */
  readonly setup: readonly Code[];
  /** After the input reads (the batch axis checks of column inputs). */
  readonly afterReads: readonly Code[];
  /** The nodes, in schedule order. */
  readonly steps: readonly BodyStep[];
}

/** What a shape adds to the shared executor skeleton. */
export interface ExecutorShape {
  /** `execute`'s options type. */
  readonly optionsType: RuntimeType;
  /** One line on what an output is, for the doc comment of `Outputs`. */
  readonly outputsDoc: string;
  /** The type `execute` returns per output when it is not the output's value type (batch: columns), as an interface `Results`. */
  readonly resultType?: (plan: TargetPlan, node: GraphNode) => Code;
  /** How a fast path runs, for its doc comment ("straight through"). */
  readonly fastPathDoc: string;
  /** The body of one compute function. */
  body(plan: TargetPlan, mode: BodyMode): ComputeBody;
  /** The value a fast path returns for its output. */
  fastPathValue(plan: TargetPlan, name: string): Code;
}

/** Writes the whole executor module of a target. */
export function writeExecutor(input: EmitInput, shape: ExecutorShape): string {
  const plan = new TargetPlan(input);
  const g = plan.target;
  const publicOutputs = plan.publicOutputs();
  const results: Code = shape.resultType ? code`Results` : code`Outputs`;
  const options = plan.imports.runtimeType(shape.optionsType);

  const hasAsync = plan.asyncDependent.size > 0;
  const hasSync = !hasAsync || g.outputs.some((n) => !plan.asyncDependent.has(n));
  const bodies: Code[] = [];
  const signatureTail = code`inputs: Inputs, options: ${options} | undefined`;
  const masks = code`${plan.masks.array("want")}: Int32Array, ${plan.masks.array("need")}: Int32Array`;
  const general = (async: boolean, included: ReadonlySet<string>) => {
    const split = included.size > NODES_PER_FUNCTION;
    const body = shape.body(plan, { async, included, split });
    const returns = code`Partial<${results}>`;
    return joinCode(
      [
        async ? docComment("Every node; async calls overlap.") : docComment("The nodes that need no async call."),
        async
          ? code`async function computeAsync(${masks}, ${signatureTail}): Promise<${returns}> {`
          : code`function computeSync(${masks}, ${signatureTail}): ${returns} {`,
        code`  const result: ${returns} = {};`,
        ...indent(
          [...body.setup, ...inputReads(plan, included, true), ...body.afterReads, ...bodySteps(plan, body.steps, split, async, "compute")],
          1,
        ),
        code`  return result;`,
        code`}`,
      ],
      "\n",
    );
  };
  if (hasSync) bodies.push(general(false, new Set(g.order.filter((n) => !plan.asyncDependent.has(n)))));
  if (hasAsync) bodies.push(general(true, new Set(g.order)));
  const fastPaths = new Map<string, Code>();
  for (const only of fastPathOutputs(g)) {
    const name = plan.names.take(`computeOnly_${only}`);
    fastPaths.set(only, name);
    const async = plan.asyncDependent.has(only);
    const included = upstreamOf(g, only);
    const split = included.size > NODES_PER_FUNCTION;
    const body = shape.body(plan, { async, included, only, split });
    const type = code`Pick<${results}, ${str(only)}>`;
    bodies.push(
      joinCode(
        [
          docComment(`Fast path for '${only}' alone: only its upstream runs, ${shape.fastPathDoc}.`),
          code`${async ? code`async ` : code``}function ${name}(${signatureTail}): ${async ? code`Promise<${type}>` : type} {`,
          ...indent(
            [
              ...body.setup,
              ...inputReads(plan, included, false),
              ...body.afterReads,
              ...bodySteps(plan, body.steps, split, async, "compute"),
            ],
            1,
          ),
          code`  return { ${shorthand(only, shape.fastPathValue(plan, only))} };`,
          code`}`,
        ],
        "\n",
      ),
    );
  }
  const dispatch = executeBody(plan, publicOutputs, fastPaths, hasSync, hasAsync);

  // Everything below only declares what the bodies above already use, so the imports are complete.
  const lines: Code[] = [];
  const fittedNodes = g.order.filter((n) => {
    const node = plan.node(n);
    return node.fn.fitted && (node.kind === "fitted" || (node.kind === "function" && node.level === "scalar"));
  });
  const inputsInterface = plan.inputsInterface();
  const histories = historiesInterface(plan);
  const inputsType = joinCode(
    [
      inputsInterface ?? code`{}`,
      ...(g.fittedInputs.length > 0 ? [code`{ fitted: FittedValues }`] : []),
      ...(histories.length > 0 ? [code`WindowHistories`] : []),
    ],
    " & ",
  );
  const asyncOutputs = publicOutputs.filter((n) => plan.asyncDependent.has(n));
  const union = (names: readonly string[]): Code => (names.length === 0 ? code`never` : joinCode(names.map(str), " | "));
  const list = (names: readonly string[]): Code => joinCode(names.map(str), ", ");

  lines.push(code``, code`export const TARGET = ${str(g.name)};`, code``);
  lines.push(docComment(shape.outputsDoc.replace("{target}", `'${g.name}'`)), code`export interface Outputs {`);
  for (const n of publicOutputs) {
    const doc = docOf(plan.node(n));
    if (doc) lines.push(code`  /** ${doc} */`);
    lines.push(code`  ${key(n)}: ${valueType(plan, plan.node(n))};`);
  }
  lines.push(code`}`, code``, code`export type OutputName = keyof Outputs;`, code``);
  lines.push(docComment(`Every output of target ${str(g.name)}, in topological order.`));
  if (publicOutputs.length <= NODES_PER_FUNCTION)
    lines.push(code`export const OUTPUT_NAMES: readonly OutputName[] = [${list(publicOutputs)}];`);
  // Typed as strings first: `tsc` checks each element of an array literal against its contextual
  // type, and with OutputName (a union of every output) as that type, it walks the whole union
  // once per element, which grows with the square of the outputs (a third of the online target's
  // type check at 30,000 features).
  else lines.push(code`export const OUTPUT_NAMES = [${list(publicOutputs)}] as readonly string[] as readonly OutputName[];`);
  if (shape.resultType) {
    lines.push(code``, docComment("What `execute` returns per output: row-level outputs as columns of the row axis, scalars as values."));
    lines.push(code`export interface Results {`);
    for (const n of publicOutputs) lines.push(code`  ${key(n)}: ${shape.resultType(plan, plan.node(n))};`);
    lines.push(code`}`);
  }
  if (fittedNodes.length > 0) {
    const compute = g.fitted === "compute";
    lines.push(
      code``,
      docComment(
        `The @fitted values: ${compute ? "computed by this target, saved for targets that read them." : "read from the artifact a fitting target saved."}`,
      ),
    );
    lines.push(code`export interface FittedValues {`);
    for (const n of fittedNodes) lines.push(code`  ${key(n)}: ${fittedType(plan, plan.node(n))};`);
    lines.push(code`}`, code``);
    lines.push(docComment("Hash of the code the fitted values depend on: an artifact with another hash is stale."));
    lines.push(code`export const FITTED_HASH = ${str(input.fittedHash)};`, code``);
    lines.push(docComment("The fitted values' run-time schema, for validating a saved artifact."));
    lines.push(code`export const FITTED_SCHEMA = {`);
    for (const n of fittedNodes) lines.push(code`  ${key(n)}: ${str(schemaOf(plan.node(n)))},`);
    lines.push(code`} as const;`);
    const checks = fittedNodes.flatMap((n) => scalarChecks(plan, plan.node(n), code`values${member(n)}`));
    append(lines, writeFittedChecks(checks, plan.imports.runtimeType("ExecuteOptions")));
    if (compute) {
      lines.push(code``, docComment("The outputs to request to fit the values saved for targets that read them."));
      lines.push(code`export const FITTED_OUTPUTS = [${list(fittedNodes)}] as const;`);
    }
  }
  if (histories.length > 0) lines.push(code``, ...histories);
  lines.push(code``, docComment(`All inputs of target ${str(g.name)}.`), code`export type Inputs = ${inputsType};`);
  append(
    lines,
    writeInputValidation(validatedInputs(plan), {
      invalid: plan.imports.runtime("InvalidInputError"),
      missing: plan.imports.runtime("MissingInputError"),
    }),
    [code``],
  );
  const upstream = inputsUpstream(g);
  lines.push(docComment("The inputs each output needs, transitively."), code`interface InputsNeeded {`);
  for (const n of publicOutputs) lines.push(code`  ${key(n)}: ${union(upstream.get(n) ?? [])};`);
  lines.push(code`}`, code``, docComment("Only the inputs upstream of the requested outputs."));
  lines.push(code`export type InputsFor<K extends OutputName> = Pick<Inputs, InputsNeeded[K]>;`, code``);
  const pick = code`Pick<${results}, K>`;
  const asyncNames = asyncOutputs.length > 0 && hasSync ? union(asyncOutputs) : asyncOutputs.length > 0 ? code`OutputName` : undefined;
  if (asyncNames) {
    lines.push(docComment("Outputs that depend on an async node: requesting any makes `execute` return a Promise."));
    lines.push(code`export type AsyncOutputName = ${asyncNames};`, code``);
    lines.push(
      code`export type Result<K extends OutputName> = [Extract<K, AsyncOutputName>] extends [never] ? ${pick} : Promise<${pick}>;`,
    );
  } else lines.push(code`export type Result<K extends OutputName> = ${pick};`);
  lines.push(
    code``,
    code`/**`,
    code` * Computes the requested outputs of target ${commentText(str(g.name))}; only the nodes upstream of them run.`,
  );
  if (asyncNames) lines.push(code` * Synchronous when none of the requested outputs depends on an async node.`);
  lines.push(code` */`);
  lines.push(
    code`export function execute<K extends OutputName>(outputs: readonly K[], inputs: InputsFor<K>, options?: ${options}): Result<K> {`,
  );
  append(lines, indent(dispatch, 1), [code`}`]);
  for (const body of bodies) lines.push(code``, body);

  const header = [
    code`// Generated by featc — do not edit. Rebuild with \`featc build\`.`,
    code`// Target ${commentText(str(g.name))} (shape ${commentText(g.shape)}) of ${commentText(input.configFile)}.`,
    code`// Catalog functions are called directly, in dependency order; nothing is looked up by name at run time.`,
    code`// execute() runs only what the requested outputs need: one bit per node in the need/want masks below.`,
    ...(hasSync && hasAsync
      ? [code`// computeSync holds the nodes that wait on no async call, so a request that needs none gets no Promise;`]
      : []),
    ...(hasAsync ? [code`// computeAsync starts each async call as soon as its inputs exist and awaits it just before first use.`] : []),
    ...(fastPaths.size > 0
      ? [code`// computeOnly_* run one output alone, straight through with no mask tests, for the common single-output call.`]
      : []),
    code`/* eslint-disable */`,
  ];
  return joinCode([...header, ...plan.imports.render(), ...lines], "\n") + "\n";
}

/** The body of `execute`: a fast path for a single output, else the masks, then the compute function. */
function executeBody(
  plan: TargetPlan,
  publicOutputs: readonly string[],
  fastPaths: ReadonlyMap<string, Code>,
  hasSync: boolean,
  hasAsync: boolean,
): Code[] {
  const { masks } = plan;
  const out: Code[] = [];
  const asInputs = code`inputs as unknown as Inputs, options`;
  out.push(code`if (options?.validate) checkInputs(inputs, false);`);
  out.push(
    code`else if (inputs === null || inputs === undefined) throw new ${plan.imports.runtime("MissingInputError")}("", TARGET, inputs);`,
  );
  if (fastPaths.size > 0) {
    out.push(code`if (outputs.length === 1) {`, code`  switch (outputs[0] as OutputName) {`);
    for (const [output, fn] of fastPaths) out.push(code`    case ${str(output)}: return ${fn}(${asInputs}) as unknown as Result<K>;`);
    out.push(code`  }`, code`}`);
  }
  out.push(code`const ${masks.array("want")} = new Int32Array(${masks.words});`);
  const cases = (exit: Code) => publicOutputs.map((n) => code`case ${str(n)}: ${joinCode(masks.setBits("want", [n]), " ")} ${exit};`);
  const unknown = plan.imports.runtime("UnknownOutputError");
  if (publicOutputs.length <= NODES_PER_FUNCTION) {
    out.push(code`for (let k = 0; k < outputs.length; k++) {`, code`  switch (outputs[k] as OutputName) {`);
    append(out, indent(cases(code`break`), 2));
    out.push(code`    default: throw new ${unknown}(String(outputs[k]), TARGET, OUTPUT_NAMES);`, code`  }`, code`}`);
  } else {
    // The switch in a function of its own, outside the loop: type-checking a mask word set in a
    // loop walks the whole loop body once per word, which grows with the square of the outputs.
    // `name` is a string, not an OutputName: narrowing a union of every output case by case
    // (for the default clause) is quadratic too. Each case returns rather than breaks: `tsc` adds
    // every `break` to the label after the switch, checking it against those already there.
    const want = plan.names.take("wantOutput");
    out.push(
      docComment("Sets the want bit of one requested output."),
      code`function ${want}(name: string): void {`,
      code`  switch (name) {`,
    );
    append(out, indent(cases(code`return`), 2));
    out.push(code`    default: throw new ${unknown}(name, TARGET, OUTPUT_NAMES);`, code`  }`, code`}`);
    out.push(code`for (let k = 0; k < outputs.length; k++) ${want}(outputs[k]!);`);
  }
  out.push(code`const ${masks.array("need")} = ${masks.array("want")}.slice();`);
  // In reverse topological order, a needed node makes its dependencies and the inputs it reads needed.
  const reads = new Map<string, string[]>();
  for (const [input, nodes] of [...plan.inputConsumers].sort(([a], [b]) => (a < b ? -1 : 1)))
    for (const n of nodes) reads.set(n, [...(reads.get(n) ?? []), input]);
  const propagation: BodyStep[] = [];
  for (let i = plan.order.length - 1; i >= 0; i--) {
    const node = plan.node(plan.order[i]!);
    const deps = nodeDeps(node);
    const inputs = reads.get(node.name) ?? [];
    if (deps.length + inputs.length === 0) continue;
    const bits = masks.setBits("need", [...deps, ...inputs.map(inputBit)]);
    const line = code`if (${masks.test("need", node.name)}) { ${joinCode(bits, " ")} } ${lineComment(`${node.name} needs ${nameList([...deps, ...inputs])}`)}`;
    propagation.push({ nodes: [node.name], comment: code``, declarations: [], statements: [line] });
  }
  append(out, bodySteps(plan, propagation, propagation.length > NODES_PER_FUNCTION, false, "need"));
  const maskArgs = code`${masks.array("want")}, ${masks.array("need")}`;
  const call = (fn: Code) => code`${fn}(${maskArgs}, ${asInputs}) as unknown as Result<K>`;
  if (hasAsync && hasSync) {
    out.push(
      code`if (${masks.anyBit("need", [...plan.asyncDependent])}) return ${call(code`computeAsync`)}; // something needed waits on an async call`,
    );
    out.push(code`return ${call(code`computeSync`)};`);
  } else if (hasAsync) {
    // Result<never> is not a Promise: asking for nothing answers synchronously even when every node is async.
    out.push(code`if (${masks.noBit("need", [...plan.asyncDependent])}) return {} as unknown as Result<K>;`);
    out.push(code`return ${call(code`computeAsync`)};`);
  } else out.push(code`return ${call(code`computeSync`)};`);
  return out;
}

/** Up to four names for a comment, then how many more. */
function nameList(names: readonly string[]): string {
  return names.length <= 4 ? names.join(", ") : `${names.slice(0, 4).join(", ")} and ${names.length - 4} more`;
}

/** The doc comment text of an output, if it has one. */
function docOf(node: GraphNode): Code | undefined {
  return commentText(node.kind === "extract" ? `Field '${node.field}' of ${node.extractOf}.` : node.fn.description) || undefined;
}

function fittedType(plan: TargetPlan, node: GraphNode): Code {
  if (node.valueType.code !== undefined) return valueType(plan, node);
  return code`${plan.imports.runtimeType("Value")}<${plan.fnType(node.fn)}>`;
}

function schemaOf(node: GraphNode): string {
  const s = node.valueType.scalar;
  return s === "other" ? "json" : s;
}

/** Reads every input the included nodes consume, and throws MissingInputError for absent required ones. */
function inputReads(plan: TargetPlan, included: ReadonlySet<string>, guarded: boolean): Code[] {
  const lines: Code[] = [];
  const fields = new Map((plan.target.inputs?.fields ?? []).map((f) => [f.name, f]));
  for (const [name, nodes] of [...plan.inputConsumers.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const users = nodes.filter((n) => included.has(n));
    if (users.length === 0) continue;
    const local = plan.inputLocal.get(name)!;
    const read = code`inputs${member(name)}`;
    // An input named like a member of Object.prototype (constructor, toString, …) that was left
    // out must read as undefined, not as the inherited member.
    const value =
      name in Object.prototype ? code`(Object.hasOwn(inputs, ${str(name)}) ? ${read} : undefined) as Inputs[${str(name)}]` : read;
    lines.push(code`const ${local} = ${value};`);
    const optional = name === "fitted" ? false : (fields.get(name)?.optional ?? false);
    if (!optional) {
      const guard = guarded ? code` && ${plan.masks.anyBit("need", [inputBit(name)])}` : code``;
      const note = guarded ? code` ${lineComment(`read by ${nameList(users)}`)}` : code``;
      // The fitted values are always an object: null is as missing as undefined.
      const absent = name === "fitted" ? code`${local} == null` : code`${local} === undefined`;
      lines.push(code`if (${absent}${guard}) throw new ${plan.imports.runtime("MissingInputError")}(${str(name)}, TARGET);${note}`);
    }
  }
  return lines;
}

/** The statements that run a node's checks on one value (online, or a batch scalar). */
export function scalarChecks(plan: TargetPlan, node: GraphNode, value: Code): Code[] {
  return node.checks.map((c) => code`if (!(${plan.checkCondition(c, value)})) ${plan.reportCheck(node, c, code`1`, code`1`, code`[0]`)}`);
}

/** `name: local`, or just `name` when they are the same. */
export function shorthand(name: string, local: Code): Code {
  return key(name) === local ? local : code`${key(name)}: ${local}`;
}

/**
 * The steps of a function body: inline, or — split — every step's declarations first, then
 * nested functions of consecutive steps (named after their first and last nodes: `compute_a_to_b`,
 * `need_b_to_a` for the mask propagation, which runs backwards), each called once in order. The nested functions
 * share the locals of the body they are cut from, so no value is copied between them.
 */
function bodySteps(plan: TargetPlan, steps: readonly BodyStep[], split: boolean, async: boolean, verb: "compute" | "need"): Code[] {
  const out: Code[] = [];
  if (!split) {
    for (const step of steps) append(out, step.comment === "" ? [] : [step.comment], step.declarations, step.statements);
    return out;
  }
  const parts: BodyStep[][] = [];
  let lines = Infinity;
  for (const step of steps) {
    const size = step.statements.length + 1;
    if (lines + size > LINES_PER_FUNCTION) {
      parts.push([]);
      lines = 0;
    }
    parts.at(-1)!.push(step);
    lines += size;
  }
  for (const step of steps) append(out, step.declarations);
  const calls: Code[] = [];
  for (const part of parts) {
    const first = part[0]!.nodes[0]!;
    const last = part.at(-1)!.nodes.at(-1)!;
    const local = (name: string) => plan.local.get(name) ?? name;
    const name = plan.names.take(first === last ? `${verb}_${local(first)}` : `${verb}_${local(first)}_to_${local(last)}`);
    const nodes = part.reduce((n, step) => n + step.nodes.length, 0);
    const which = `${nodes === 1 ? "one node" : `${nodes} nodes`}, ${first === last ? first : `${first} to ${last}`}`;
    out.push(
      code``,
      docComment(
        verb === "need" ? `The dependencies of ${which}, marked needed when the node is.` : `Computes ${which}, in schedule order.`,
      ),
    );
    out.push(async ? code`async function ${name}(): Promise<void> {` : code`function ${name}(): void {`);
    for (const step of part) append(out, indent(step.comment === "" ? step.statements : [step.comment, ...step.statements], 1));
    out.push(code`}`);
    calls.push(async ? code`await ${name}();` : code`${name}();`);
  }
  append(out, [code``], calls);
  return out;
}

/** Appends lines to `out` without spreading them into call arguments (an executor can have millions of lines). */
export function append(out: Code[], ...groups: readonly (readonly Code[])[]): void {
  for (const group of groups) for (const line of group) out.push(line);
}

export function indent(lines: readonly Code[], depth: number): Code[] {
  const pad = "  ".repeat(depth);
  return lines.map((l) => (l === "" ? l : ((pad + l) as Code)));
}
