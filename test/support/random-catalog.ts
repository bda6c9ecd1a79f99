/**
 * Random featc catalogs for property tests.
 *
 * `catalogArbitrary()` draws a *recipe* (plain numbers and choices that fast-check shrinks well)
 * and resolves it into a `CatalogDesc`: inputs, functions with their tags, parameters and bodies,
 * and what the test needs to know about every node (its level in batch, whether its online value
 * must equal the batch value at the same row, whether it is async per target, its `@check`).
 * Every recipe resolves to a valid catalog: a DAG by construction (node k only names inputs and
 * values defined before it), parameter references are indices taken modulo the candidates
 * available at that point, and a node kind that has no possible argument falls back to a plain
 * map feature.
 *
 * What a catalog may hold: Column<T> inputs in batch that are plain T online, scalar inputs
 * (broadcast in batch); map features returning number, boolean, string, `number[]` (a per-row
 * array) or `"lo" | "hi"`, with 1–4 parameters, sync or async, as declarations, arrow functions
 * or function expressions, shared or as `__batch`/`__online`-style variants selected by
 * `@when`/`@whenNot`/`@whenIn`; object-returning features with `@extract` (all or listed fields,
 * an inline type or an interface that later features take whole); whole-column aggregates that
 * are `@fitted` or have an online variant; vector operations (Column → Column in batch, the same
 * element-wise helper online); shared map features written once and bound by `@parameterize`
 * (to other nodes or inputs, to number and string constants, one or two nodes per function, a
 * parameter now and then left unlisted); loaders returning Table<Row> in batch and Row online, both
 * `@extract`; scalar `@fitted` features, also objects whose fields are extracted; `@check`s (range, notNull, oneOf, validators; `warn` or
 * never failing); names that generated code might use for itself (`i`, `result`, `$n0`, …).
 *
 * `writeCatalog(desc)` turns it into files: catalog/*.ts over 1–3 files (one in a sub-folder),
 * catalog/inputs.ts, catalog/types.ts, catalog/helpers.ts, featc.config.json (targets "batch"
 * and "online") and scenario.ts, which produces the inputs of both targets from the recipe's
 * seed, row k of the batch inputs being exactly the online inputs of entity k. Every catalog
 * function first records its node in `globalThis.__featcTrace` when a test has set it.
 */
import fc from "fast-check";

export type Scalar = "number" | "boolean" | "string";
/** What a map feature may return: a scalar, a per-row array, or a union of string literals. */
export type MapType = Scalar | "number[]" | "lohi";

// ---------------------------------------------------------------------------------------------
// The resolved description
// ---------------------------------------------------------------------------------------------

export interface InputDesc {
  readonly name: string;
  readonly type: Scalar;
  /** Row-level: `Column<T>` in batch, `T` online. */
  readonly row: boolean;
  /** For a row-level number input: passed as a Float64Array (else a plain array). */
  readonly typed: boolean;
}

export interface InterfaceDesc {
  readonly name: string;
  readonly fields: readonly { readonly name: string; readonly type: Scalar }[];
}

export interface FnDesc {
  /** The node the function produces (each call is traced under this name). */
  readonly node: string;
  /** Index of the catalog file (0 ≤ file < files). */
  readonly file: number;
  readonly exportName: string;
  /** JSDoc lines (summary and tags), without the comment markers. */
  readonly doc: readonly string[];
  readonly params: readonly { readonly name: string; readonly type: string }[];
  /** The value type (a Promise wraps it when async). */
  readonly returns: string;
  readonly async: boolean;
  readonly style: "function" | "arrow" | "expression";
  readonly body: readonly string[];
  /** The expression traced as the node's name, when it is not `node` (a `@parameterize`d function traces the node it is called for). */
  readonly trace?: string;
}

export interface HelperDesc {
  readonly name: string;
  readonly code: string;
}

/** What the test knows of one node (present in both targets). */
export interface NodeDesc {
  readonly name: string;
  /** Row-level in batch (a column of the row axis), else scalar (or a whole table). */
  readonly row: boolean;
  /** Online entity k must give the batch value at row k (or the batch scalar). */
  readonly skew: boolean;
  /** Whether asking for the node involves an async call, per target. */
  readonly async: { readonly batch: boolean; readonly online: boolean };
  readonly kind: "map" | "object" | "field" | "aggregate" | "fitted" | "vector" | "loader";
  /** A `@check` on the node (the same in both targets), as written after the tag. */
  readonly check?: CheckDesc;
}

export interface CheckDesc {
  /** The rule as written, e.g. `range(-10, 10)` (what warnings and errors name). */
  readonly rule: string;
  readonly warn: boolean;
}

export interface CatalogDesc {
  /** Validators (`_small`, …) named by checks, written to catalog/helpers.ts. */
  readonly validators: readonly string[];
  /** Seed of the scenario's input values. */
  readonly seed: number;
  /** Rows of the batch run (online entities are rows of it). */
  readonly rows: number;
  readonly files: number;
  readonly inputs: readonly InputDesc[];
  /** A loader exists: batch has input `rows`, online has input `id`. */
  readonly loaders: boolean;
  readonly interfaces: readonly InterfaceDesc[];
  readonly helpers: readonly HelperDesc[];
  readonly functions: readonly FnDesc[];
  readonly nodes: readonly NodeDesc[];
}

// ---------------------------------------------------------------------------------------------
// The recipe: what fast-check draws and shrinks
// ---------------------------------------------------------------------------------------------

const SCALARS: readonly Scalar[] = ["number", "boolean", "string"];

/**
 * Names that generated code might also use for its own locals, imports or exports, or that are
 * contextual keywords: a node or input may take one of them instead of its plain name.
 */
