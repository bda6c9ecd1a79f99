/** Quoting for the SQL that the loaders write: names and paths are data, never spliced as they are. */

/** Quotes one SQL identifier: `a"b` → `"a""b"`. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes one SQL string literal: `it's` → `'it''s'`. */
export function quoteString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Quotes a table name given as its parts (`[name]`, `[schema, name]` or `[catalog, schema, name]`). */
export function quoteQualified(parts: readonly string[]): string {
  if (parts.length < 1 || parts.length > 3 || parts.some((p) => p === ""))
    throw new RangeError(`invalid table name ${JSON.stringify(parts.join("."))}: give one to three non-empty parts`);
  return parts.map(quoteIdent).join(".");
}
