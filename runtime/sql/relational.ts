/**
 * The relational API of SQL targets: what a catalog's `@when` variants for a SQL target are
 * written with — a table by name, a keyed left join, and the aggregates a `@fitted` variant
 * returns (computed by the engine in one aggregate query). featc translates calls to these
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
 * when there is none: a left join. The table's keys must be unique: the target checks them
 * before its statement runs and throws DuplicateKeyError for a duplicate, as featc's in-process
 * indexes do. -0 and 0 are one key; a NaN or NULL key matches nothing.
 */
export function lookup<R, K extends keyof R & string, V extends keyof R & string>(
  keys: Column<R[K]>,
  table: Table<R>,
  key: K,
  value: V,
  missing: R[V],
): Column<R[V]> {
  void [keys, table, key, value, missing];
  return onlyInSql("lookup");
}

/** How a standard deviation divides: by n − 1 (`sample`, like pandas) or by n (`population`). */
export type StddevKind = "sample" | "population";

/** The number of rows of the column's table, as a double. */
export function count(column: Column<unknown>): number {
  void column;
  return onlyInSql("count");
}

/** The sum of the column (0 for no rows; NaN if any value is NaN), added up in the engine's order. */
export function sum(column: Column<number>): number {
  void column;
  return onlyInSql("sum");
}

/** The mean of the column (NaN for no rows), summed in the engine's order. */
export function mean(column: Column<number>): number {
  void column;
  return onlyInSql("mean");
}

/** The standard deviation of the column, by the engine's algorithm (NaN for too few rows). */
export function stddev(column: Column<number>, kind: StddevKind): number {
  void [column, kind];
  return onlyInSql("stddev");
}

/** The smallest value of the column (NaN if any value is NaN or there are no rows). */
export function min(column: Column<number>): number {
  void column;
  return onlyInSql("min");
}

/** The largest value of the column (NaN if any value is NaN or there are no rows). */
export function max(column: Column<number>): number {
  void column;
  return onlyInSql("max");
}