export const TRICKY_NAMES: readonly string[] = [
  "i",
  "n",
  "k",
  "start",
  "end",
  "chunk",
  "axis",
  "result",
  "inputs",
  "options",
  "numbers",
  "next",
  "TARGET",
  "want0",
  "need0",
  "execute",
  "Outputs",
  "Inputs",
  "Results",
  "OUTPUT_NAMES",
  "Value",
  "handled",
  "row",
  "value",
  "error",
  "async",
  "of",
  "type",
  "as",
  "from",
  "get",
  "set",
  "constructor",
  "toString",
  "valueOf",
  "n0_col",
  "n0_promise",
  "n0_stored",
  "$n0",
  "$n1",
  "fitted",
];

/** A name choice: small values (where shrinking goes) keep the plain name. */
const nameChoice = fc.nat({ max: 10 * TRICKY_NAMES.length - 1 });
function pickName(choice: number): string | undefined {
  return choice >= 9 * TRICKY_NAMES.length ? TRICKY_NAMES[choice - 9 * TRICKY_NAMES.length] : undefined;
}

interface LoaderRecipe {
  fields: Scalar[];
  extracted: number[];
  asyncBatch: boolean;
  asyncOnline: boolean;
  typedBatch: boolean;
  tagBatch: number;
  tagOnline: number;
  listBatch: boolean;
  listOnline: boolean;
  file: number;
  fileOnline: number;
  name: number;
  fieldNames: number[];
}

type NodeKind = "map" | "object" | "aggregate" | "vector";

interface NodeRecipe {
  kind: NodeKind;
  ret: Scalar;
  /** A map feature's return type: 0..2 `ret`, 3 `number[]`, 4 `"lo" | "hi"`. */
  mapRet: number;
  params: number[];
  ops: number[];
  konst: number;
  async: boolean;
  style: number;
  /** 0: shared; 1..: `__batch`/`__online` variants with tag styles. */
  variant: number;
  fitted: boolean;
  online: number[];
  fields: Scalar[];
  extracted: number[];
  named: boolean;
  listFields: boolean;
  typedOut: boolean;
  description: number;
  check: number;
  /** A shared map feature: 0..4 a plain function; 5.. `@parameterize` (6 and 7: two nodes, 7: the first parameter unlisted). */
  bind: number;
  file: number;
  fileOnline: number;
  name: number;
  fieldNames: number[];
}

interface Recipe {
  seed: number;
  rows: number;
  files: number;
  columns: { type: Scalar; typed: boolean; name: number }[];
  scalars: { type: Scalar; name: number }[];
  loaders: LoaderRecipe[];
  nodes: NodeRecipe[];
}

const scalarArb = fc.constantFrom<Scalar>(...SCALARS);
const numberMostly = fc.oneof({ arbitrary: fc.constant<Scalar>("number"), weight: 3 }, { arbitrary: scalarArb, weight: 1 });

const loaderArb: fc.Arbitrary<LoaderRecipe> = fc.record({
  fields: fc.array(numberMostly, { minLength: 1, maxLength: 3 }),
  extracted: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
  asyncBatch: fc.boolean(),
  asyncOnline: fc.boolean(),
  typedBatch: fc.boolean(),
  tagBatch: fc.nat(),
  tagOnline: fc.nat(),
  listBatch: fc.boolean(),
  listOnline: fc.boolean(),
  file: fc.nat(),
  fileOnline: fc.nat(),
  name: nameChoice,
  fieldNames: fc.array(nameChoice, { maxLength: 3 }),
});

const nodeArb: fc.Arbitrary<NodeRecipe> = fc.record({
  kind: fc.oneof(
    { arbitrary: fc.constant<NodeKind>("map"), weight: 5 },
    { arbitrary: fc.constant<NodeKind>("object"), weight: 1 },
    { arbitrary: fc.constant<NodeKind>("aggregate"), weight: 2 },
    { arbitrary: fc.constant<NodeKind>("vector"), weight: 1 },
  ),
  ret: numberMostly,
  mapRet: fc.oneof({ arbitrary: fc.nat({ max: 2 }), weight: 6 }, { arbitrary: fc.integer({ min: 3, max: 4 }), weight: 1 }),
  params: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
  ops: fc.array(fc.nat(), { maxLength: 4 }),
  konst: fc.nat(),
  async: fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, { arbitrary: fc.constant(true), weight: 1 }),
  style: fc.nat({ max: 5 }),
  variant: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.nat({ max: 11 }), weight: 1 }),
  fitted: fc.boolean(),
  online: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }),
  fields: fc.array(numberMostly, { minLength: 1, maxLength: 3 }),
  extracted: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
  named: fc.boolean(),
  listFields: fc.boolean(),
  typedOut: fc.boolean(),
  description: fc.nat({ max: 12 }),
  check: fc.nat({ max: 19 }),
  bind: fc.nat({ max: 7 }),
  file: fc.nat(),
  fileOnline: fc.nat(),
  name: nameChoice,
  fieldNames: fc.array(nameChoice, { maxLength: 3 }),
});

const recipeArb: fc.Arbitrary<Recipe> = fc.record({
  seed: fc.nat({ max: 0x7fffffff }),
  rows: fc.oneof(
    { withCrossShrink: true },
    { arbitrary: fc.integer({ min: 1, max: 12 }), weight: 4 },
    { arbitrary: fc.integer({ min: 13, max: 300 }), weight: 1 },
  ),
  files: fc.integer({ min: 1, max: 3 }),
  columns: fc.array(fc.record({ type: numberMostly, typed: fc.boolean(), name: nameChoice }), { maxLength: 3 }),
  scalars: fc.array(fc.record({ type: numberMostly, name: nameChoice }), { maxLength: 3 }),
  loaders: fc.array(loaderArb, { maxLength: 2 }),
  // Now and then more than 32 nodes: generated code keeps one bit per node in 32-bit words.
  nodes: fc.oneof(
    { withCrossShrink: true },
    { arbitrary: fc.array(nodeArb, { minLength: 1, maxLength: 12 }), weight: 5 },
    { arbitrary: fc.array(nodeArb, { minLength: 1, maxLength: 45, size: "max" }), weight: 1 },
  ),
});

