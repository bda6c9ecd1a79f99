/**
 * The small run-time schema a loader is given: one kind per column, from which the row type
 * (`RowOf<S>`) and the column types (`ColumnsOf<S>`) follow. A kind says how a column is held
 * in JavaScript and which SQL types may fill it; `?` admits NULL (NaN for numbers, null otherwise).
 */
import { DuckDBTypeId } from "./api.js";

/** How a loaded column is held: `f64` Float64Array, `f32` Float32Array, `i32` Int32Array, `bool` boolean[], `string` string[]. */
export type ColumnKind = "f64" | "f64?" | "f32" | "f32?" | "i32" | "bool" | "bool?" | "string" | "string?";

/** A loader's schema: the columns to read, each with its kind. */
export type Schema = Readonly<Record<string, ColumnKind>>;

/** The JavaScript value of one row of a column of kind `K`. */
export type ValueOf<K extends ColumnKind> = K extends "f64" | "f64?" | "f32" | "f32?" | "i32"
  ? number
  : K extends "bool"
    ? boolean
    : K extends "bool?"
      ? boolean | null
      : K extends "string"
        ? string
        : string | null;

/** The container a column of kind `K` is loaded into. */
export type ContainerOf<K extends ColumnKind> = K extends "f64" | "f64?"
  ? Float64Array
  : K extends "f32" | "f32?"
    ? Float32Array
    : K extends "i32"
      ? Int32Array
      : ValueOf<K>[];

/** The row type a schema describes: `{ client_id: "f64", gender: "string" }` → `{ client_id: number; gender: string }`. */
export type RowOf<S extends Schema> = { -readonly [K in keyof S]: ValueOf<S[K]> };

/** The columns a schema loads, each in its own container. */
export type ColumnsOf<S extends Schema> = { readonly [K in keyof S]: ContainerOf<S[K]> };

/**
 * A loaded table: a featc `Table<RowOf<S>>` (assignable to it for every concrete schema) whose
 * columns keep their typed-array types.
 */
export interface LoadedTable<S extends Schema> {
  readonly length: number;
  readonly columns: ColumnsOf<S>;
}

export const COLUMN_KINDS: readonly ColumnKind[] = ["f64", "f64?", "f32", "f32?", "i32", "bool", "bool?", "string", "string?"];

/** How a SQL column of a given type reaches a kind: read as it is, cast to DOUBLE in SQL, or refused. */
export type Reading = "direct" | "cast" | "refused";

const INTEGERS = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
]);

/** Whether (and how) a SQL column of type `typeId` may be loaded as `kind`. */
export function readingOf(kind: ColumnKind, typeId: DuckDBTypeId): Reading {
  switch (kind) {
    case "f64":
    case "f64?":
      if (typeId === DuckDBTypeId.DOUBLE || typeId === DuckDBTypeId.FLOAT || INTEGERS.has(typeId)) return "direct";
      return typeId === DuckDBTypeId.DECIMAL || typeId === DuckDBTypeId.HUGEINT || typeId === DuckDBTypeId.UBIGINT ? "cast" : "refused";
    case "f32":
    case "f32?":
      return typeId === DuckDBTypeId.FLOAT ? "direct" : "refused";
    case "i32":
      return INTEGERS.has(typeId) ? "direct" : "refused";
    case "bool":
    case "bool?":
      return typeId === DuckDBTypeId.BOOLEAN ? "direct" : "refused";
    case "string":
    case "string?":
      return typeId === DuckDBTypeId.VARCHAR || typeId === DuckDBTypeId.ENUM ? "direct" : "refused";
  }
}

/** What a kind accepts, for error messages. */
export function accepted(kind: ColumnKind): string {
  switch (kind) {
    case "f64":
    case "f64?":
      return "DOUBLE, FLOAT, DECIMAL or an integer type";
    case "f32":
    case "f32?":
      return "FLOAT";
    case "i32":
      return "an integer type whose values fit in 32 bits";
    case "bool":
    case "bool?":
      return "BOOLEAN";
    case "string":
    case "string?":
      return "VARCHAR or ENUM";
  }
}

/** Whether a kind admits NULL. */
export function nullable(kind: ColumnKind): boolean {
  return kind.endsWith("?");
}
