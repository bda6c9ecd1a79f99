/**
 * `@udf`: a node outside the translatable subset runs inside the engine as a scalar UDF of its
 * own JavaScript. DuckDB calls the catalog's compiled function itself (the generated module
 * imports it and registers it over the vectors of its arguments); BigQuery runs the function's
 * transpiled JavaScript as a temporary `LANGUAGE js` function; ClickHouse (21 and later) runs it
 * as an executable UDF, a Node script reading and writing RowBinary rows. The statement calls
 * the UDF where the translation would stand. The engine's name for it is made of the node name's
 * letters, digits and underscores only: no catalog text reaches SQL unescaped.
 */
import { diagnostics, type Diagnostic } from "../../diagnostics.js";
import type { GraphNode } from "../../model.js";
import type { SqlDialect } from "../../../runtime/sql/identifiers.js";
import { DIALECT_RULES } from "./dialects.js";
import type { ValueType } from "./ir.js";

export interface SqlUdf {
  readonly node: string;
  /** The engine's name of the function: `featc_udf_` and the node's name, only `[A-Za-z0-9_]`. */
  readonly name: string;
  /** The catalog function it calls: its export name and file. */
  readonly exportName: string;
  readonly file: string;
  readonly parameters: readonly { readonly name: string; readonly type: ValueType }[];
  readonly returns: ValueType;
  /** The function's JavaScript with what it reaches in the catalog, for the engines that run their own copy. */
  readonly js?: string;
}

/** Why a dialect runs no JavaScript UDF, for the dialects that run none. */
const NO_UDF: Partial<Record<SqlDialect, string>> = {
  postgres: "PostgreSQL runs JavaScript only through the PL/V8 extension, which featc does not target",
  spark: "Spark SQL's UDFs are JVM or Python functions registered by the session, not JavaScript",
};

/** Whether a dialect runs a JavaScript UDF of a node (the hint FC1013 gives). */
export function runsUdfs(dialect: SqlDialect): boolean {
  return NO_UDF[dialect] === undefined;
}

const SCALAR: Readonly<Record<string, ValueType>> = { number: "number", boolean: "boolean", string: "string" };

/** What placing a call needs of the planner: its target, its diagnostics, and the SQL of an argument. */
export interface UdfPlanner {
  readonly target: { readonly name: string };
  readonly dialect: SqlDialect;
  readonly problems: Diagnostic[];
  /** The SQL of the function's parameter `param` (a column of an earlier step, or a bound input). */
  argument(node: GraphNode, param: string, type: ValueType): string;
}

/** The engine's name for a node's UDF, unique among `taken`. */
function udfName(node: string, taken: Set<string>): string {
  const base = `featc_udf_${node.replace(/[^A-Za-z0-9_]/g, "_")}`;
  let name = base;
  for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}_${n}`;
  taken.add(name.toLowerCase());
  return name;
}

/**
 * Plans the call of a `@udf` node's function, or reports (FC1015) why it cannot run in the
 * engine: a dialect without JavaScript UDFs, a parameter or result that is not one number,
 * boolean or string, or (for engines that run their own copy) a construct the copy cannot carry.
 */
export function planUdf(p: UdfPlanner, node: GraphNode, taken: Set<string>): { sql: string; udf: SqlUdf } | undefined {
  const mark = node.fn.udf!;
  const why = NO_UDF[p.dialect];
  if (why) {
    p.problems.push(diagnostics.udfNotInDialect(p.target.name, p.dialect, node.name, why, mark.span));
    return undefined;
  }
  const fail = (construct: string, reason: string, span = mark.span) => {
    p.problems.push(diagnostics.udfNotPortable(p.target.name, p.dialect, construct, reason, span));
    return undefined;
  };
  const returns = SCALAR[node.valueType.scalar];
  if (node.kind !== "function" || node.fn.extract || node.fn.window || node.async || !returns)
    return fail(node.name, `a UDF computes one number, boolean or string per row, and '${node.name}' returns '${node.valueType.text}'`);
  const parameters: { name: string; type: ValueType }[] = [];
  const args: string[] = [];
  const literals = node.fn.parameterized?.literals ?? [];
  const d = DIALECT_RULES[p.dialect];
  for (const param of node.fn.params) {
    const literal = literals.find((l) => l.param === param.name);
    const dep = node.deps.find((x) => x.param.name === param.name && !x.window);
    const type = dep?.passing === "whole" ? undefined : SCALAR[param.type.scalar];
    if (!type || (!literal && !dep))
      return fail(param.name, `a UDF's parameter is one number, boolean or string per row, not '${param.type.text}'`, param.span);
    parameters.push({ name: param.name, type });
    args.push(
      literal
        ? typeof literal.value === "number"
          ? d.number(literal.value)
          : typeof literal.value === "string"
            ? d.string(literal.value)
            : d.boolean(literal.value)
        : p.argument(node, param.name, type),
    );
  }
  let js: string | undefined;
  if (p.dialect !== "duckdb") {
    const source = mark.source;
    if (!source) return fail(node.name, "its JavaScript was not read");
    if (!source.ok) return fail(source.problem.construct, source.problem.reason, source.problem.span);
    if (p.dialect === "bigquery" && source.js.includes('"""'))
      return fail(node.name, "its JavaScript holds '\"\"\"', which would end BigQuery's raw string");
    js = source.js;
  }
  const name = udfName(node.name, taken);
  const udf: SqlUdf = {
    node: node.name,
    name,
    exportName: node.fn.exportName,
    file: node.fn.file,
    parameters,
    returns,
    ...(js ? { js } : {}),
  };
  return { sql: `${name}(${args.join(", ")})`, udf };
}