/** Random catalogs; printed by fast-check as their source files. */
export function catalogArbitrary(): fc.Arbitrary<CatalogDesc> {
  return recipeArb.map((recipe) => {
    const desc = resolve(recipe);
    Object.defineProperty(desc, fc.toStringMethod, { value: () => renderForHumans(desc), enumerable: false });
    return desc;
  });
}

// ---------------------------------------------------------------------------------------------
// Resolution
// ---------------------------------------------------------------------------------------------

interface Val {
  name: string;
  type: MapType | InterfaceDesc;
  /** Row-level in batch. */
  row: boolean;
  skew: boolean;
  asyncBatch: boolean;
  asyncOnline: boolean;
}

const DESCRIPTIONS = [
  "Plain description.",
  "Uses `backticks`, ${template} and a \"double\" and 'single' quote \\ backslash.",
  "Unicode: ünïcødé — λ → ∑ 🚀.",
  "Contains a /* nested comment opener and a // line comment.",
  "Line one.\n *\n * Line two after a blank line.",
  "HTML <script>alert(1)</script> & entities &amp;.",
];

const BATCH_TAGS = ["@when mode=batch", "@whenIn mode=batch,training", "@whenNot mode=online"];
const ONLINE_TAGS = ["@when mode=online", "@whenNot mode=batch", "@whenIn mode=serving,online"];
/** Export-name suffixes of the two variants of a node (the batch one may have none). */
const BATCH_SUFFIXES = ["__batch", "__batch", "", "__train"];
const ONLINE_SUFFIXES = ["__online", "__online", "__serving", "__v2"];
function batchName(name: string, variant: number): string {
  return name + BATCH_SUFFIXES[Math.floor(variant / 3) % BATCH_SUFFIXES.length]!;
}
function onlineName(name: string, variant: number): string {
  return name + ONLINE_SUFFIXES[Math.floor(variant / 2) % ONLINE_SUFFIXES.length]!;
}

function typeText(t: MapType | InterfaceDesc): string {
  return typeof t !== "string" ? t.name : t === "lohi" ? `"lo" | "hi"` : t;
}

/** A numeric term of one value. */
function term(expr: string, type: MapType | InterfaceDesc, op: number): string {
  if (typeof type !== "string") {
    const field = type.fields[op % type.fields.length]!;
    return term(`${expr}.${field.name}`, field.type, Math.floor(op / type.fields.length));
  }
  switch (type) {
    case "number":
      return [
        expr,
        `${expr} * 0.5`,
        `Math.sin(${expr})`,
        `Math.floor(${expr} * 0.25)`,
        `Math.abs(${expr}) * -1.5`,
        `Math.min(${expr}, 3)`,
        `(${expr} % 7)`,
      ][op % 7]!;
    case "boolean":
      return [`(${expr} ? 1 : 0)`, `(${expr} ? -2.5 : 0.75)`][op % 2]!;
    case "string":
      return [`${expr}.length`, `(${expr} === "a" ? 2 : -1)`, `(${expr} < "b" ? 0.5 : 1.5)`][op % 3]!;
    case "number[]":
      return [`${expr}[0]!`, `${expr}.length`, `${expr}.reduce((_s, _x) => _s + _x * 0.5, 0)`][op % 3]!;
    case "lohi":
      return `(${expr} === "hi" ? 1.5 : -0.5)`;
  }
}

const KONST = ["0", "1", "-0.5", "0.125", "3"];

/** `const _v = …;` combining the params into one number. */
function combine(params: readonly { expr: string; type: MapType | InterfaceDesc }[], ops: readonly number[], konst: number): string {
  const terms = params.map((p, i) => term(p.expr, p.type, ops[i] ?? i));
  return `const _v = ${terms.join(" + ")} + ${KONST[konst % KONST.length]};`;
}

/** A return statement of the given type from the number `_v`. */
function ret(type: MapType, konst: number): string {
  switch (type) {
    case "number[]":
      return konst % 2 === 0 ? "return [_v, _v * 0.5, Math.cos(_v)];" : "return _v > 0 ? [_v] : [];";
    case "lohi":
      return `return _v > ${KONST[konst % KONST.length]} ? "hi" : "lo";`;
    case "number":
      return konst % 2 === 0 ? "return _v;" : "return _v * 0.75 - 1;";
    case "boolean":
      return `return _v > ${KONST[konst % KONST.length]};`;
    case "string":
      return konst % 2 === 0 ? `return _v > 0 ? "pos" : _v < 0 ? "neg" : "z" + String(_v);` : `return "k" + (Math.floor(_v) % 3);`;
  }
}

/** An object field's value from `_v`. */
function fieldExpr(type: Scalar, j: number): string {
  switch (type) {
    case "number":
      return `_v * ${j + 1}`;
    case "boolean":
      return `_v > ${j}`;
    case "string":
      return `"f${j}" + (_v > 0 ? "+" : "-")`;
  }
}

/**
 * Checks by value type. Those without `warn` never fail on their type; the `warn` ones may (the
 * test predicts their warnings from the values), and `checkFor` now and then drops the `warn`.
 */
const CHECKS: Record<MapType, readonly string[]> = {
  number: ["range(-10, 10) warn", "notNull warn", "_small warn", "range(0, 1000000) warn", "range(-3.5, 0) warn"],
  boolean: ["oneOf(true) warn", "oneOf(true, false)", "notNull", "oneOf(false) warn"],
  string: ['oneOf("pos", "neg") warn', "notNull", "_short warn"],
  lohi: ['oneOf("lo", "hi")', 'oneOf("hi") warn'],
  "number[]": ["_nonEmpty warn", "notNull"],
};

