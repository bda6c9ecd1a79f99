/**
 * The batch containers. featc recognises `Column` and `Table` by their declaration (this file),
 * never by their shape, so a per-row value that happens to be an array stays a per-row value.
 */

/** A read-only column of values: a plain array or a typed array is accepted wherever a Column is expected. */
export interface Column<T> {
  readonly length: number;
  readonly [index: number]: T;
}

/** A batch of rows held as columns of equal length. */
export interface Table<T> {
  readonly length: number;
  readonly columns: { readonly [K in keyof T]: Column<T[K]> };
}

/** Builds a Table from columns, checking that they all have the same length. */
export function tableOf<T>(columns: { readonly [K in keyof T]: Column<T[K]> }): Table<T> {
  let length = -1;
  let first = "";
  for (const name of Object.keys(columns)) {
    const n = (columns as Record<string, Column<unknown>>)[name]!.length;
    if (length < 0) {
      length = n;
      first = name;
    } else if (n !== length) {
      throw new RangeError(`tableOf: column '${name}' has ${n} rows but column '${first}' has ${length}`);
    }
  }
  return { length: Math.max(length, 0), columns };
}
