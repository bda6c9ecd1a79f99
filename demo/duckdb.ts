/**
 * Column-at-a-time transfer between DuckDB and typed arrays, for the demo warehouse and the data
 * generator. No row objects in either direction:
 *
 * - Reading copies each result chunk's vector memory straight into one typed array per column
 *   (numbers → Float64Array, NULL → NaN). Low-cardinality text columns are cast to an ENUM in
 *   SQL so that every row gets the same interned JS string from a small dictionary instead of a
 *   UTF-8 decode per row.
 * - Writing fills a reusable DataChunk from typed arrays (bulk copies for numbers) and hands it to
 *   the appender, 2,048 rows at a time.
 *
 * Why the raw bindings: @duckdb/node-api's `DuckDBVector.getItem` tests validity with BigInt
 * arithmetic per value, which made reading ~2× slower end to end than copying the vector's
 * buffer (demo/measure.ts, 100k survey rows from the file, best of 9: ~25 ms vs ~55 ms; in
 * memory, 1M rows: ~190 ms vs ~360 ms). Most of what remains is DuckDB producing the chunks
 * (~2,048 rows each), not the copy. The bindings
 * are the package @duckdb/node-api itself is built on (pinned to its exact version); we load the
 * very instance it uses, through its own resolution, and touch only chunk, vector and validity
 * accessors.
 */
import { createRequire } from "node:module";
import os from "node:os";
import {
  DuckDBDataChunk,
  DuckDBDoubleType,
  DuckDBIntegerType,
  DuckDBBigIntType,
  DuckDBTypeId,
  DuckDBVarCharType,
  DuckDBVector,
  type DuckDBConnection,
  type DuckDBEnumType,
  type DuckDBResult,
  type DuckDBType,
} from "@duckdb/node-api";
import { allocateFloat64Columns, type Column } from "featc";

type Bindings = typeof import("@duckdb/node-bindings");
type RawVector = ReturnType<Bindings["data_chunk_get_vector"]>;

const requireHere = createRequire(import.meta.url);
/** The native bindings instance that @duckdb/node-api itself loaded. */
const bindings: Bindings = createRequire(requireHere.resolve("@duckdb/node-api"))("@duckdb/node-bindings") as Bindings;

// Vector memory is read and written through little-endian typed-array views.
if (os.endianness() !== "LE") throw new Error("demo/duckdb.ts assumes a little-endian machine");

/** Quotes a table name for SQL: `name` or `schema.name`, each part as a quoted identifier. */
export function quoteTable(table: string): string {
  const parts = table.split(".");
  if (parts.length > 3 || parts.some((p) => p === "")) throw new Error(`invalid table name '${table}'`);
  return parts.map(quoteIdent).join(".");
}

/** Quotes one SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes one SQL string literal. */
export function quoteString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export type ColumnKind = "number" | "string";

/** The columns `readColumns` returns for a spec: numbers as Float64Array, strings as arrays. */
export type ColumnsOf<S extends Readonly<Record<string, ColumnKind>>> = { [K in keyof S]: S[K] extends "number" ? Float64Array : string[] };

/** What `readColumns` returns: equal-length columns. */
export interface ReadColumns<S extends Readonly<Record<string, ColumnKind>>> {
  readonly length: number;
  readonly columns: ColumnsOf<S>;
}

/** Text columns with at most this many distinct values are read through a dictionary (ENUM). */
const DICTIONARY_LIMIT = 4096;

const NUMERIC_READERS = new Set<DuckDBTypeId>([
  DuckDBTypeId.DOUBLE,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UTINYINT,
]);

/**
 * Reads the named columns of a table into typed arrays / arrays, every row, in the table's order.
 * Numbers of any numeric SQL type arrive as Float64Array (NULL → NaN); text as string[] (a NULL
 * text value is an error: a Column<string> has no place for it).
 */
