/**
 * What an executor's writer needs to know about a target before writing a line: the locals of
 * nodes and inputs, the private aliases of catalog imports, the need/want masks (masks.ts), what
 * each node reaches (reach.ts), and how a check and a node's origin are written.
 */
import path from "node:path";
import { ModuleImports, NameAllocator, code, joinCode, lineComment, literal, num, str, type Code } from "../../codegen/writer.js";
import type { BuiltTarget, CheckFact, FunctionFact, GraphNode } from "../../model.js";
import type { EmitInput } from "../shape.js";
import { Masks } from "./masks.js";
import { asyncDependents, inputConsumers } from "./reach.js";

/** Internal names of generated code that a node's local must never take. */
const INTERNAL = [
  "execute",
  "outputs",
  "inputs",
  "options",
  "result",
  "axis",
  "k",
  "i",
  "n",
  "start",
  "end",
  "chunk",
  "numbers",
  "next",
  "failed",
  "first",
  "v",
  "handled",
  "reportCheck",
  "allocateFloat64Columns",
  "chunkRowsFor",
  "RowAxis",
  "MissingInputError",
  "UnknownOutputError",
  "computeSync",
  "computeAsync",
  "TARGET",
  "OUTPUT_NAMES",
  "FITTED_HASH",
  "FITTED_SCHEMA",
  "FITTED_OUTPUTS",
  "want",
  "need",
];

/** The module generated executors import the runtime from. */
const RUNTIME_MODULE = "featc";

export class TargetPlan {
  readonly target: BuiltTarget;
  readonly order: readonly string[];
  readonly names = new NameAllocator(INTERNAL);
  readonly imports = new ModuleImports(this.names, RUNTIME_MODULE);
  readonly masks: Masks;
  /** Local name of each node's value (for a batch map node: its per-row value). */
  readonly local = new Map<string, Code>();
  /** Local name of each input. */
  readonly inputLocal = new Map<string, Code>();
  /** Nodes whose value depends, transitively, on an async node. */
  readonly asyncDependent: ReadonlySet<string>;
  /** The nodes that read each input directly, in order: every compute function asks, so it is worked out once. */
  readonly inputConsumers: ReadonlyMap<string, readonly string[]>;
  private readonly outputSet: ReadonlySet<string>;
  private readonly derivedNames = new Map<string, Code>();

