/**
 * The opt-in run-time validation of a target's inputs, written at build time from their types
 * (`ValueSchema`, read from the checker by discover): `validateInputs(value)` asserts that a value
 * is the target's `Inputs`, and `checkInputs(inputs, complete)` is what `execute(…, { validate:
 * true })` calls. Straight-line checks, a loop per array, no schema interpreted at run time, so
 * a service can leave it on. The first bad value throws InvalidInputError with its path
 * (`model.weights.bias`, `age[3]`), the type and what was given; a required input left out is
 * MissingInputError; no inputs object at all is MissingInputError too.
 *
 * What it decides: NaN and ±Infinity are numbers (TypeScript's `number` holds them, and catalogs
 * use NaN for "no value"); properties the type does not declare are allowed (TypeScript's types
 * are open); a typed array is a `Column` of numbers, checked by its first element (it holds one
 * type of element), while an array's every element is checked; a value of a type the checks
 * cannot follow (generic, recursive, deeper than 8 levels) passes.
 */
import { code, docComment, joinCode, literal, member, str, type Code } from "../../codegen/writer.js";
import type { InputFact, SchemaField, ValueSchema } from "../../model.js";
import type { TargetPlan } from "./plan.js";

/** The runtime errors the checks throw, as the module imports them. */
export interface ValidationImports {
  readonly invalid: Code;
  readonly missing: Code;
}

/** The inputs a validator checks: the inputs interface's, and the fitted values a reading target gets. */
export interface ValidatedInputs {
  readonly fields: readonly InputFact[];
  /** The `fitted` input's values and their scalar class, when the target reads them. */
  readonly fitted?: readonly { readonly name: string; readonly scalar: "number" | "string" | "boolean" | "other" }[];
}

/** `validateInputs` and `checkInputs` of a module whose inputs type is `Inputs` and whose target name is `TARGET`. */
export function writeInputValidation(inputs: ValidatedInputs, errors: ValidationImports): Code[] {
  const w = new ChecksWriter(errors);
  const body: Code[] = [
    code`if (inputs === null || inputs === undefined) throw new ${errors.missing}("", TARGET, inputs);`,
    code`if (typeof inputs !== "object") throw new ${errors.invalid}(TARGET, "", "object", inputs);`,
    code`const given = inputs as Record<string, unknown>;`,
  ];
  const all: SchemaField[] = inputs.fields.map((f) => ({ name: f.name, optional: f.optional, schema: f.schema }));
  const fitted: SchemaField | undefined = inputs.fitted && { name: "fitted", optional: false, schema: fittedSchema(inputs.fitted) };
  if (fitted) all.push(fitted);
  for (const field of [...all].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const v = w.local("v");
    const read = code`given${member(field.name)}`;
    // An input named like a member of Object.prototype that was left out reads as undefined, as in execute.
    body.push(
      code`const ${v} = ${field.name in Object.prototype ? code`Object.hasOwn(given, ${str(field.name)}) ? ${read} : undefined` : read};`,
    );
    const checks = w.check(field.schema, v, [field.name]);
    // The fitted values are null when an artifact was not loaded: missing, as execute says too.
    const absent = field === fitted ? code`${v} == null` : code`${v} === undefined`;
    if (field.optional) {
      if (checks.length > 0) body.push(code`if (${v} !== undefined) {`, ...indent(checks), code`}`);
    } else if (checks.length === 0) {
      body.push(code`if (${absent} && complete) throw new ${errors.missing}(${str(field.name)}, TARGET);`);
    } else {
      body.push(
        code`if (${absent}) {`,
        code`  if (complete) throw new ${errors.missing}(${str(field.name)}, TARGET);`,
        code`} else {`,
        ...indent(checks),
        code`}`,
      );
    }
  }
  return [
    code``,
    code`/**`,
    code` * Throws MissingInputError or InvalidInputError unless \`value\` holds every input of the target, each of`,
    code` * its declared type: for callers the type checker does not see (JavaScript, data parsed from JSON).`,
    code` * NaN is a number; properties the type does not declare are allowed.`,
    code` */`,
    code`export function validateInputs(value: unknown): asserts value is Inputs {`,
    code`  checkInputs(value, true);`,
    code`}`,
    code``,
    docComment("Checks each given input against its declared type; with `complete`, a required input left out is missing too."),
    code`function checkInputs(inputs: unknown, complete: boolean): void {`,
    ...indent(body),
    code`}`,
  ];
}

/** What a target's validation checks: its inputs interface's fields, and the fitted values it reads. */
export function validatedInputs(plan: TargetPlan): ValidatedInputs {
  const g = plan.target;
  const fitted = g.fittedInputs.map((name) => ({ name, scalar: plan.node(name).valueType.scalar }));
  if (fitted.length === 0) return { fields: g.inputs?.fields ?? [] };
  // The generated `fitted` input takes the place of an interface property of that name.
  return { fields: (g.inputs?.fields ?? []).filter((f) => f.name !== "fitted"), fitted };
}

