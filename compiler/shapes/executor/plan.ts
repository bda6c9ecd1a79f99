/**
 * What both emitters need to know about a target before writing a line: local names, imports,
 * need/want bit masks, type expressions, the inputs upstream of each output, and the order in
 * which statements run (async calls start as early as possible and are awaited late).
 */
import path from "node:path";
import { NameAllocator, comment, ident, literal, num, str } from "../../codegen/escape.js";
import { MinHeap } from "../../heap.js";
import type { BuiltTarget, CheckFact, FunctionFact, GraphNode } from "../../model.js";
import type { EmitInput } from "../shape.js";

export const BITS_PER_WORD = 30;

/** Internal names of generated code that a node's local must never take. */
const INTERNAL = [
  "execute", "outputs", "inputs", "options", "result", "axis", "k", "i", "n", "start", "end", "chunk", "numbers", "next", "failed", "first", "v",
  "handled", "reportCheck", "allocateFloat64Columns", "chunkRowsFor", "RowAxis", "MissingInputError", "UnknownOutputError", "computeSync", "computeAsync",
  "TARGET", "OUTPUT_NAMES", "FITTED_HASH", "FITTED_SCHEMA", "FITTED_OUTPUTS",
];

export interface ImportLine {
  readonly from: string;
  readonly names: { readonly exported: string; readonly local: string; readonly typeOnly: boolean }[];
}

export class TargetPlan {
  readonly target: BuiltTarget;
  readonly order: readonly string[];
  readonly names = new NameAllocator(INTERNAL);
  /** Local name of each node's value (for a batch map node: its per-row value). */
  readonly local = new Map<string, string>();
  /** Local name of each input. */
  readonly inputLocal = new Map<string, string>();
  /** Local alias of each imported function, by `file#exportName`. */
  private readonly fnAlias = new Map<string, string>();
  private readonly bit = new Map<string, number>();
  readonly words: number;
  /** Nodes whose value depends, transitively, on an async node. */
  readonly asyncDependent = new Set<string>();
  readonly imports: ImportLine[] = [];
  private readonly outputSet: ReadonlySet<string>;