export async function readColumns<const S extends Readonly<Record<string, ColumnKind>>>(connection: DuckDBConnection, table: string, spec: S): Promise<ReadColumns<S>> {
  const from = quoteTable(table);
  const names = Object.keys(spec);
  let probe: DuckDBResult;
  try {
    probe = await connection.run(`SELECT ${names.map(quoteIdent).join(", ")} FROM ${from} LIMIT 0`);
  } catch (e) {
    throw new Error(`cannot read columns ${names.join(", ")} of table '${table}': ${(e as Error).message}`, { cause: e });
  }
  const select: string[] = [];
  for (let k = 0; k < names.length; k++) {
    const name = names[k]!;
    const id = quoteIdent(name);
    const typeId = probe.columnTypeId(k);
    if (spec[name] === "number") {
      if (NUMERIC_READERS.has(typeId)) select.push(id);
      else if (typeId === DuckDBTypeId.DECIMAL || typeId === DuckDBTypeId.HUGEINT || typeId === DuckDBTypeId.UBIGINT || typeId === DuckDBTypeId.BOOLEAN) select.push(`CAST(${id} AS DOUBLE) AS ${id}`);
      else throw new Error(`column '${name}' of table '${table}' has type ${probe.columnType(k).toString()}, not a number`);
    } else if (typeId === DuckDBTypeId.ENUM) {
      select.push(id);
    } else if (typeId === DuckDBTypeId.VARCHAR) {
      const distinct = await connection.run(`SELECT DISTINCT ${id} FROM ${from} WHERE ${id} IS NOT NULL ORDER BY ${id} LIMIT ${DICTIONARY_LIMIT + 1}`);
      const values = (await distinct.getColumns())[0] as string[] | undefined;
      if (values && values.length > 0 && values.length <= DICTIONARY_LIMIT) select.push(`CAST(${id} AS ENUM(${values.map(quoteString).join(", ")})) AS ${id}`);
      else select.push(id);
    } else {
      throw new Error(`column '${name}' of table '${table}' has type ${probe.columnType(k).toString()}, not text`);
    }
  }
  const result = await connection.run(`SELECT ${select.join(", ")} FROM ${from}`);
  const n = result.rowCount;
  const numeric = names.filter((name) => spec[name] === "number");
  const buffers = allocateFloat64Columns(n, numeric.length);
  const columns: Record<string, Float64Array | string[]> = {};
  const readers: ((raw: RawVector, chunk: DuckDBDataChunk, k: number, rows: number, offset: number) => void)[] = [];
  for (let k = 0; k < names.length; k++) {
    const name = names[k]!;
    const type = result.columnType(k);
    if (spec[name] === "number") {
      const out = buffers[numeric.indexOf(name)]!;
      columns[name] = out;
      readers.push(numberReader(type.typeId, out));
    } else {
      const out = new Array<string>(n);
      columns[name] = out;
      readers.push(type.typeId === DuckDBTypeId.ENUM ? enumReader(type as DuckDBEnumType, out, name, table) : varcharReader(out, name, table));
    }
  }
  let offset = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk) break;
    const rows = chunk.rowCount;
    if (rows === 0) break;
    for (let k = 0; k < readers.length; k++) readers[k]!(bindings.data_chunk_get_vector(chunk.chunk, k), chunk, k, rows, offset);
    offset += rows;
  }
  if (offset !== n) throw new Error(`read ${offset} rows of table '${table}' but the result announced ${n}`);
  return { length: n, columns: columns as ColumnsOf<S> };
}

/** The validity bitmap of a vector, or null when every value is valid. */
function validityOf(raw: RawVector, rows: number): Uint8Array | null {
  return bindings.vector_get_validity(raw, Math.ceil(rows / 64) * 8);
}

function isValid(validity: Uint8Array, i: number): boolean {
  return (validity[i >> 3]! & (1 << (i & 7))) !== 0;
}