const VALIDATORS: Record<string, { code: string; test: (v: unknown) => boolean }> = {
  _small: {
    code: "export function _small(x: number): boolean {\n  return Math.abs(x) < 100;\n}",
    test: (v) => Math.abs(v as number) < 100,
  },
  _short: { code: "export function _short(x: string): boolean {\n  return x.length < 4;\n}", test: (v) => (v as string).length < 4 },
  _nonEmpty: {
    code: "export function _nonEmpty(x: number[]): boolean {\n  return x.length > 0;\n}",
    test: (v) => (v as number[]).length > 0,
  },
};

/** No check (mostly), one of the type's checks, or (rarely) a check that may fail without `warn`. */
function checkFor(type: MapType, choice: number): CheckDesc | undefined {
  if (choice < 12) return undefined;
  const list = CHECKS[type];
  const text = choice === 19 ? list.find((c) => c.endsWith(" warn"))! : list[(choice - 12) % list.length]!;
  const warn = text.endsWith(" warn") && choice !== 19;
  return { rule: text.replace(/ warn$/, ""), warn };
}

function checkTag(check: CheckDesc | undefined): string[] {
  return check ? [`@check ${check.rule}${check.warn ? " warn" : ""}`] : [];
}

/** Whether a value passes a check rule that `checkFor` writes. */
export function checkPasses(rule: string, value: unknown): boolean {
  const range = /^range\((\S+), (\S+)\)$/.exec(rule);
  if (range) return (value as number) >= Number(range[1]) && (value as number) <= Number(range[2]);
  if (rule === "notNull") return !(value === null || value === undefined || (typeof value === "number" && Number.isNaN(value)));
  const oneOf = /^oneOf\((.*)\)$/.exec(rule);
  if (oneOf) return (JSON.parse(`[${oneOf[1]}]`) as unknown[]).some((x) => x === value);
  const validator = VALIDATORS[rule];
  if (validator) return validator.test(value);
  throw new Error(`random-catalog: unknown check rule ${rule}`);
}

function pick<T>(list: readonly T[], indices: readonly number[]): T[] {
  const out: T[] = [];
  for (const i of indices) {
    const v = list[i % list.length]!;
    if (!out.includes(v)) out.push(v);
  }
  return out;
}

function styleOf(n: number): FnDesc["style"] {
  return n <= 2 ? "function" : n <= 4 ? "arrow" : "expression";
}

