/**
 * The keys of a SQL target's lookups. A lookup's keys must be unique: a LEFT JOIN would repeat
 * the row of each probe key a duplicate matches (DuckDB, PostgreSQL) or join one of its rows
 * (ClickHouse's ANY join), where featc's in-process index refuses the table. So each lookup
 * gets a query over its table that the module runs before the statement: the least key held by
 * two rows or more and how many rows hold it, or no row. Keys are compared as the join compares
 * them (NaN and NULL match nothing, so they are never duplicates; -0 is 0), and the least is
 * taken in the order featc's index names it (numbers numerically, strings by bytes of UTF-8).
 */
import { quoteIdentifier, type SqlDialect } from "../../../runtime/sql/identifiers.js";
import { DIALECT_RULES } from "./dialects.js";
import type { SqlPart } from "./parts.js";

/** The uniqueness check of one lookup's table. */
export interface SqlKeyCheck {
  /** The lookup node, which the error names. */
  readonly lookup: string;
  /** The input holding the table's name, and the key field. */
  readonly table: string;
  readonly key: string;
  readonly type: "number" | "string";
  /** The query: `featc_key` (the least duplicated key) and `featc_rows` (how many rows hold it), one row or none. */
  readonly parts: readonly SqlPart[];
}

/**
 * A numeric column as a join or grouping key: a double. ClickHouse hashes a double's bits, so -0
 * and 0 would be different keys (measured on ClickHouse 18: `-0` finds no `0` row): adding +0
 * turns -0 into 0 and leaves every other double as it is. Its CAST of a NULL to Float64 raises,
 * so a NULL key becomes NaN there, which matches nothing either.
 */
export function numericKey(dialect: SqlDialect, column: string): string {
  const d = DIALECT_RULES[dialect];
  if (dialect !== "clickhouse") return `CAST(${column} AS ${d.double})`;
  return `(ifNull(CAST(${column} AS Nullable(${d.double})), ${d.number(NaN)}) + ${d.number(0)})`;
}

/** The check query of a lookup of `table`'s field `key` (numbers when `numeric`). */
export function keyCheck(dialect: SqlDialect, lookup: string, table: string, key: string, numeric: boolean): SqlKeyCheck {
  const d = DIALECT_RULES[dialect];
  const q = (name: string) => quoteIdentifier(dialect, name);
  const k = q("featc_key");
  const column = numeric ? numericKey(dialect, q(key)) : q(key);
  const matchable = numeric ? `${k} IS NOT NULL AND ${d.not(d.isNaN(k))}` : `${k} IS NOT NULL`;
  // PostgreSQL orders text by the database's collation unless told otherwise; the others compare bytes.
  const order = !numeric && dialect === "postgres" ? `${k} COLLATE "C"` : k;
  return {
    lookup,
    table,
    key,
    type: numeric ? "number" : "string",
    parts: [
      { kind: "text", text: `SELECT ${k}, CAST(count(*) AS ${d.double}) AS ${q("featc_rows")} FROM (SELECT ${column} AS ${k} FROM ` },
      { kind: "table", input: table },
      {
        kind: "text",
        text: `) AS ${q("featc_keys")} WHERE ${matchable} GROUP BY ${k} HAVING count(*) > 1 ORDER BY ${order} LIMIT 1`,
      },
    ],
  };
}