const BIGQUERY_TYPE: Readonly<Record<ValueType, string>> = { number: "FLOAT64", boolean: "BOOL", string: "STRING" };
const CLICKHOUSE_TYPE: Readonly<Record<ValueType, string>> = { number: "Float64", boolean: "UInt8", string: "String" };

/**
 * The catalog function as an engine's copy holds it: its JavaScript and what it reaches, inside a
 * function of their own, so that no name of the catalog meets a name of the engine's wrapper.
 */
function portable(u: SqlUdf): string {
  return `(() => {\n"use strict";\n${u.js}\nreturn ${u.exportName};\n})()`;
}

/** The engine's arguments, `featc_arg1, featc_arg2, …`. */
function jsArguments(u: SqlUdf): string {
  return u.parameters.map((_, k) => `featc_arg${k + 1}`).join(", ");
}

/**
 * BigQuery's `CREATE TEMP FUNCTION … LANGUAGE js` per `@udf` node, before the query in the same
 * script. The JavaScript is a raw string (the planner refused any that holds `"""`).
 */
export function bigqueryFunctions(udfs: readonly SqlUdf[]): string {
  return udfs
    .map((u) => {
      const params = u.parameters.map((p, k) => `featc_arg${k + 1} ${BIGQUERY_TYPE[p.type]}`).join(", ");
      return `CREATE TEMP FUNCTION ${u.name}(${params})\nRETURNS ${BIGQUERY_TYPE[u.returns]}\nLANGUAGE js AS r"""\nreturn ${portable(u)}(${jsArguments(u)});\n""";\n`;
    })
    .join("");
}

/** A file name of featc's own for a target's UDF files: the target's name with what a command line or XML would read otherwise replaced. */
function fileStem(target: string): string {
  return target.replace(/[^A-Za-z0-9_.-]/g, "_");
}

/** The module every executable UDF script of a target imports: `<target>.featc_rowbinary.mjs`. */
function rowBinaryModule(stem: string): string {
  return `${stem}.featc_rowbinary.mjs`;
}

/**
 * ClickHouse's RowBinary, as every executable UDF script of a target reads and writes it, in one
 * module beside them: the block on stdin read whole, doubles as their 8 bytes (no text in
 * between, so no parser can move a bit), strings as a LEB128 length and UTF-8, booleans as one
 * byte, and the result rows written to stdout at once.
 */
const ROW_BINARY = `const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = Buffer.concat(chunks);
const output = [];
let at = 0;

/** Whether a row of the block remains to be read. */
export const more = () => at < input.length;
export const readNumber = () => ((at += 8), input.readDoubleLE(at - 8));
export const readBoolean = () => input[at++] !== 0;
export const readString = () => {
  let length = 0;
  for (let shift = 0, byte = 0x80; byte >= 0x80; shift += 7) length += ((byte = input[at++]) & 0x7f) * 2 ** shift;
  return ((at += length), input.toString("utf8", at - length, at));
};
export const writeNumber = (x) => {
  const bytes = Buffer.allocUnsafe(8);
  bytes.writeDoubleLE(x);
  output.push(bytes);
};
export const writeBoolean = (b) => output.push(Buffer.of(b ? 1 : 0));
export const writeString = (s) => {
  const bytes = Buffer.from(s, "utf8");
  const length = [];
  for (let n = bytes.length; length.length === 0 || n > 0; n = Math.floor(n / 128)) length.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
  output.push(Buffer.from(length), bytes);
};
/** Writes the result rows to stdout. */
export const flush = () => process.stdout.write(Buffer.concat(output));`;