function resolve(r: Recipe): CatalogDesc {
  const used = new Set<string>(["rows", "id"]);
  // `fitted` is the extra input of a target that reads fitted values: a node may take the name, an input may not.
  const alloc = (choice: number | undefined, plain: string, isInput = false): string => {
    const tricky = choice === undefined ? undefined : pickName(choice);
    const name = tricky !== undefined && !used.has(tricky) && !(isInput && tricky === "fitted") ? tricky : plain;
    if (used.has(name)) throw new Error(`random-catalog: name '${name}' allocated twice`);
    used.add(name);
    return name;
  };
  const files = r.files;
  const inputs: InputDesc[] = [];
  const vals: Val[] = [];
  const interfaces: InterfaceDesc[] = [];
  const helpers: HelperDesc[] = [];
  const functions: FnDesc[] = [];
  const nodes: NodeDesc[] = [];
  const input = (v: Val) => vals.push(v);

  r.columns.forEach((c, i) => {
    const name = alloc(c.name, `c${i}`, true);
    inputs.push({ name, type: c.type, row: true, typed: c.typed && c.type === "number" });
    input({ name, type: c.type, row: true, skew: true, asyncBatch: false, asyncOnline: false });
  });
  r.scalars.forEach((s, i) => {
    const name = alloc(s.name, `s${i}`, true);
    inputs.push({ name, type: s.type, row: false, typed: false });
    input({ name, type: s.type, row: false, skew: true, asyncBatch: false, asyncOnline: false });
  });
  if (inputs.length === 0 && r.loaders.length === 0) {
    const name = alloc(undefined, "s0");
    inputs.push({ name, type: "number", row: false, typed: false });
    input({ name, type: "number", row: false, skew: true, asyncBatch: false, asyncOnline: false });
  }
  const addNode = (v: Val, kind: NodeDesc["kind"], skew = v.skew, usable = true, check?: CheckDesc) => {
    if (usable) vals.push(v);
    nodes.push({
      name: v.name,
      row: v.row,
      skew,
      async: { batch: v.asyncBatch, online: v.asyncOnline },
      kind,
      ...(check ? { check } : {}),
    });
  };

  // Loaders: a Table<Row> in batch (from `rows`), one Row online (from `id`), both @extract.
  r.loaders.forEach((l, j) => {
    const name = alloc(l.name, `l${j}`);
    const iface: InterfaceDesc = {
      name: `Row${j}`,
      fields: l.fields.map((type, m) => ({ name: alloc(l.fieldNames[m], `l${j}f${m}`), type })),
    };
    interfaces.push(iface);
    const helper = `_row${j}`;
    const fieldLines = iface.fields.map((f, m) => {
      const expr =
        f.type === "number"
          ? `Math.sin(i * ${m + 1.5}) * 10 + (i % ${m + 2})`
          : f.type === "boolean"
            ? `(i * 7 + ${m}) % 3 === 0`
            : `["x", "yy", "", "a"][(i + ${m}) % 4]!`;
      return `${JSON.stringify(f.name)}: ${expr}`;
    });
    helpers.push({
      name: helper,
      code: `/** Row i of loader ${name}. */\nexport function ${helper}(i: number): ${iface.name} {\n  return { ${fieldLines.join(", ")} };\n}`,
    });
    const extracted = pick(iface.fields, l.extracted);
    const all = extracted.length === iface.fields.length;
    const extractTag = (list: boolean) => (all && !list ? "@extract" : `@extract ${extracted.map((f) => f.name).join(" ")}`);
    const columns = iface.fields.map((f) =>
      f.type === "number" && l.typedBatch
        ? `${JSON.stringify(f.name)}: Float64Array.from(_rows, (_r) => _r[${JSON.stringify(f.name)}])`
        : `${JSON.stringify(f.name)}: _rows.map((_r) => _r[${JSON.stringify(f.name)}])`,
    );
    functions.push({
      node: name,
      file: l.file % files,
      exportName: `${name}__batch`,
      doc: [`Every row of loader ${name}, as columns.`, BATCH_TAGS[l.tagBatch % BATCH_TAGS.length]!, extractTag(l.listBatch)],
      params: [{ name: "rows", type: "number" }],
      returns: `Table<${iface.name}>`,
      async: l.asyncBatch,
      style: "function",
      body: [
        `const _rows = Array.from({ length: rows }, (_, _i) => ${helper}(_i));`,
        `return { length: rows, columns: { ${columns.join(", ")} } };`,
      ],
    });
    functions.push({
      node: name,
      file: l.fileOnline % files,
      exportName: `${name}__online`,
      doc: [`One row of loader ${name}.`, ONLINE_TAGS[l.tagOnline % ONLINE_TAGS.length]!, extractTag(l.listOnline)],
      params: [{ name: "id", type: "number" }],
      returns: iface.name,
      async: l.asyncOnline,
      style: "function",
      body: [`return ${helper}(id);`],
    });
    addNode(
      { name, type: "number", row: false, skew: false, asyncBatch: l.asyncBatch, asyncOnline: l.asyncOnline },
      "loader",
      false,
      false,
    );
    for (const f of extracted)
      addNode({ name: f.name, type: f.type, row: true, skew: true, asyncBatch: l.asyncBatch, asyncOnline: l.asyncOnline }, "field");
  });

  /**
   * A map feature written once as `${name}_fn(x0, …, q, node_name)` and made a node (or two) by
   * `@parameterize`: each `xi` bound to a dependency (the first left unlisted under its own name
   * when `bind` is 7), `q` to a number constant, `node_name` to the node's name as a string
   * constant (what the function traces).
   */
  const parameterized = (
    name: string,
    n: NodeRecipe,
    k: number,
    deps: readonly Val[],
    type: MapType,
    doc: readonly string[],
    at: Omit<Val, "name" | "type">,
    check: CheckDesc | undefined,
  ) => {
    const names = n.bind >= 6 ? [name, alloc(undefined, `n${k}b`)] : [name];
    const local = deps.map((d, i) => (n.bind === 7 && i === 0 ? d.name : `x${i}`));
    const bindings = (node: string, j: number) => {
      const listed = deps.flatMap((d, i) => (local[i] === d.name ? [] : [`${local[i]}=${d.name}`]));
      return `@parameterize ${node}(${[...listed, `q=${KONST[(n.konst + j) % KONST.length]}`, `node_name=${JSON.stringify(node)}`].join(", ")})`;
    };
    const combined = combine([...deps.map((d, i) => ({ expr: local[i]!, type: d.type })), { expr: "q", type: "number" }], n.ops, n.konst);
    functions.push({
      node: name,
      file: n.file % files,
      exportName: alloc(undefined, `${name}_fn`),
      doc: [...doc, ...names.map(bindings)],
      params: [
        ...deps.map((d, i) => ({ name: local[i]!, type: typeText(d.type) })),
        { name: "q", type: "number" },
        { name: "node_name", type: "string" },
      ],
      returns: typeText(type),
      async: n.async,
      style: styleOf(n.style),
      body: [...(n.async ? ["await Promise.resolve();"] : []), combined, ret(type, n.konst)],
      trace: "node_name",
    });
    for (const node of names) addNode({ name: node, type, ...at }, "map", at.skew, true, check);
  };

  r.nodes.forEach((n, k) => {
    const rowNumbers = vals.filter((v) => v.row && v.type === "number");
    const scalarNumbers = vals.filter((v) => !v.row && v.type === "number");
    let kind = n.kind;
    if ((kind === "aggregate" || kind === "vector") && rowNumbers.length === 0) kind = "map";
    const name = alloc(n.name, `n${k}`);
    const file = n.file % files;
    const fileOnline = n.fileOnline % files;
    const summary = n.description > 12 - DESCRIPTIONS.length ? [DESCRIPTIONS[12 - n.description]!] : [];
    const style = styleOf(n.style);
    const awaitLine = n.async ? ["await Promise.resolve();"] : [];

    if (kind === "aggregate") {
      const cols = pick(rowNumbers, n.params.slice(0, 2));
      const scal = scalarNumbers.length > 0 && n.params.length > 2 ? pick(scalarNumbers, [n.params[2]!]) : [];
      const [x, y] = cols;
      const form = n.konst % 4;
      const loop =
        y !== undefined
          ? `for (let _i = 0; _i < ${x!.name}.length; _i++) _acc += ${x!.name}[_i]! * ${y.name}[_i]!;`
          : form === 0
            ? `for (let _i = 0; _i < ${x!.name}.length; _i++) _acc += ${x!.name}[_i]! * 0.5;`
            : form === 1
              ? `for (let _i = 0; _i < ${x!.name}.length; _i++) _acc = Math.max(_acc, ${x!.name}[_i]!);`
              : form === 2
                ? `for (let _i = 0; _i < ${x!.name}.length; _i++) _acc += ${x!.name}[_i]!;\n_acc = _acc / ${x!.name}.length;`
                : `for (let _i = 0; _i < ${x!.name}.length; _i++) _acc += ${x!.name}[_i]! > 0 ? 1 : 0;`;
      const body = [
        ...awaitLine,
        `let _acc = ${y === undefined && form === 1 ? "-Infinity" : "0"};`,
        ...loop.split("\n"),
        `return _acc${scal.map((s) => ` + ${s.name}`).join("")};`,
      ];
      const params = [
        ...cols.map((c) => ({ name: c.name, type: "Column<number>" })),
        ...scal.map((s) => ({ name: s.name, type: "number" })),
      ];
      const deps = [...cols, ...scal];
      const asyncBatch = n.async || deps.some((d) => d.asyncBatch);
      if (n.fitted) {
        functions.push({
          node: name,
          file,
          exportName: name,
          doc: [...summary, "@fitted"],
          params,
          returns: "number",
          async: n.async,
          style,
          body,
        });
        addNode({ name, type: "number", row: false, skew: true, asyncBatch, asyncOnline: false }, "fitted");
      } else {
        const onlineDeps = pick(
          vals.filter((v) => v.type === "number"),
          n.online,
        );
        const check = checkFor("number", n.check);
        functions.push({
          node: name,
          file,
          exportName: batchName(name, n.variant),
          doc: [...summary, BATCH_TAGS[n.variant % BATCH_TAGS.length]!, ...checkTag(check)],
          params,
          returns: "number",
          async: n.async,
          style,
          body,
        });
        functions.push({
          node: name,
          file: fileOnline,
          exportName: onlineName(name, n.variant),
          doc: [ONLINE_TAGS[n.variant % ONLINE_TAGS.length]!, ...checkTag(check)],
          params: onlineDeps.map((d) => ({ name: d.name, type: "number" })),
          returns: "number",
          async: false,
          style: "function",
          body: [`return ${onlineDeps.map((d) => `${d.name} * 0.25`).join(" + ")} + 1;`],
        });
        addNode(
          { name, type: "number", row: false, skew: false, asyncBatch, asyncOnline: onlineDeps.some((d) => d.asyncOnline) },
          "aggregate",
          false,
          true,
          check,
        );
      }
      return;
    }

    if (kind === "vector") {
      // Column → Column in batch, the same element-wise helper on plain values online.
      const cols = pick(rowNumbers, n.params.slice(0, 2));
      const scal = scalarNumbers.length > 0 && n.params.length > 2 ? pick(scalarNumbers, [n.params[2]!]) : [];
      const helper = `_vec${k}`;
      const hp = [...cols, ...scal].map((d, i) => ({ expr: `a${i}`, type: "number" as const }));
      helpers.push({
        name: helper,
        code: `/** Element-wise body of ${name}. */\nexport function ${helper}(${hp.map((p) => `${p.expr}: number`).join(", ")}): ${n.ret} {\n  ${combine(hp, n.ops, n.konst)}\n  ${ret(n.ret, n.konst)}\n}`,
      });
      const x = cols[0]!;
      const args = [...cols.map((c) => `${c.name}[_i]!`), ...scal.map((s) => s.name)].join(", ");
      const out = n.ret === "number" && n.typedOut ? `new Float64Array(${x.name}.length)` : `new Array<${n.ret}>(${x.name}.length)`;
      const deps = [...cols, ...scal];
      const check = checkFor(n.ret, n.check);
      functions.push({
        node: name,
        file,
        exportName: batchName(name, n.variant),
        doc: [...summary, BATCH_TAGS[n.variant % BATCH_TAGS.length]!, ...checkTag(check)],
        params: [...cols.map((c) => ({ name: c.name, type: "Column<number>" })), ...scal.map((s) => ({ name: s.name, type: "number" }))],
        returns: `Column<${n.ret}>`,
        async: n.async,
        style,
        body: [
          ...awaitLine,
          `const _out = ${out};`,
          `for (let _i = 0; _i < ${x.name}.length; _i++) _out[_i] = ${helper}(${args});`,
          "return _out;",
        ],
      });
      functions.push({
        node: name,
        file: fileOnline,
        exportName: onlineName(name, n.variant),
        doc: [ONLINE_TAGS[n.variant % ONLINE_TAGS.length]!, ...checkTag(check)],
        params: deps.map((d) => ({ name: d.name, type: "number" })),
        returns: n.ret,
        async: n.async,
        style: "function",
        body: [...awaitLine, `return ${helper}(${deps.map((d) => d.name).join(", ")});`],
      });
      addNode(
        {
          name,
          type: n.ret,
          row: true,
          skew: deps.every((d) => d.skew),
          asyncBatch: n.async || deps.some((d) => d.asyncBatch),
          asyncOnline: n.async || deps.some((d) => d.asyncOnline),
        },
        "vector",
        undefined,
        true,
        check,
      );
      return;
    }

    // A map feature (or an object-returning one whose fields are extracted).
    const candidates = vals.filter((v) => typeof v.type === "string" || v.type.fields.length > 0);
    const deps = pick(candidates, n.params);
    const params = deps.map((d) => ({ name: d.name, type: typeText(d.type) }));
    const combined = combine(
      deps.map((d) => ({ expr: d.name, type: d.type })),
      n.ops,
      n.konst,
    );
    const row = deps.some((d) => d.row);
    const skew = deps.every((d) => d.skew);
    const asyncBatch = n.async || deps.some((d) => d.asyncBatch);
    const asyncOnline = n.async || deps.some((d) => d.asyncOnline);
    let returns: string;
    let body: string[];
    let extractTag: string | undefined;
    let fields: { name: string; type: Scalar }[] = [];
    const mapRet: MapType = n.mapRet === 3 ? "number[]" : n.mapRet === 4 ? "lohi" : n.ret;
    let objectType: MapType | InterfaceDesc = mapRet;
    if (kind === "object") {
      fields = n.fields.map((type, j) => ({ name: alloc(n.fieldNames[j], `n${k}f${j}`), type }));
      const literal = `{ ${fields.map((f, j) => `${JSON.stringify(f.name)}: ${fieldExpr(f.type, j)}`).join(", ")} }`;
      if (n.named) {
        const iface: InterfaceDesc = { name: `Obj${k}`, fields };
        interfaces.push(iface);
        returns = iface.name;
        objectType = iface;
      } else {
        returns = `{ ${fields.map((f) => `${JSON.stringify(f.name)}: ${f.type}`).join("; ")} }`;
      }
      body = [...awaitLine, combined, `return ${literal};`];
      const extracted = pick(fields, n.extracted);
      extractTag = extracted.length === fields.length && !n.listFields ? "@extract" : `@extract ${extracted.map((f) => f.name).join(" ")}`;
      fields = extracted;
    } else {
      returns = typeText(mapRet);
      body = [...awaitLine, combined, ret(mapRet, n.konst)];
    }
    // A scalar number feature may be @fitted too: computed in batch, read online; so may a scalar
    // object whose fields are extracted (online reads the object and takes the fields from it).
    const fittedMap = kind === "map" && !row && mapRet === "number" && n.variant === 0 && n.fitted && n.konst % 3 === 0;
    const fittedObject = kind === "object" && !row && n.variant === 0 && n.fitted;
    const check = kind === "map" && !fittedMap ? checkFor(mapRet, n.check) : undefined;
    const tags = extractTag ? [extractTag, ...(fittedObject ? ["@fitted"] : [])] : fittedMap ? ["@fitted"] : checkTag(check);
    if (kind === "map" && n.variant === 0 && !fittedMap && n.bind >= 5) {
      parameterized(name, n, k, deps, mapRet, [...summary, ...tags], { row, skew, asyncBatch, asyncOnline }, check);
      return;
    }
    if (n.variant === 0) {
      functions.push({ node: name, file, exportName: name, doc: [...summary, ...tags], params, returns, async: n.async, style, body });
    } else {
      functions.push({
        node: name,
        file,
        exportName: batchName(name, n.variant),
        doc: [...summary, BATCH_TAGS[n.variant % BATCH_TAGS.length]!, ...tags],
        params,
        returns,
        async: n.async,
        style,
        body,
      });
      functions.push({
        node: name,
        file: fileOnline,
        exportName: onlineName(name, n.variant),
        doc: [ONLINE_TAGS[n.variant % ONLINE_TAGS.length]!, ...tags],
        params,
        returns,
        async: n.async,
        style: styleOf(n.style + 1),
        body,
      });
    }
    const readOnline = fittedMap || fittedObject ? false : asyncOnline;
    const owner: Val = { name, type: objectType, row, skew, asyncBatch, asyncOnline: readOnline };
    // An object node is usable as a parameter only through a named interface.
    addNode(owner, fittedMap || fittedObject ? "fitted" : kind === "object" ? "object" : "map", skew, kind !== "object" || n.named, check);
    for (const f of fields) addNode({ name: f.name, type: f.type, row, skew, asyncBatch, asyncOnline: readOnline }, "field");
  });

  const validators = [...new Set(nodes.flatMap((n) => (n.check && VALIDATORS[n.check.rule] ? [n.check.rule] : [])))].sort();
  return { validators, seed: r.seed, rows: r.rows, files, inputs, loaders: r.loaders.length > 0, interfaces, helpers, functions, nodes };
}