/**
 * `checkFitted(values, options)`: the `@check` rules of the fitted values (`checks`, written on
 * `values.<name>`), for a service to run on an artifact when it loads it rather than fail every
 * request; a failure throws CheckFailedError, a `warn` one goes to `options.onWarning`.
 */
export function writeFittedChecks(checks: readonly Code[], options: Code): Code[] {
  return [
    code``,
    docComment(
      "Runs the @check rules of the fitted values, as execute would on every request: for a service to check an artifact once, when it loads it.",
    ),
    code`export function checkFitted(values: FittedValues, options?: ${options}): void {`,
    ...(checks.length > 0 ? indent(checks) : [code`  // No fitted value has a @check.`]),
    code`}`,
  ];
}

function fittedSchema(values: NonNullable<ValidatedInputs["fitted"]>): ValueSchema {
  return {
    kind: "object",
    text: "FittedValues",
    fields: values.map((v) => ({
      name: v.name,
      optional: false,
      schema: v.scalar === "other" ? { kind: "unknown", text: "unknown" } : { kind: "primitive", type: v.scalar, text: v.scalar },
    })),
  };
}

/** A path to a value: names, the index locals of the loops around it, the key local of an index signature's loop. */
type PathPart = string | { readonly index: Code } | { readonly key: Code };

/** The path as a string expression: `"model.weights"`, `"rows[" + i1 + "].age"`. */
function pathCode(parts: readonly PathPart[]): Code {
  const pieces: Code[] = [];
  let text = "";
  parts.forEach((part, at) => {
    if (typeof part === "string") text += at === 0 ? part : `.${part}`;
    else if ("index" in part) {
      pieces.push(str(`${text}[`), part.index);
      text = "]";
    } else {
      pieces.push(str(`${text}.`), part.key);
      text = "";
    }
  });
  if (text !== "" || pieces.length === 0) pieces.push(str(text));
  return joinCode(pieces, " + ");
}

function indent(lines: readonly Code[]): Code[] {
  return lines.map((l) => code`  ${l}`);
}

const TYPEOF: Readonly<Record<string, Code>> = {
  number: code`"number"`,
  string: code`"string"`,
  boolean: code`"boolean"`,
  bigint: code`"bigint"`,
  symbol: code`"symbol"`,
  function: code`"function"`,
};

class ChecksWriter {
  private readonly counters = new Map<string, number>();

  constructor(private readonly errors: ValidationImports) {}

  local(prefix: "v" | "i" | "n" | "k" | "c"): Code {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return code`${prefix as Code}${n}`;
  }

  private fail(path: readonly PathPart[], expected: Code, value: Code): Code {
    return code`throw new ${this.errors.invalid}(TARGET, ${pathCode(path)}, ${expected}, ${value});`;
  }

  /** An expression that is true when `v` passes, for schemas that need no statements; undefined otherwise. */
  private test(schema: ValueSchema, v: Code): Code | undefined {
    switch (schema.kind) {
      case "primitive":
        return code`typeof ${v} === ${TYPEOF[schema.type]!}`;
      case "literal":
        return schema.value === null
          ? code`${v} === null`
          : schema.value === undefined
            ? code`${v} === undefined`
            : code`${v} === ${literal(schema.value)}`;
      case "instance":
        return code`${v} instanceof ${schema.name as Code}`;
      case "union": {
        const tests = schema.members.map((m) => this.test(m, v));
        return tests.every((t) => t !== undefined) ? joinCode(tests as Code[], " || ") : undefined;
      }
      default:
        return undefined;
    }
  }

  /** A test of the outermost level only: an object, an array, a column. */
  private shallow(schema: ValueSchema, v: Code): Code {
    switch (schema.kind) {
      case "array":
        return code`Array.isArray(${v})`;
      case "column":
        return isColumn(v);
      case "object":
      case "table":
        return code`(typeof ${v} === "object" && ${v} !== null)`;
      default:
        return this.test(schema, v) ?? code`true`;
    }
  }