const READ = { number: "readNumber", boolean: "readBoolean", string: "readString" } as const;
const WRITE = { number: "writeNumber", boolean: "writeBoolean", string: "writeString" } as const;

/**
 * ClickHouse's executable UDFs (version 21 and later): `<target>_function.xml` declares each
 * `@udf` node's function, and `<target>.<function>.mjs` is its script — the catalog function's
 * JavaScript, called once per RowBinary row of a block on stdin, one result row on stdout —
 * which reads and writes the rows through `<target>.featc_rowbinary.mjs`.
 */
export function clickhouseUdfFiles(target: string, udfs: readonly SqlUdf[]): { name: string; text: string }[] {
  if (udfs.length === 0) return [];
  const stem = fileStem(target);
  const functions = udfs.map((u) =>
    [
      "  <function>",
      "    <type>executable</type>",
      `    <name>${u.name}</name>`,
      `    <return_type>${CLICKHOUSE_TYPE[u.returns]}</return_type>`,
      ...u.parameters.map((p) => `    <argument><type>${CLICKHOUSE_TYPE[p.type]}</type></argument>`),
      "    <format>RowBinary</format>",
      `    <command>${stem}.${u.name}.mjs</command>`,
      "  </function>",
    ].join("\n"),
  );
  const xml = [
    "<!-- Generated by featc; do not edit. Rebuild with featc build. -->",
    "<!-- The @udf nodes of a SQL target as ClickHouse executable UDFs (version 21 and later): put this file where",
    `     user_defined_executable_functions_config points, and each script, executable, in user_scripts_path with ${rowBinaryModule(stem)}. -->`,
    "<functions>",
    ...functions,
    "</functions>",
    "",
  ].join("\n");
  const scripts = udfs.map((u) => ({
    name: `${stem}.${u.name}.mjs`,
    text: [
      "#!/usr/bin/env node",
      "// Generated by featc — do not edit. Rebuild with `featc build`.",
      `// The @udf node ${JSON.stringify(u.node)} as a ClickHouse executable UDF: the catalog function's own JavaScript, one call per row.`,
      "",
      `import * as featc_rows from "./${rowBinaryModule(stem)}";`,
      "",
      `const featc_function = ${portable(u)};`,
      "",
      "while (featc_rows.more()) {",
      ...u.parameters.map((p, k) => `  const featc_arg${k + 1} = featc_rows.${READ[p.type]}();`),
      `  featc_rows.${WRITE[u.returns]}(featc_function(${jsArguments(u)}));`,
      "}",
      "featc_rows.flush();",
      "",
    ].join("\n"),
  }));
  const codec = {
    name: rowBinaryModule(stem),
    text: [
      "// Generated by featc — do not edit. Rebuild with `featc build`.",
      `// ClickHouse's RowBinary for the executable UDF scripts of target ${JSON.stringify(target)}: one block read from stdin, the results written to stdout.`,
      "",
      ROW_BINARY,
      "",
    ].join("\n"),
  };
  return [{ name: `${stem}_function.xml`, text: xml }, codec, ...scripts];
}

/** What the `.sql` file says of each `@udf` node. */
export function udfNotes(target: string, plan: { readonly dialect: SqlDialect; readonly udfs: readonly SqlUdf[] }): string[] {
  const stem = fileStem(target);
  return plan.udfs.map((u) => {
    const where =
      plan.dialect === "duckdb"
        ? "the catalog's function, registered by the module before the statement runs"
        : plan.dialect === "bigquery"
          ? "a temporary JavaScript function created above the query"
          : `an executable UDF of ClickHouse 21 or later: install ${stem}_function.xml, ${stem}.${u.name}.mjs and ${rowBinaryModule(stem)} on every server`;
    return `udf (same JavaScript): ${u.node} is ${u.name}(), ${where}`;
  });
}