// ---------------------------------------------------------------------------------------------
// Writer
// ---------------------------------------------------------------------------------------------

/** Every catalog function records its node here when a test has set `globalThis.__featcTrace`. */
export const TRACE_GLOBAL = "__featcTrace";
const TRACE = `/** Records a call of a catalog function (property tests read it to see what ran). */
export function _trace(node: string): void {
  (globalThis as { ${TRACE_GLOBAL}?: Set<string> }).${TRACE_GLOBAL}?.add(node);
}`;

const FILE_PATHS = ["catalog/features.ts", "catalog/more.ts", "catalog/deep/extra.ts"];

function renderFunction(f: FnDesc): string {
  const doc =
    f.doc.length === 0
      ? ""
      : `/**\n${f.doc
          .flatMap((l) => l.split("\n"))
          .map((l) => ` * ${l.replace(/^ \* ?/, "")}`.trimEnd())
          .join("\n")}\n */\n`;
  const params = f.params.map((p) => `${p.name}: ${p.type}`).join(", ");
  const returns = f.async ? `Promise<${f.returns}>` : f.returns;
  const body = [`_trace(${f.trace ?? JSON.stringify(f.node)});`, ...f.body]
    .flatMap((l) => l.split("\n"))
    .map((l) => `  ${l}`)
    .join("\n");
  const a = f.async ? "async " : "";
  switch (f.style) {
    case "function":
      return `${doc}export ${a}function ${f.exportName}(${params}): ${returns} {\n${body}\n}\n`;
    case "arrow":
      return `${doc}export const ${f.exportName} = ${a}(${params}): ${returns} => {\n${body}\n};\n`;
    case "expression":
      return `${doc}export const ${f.exportName} = ${a}function (${params}): ${returns} {\n${body}\n};\n`;
  }
}