function numberReader(typeId: DuckDBTypeId, out: Float64Array) {
  return (raw: RawVector, _chunk: DuckDBDataChunk, _k: number, rows: number, offset: number): void => {
    switch (typeId) {
      case DuckDBTypeId.DOUBLE: {
        const d = bindings.vector_get_data(raw, rows * 8);
        out.set(new Float64Array(d.buffer, d.byteOffset, rows), offset);
        break;
      }
      case DuckDBTypeId.BIGINT: {
        // Two 32-bit halves per value: exact below 2^53 and no BigInt per value.
        const d = bindings.vector_get_data(raw, rows * 8);
        const words = new Int32Array(d.buffer, d.byteOffset, rows * 2);
        for (let i = 0; i < rows; i++) out[offset + i] = words[2 * i + 1]! * 4294967296 + (words[2 * i]! >>> 0);
        break;
      }
      default: {
        const view = integerView(typeId, raw, rows);
        for (let i = 0; i < rows; i++) out[offset + i] = view[i]!;
      }
    }
    const validity = validityOf(raw, rows);
    if (validity) for (let i = 0; i < rows; i++) if (!isValid(validity, i)) out[offset + i] = NaN;
  };
}

function integerView(typeId: DuckDBTypeId, raw: RawVector, rows: number): ArrayLike<number> {
  const bytes = (n: number) => bindings.vector_get_data(raw, rows * n);
  switch (typeId) {
    case DuckDBTypeId.FLOAT: {
      const d = bytes(4);
      return new Float32Array(d.buffer, d.byteOffset, rows);
    }
    case DuckDBTypeId.INTEGER: {
      const d = bytes(4);
      return new Int32Array(d.buffer, d.byteOffset, rows);
    }
    case DuckDBTypeId.UINTEGER: {
      const d = bytes(4);
      return new Uint32Array(d.buffer, d.byteOffset, rows);
    }
    case DuckDBTypeId.SMALLINT: {
      const d = bytes(2);
      return new Int16Array(d.buffer, d.byteOffset, rows);
    }
    case DuckDBTypeId.USMALLINT: {
      const d = bytes(2);
      return new Uint16Array(d.buffer, d.byteOffset, rows);
    }
    case DuckDBTypeId.TINYINT: {
      const d = bytes(1);
      return new Int8Array(d.buffer, d.byteOffset, rows);
    }
    case DuckDBTypeId.UTINYINT:
      return bytes(1);
    default:
      throw new Error(`no numeric reader for DuckDB type id ${typeId}`);
  }
}

function nullText(name: string, table: string, row: number): Error {
  return new Error(`column '${name}' of table '${table}' is NULL at row ${row}: text columns must not hold NULL`);
}

function enumReader(type: DuckDBEnumType, out: string[], name: string, table: string) {
  const dictionary = type.values;
  const width = type.internalTypeId === DuckDBTypeId.UTINYINT ? 1 : type.internalTypeId === DuckDBTypeId.USMALLINT ? 2 : 4;
  return (raw: RawVector, _chunk: DuckDBDataChunk, _k: number, rows: number, offset: number): void => {
    const d = bindings.vector_get_data(raw, rows * width);
    const codes = width === 1 ? d : width === 2 ? new Uint16Array(d.buffer, d.byteOffset, rows) : new Uint32Array(d.buffer, d.byteOffset, rows);
    const validity = validityOf(raw, rows);
    for (let i = 0; i < rows; i++) {
      if (validity && !isValid(validity, i)) throw nullText(name, table, offset + i);
      out[offset + i] = dictionary[codes[i]!]!;
    }
  };
}

function varcharReader(out: string[], name: string, table: string) {
  return (_raw: RawVector, chunk: DuckDBDataChunk, k: number, rows: number, offset: number): void => {
    const vector = chunk.getColumnVector(k);
    for (let i = 0; i < rows; i++) {
      const value = vector.getItem(i);
      if (value === null) throw nullText(name, table, offset + i);
      out[offset + i] = value as string;
    }
  };
}

/** SQL types `appendColumns` can write. */
export type SqlType = "INTEGER" | "BIGINT" | "DOUBLE" | "VARCHAR";

