/**
 * The pieces a SQL target's statements are made of, shared by the main statement (plan.ts) and
 * the fit statement (fit.ts): text and table slots, what each node's translation states, and how
 * a column of the loaded table is named.
 */
import { quoteIdentifier, type SqlDialect } from "../../../runtime/sql/identifiers.js";

/** A piece of the statement: SQL text, or the slot of a run-time table name. */
export type SqlPart = { readonly kind: "text"; readonly text: string } | { readonly kind: "table"; readonly input: string };

export interface SqlNodeNote {
  readonly node: string;
  /** Empty when the translation gives V8's bits exactly. */
  readonly approximate: readonly string[];
  /** The stated bound in ulps (0 when exact; `UNBOUNDED` when the reasons state none, as for an engine's own summation); per row of the table when `perRow` (an engine's sum over n rows). */
  readonly boundUlps: number;
  readonly perRow?: boolean;
  readonly raises: readonly string[];
  /** Run by the engine as a UDF of the function's own JavaScript: V8's result, whatever the engine's SQL would give. */
  readonly udf?: boolean;
}

/**
 * A column of the loaded table: `"t0"."field"`, or the bare name in ClickHouse, whose views
 * (version 18) cannot resolve a table alias over a Distributed table.
 */
export function loadedColumn(dialect: SqlDialect, field: string): string {
  return dialect === "clickhouse"
    ? quoteIdentifier(dialect, field)
    : `${quoteIdentifier(dialect, "t0")}.${quoteIdentifier(dialect, field)}`;
}

/** Adjacent text pieces joined into one. */
export function mergeText(parts: readonly SqlPart[]): SqlPart[] {
  const out: SqlPart[] = [];
  for (const part of parts) {
    const last = out[out.length - 1];
    if (part.kind === "text" && last?.kind === "text") out[out.length - 1] = { kind: "text", text: last.text + part.text };
    else out.push(part);
  }
  return out;
}