  constructor(readonly input: EmitInput) {
    const g = input.target;
    this.target = g;
    this.order = g.order;
    this.outputSet = new Set(g.outputs);
    this.inputConsumers = inputConsumers(g);
    this.masks = new Masks(this.order, [...this.inputConsumers.keys()].sort());
    // Aliases of catalog imports first, in a sorted order, so they do not depend on which code uses them first.
    const fns = new Map<string, FunctionFact>();
    for (const name of this.order) {
      const fn = g.nodes.get(name)!.fn;
      fns.set(`${fn.file}#${fn.exportName}`, fn);
    }
    for (const [, fn] of [...fns.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      this.imports.declare(this.moduleSpecifier(fn.file), fn.exportName);
    const validators = new Map<string, { file: string; name: string }>();
    for (const name of this.order) {
      for (const check of g.nodes.get(name)!.checks) {
        const v = check.rule.kind === "validator" ? input.validators.get(check.rule.fn) : undefined;
        if (v && check.rule.kind === "validator") validators.set(`${v.file}#${check.rule.fn}`, { file: v.file, name: check.rule.fn });
      }
    }
    for (const [, v] of [...validators.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      this.imports.declare(this.moduleSpecifier(v.file), v.name);
    if (g.inputs) this.imports.declare(this.moduleSpecifier(g.inputs.file), g.inputs.name);
    for (const f of g.inputs?.fields ?? []) this.inputLocal.set(f.name, this.names.take(f.name));
    if (g.fittedInputs.length > 0) this.inputLocal.set("fitted", this.names.take("fitted"));
    for (const h of g.windowHistories) this.inputLocal.set(h.name, this.names.take(h.name));
    for (const name of this.order) this.local.set(name, this.names.take(name));
    this.asyncDependent = asyncDependents(g);
  }

  /** A unique local derived from a node's name (`age_col`), the same on every call. */
  derived(name: string, suffix: string): Code {
    const k = `${name}\0${suffix}`;
    let local = this.derivedNames.get(k);
    if (local === undefined) {
      local = this.names.take(`${this.local.get(name) ?? name}_${suffix}`);
      this.derivedNames.set(k, local);
    }
    return local;
  }

  /** Whether a node is a public output of the target. */
  isOutput(name: string): boolean {
    return this.outputSet.has(name);
  }

  /** The public outputs in topological order. */
  publicOutputs(): string[] {
    return this.order.filter((n) => this.outputSet.has(n));
  }

  node(name: string): GraphNode {
    return this.target.nodes.get(name)!;
  }

  /** A catalog function, called. */
  fn(fact: FunctionFact): Code {
    return this.imports.value(this.moduleSpecifier(fact.file), fact.exportName);
  }

  /** `typeof $f`: a catalog function's type, which imports it as a type only. */
  fnType(fact: FunctionFact): Code {
    return code`typeof ${this.imports.type(this.moduleSpecifier(fact.file), fact.exportName)}`;
  }

  /** The target's inputs interface, under its private alias. */
  inputsInterface(): Code | undefined {
    const inputs = this.target.inputs;
    return inputs ? this.imports.type(this.moduleSpecifier(inputs.file), inputs.name) : undefined;
  }

  /** `../catalog/features.js`: the ESM specifier of a catalog file, relative to outDir. */
  moduleSpecifier(file: string): string {
    let rel = path.relative(this.input.outDir, file).split(path.sep).join("/");
    rel = rel
      .replace(/\.tsx?$/, ".js")
      .replace(/\.mts$/, ".mjs")
      .replace(/\.cts$/, ".cjs");
    return rel.startsWith(".") ? rel : `./${rel}`;
  }

  /** `catalog/features.ts:12`: where a node is defined, for comments. */
  location(fact: FunctionFact): string {
    return `${path.relative(this.input.rootDir, fact.file).split(path.sep).join("/")}:${fact.span.line}`;
  }

  /** Code that is true when `value` passes a check (value is an expression without side effects). */
  checkCondition(check: CheckFact, value: Code): Code {
    const rule = check.rule;
    switch (rule.kind) {
      case "range":
        return code`${value} >= ${num(rule.min)} && ${value} <= ${num(rule.max)}`;
      case "notNull":
        return code`${value} != null && ${value} === ${value}`;
      case "oneOf":
        return joinCode(
          rule.values.map((v) => code`${value} === ${literal(v)}`),
          " || ",
        );
      case "validator": {
        const v = this.input.validators.get(rule.fn)!;
        return code`${this.imports.value(this.moduleSpecifier(v.file), rule.fn)}(${value})`;
      }
    }
  }

  /** The statement reporting a failed check of a node: how many values failed of how many, and the first few rows. */
  reportCheck(node: GraphNode, check: CheckFact, failed: Code, total: Code, first: Code): Code {
    const field = (name: string, value: Code) => (value === name ? value : code`${name as Code}: ${value}`);
    const failure = joinCode(
      [
        code`node: ${str(node.name)}`,
        code`check: ${str(check.text)}`,
        code`warn: ${check.warn ? code`true` : code`false`}`,
        field("failed", failed),
        field("total", total),
        field("first", first),
      ],
      ", ",
    );
    return code`${this.imports.runtime("reportCheck")}(options, { ${failure} });`;
  }

  /** A short comment line naming a node and where it is defined. */
  describe(node: GraphNode): Code {
    const where = this.location(node.fn);
    const what =
      node.kind === "extract"
        ? `field '${node.field}' of ${node.extractOf}`
        : node.kind === "fitted"
          ? `fitted value read from inputs.fitted (${node.fn.exportName})`
          : node.fn.exportName;
    const frame = node.kind === "function" && node.fn.window ? ` — @window ${node.fn.window.text}` : "";
    return lineComment(node.name === what ? `${node.name} — ${where}${frame}` : `${node.name}: ${what} — ${where}${frame}`);
  }
}