export interface AppendColumn {
  readonly name: string;
  readonly type: SqlType;
  readonly values: Column<number> | Column<string>;
}

function duckType(type: SqlType): DuckDBType {
  switch (type) {
    case "INTEGER":
      return DuckDBIntegerType.instance;
    case "BIGINT":
      return DuckDBBigIntType.instance;
    case "DOUBLE":
      return DuckDBDoubleType.instance;
    case "VARCHAR":
      return DuckDBVarCharType.instance;
  }
}

/**
 * Creates (or replaces) a table with the given columns and appends every row through the
 * appender, one DataChunk of up to 2,048 rows at a time. INTEGER and BIGINT values must be
 * integers (BIGINT: below 2^53 in magnitude), which is checked before anything is written.
 */
export async function writeTable(connection: DuckDBConnection, table: string, columns: readonly AppendColumn[]): Promise<void> {
  if (columns.length === 0) throw new Error(`writeTable '${table}': no columns`);
  const n = columns[0]!.values.length;
  for (const c of columns) {
    if (c.values.length !== n) throw new RangeError(`writeTable '${table}': column '${c.name}' has ${c.values.length} rows but '${columns[0]!.name}' has ${n}`);
  }
  // Validate everything first: a failure must not leave a half-written table behind.
  for (const c of columns) {
    if (c.type !== "INTEGER" && c.type !== "BIGINT") continue;
    const values = c.values as Column<number>;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (c.type === "INTEGER" ? (v | 0) !== v : !Number.isSafeInteger(v)) {
        throw new RangeError(`writeTable '${table}': column '${c.name}' row ${i} is ${v}, not a ${c.type === "INTEGER" ? "32-bit" : "safe"} integer`);
      }
    }
  }
  await connection.run(`CREATE OR REPLACE TABLE ${quoteTable(table)} (${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(", ")})`);
  const parts = table.split(".");
  const appender = await connection.createAppender(parts[parts.length - 1]!, parts.length >= 2 ? parts[parts.length - 2]! : null, parts.length === 3 ? parts[0]! : null);
  try {
    const size = DuckDBVector.standardSize();
    const chunk = DuckDBDataChunk.create(columns.map((c) => duckType(c.type)));
    const f64 = new Float64Array(size);
    const i32 = new Int32Array(size);
    for (let start = 0; start < n; start += size) {
      const rows = Math.min(size, n - start);
      chunk.reset();
      chunk.rowCount = rows;
      for (let k = 0; k < columns.length; k++) {
        const c = columns[k]!;
        const raw = bindings.data_chunk_get_vector(chunk.chunk, k);
        switch (c.type) {
          case "DOUBLE": {
            const values = c.values as Column<number>;
            for (let i = 0; i < rows; i++) f64[i] = values[start + i]!;
            bindings.copy_data_to_vector(raw, 0, f64.buffer, 0, rows * 8);
            break;
          }
          case "INTEGER": {
            const values = c.values as Column<number>;
            for (let i = 0; i < rows; i++) i32[i] = values[start + i]!;
            bindings.copy_data_to_vector(raw, 0, i32.buffer, 0, rows * 4);
            break;
          }
          case "BIGINT": {
            // Written as two 32-bit halves (little-endian), exact below 2^53, no BigInt per value.
            const values = c.values as Column<number>;
            const words = new Int32Array(f64.buffer);
            for (let i = 0; i < rows; i++) {
              const v = values[start + i]!;
              words[2 * i] = v | 0;
              words[2 * i + 1] = Math.floor(v / 4294967296);
            }
            bindings.copy_data_to_vector(raw, 0, f64.buffer, 0, rows * 8);
            break;
          }
          case "VARCHAR": {
            const values = c.values as Column<string>;
            for (let i = 0; i < rows; i++) bindings.vector_assign_string_element(raw, i, values[start + i]!);
            break;
          }
        }
      }
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}