  /** The statements that throw unless `v` (a local) matches `schema`; none for `unknown`. */
  check(schema: ValueSchema, v: Code, path: readonly PathPart[]): Code[] {
    if (schema.kind === "unknown") return [];
    const expected = str(schema.text);
    const simple = this.test(schema, v);
    if (simple !== undefined) return [code`if (!(${simple})) ${this.fail(path, expected, v)}`];
    switch (schema.kind) {
      case "union": {
        const simpleMembers = schema.members.filter((m) => this.test(m, v) !== undefined);
        const complex = schema.members.filter((m) => this.test(m, v) === undefined);
        const passes = simpleMembers.map((m) => this.test(m, v)!);
        if (complex.length === 1) {
          // `T | null`, `T | undefined`: anything but the simple members must be a T, checked through.
          const inner = [
            code`if (!${this.shallow(complex[0]!, v)}) ${this.fail(path, expected, v)}`,
            ...this.checkInside(complex[0]!, v, path),
          ];
          return passes.length === 0 ? inner : [code`if (!(${joinCode(passes, " || ")})) {`, ...indent(inner), code`}`];
        }
        const tests = [...passes, ...complex.map((m) => this.shallow(m, v))];
        return [code`if (!(${joinCode(tests, " || ")})) ${this.fail(path, expected, v)}`];
      }
      default:
        return [code`if (!${this.shallow(schema, v)}) ${this.fail(path, expected, v)}`, ...this.checkInside(schema, v, path)];
    }
  }

  /** The checks below the outermost level of an object, array, column or table `v` already known to be one. */
  private checkInside(schema: ValueSchema, v: Code, path: readonly PathPart[]): Code[] {
    switch (schema.kind) {
      case "array":
        return this.elements(schema.element, v, path, code`${v}.length`);
      case "column": {
        if (schema.element.kind === "unknown") return [];
        // A typed array holds one type of element: its first tells; an array's every element is checked.
        const column = this.local("c");
        return [
          code`const ${column} = ${v} as unknown as ArrayLike<unknown>;`,
          ...this.elements(schema.element, column, path, code`Array.isArray(${v}) ? ${column}.length : Math.min(${column}.length, 1)`),
        ];
      }
      case "object":
        return this.objectFields(schema.fields, schema.rest, v, path);
      case "table":
        return this.tableColumns(schema.fields, v, path);
      default:
        return [];
    }
  }

  private elements(element: ValueSchema, array: Code, path: readonly PathPart[], count: Code): Code[] {
    if (element.kind === "unknown") return [];
    const i = this.local("i");
    const n = this.local("n");
    const item = this.local("v");
    return [
      code`for (let ${i} = 0, ${n} = ${count}; ${i} < ${n}; ${i}++) {`,
      code`  const ${item}: unknown = ${array}[${i}];`,
      ...indent(this.check(element, item, [...path, { index: i }])),
      code`}`,
    ];
  }

  private objectFields(fields: readonly SchemaField[], rest: ValueSchema | undefined, v: Code, path: readonly PathPart[]): Code[] {
    const out: Code[] = [];
    for (const field of fields) {
      const checks = (local: Code) => this.check(field.schema, local, [...path, field.name]);
      const local = this.local("v");
      const inner = checks(local);
      if (inner.length === 0 && field.optional) continue;
      out.push(code`const ${local} = (${v} as Record<string, unknown>)${member(field.name)};`);
      if (field.optional) out.push(code`if (${local} !== undefined) {`, ...indent(inner), code`}`);
      else out.push(...inner);
    }
    if (rest && rest.kind !== "unknown") {
      const k = this.local("k");
      const value = this.local("v");
      const declared = fields.map((f) => code`${k} === ${str(f.name)}`);
      out.push(
        code`for (const ${k} of Object.keys(${v})) {`,
        ...(declared.length > 0 ? [code`  if (${joinCode(declared, " || ")}) continue;`] : []),
        code`  const ${value}: unknown = (${v} as Record<string, unknown>)[${k}];`,
        ...indent(this.check(rest, value, [...path, { key: k }])),
        code`}`,
      );
    }
    return out;
  }

  private tableColumns(fields: readonly SchemaField[], v: Code, path: readonly PathPart[]): Code[] {
    const rows = this.local("n");
    const columns = this.local("v");
    const out: Code[] = [
      code`const ${rows} = (${v} as Record<string, unknown>).length;`,
      code`if (typeof ${rows} !== "number" || !Number.isInteger(${rows}) || ${rows} < 0) ${this.fail([...path, "length"], str("a row count (a non-negative integer)"), rows)}`,
      code`const ${columns} = (${v} as Record<string, unknown>).columns;`,
      code`if (typeof ${columns} !== "object" || ${columns} === null) ${this.fail([...path, "columns"], str("an object of columns"), columns)}`,
    ];
    for (const field of fields) {
      const column = this.local("v");
      const at = [...path, "columns", field.name];
      const schema: ValueSchema = { kind: "column", element: field.schema, text: `Column<${field.schema.text}>` };
      out.push(
        code`const ${column} = (${columns} as Record<string, unknown>)${member(field.name)};`,
        ...this.check(schema, column, at),
        code`if ((${column} as unknown as ArrayLike<unknown>).length !== ${rows}) ${this.fail(at, code`${str("a column of ")} + ${rows} + ${str(" rows")}`, column)}`,
      );
    }
    return out;
  }
}

function isColumn(v: Code): Code {
  return code`(Array.isArray(${v}) || (ArrayBuffer.isView(${v}) && !(${v} instanceof DataView)))`;
}