function importLines(text: string, fromDir: string, desc: CatalogDesc, withHelpers = true): string[] {
  const up = fromDir === "catalog/deep" ? "../" : "./";
  const uses = (name: string) => new RegExp(`(^|[^\\w$])${name.replace(/\$/g, "\\$")}(?![\\w$])`).test(text);
  const lines: string[] = [];
  const featc = ["Column", "Table"].filter((t) => new RegExp(`\\b${t}<`).test(text));
  if (featc.length > 0) lines.push(`import type { ${featc.join(", ")} } from "featc";`);
  const types = desc.interfaces.map((i) => i.name).filter(uses);
  if (types.length > 0) lines.push(`import type { ${types.join(", ")} } from "${up}types.js";`);
  const helpers = withHelpers ? ["_trace", ...desc.helpers.map((h) => h.name)].filter(uses) : [];
  if (helpers.length > 0) lines.push(`import { ${helpers.join(", ")} } from "${up}helpers.js";`);
  return lines;
}

function scalarInputType(i: InputDesc, batch: boolean): string {
  return batch && i.row ? `Column<${i.type}>` : i.type;
}

function renderScenario(desc: CatalogDesc): string {
  const value = (i: InputDesc, index: number, row: string) =>
    `${i.type === "number" ? "_num" : i.type === "boolean" ? "_bool" : "_str"}(${index}, ${row})`;
  const batchProps = desc.inputs.map((inp, index) => {
    if (!inp.row) return `    ${JSON.stringify(inp.name)}: ${value(inp, index, "0")},`;
    const from = inp.typed ? "Float64Array.from" : "Array.from";
    return `    ${JSON.stringify(inp.name)}: ${from}({ length: rows }, (_, r) => ${value(inp, index, "r")}),`;
  });
  const onlineProps = desc.inputs.map((inp, index) => `    ${JSON.stringify(inp.name)}: ${value(inp, index, inp.row ? "id" : "0")},`);
  if (desc.loaders) {
    batchProps.push("    rows,");
    onlineProps.push("    id,");
  }
  return `/** Inputs of the random catalog (seed ${desc.seed}): row k of the batch inputs is entity k online. */
import type { BatchInputs, OnlineInputs } from "./catalog/inputs.js";

const SEED = ${desc.seed};
const NUMS = [0, -0, 1, -1, 0.5, -2.25, 1e6, -1e-3, 42, 2 ** 53, NaN, Infinity, -Infinity];
const STRS = ["", "a", "b", "bb", "ccc", "Ünï", "a b", "\\u2028"];

function _hash(input: number, row: number): number {
  let h = Math.imul(SEED ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(input + 1, 0xc2b2ae35) ^ Math.imul(row + 7, 0x27d4eb2f);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return h >>> 0;
}
function _num(input: number, row: number): number {
  const h = _hash(input, row);
  return h % 11 === 0 ? NUMS[(h >>> 4) % NUMS.length]! : (((h >>> 4) % 4001) - 2000) / 16;
}
function _bool(input: number, row: number): boolean {
  return (_hash(input, row) & 1) === 1;
}
function _str(input: number, row: number): string {
  return STRS[(_hash(input, row) >>> 4) % STRS.length]!;
}

export function batchInputs(rows: number): BatchInputs {
  return {
${batchProps.join("\n")}
  };
}

export function onlineInputs(id: number): OnlineInputs {
  return {
${onlineProps.join("\n")}
  };
}
`;
}