  constructor(readonly input: EmitInput) {
    const g = input.target;
    this.target = g;
    this.order = g.order;
    this.outputSet = new Set(g.outputs);
    this.order.forEach((name, i) => this.bit.set(name, i));
    this.words = Math.max(1, Math.ceil(this.order.length / BITS_PER_WORD));
    for (let w = 0; w < this.words; w++) {
      this.names.take(`need${w}`);
      this.names.take(`want${w}`);
    }

    const fns = new Map<string, FunctionFact>();
    for (const name of this.order) {
      const node = g.nodes.get(name)!;
      fns.set(`${node.fn.file}#${node.fn.exportName}`, node.fn);
    }
    const validatorFns = new Map<string, string>();
    for (const name of this.order) {
      for (const check of g.nodes.get(name)!.checks) {
        if (check.rule.kind === "validator") {
          const v = input.validators.get(check.rule.fn);
          if (v) validatorFns.set(`${v.file}#${check.rule.fn}`, check.rule.fn);
        }
      }
    }
    const sortedFns = [...fns.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [k, fn] of sortedFns) this.fnAlias.set(k, this.names.take(`$${fn.exportName}`));
    for (const [k, exported] of [...validatorFns.entries()].sort()) this.fnAlias.set(k, this.names.take(`$${exported}`));
    for (const f of g.inputs?.fields ?? []) this.inputLocal.set(f.name, this.names.take(f.name));
    if (g.fittedInputs.length > 0) this.inputLocal.set("fitted", this.names.take("fitted"));
    for (const name of this.order) this.local.set(name, this.names.take(name));

    for (const name of this.order) {
      const node = g.nodes.get(name)!;
      if (node.async || node.deps.some((d) => d.source.kind === "node" && this.asyncDependent.has(d.source.name))) this.asyncDependent.add(name);
    }

    // Imports, grouped by module and sorted; fitted reads need only the function's type.
    const byModule = new Map<string, Map<string, { exported: string; local: string; typeOnly: boolean }>>();
    const add = (file: string, exported: string, typeOnly: boolean) => {
      const from = this.moduleSpecifier(file);
      const names = byModule.get(from) ?? new Map();
      const existing = names.get(exported);
      if (existing) existing.typeOnly &&= typeOnly;
      else names.set(exported, { exported, local: this.fnAlias.get(`${file}#${exported}`)!, typeOnly });
      byModule.set(from, names);
    };
    for (const name of this.order) {
      const node = g.nodes.get(name)!;
      add(node.fn.file, node.fn.exportName, node.kind === "fitted");
    }
    for (const [k, exported] of validatorFns) add(k.slice(0, k.lastIndexOf("#")), exported, false);
    for (const [from, names] of [...byModule.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      this.imports.push({ from, names: [...names.values()].sort((a, b) => (a.exported < b.exported ? -1 : 1)) });
    }
  }

  private readonly derivedNames = new Map<string, string>();

  /** A unique local derived from a node's name (`age_col`), the same on every call. */
  derived(name: string, suffix: string): string {
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

  /** The local alias of a catalog function. */
  fn(fact: FunctionFact): string {
    return this.fnAlias.get(`${fact.file}#${fact.exportName}`)!;
  }

  validator(name: string): string {
    const v = this.input.validators.get(name)!;
    return this.fnAlias.get(`${v.file}#${name}`)!;
  }

  /** `../catalog/features.js`: the ESM specifier of a catalog file, relative to outDir. */
  moduleSpecifier(file: string): string {
    let rel = path.relative(this.input.outDir, file).split(path.sep).join("/");
    rel = rel.replace(/\.tsx?$/, ".js").replace(/\.mts$/, ".mjs");
    return rel.startsWith(".") ? rel : `./${rel}`;
  }

  /** `catalog/features.ts:12`: where a node is defined, for comments. */
  location(fact: FunctionFact): string {
    return `${path.relative(this.input.rootDir, fact.file).split(path.sep).join("/")}:${fact.span.line}`;
  }

  /** `need0 & 0x4`: a test of one node's bit in a mask family. */
  test(family: "need" | "want", name: string): string {
    const b = this.bit.get(name)!;
    return `${family}${Math.floor(b / BITS_PER_WORD)} & ${hex(1 << b % BITS_PER_WORD)}`;
  }

  /** The bits of `names`, grouped by mask word, in word order. */
  private wordMasks(names: Iterable<string>): [number, number][] {
    const words = new Map<number, number>();
    for (const name of names) {
      const b = this.bit.get(name);
      if (b === undefined) continue;
      const w = Math.floor(b / BITS_PER_WORD);
      words.set(w, (words.get(w) ?? 0) | (1 << b % BITS_PER_WORD));
    }
    return [...words.entries()].sort(([a], [b]) => a - b);
  }

  /** Statements OR-ing the bits of `names` into a mask family (one per word touched). */
  setBits(family: "need" | "want", names: Iterable<string>): string[] {
    return this.wordMasks(names).map(([w, m]) => `${family}${w} |= ${hex(m)};`);
  }

  /** An expression true when any of `names` is set in a mask family. */
  anyBit(family: "need" | "want", names: Iterable<string>): string {
    const terms = this.wordMasks(names).map(([w, m]) => `(${family}${w} & ${hex(m)}) !== 0`);
    if (terms.length === 0) return "false";
    return terms.length === 1 ? terms[0]! : `(${terms.join(" || ")})`;
  }

  /** An expression true when none of `names` is set in a mask family. */
  noBit(family: "need" | "want", names: Iterable<string>): string {
    const terms = this.wordMasks(names).map(([w, m]) => `(${family}${w} & ${hex(m)}) === 0`);
    return terms.length === 0 ? "true" : terms.join(" && ");
  }

  /** An expression true when every one of `names` is set in a mask family. */
  allBits(family: "need" | "want", names: Iterable<string>): string {
    return this.wordMasks(names).map(([w, m]) => `(${family}${w} & ${hex(m)}) === ${hex(m)}`).join(" && ");
  }

  /** The mask declarations and, in reverse topological order, the propagation of need bits to dependencies. */
  needPropagation(): string[] {
    const lines: string[] = [];
    for (let i = this.order.length - 1; i >= 0; i--) {
      const node = this.node(this.order[i]!);
      const deps = node.deps.filter((d) => d.source.kind === "node").map((d) => (d.source as { name: string }).name);
      if (deps.length === 0) continue;
      lines.push(`if (${this.test("need", node.name)}) { ${this.setBits("need", deps).join(" ")} }`);
    }
    return lines;
  }

  /** Inputs each output needs, transitively. */
  inputsUpstream(): Map<string, string[]> {
    const memo = new Map<string, Set<string>>();
    const visit = (name: string): Set<string> => {
      let set = memo.get(name);
      if (set) return set;
      set = new Set();
      memo.set(name, set);
      const node = this.node(name);
      if (node.kind === "fitted") set.add("fitted");
      for (const d of node.deps) {
        if (d.source.kind === "input") set.add(d.source.name);
        else if (d.source.kind === "node") for (const i of visit(d.source.name)) set.add(i);
      }
      return set;
    };
    const out = new Map<string, string[]>();
    for (const name of this.order) out.set(name, [...visit(name)].sort());
    return out;
  }

  private consumersOfInputs: ReadonlyMap<string, readonly string[]> | undefined;

  /** Nodes that consume each input directly (and, for a reading target, the `fitted` input's readers), in order. */
  inputConsumers(): ReadonlyMap<string, readonly string[]> {
    if (this.consumersOfInputs) return this.consumersOfInputs;
    const sets = new Map<string, Set<string>>();
    for (const name of this.order) {
      for (const d of this.node(name).deps) {
        if (d.source.kind !== "input") continue;
        let set = sets.get(d.source.name);
        if (!set) sets.set(d.source.name, (set = new Set()));
        set.add(name);
      }
    }
    const out = new Map([...sets].map(([input, set]) => [input, [...set]] as const));
    if (this.target.fittedInputs.length > 0) out.set("fitted", [...this.target.fittedInputs]);
    this.consumersOfInputs = out;
    return out;
  }

  /** The value type of a node, per row for row-level nodes, as a type expression. */
  valueType(node: GraphNode): string {
    if (node.valueType.code !== undefined) return node.valueType.code;
    const f = `typeof ${this.fn(node.fn)}`;
    switch (node.kind) {
      case "fitted":
        return `FittedValues[${str(node.name)}]`;
      case "extract": {
        const owner = this.node(node.extractOf!);
        return owner.table ? `TableRow<Value<${f}>>[${str(node.field!)}]` : `Value<${f}>[${str(node.field!)}]`;
      }
      case "function":
        return node.level === "row" && !node.map ? `ColumnElement<Value<${f}>>` : `Value<${f}>`;
    }
  }

  /** The type of the `Promise` an async node returns. */
  promiseType(node: GraphNode): string {
    return `ReturnType<typeof ${this.fn(node.fn)}>`;
  }

  /** The arguments of a function node's call, given how each dependency is read. */
  args(node: GraphNode, read: (source: GraphNode["deps"][number]) => string): string {
    return node.deps.map(read).join(", ");
  }

  /** Code that is true when `value` passes a check (value is an expression without side effects). */
  checkCondition(check: CheckFact, value: string): string {
    const rule = check.rule;
    switch (rule.kind) {
      case "range":
        return `${value} >= ${num(rule.min)} && ${value} <= ${num(rule.max)}`;
      case "notNull":
        return `${value} != null && ${value} === ${value}`;
      case "oneOf":
        return rule.values.map((v) => `${value} === ${literal(v)}`).join(" || ");
      case "validator":
        return `${this.validator(rule.fn)}(${value})`;
    }
  }

  /** A short comment line naming a node and where it is defined. */
  describe(node: GraphNode): string {
    const where = this.location(node.fn);
    const what =
      node.kind === "extract"
        ? `field '${node.field}' of ${node.extractOf}`
        : node.kind === "fitted"
          ? `fitted value read from inputs.fitted (${node.fn.exportName})`
          : node.fn.exportName;
    return `// ${comment(node.name === what ? `${node.name} — ${where}` : `${node.name}: ${what} — ${where}`)}`;
  }

  /**
   * The declaration of a node's local before its guarded assignment. Primitive locals start at a
   * value of their own type, so V8 keeps them unboxed (a local that may be undefined is boxed:
   * one heap number per row).
   */
  declareLocal(local: string, node: GraphNode, type = this.valueType(node)): string {
    const initial = { number: "0", boolean: "false", string: '""' }[type] ?? undefined;
    return initial === undefined ? `let ${local}!: ${type};` : `let ${local}: ${type} = ${initial};`;
  }

  ident(name: string): string {
    return ident(name);
  }
}

export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** How one compute function of an executor is emitted. */
export interface BodyMode {
  readonly async: boolean;
  /** The nodes this function may compute. */
  readonly included: ReadonlySet<string>;
  /**
   * A fast path for one output alone: only its upstream runs, with no need/want guards, so V8
   * can inline and unbox as in hand-written code. Undefined for the general (guarded) path.
   */
  readonly only?: string;
}

/** The nodes upstream of `name`, itself included (stops early once more than `limit` are found). */
export function upstreamOf(plan: TargetPlan, name: string, limit = Infinity): Set<string> {
  const seen = new Set<string>();
  const stack = [name];
  while (stack.length > 0 && seen.size <= limit) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const d of plan.node(n).deps) if (d.source.kind === "node") stack.push(d.source.name);
  }
  return seen;
}

