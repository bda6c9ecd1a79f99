/**
 * The relational API of SQL targets: what a catalog's `@when` variants for a SQL target are
 * written with — a table by name and a keyed left join. featc translates calls to these
 * functions into SQL at build time (they are recognised by their declaration here); they have
 * no JavaScript implementation, and calling one outside a SQL target throws.
 */
import type { Column, Table } from "../containers.js";
import { FeatcError } from "../errors.js";
import type { TableName } from "./identifiers.js";

function onlyInSql(fn: string): never {
  throw new FeatcError("FEATC_SQL_ONLY", `${fn}() describes SQL for a SQL target; it does not run in JavaScript`);
}

/** The warehouse table `name` (a run-time input, quoted as an identifier), read whole. */
export function sqlTable<T>(name: TableName): Table<T> {
  void name;
  return onlyInSql("sqlTable");
}

/**
 * For each key, the `value` field of the `table` row whose `key` field equals it, `missing`
 * when there is none: a left join. The table's keys must be unique (a duplicate repeats the
 * row in SQL, where featc's in-process index takes the first); a NaN key matches nothing.
 */
export function lookup<R, K extends keyof R & string, V extends keyof R & string>(keys: Column<R[K]>, table: Table<R>, key: K, value: V, missing: R[V]): Column<R[V]> {
  void [keys, table, key, value, missing];
  return onlyInSql("lookup");
}
