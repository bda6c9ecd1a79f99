/**
 * SQL dialects and the quoting of names that arrive at run time (table names): each becomes a
 * quoted identifier of its dialect, whatever characters it holds, so it can never end the
 * statement, open a comment or name anything but one table.
 */
import { FeatcError } from "../errors.js";

export const SQL_DIALECTS = ["duckdb", "clickhouse", "postgres", "spark", "bigquery"] as const;
export type SqlDialect = (typeof SQL_DIALECTS)[number];

/** A run-time input a SQL target cannot use as given (an empty table name, a NUL character). */
export class SqlInputError extends FeatcError {
  constructor(message: string) {
    super("FEATC_SQL_INPUT", message);
  }
}

/** The fit statement's last column: how many rows the @fitted values were computed over. */
export const FIT_ROWS_COLUMN = "featc_rows";

/** A table name: one identifier, or a qualified one (`["schema", "table"]`). */
export type TableName = string | readonly string[];

/** Quotes one identifier for a dialect. */
export function quoteIdentifier(dialect: SqlDialect, name: string): string {
  if (name.length === 0) throw new SqlInputError("an empty name cannot be a SQL identifier");
  if (name.includes("\0")) throw new SqlInputError(`the name ${JSON.stringify(name)} contains a NUL character`);
  if (dialect === "clickhouse" || dialect === "spark" || dialect === "bigquery") {
    const escaped = dialect === "spark" ? name.replace(/`/g, "``") : name.replace(/\\/g, "\\\\").replace(/`/g, "\\`");
    return "`" + escaped + "`";
  }
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a table name, one part after another. */
export function quoteTableName(dialect: SqlDialect, name: TableName): string {
  const parts = typeof name === "string" ? [name] : name;
  if (parts.length === 0) throw new SqlInputError("a table name needs at least one part");
  return parts.map((p) => quoteIdentifier(dialect, p)).join(".");
}