const MAX_FAST_PATHS = 8;

/**
 * Outputs that get a fast path: public outputs no other node consumes (the model's prediction,
 * say), while the fast paths together stay within a size budget linear in the graph.
 */
export function fastPathOutputs(plan: TargetPlan): string[] {
  const consumed = new Set<string>();
  for (const name of plan.order) for (const d of plan.node(name).deps) if (d.source.kind === "node") consumed.add(d.source.name);
  let budget = 2 * plan.order.length + 64;
  const chosen: string[] = [];
  for (const name of plan.order) {
    if (chosen.length === MAX_FAST_PATHS) break;
    if (consumed.has(name) || !plan.isOutput(name)) continue;
    const size = upstreamOf(plan, name, budget).size;
    if (size > budget) continue;
    budget -= size;
    chosen.push(name);
  }
  return chosen;
}

/** One schedulable piece of an executor: a node, or a fused loop of map nodes. */
export interface Unit {
  readonly id: string;
  readonly async: boolean;
  readonly deps: readonly string[];
  readonly priority: number;
}

export type Step = { readonly kind: "run" | "start" | "await"; readonly unit: string };

/**
 * List scheduling: run everything whose inputs are ready, starting async units first; when only
 * pending promises block progress, await the one the earliest blocked unit needs. Independent
 * async calls therefore overlap, and each is awaited just before its value is first used.
 */
