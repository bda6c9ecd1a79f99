/**
 * What every SQL target's generated module does with its statement, in one place: fill the
 * table slots with quoted identifiers, run it through a connection of the target's dialect, run
 * the fit statement of its `@fitted` values, or create the result as a table or a view.
 */
import { DuplicateKeyError, InvalidInputError, MissingInputError } from "../errors.js";
import { reportCheck, type ExecuteOptions } from "../executor.js";
import type { SqlConnection, SqlColumnSpec, SqlParameter, SqlResult, SqlScalarFunction } from "./connection.js";
import { inlineParameters } from "./connection.js";
import { FIT_ROWS_COLUMN, SqlInputError, quoteIdentifier, quoteTableName, type SqlDialect, type TableName } from "./identifiers.js";

/** A piece of a statement: SQL text, or the slot of the run-time table name held by the input `table`. */
export type StatementPart<K extends string = string> = string | { readonly table: K };

/** A statement and the scalars bound to its placeholders. */
export interface BoundStatement {
  readonly sql: string;
  readonly parameters: readonly SqlParameter[];
  /** The uniqueness checks of its lookups' tables, run before it. */
  readonly keyChecks?: readonly BoundKeyCheck[];
}

/**
 * A lookup's table, whose keys must be unique, as a generated module declares it: a query whose
 * columns `featc_key` and `featc_rows` are the least key held by two rows or more and how many
 * rows hold it — or no row when every key is unique.
 */
export interface KeyCheck<K extends string = string> {
  /** The lookup node. */
  readonly lookup: string;
  /** The input holding the table's name, and the key field. */
  readonly table: K;
  readonly key: string;
  readonly type: "number" | "string";
  readonly parts: readonly StatementPart<K>[];
}

/** A key check with its table's name filled in. */
export interface BoundKeyCheck {
  readonly lookup: string;
  readonly type: "number" | "string";
  /** Which column of which table, for the error. */
  readonly where: string;
  readonly sql: string;
}

/** The target a generated module was written for. */
export interface SqlTargetInfo {
  readonly target: string;
  readonly dialect: SqlDialect;
}

/** The statement's text: each table slot filled with the name its input holds, quoted as an identifier of the dialect. */
export function statementText<I extends object>(dialect: SqlDialect, parts: readonly StatementPart<keyof I & string>[], inputs: I): string {
  return parts
    .map((part) => {
      if (typeof part === "string") return part;
      const name = (inputs as Readonly<Record<string, unknown>>)[part.table];
      if (typeof name !== "string" && !(Array.isArray(name) && name.every((p) => typeof p === "string"))) {
        throw new SqlInputError(`the input '${part.table}' must be a table name (a string, or an array of strings for a qualified name)`);
      }
      return quoteTableName(dialect, name as TableName);
    })
    .join("");
}

/** The key checks of a statement for these inputs: each table slot filled as in the statement. */
export function bindKeyChecks<I extends object>(
  dialect: SqlDialect,
  checks: readonly KeyCheck<keyof I & string>[],
  inputs: I,
): BoundKeyCheck[] {
  return checks.map((c) => {
    const name = (inputs as Readonly<Record<string, unknown>>)[c.table];
    const table = Array.isArray(name) ? name.join(".") : String(name);
    return { lookup: c.lookup, type: c.type, where: `column '${c.key}' of table '${table}'`, sql: statementText(dialect, c.parts, inputs) };
  });
}

/**
 * Runs a statement's key checks: throws DuplicateKeyError for the first lookup whose table holds a
 * key twice. The checks are queries of their own, run before the statement (beside it on a
 * connection that runs queries side by side) and not in one transaction with it: they vouch for
 * the tables as they were then, so a table written while a statement runs must be written with
 * unique keys by its writer.
 */
async function checkKeys(connection: SqlConnection, statement: BoundStatement): Promise<void> {
  for (const c of statement.keyChecks ?? []) {
    const found = await connection.query(
      c.sql,
      [],
      [
        { name: "featc_key", type: c.type },
        { name: "featc_rows", type: "number" },
      ],
    );
    if (found.length === 0) continue;
    const key = found.columns.featc_key![0] as number | string;
    throw new DuplicateKeyError(c.lookup, key === 0 ? 0 : key, (found.columns.featc_rows as Float64Array)[0]!, [], c.where);
  }
}

/**
 * Throws MissingInputError when there is no inputs object, or when one of the inputs `names` is
 * left out (the `fitted` values are missing when null too, as in the JavaScript executors).
 */