/** The files of a catalog, by path relative to the workspace. */
export function writeCatalog(desc: CatalogDesc): Record<string, string> {
  const out: Record<string, string> = {};
  const anyColumn = desc.inputs.some((i) => i.row);
  const fields = (batch: boolean) => [
    ...desc.inputs.map((i) => `  ${JSON.stringify(i.name)}: ${scalarInputType(i, batch)};`),
    ...(desc.loaders ? [batch ? "  rows: number;" : "  id: number;"] : []),
  ];
  out["catalog/inputs.ts"] =
    (anyColumn ? `import type { Column } from "featc";\n\n` : "") +
    `/** Inputs of the batch target: row-level inputs are columns. */\nexport interface BatchInputs {\n${fields(true).join("\n")}\n}\n\n` +
    `/** Inputs of the online target: one entity. */\nexport interface OnlineInputs {\n${fields(false).join("\n")}\n}\n`;
  if (desc.interfaces.length > 0) {
    out["catalog/types.ts"] = desc.interfaces
      .map((i) => `export interface ${i.name} {\n${i.fields.map((f) => `  ${JSON.stringify(f.name)}: ${f.type};`).join("\n")}\n}\n`)
      .join("\n");
  }
  {
    const text =
      [
        TRACE,
        ...desc.helpers.map((h) => h.code),
        ...desc.validators.map((v) => `/** A validator that checks name. */\n${VALIDATORS[v]!.code}`),
      ].join("\n\n") + "\n";
    out["catalog/helpers.ts"] = [...importLines(text, "catalog", desc, false), "", text].join("\n").replace(/^\n/, "");
  }
  for (let f = 0; f < desc.files; f++) {
    const fns = desc.functions.filter((fn) => fn.file === f);
    const text = fns.map(renderFunction).join("\n");
    const rel = FILE_PATHS[f]!;
    const imports = importLines(text, rel.slice(0, rel.lastIndexOf("/")), desc);
    out[rel] = `${imports.length > 0 ? imports.join("\n") + "\n\n" : ""}${text || "export {};\n"}`;
  }
  out["featc.config.json"] =
    JSON.stringify(
      {
        catalog: ["catalog/**/*.ts"],
        outDir: "generated",
        targets: {
          batch: { shape: "batch", config: { mode: "batch" }, inputs: "catalog/inputs.ts#BatchInputs" },
          online: { shape: "online", config: { mode: "online" }, inputs: "catalog/inputs.ts#OnlineInputs" },
        },
      },
      null,
      2,
    ) + "\n";
  out["scenario.ts"] = renderScenario(desc);
  return out;
}

/** Every file of the catalog, for a failure message. */
export function renderForHumans(desc: CatalogDesc): string {
  const files = writeCatalog(desc);
  const order = Object.keys(files).sort(
    (a, b) =>
      Number(a === "scenario.ts") - Number(b === "scenario.ts") ||
      Number(a === "featc.config.json") - Number(b === "featc.config.json") ||
      a.localeCompare(b),
  );
  return [
    `random catalog: seed ${desc.seed}, ${desc.rows} row(s), ${desc.nodes.length} node(s)`,
    ...order.map((rel) => `// ===== ${rel}\n${files[rel]!.trimEnd()}`),
  ].join("\n\n");
}