const byPriority = (a: Unit, b: Unit) => a.priority < b.priority;

export function schedule(units: readonly Unit[]): Step[] {
  const byId = new Map(units.map((u) => [u.id, u]));
  const state = new Map<string, "todo" | "pending" | "done">();
  const consumers = new Map<string, Unit[]>();
  const depsOf = new Map<string, string[]>();
  const open = new Map<string, number>(); // dependencies not done yet
  const unstarted = new Map<string, number>(); // dependencies neither started nor done
  for (const u of units) {
    const deps = [...new Set(u.deps.filter((d) => byId.has(d) && d !== u.id))];
    depsOf.set(u.id, deps);
    state.set(u.id, "todo");
    open.set(u.id, deps.length);
    unstarted.set(u.id, deps.length);
    for (const d of deps) {
      const list = consumers.get(d);
      if (list) list.push(u);
      else consumers.set(d, [u]);
    }
  }
  const readySync = new MinHeap<Unit>(byPriority);
  const readyAsync = new MinHeap<Unit>(byPriority);
  const waiting = new MinHeap<Unit>(byPriority); // units whose dependencies have all started, some still in flight
  const pending = new MinHeap<Unit>(byPriority);
  const steps: Step[] = [];
  const makeReady = (u: Unit) => (u.async ? readyAsync : readySync).push(u);
  for (const u of units) if (open.get(u.id) === 0) makeReady(u);
  const started = (id: string) => {
    for (const c of consumers.get(id) ?? []) {
      const left = unstarted.get(c.id)! - 1;
      unstarted.set(c.id, left);
      if (left === 0 && open.get(c.id)! > 0) waiting.push(c);
    }
  };
  const done = (id: string) => {
    state.set(id, "done");
    for (const c of consumers.get(id) ?? []) {
      const left = open.get(c.id)! - 1;
      open.set(c.id, left);
      if (left === 0) makeReady(c);
    }
  };
  let remaining = units.length;
  while (remaining > 0) {
    if (readyAsync.size > 0) {
      // Start every call whose inputs exist before anything else, so calls overlap.
      const u = readyAsync.pop();
      steps.push({ kind: "start", unit: u.id });
      state.set(u.id, "pending");
      pending.push(u);
      started(u.id);
      continue;
    }
    if (readySync.size > 0) {
      const u = readySync.pop();
      steps.push({ kind: "run", unit: u.id });
      started(u.id);
      done(u.id);
      remaining--;
      continue;
    }
    // Only values in flight block progress: await the first one the earliest blocked unit needs.
    let blocked: Unit | undefined;
    while (waiting.size > 0) {
      const w = waiting.pop();
      if (state.get(w.id) === "todo" && open.get(w.id)! > 0) {
        blocked = w;
        break;
      }
    }
    let next: Unit | undefined;
    if (blocked) {
      next = depsOf.get(blocked.id)!.map((d) => byId.get(d)!).filter((d) => state.get(d.id) === "pending").sort((a, b) => a.priority - b.priority)[0];
      waiting.push(blocked);
    } else {
      while (pending.size > 0 && !next) {
        const p = pending.pop();
        if (state.get(p.id) === "pending") next = p;
      }
    }
    if (!next) throw new Error("featc: internal error: schedule has no way forward");
    steps.push({ kind: "await", unit: next.id });
    done(next.id);
    remaining--;
  }
  return steps;
}