export function requireInputs(info: SqlTargetInfo, inputs: unknown, names: readonly string[]): void {
  if (inputs === null || inputs === undefined) throw new MissingInputError("", info.target, inputs);
  const given = inputs as Readonly<Record<string, unknown>>;
  for (const name of names) {
    const value = Object.hasOwn(given, name) ? given[name] : undefined;
    if (value === undefined || (name === "fitted" && value === null)) throw new MissingInputError(name, info.target);
  }
}

/** Throws InvalidInputError, naming the input's path, for the first bound value that is not of its parameter's type. */
function checkParameters(info: SqlTargetInfo, parameters: readonly SqlParameter[]): void {
  for (const p of parameters) {
    if (typeof p.value !== p.type) throw new InvalidInputError(info.target, p.input ?? p.name, p.type, p.value);
  }
}

function checkDialect(connection: SqlConnection, info: SqlTargetInfo): void {
  if (connection.dialect !== info.dialect)
    throw new SqlInputError(`target ${info.target} is written for ${info.dialect}, not ${connection.dialect}`);
}

/** Makes a target's `@udf` functions known to the connection's engine, before its statement runs. */
export async function registerFunctions(
  connection: SqlConnection,
  info: SqlTargetInfo,
  functions: readonly SqlScalarFunction[],
): Promise<void> {
  checkDialect(connection, info);
  if (!connection.registerFunctions)
    throw new SqlInputError(`target ${info.target} runs @udf functions, which this ${connection.dialect} connection cannot register`);
  await connection.registerFunctions(functions);
}

/** A node's `@check`, evaluated by the engine as a boolean column of the statement: true where the value passes. */
export interface SqlCheck {
  readonly node: string;
  /** The check as written after `@check`. */
  readonly check: string;
  /** A `warn` check reports to `onWarning` and does not throw. */
  readonly warn: boolean;
  readonly column: string;
  /** A check of one value (a @fitted value), reported once rather than per row. */
  readonly scalar: boolean;
}

/** Reports a check that failed on `failed` rows of `total`, as the JavaScript executors do. */
function reportFailed(options: ExecuteOptions | undefined, c: SqlCheck, failed: number, total: number, first: readonly number[]): void {
  if (failed === 0) return;
  const counts = c.scalar ? { failed: 1, total: 1, first: [0] } : { failed, total, first };
  reportCheck(options, { node: c.node, check: c.check, warn: c.warn, ...counts });
}

/**
 * Runs a target's statement on a connection of its dialect and returns one column per output
 * (after its key checks: a lookup table holding a key twice throws DuplicateKeyError);
 * each check's column is counted (the first five failing rows of the result named) and reported:
 * a failed check throws CheckFailedError, a `warn` one goes to `options.onWarning`.
 */
export async function runStatement(
  connection: SqlConnection,
  info: SqlTargetInfo,
  statement: BoundStatement,
  columns: readonly SqlColumnSpec[],
  checks: readonly SqlCheck[] = [],
  options?: ExecuteOptions,
): Promise<SqlResult> {
  checkDialect(connection, info);
  checkParameters(info, statement.parameters);
  const flags = checks.map((c) => ({ name: c.column, type: "boolean" as const }));
  const run = () => connection.query(statement.sql, statement.parameters, [...columns, ...flags]);
  let result: SqlResult;
  if (connection.concurrent) {
    // Side by side: the statement's answer is taken only when every key check passed, and a
    // failed check is the error reported, whatever became of the statement.
    const [keys, answer] = await Promise.allSettled([checkKeys(connection, statement), run()]);
    if (keys.status === "rejected") throw keys.reason;
    if (answer.status === "rejected") throw answer.reason;
    result = answer.value;
  } else {
    await checkKeys(connection, statement);
    result = await run();
  }
  for (const c of checks) {
    const passed = result.columns[c.column] as boolean[];
    let failed = 0;
    const first: number[] = [];
    for (let i = 0; i < passed.length; i++) {
      if (passed[i]) continue;
      failed++;
      if (first.length < 5) first.push(i);
    }
    reportFailed(options, c, failed, result.length, first);
  }
  if (checks.length === 0) return result;
  return { length: result.length, columns: Object.fromEntries(columns.map((c) => [c.name, result.columns[c.name]!])) };
}

/** The engine's double type, for counts read back as numbers. */
const DOUBLE: Readonly<Record<SqlDialect, string>> = {
  duckdb: "DOUBLE",
  postgres: "float8",
  clickhouse: "Float64",
  spark: "DOUBLE",
  bigquery: "FLOAT64",
};

