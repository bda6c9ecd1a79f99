/**
 * What every SQL target's generated module does with its statement, in one place: fill the
 * table slots with quoted identifiers, run it through a connection of the target's dialect, run
 * the fit statement of its `@fitted` values, or create the result as a table or a view.
 */
import type { SqlConnection, SqlColumnSpec, SqlParameter, SqlResult, SqlScalarFunction } from "./connection.js";
import { inlineParameters } from "./connection.js";
import { FIT_ROWS_COLUMN, SqlInputError, quoteTableName, type SqlDialect, type TableName } from "./identifiers.js";

/** A piece of a statement: SQL text, or the slot of the run-time table name held by the input `table`. */
export type StatementPart<K extends string = string> = string | { readonly table: K };

/** A statement and the scalars bound to its placeholders. */
export interface BoundStatement {
  readonly sql: string;
  readonly parameters: readonly SqlParameter[];
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

/** Runs a target's statement on a connection of its dialect and returns one column per output. */
export async function runStatement(
  connection: SqlConnection,
  info: SqlTargetInfo,
  statement: BoundStatement,
  columns: readonly SqlColumnSpec[],
): Promise<SqlResult> {
  checkDialect(connection, info);
  return connection.query(statement.sql, statement.parameters, columns);
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
export interface MaterializeOptions {
  readonly as: "table" | "view";
  /** The new table's or view's name, quoted as an identifier (`["schema", "name"]` for a qualified one). */
  readonly name: TableName;
}

/**
 * Creates the result of a statement as a table or a view. A view keeps no bound parameters, so
 * the scalars are written into the SQL as exact literals (numbers by their bits, strings quoted or
 * hex-encoded): still no input is read as SQL.
 */
export async function materializeStatement(
  connection: SqlConnection,
  info: SqlTargetInfo,
  statement: BoundStatement,
  options: MaterializeOptions,
): Promise<void> {
  checkDialect(connection, info);
  if (options.as !== "table" && options.as !== "view")
    throw new SqlInputError(`materialize as a "table" or a "view", not ${JSON.stringify(options.as)}`);
  const name = quoteTableName(info.dialect, options.name);
  const body = inlineParameters(info.dialect, statement.sql, statement.parameters);
  // ClickHouse's CREATE TABLE … AS SELECT needs an engine; a MergeTree with no sort key keeps the rows as they come.
  const engine = info.dialect === "clickhouse" && options.as === "table" ? " ENGINE = MergeTree() ORDER BY tuple()" : "";
  await connection.execute(`CREATE ${options.as === "table" ? "TABLE" : "VIEW"} ${name}${engine} AS\n${body}`, []);
}