/** Runs the checks of a statement in the engine, as one aggregate query over it: how many rows fail each. */
async function checkInEngine(
  connection: SqlConnection,
  info: SqlTargetInfo,
  statement: BoundStatement,
  checks: readonly SqlCheck[],
  options: ExecuteOptions,
): Promise<void> {
  const q = (name: string) => quoteIdentifier(info.dialect, name);
  const count = (x: string, as: string) => `CAST(${x} AS ${DOUBLE[info.dialect]}) AS ${q(as)}`;
  const failing = checks.map((c, i) => count(`COALESCE(sum(CASE WHEN ${q(c.column)} THEN 0 ELSE 1 END), 0)`, `featc_failed${i + 1}`));
  const sql = `SELECT ${[...failing, count("count(*)", FIT_ROWS_COLUMN)].join(", ")}\nFROM (\n${statement.sql}) AS ${q("featc_checked")}`;
  const names = [...checks.map((_, i) => `featc_failed${i + 1}`), FIT_ROWS_COLUMN];
  const result = await connection.query(
    sql,
    statement.parameters,
    names.map((name) => ({ name, type: "number" as const })),
  );
  const value = (name: string) => (result.columns[name] as Float64Array)[0]!;
  checks.forEach((c, i) => reportFailed(options, c, value(`featc_failed${i + 1}`), value(FIT_ROWS_COLUMN), []));
}

/**
 * Runs a fit statement (one row: a double per fitted value, then `featc_rows`) and returns the
 * artifact `saveFitted` writes — the catalog's fitted hash, the target, the values by name — with
 * the number of rows the values were computed over.
 */
export async function runFit<K extends string>(
  connection: SqlConnection,
  info: SqlTargetInfo,
  catalogHash: string,
  sql: string,
  names: readonly K[],
): Promise<{ catalogHash: string; target: string; values: Record<K, number>; rows: number }> {
  checkDialect(connection, info);
  const result = await connection.query(
    sql,
    [],
    [...names, FIT_ROWS_COLUMN].map((name) => ({ name, type: "number" as const })),
  );
  if (result.length !== 1)
    throw new Error(`featc: the fit statement of target ${info.target} returned ${result.length} rows instead of one`);
  const values = {} as Record<K, number>;
  for (const name of names) values[name] = (result.columns[name] as Float64Array)[0]!;
  return { catalogHash, target: info.target, values, rows: (result.columns[FIT_ROWS_COLUMN] as Float64Array)[0]! };
}

/** How `materialize` stores a target's result: a table (computed now) or a view (computed when read). */
export interface MaterializeOptions extends ExecuteOptions {
  readonly as: "table" | "view";
  /** The new table's or view's name, quoted as an identifier (`["schema", "name"]` for a qualified one). */
  readonly name: TableName;
}

/**
 * Creates the result of a statement as a table or a view of its output `columns`. A view keeps no
 * bound parameters, so the scalars are written into the SQL as exact literals (numbers by their
 * bits, strings quoted or hex-encoded): still no input is read as SQL. The key checks run first
 * (a view is checked when it is created, not when it is read). With `checks`, an aggregate
 * query over the statement runs them first (the statement is computed once more), and a failed
 * check creates nothing.
 */
export async function materializeStatement(
  connection: SqlConnection,
  info: SqlTargetInfo,
  statement: BoundStatement,
  options: MaterializeOptions,
  columns: readonly SqlColumnSpec[] = [],
  checks: readonly SqlCheck[] = [],
): Promise<void> {
  checkDialect(connection, info);
  checkParameters(info, statement.parameters);
  if (options.as !== "table" && options.as !== "view")
    throw new SqlInputError(`materialize as a "table" or a "view", not ${JSON.stringify(options.as)}`);
  const name = quoteTableName(info.dialect, options.name);
  await checkKeys(connection, statement);
  if (checks.length > 0) await checkInEngine(connection, info, statement, checks, options);
  const inlined = inlineParameters(info.dialect, statement.sql, statement.parameters);
  // The checks' columns stay out of what is created.
  const q = (column: string) => quoteIdentifier(info.dialect, column);
  const body =
    checks.length > 0 ? `SELECT ${columns.map((c) => q(c.name)).join(", ")}\nFROM (\n${inlined}) AS ${q("featc_result")}` : inlined;
  // ClickHouse's CREATE TABLE … AS SELECT needs an engine; a MergeTree with no sort key keeps the rows as they come.
  const engine = info.dialect === "clickhouse" && options.as === "table" ? " ENGINE = MergeTree() ORDER BY tuple()" : "";
  await connection.execute(`CREATE ${options.as === "table" ? "TABLE" : "VIEW"} ${name}${engine} AS\n${body}`, []);
}
