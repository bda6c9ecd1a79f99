/**
 * Reading a DuckDB relation (a table, a query, a CSV or a Parquet file) into typed columns,
 * checked against a schema. No row objects: each result chunk's vector memory is copied
 * straight into one typed array per column. Low-cardinality text is cast to an ENUM in SQL, so
 * that each row gets the same interned JS string from a small dictionary instead of a UTF-8
 * decode per row.
 */
import type { DuckDBConnection, DuckDBEnumType, DuckDBMaterializedResult, DuckDBValue } from "@duckdb/node-api";
import { DuckDBTypeId, type DuckDBDataChunk } from "./api.js";
import { allocateFloat64Columns, newColumn } from "../columns.js";
import { FeatcError } from "../errors.js";
import { bindings, type RawVector } from "./bindings.js";
import { accepted, nullable, readingOf, type ColumnKind, type LoadedTable, type Schema } from "./schema.js";
import { quoteIdent, quoteQualified, quoteString } from "./sql.js";

/** Where rows come from. Table names and file paths are data: quoted or bound as parameters, never spliced. */
export type Source =
  /** A table: one name (a single identifier, dots included), or its parts `[schema, name]` / `[catalog, schema, name]`. */
  | { readonly table: string | readonly string[] }
  /** A query (one SELECT, the caller's SQL) and its parameters (`$1` or `$name`). */
  | { readonly query: string; readonly params?: readonly DuckDBValue[] | Readonly<Record<string, DuckDBValue>> }
  /** A CSV file, read with DuckDB's detection of the delimiter, header and column types. */
  | { readonly csv: string }
  /** A Parquet file. */
  | { readonly parquet: string };

/** A loader found the source unreadable, or a column missing, of the wrong type, NULL, or out of range. */
export class LoadError extends FeatcError {
  constructor(
    /** What was read, as the message names it: `table "survey"`, `CSV file 'a.csv'`, `query`. */
    readonly source: string,
    /** The column at fault, when one is. */
    readonly column: string | undefined,
    message: string,
  ) {
    super("FEATC_LOAD", message);
  }
}

/** Text columns with at most this many distinct values are read through a dictionary (ENUM). */
const DICTIONARY_LIMIT = 4096;

/** The largest magnitude a double holds exactly as an integer. */
const EXACT = 2 ** 53;

interface Relation {
  /** The SQL of the relation, for `FROM`. */
  readonly from: string;
  readonly params: readonly DuckDBValue[] | Readonly<Record<string, DuckDBValue>> | undefined;
  /** How messages name it. */
  readonly label: string;
  /** Whether reading it twice gives the same rows (so a dictionary may be computed first). */
  readonly stable: boolean;
}

function relationOf(source: Source): Relation {
  if ("table" in source) {
    const parts = typeof source.table === "string" ? [source.table] : source.table;
    return { from: quoteQualified(parts), params: undefined, label: `table ${parts.map(quoteIdent).join(".")}`, stable: true };
  }
  if ("query" in source) return { from: `(${source.query}) AS featc_query`, params: source.params, label: "query", stable: false };
  if ("csv" in source)
    return {
      from: "read_csv($featc_path)",
      params: { featc_path: source.csv },
      label: `CSV file ${quoteString(source.csv)}`,
      stable: true,
    };
  return {
    from: "read_parquet($featc_path)",
    params: { featc_path: source.parquet },
    label: `Parquet file ${quoteString(source.parquet)}`,
    stable: true,
  };
}

async function run(connection: DuckDBConnection, relation: Relation, sql: string): Promise<DuckDBMaterializedResult> {
  try {
    return await connection.run(sql, relation.params as DuckDBValue[] | Record<string, DuckDBValue> | undefined);
  } catch (e) {
    throw new LoadError(relation.label, undefined, `cannot read ${relation.label}: ${(e as Error).message}`);
  }
}

/**
 * Reads every row of `source` into a `LoadedTable` with the schema's columns (other columns are
 * left out), in the source's order. A missing column, a column of a type the kind does not
 * accept, a NULL in a kind without `?`, or an integer that does not fit is a `LoadError` naming
 * the column.
 *
 * ```ts
 * const survey = await readTable(connection, { csv: "survey.csv" }, { client_id: "f64", age: "f64", gender: "string" });
 * survey.columns.age; // Float64Array
 * ```
 */
export async function readTable<const S extends Schema>(connection: DuckDBConnection, source: Source, schema: S): Promise<LoadedTable<S>> {
  const relation = relationOf(source);
  const names = Object.keys(schema);
  const probe = await run(connection, relation, `SELECT * FROM ${relation.from} LIMIT 0`);
  const available = probe.columnNames();
  const fail = (column: string, message: string) =>
    new LoadError(relation.label, column, `column '${column}' of ${relation.label} ${message}`);
  const select: string[] = [];
  for (const name of names) {
    const kind = schema[name]!;
    const at = available.indexOf(name);
    if (at < 0) {
      const near = available.find((a) => a.toLowerCase() === name.toLowerCase());
      throw fail(
        name,
        `is missing${near !== undefined ? `; did you mean '${near}'?` : ""} (${relation.label} has ${available.map((a) => `'${a}'`).join(", ") || "no columns"})`,
      );
    }
    if (available.indexOf(name, at + 1) >= 0) throw fail(name, "is ambiguous: the source has two columns of that name");
    const typeId = probe.columnTypeId(at);
    const reading = readingOf(kind, typeId);
    if (reading === "refused")
      throw fail(name, `is ${probe.columnType(at).toString()}, but the schema says '${kind}', which reads ${accepted(kind)}`);
    const id = quoteIdent(name);
    if (reading === "cast") select.push(`CAST(${id} AS DOUBLE) AS ${id}`);
    else if (typeId === DuckDBTypeId.VARCHAR && relation.stable) select.push(await dictionaryCast(connection, relation, id));
    else select.push(id);
  }
  const result = await run(connection, relation, `SELECT ${select.join(", ") || "1"} FROM ${relation.from}`);
  const n = result.rowCount;
  const doubles = allocateFloat64Columns(n, names.filter((name) => schema[name] === "f64" || schema[name] === "f64?").length);
  const columns: Record<string, unknown> = {};
  const readers: Reader[] = names.map((name, k) => {
    const kind = schema[name]!;
    const column = containerFor(kind, n, doubles);
    columns[name] = column;
    return readerFor(
      kind,
      result.columnType(k).typeId === DuckDBTypeId.ENUM ? (result.columnType(k) as DuckDBEnumType) : result.columnTypeId(k),
      column,
      (row, why) => fail(name, `at row ${row} ${why}`),
    );
  });
  let offset = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    for (let k = 0; k < readers.length; k++) readers[k]!(bindings.data_chunk_get_vector(chunk.chunk, k), chunk, k, chunk.rowCount, offset);
    offset += chunk.rowCount;
  }
  if (offset !== n)
    throw new LoadError(relation.label, undefined, `read ${offset} rows of ${relation.label} but the result announced ${n}`);
  return { length: n, columns: columns as LoadedTable<S>["columns"] };
}

/** `CAST(col AS ENUM(…))` when the column has few distinct values, the column as it is otherwise. */
async function dictionaryCast(connection: DuckDBConnection, relation: Relation, id: string): Promise<string> {
  const distinct = await run(
    connection,
    relation,
    `SELECT DISTINCT ${id} FROM ${relation.from} WHERE ${id} IS NOT NULL ORDER BY ${id} LIMIT ${DICTIONARY_LIMIT + 1}`,
  );
  const values = (await distinct.getColumns())[0] as string[] | undefined;
  return values && values.length > 0 && values.length <= DICTIONARY_LIMIT
    ? `CAST(${id} AS ENUM(${values.map(quoteString).join(", ")})) AS ${id}`
    : id;
}

type Container = Float64Array | Float32Array | Int32Array | (string | null)[] | (boolean | null)[];

function containerFor(kind: ColumnKind, n: number, doubles: Float64Array[]): Container {
  switch (kind) {
    case "f64":
    case "f64?":
      return doubles.shift()!;
    case "f32":
    case "f32?":
      return new Float32Array(n);
    case "i32":
      return new Int32Array(n);
    case "bool":
    case "bool?":
      return newColumn<boolean | null>(n, false);
    case "string":
    case "string?":
      return newColumn<string | null>(n, "");
  }
}

/** Copies one chunk's vector into the column, rows `offset …`. */
type Reader = (raw: RawVector, chunk: DuckDBDataChunk, k: number, rows: number, offset: number) => void;
/** The error for a value at a (whole-result) row that the kind cannot hold. */
type Refuse = (row: number, why: string) => LoadError;

function readerFor(kind: ColumnKind, type: DuckDBTypeId | DuckDBEnumType, column: Container, refuse: Refuse): Reader {
  const allowNull = nullable(kind);
  if (typeof type === "object") return enumReader(type, column as (string | null)[], allowNull, refuse);
  if (type === DuckDBTypeId.VARCHAR) return varcharReader(column as (string | null)[], allowNull, refuse);
  if (type === DuckDBTypeId.BOOLEAN) return booleanReader(column as (boolean | null)[], allowNull, refuse);
  return numberReader(type, column as Float64Array | Float32Array | Int32Array, allowNull, refuse);
}

/** The validity bitmap of a vector, or null when every value is valid. */
function validityOf(raw: RawVector, rows: number): Uint8Array | null {
  return bindings.vector_get_validity(raw, Math.ceil(rows / 64) * 8);
}

function isValid(validity: Uint8Array, i: number): boolean {
  return (validity[i >> 3]! & (1 << (i & 7))) !== 0;
}

const NULL_HINT = "is NULL, which the schema's kind does not admit (add '?' to the kind to read NULL)";

function numberReader(typeId: DuckDBTypeId, out: Float64Array | Float32Array | Int32Array, allowNull: boolean, refuse: Refuse): Reader {
  const int32 = out instanceof Int32Array;
  return (raw, _chunk, _k, rows, offset) => {
    const validity = validityOf(raw, rows);
    if (typeId === DuckDBTypeId.BIGINT) {
      // Two 32-bit halves per value: no BigInt per value.
      const d = bindings.vector_get_data(raw, rows * 8);
      const words = new Int32Array(d.buffer, d.byteOffset, rows * 2);
      for (let i = 0; i < rows; i++) {
        const lo = words[2 * i]!;
        const hi = words[2 * i + 1]!;
        if (validity && !isValid(validity, i)) continue;
        const fits = int32 ? hi === lo >> 31 : hi >= -(EXACT / 2 ** 32) && hi < EXACT / 2 ** 32;
        if (!fits)
          throw refuse(
            offset + i,
            `holds ${(BigInt(hi) << 32n) | BigInt(lo >>> 0)}, which ${int32 ? "does not fit in 32 bits" : "a double cannot hold exactly"}`,
          );
        out[offset + i] = hi * 4294967296 + (lo >>> 0);
      }
    } else {
      const view = numericView(typeId, raw, rows);
      if (int32 && typeId === DuckDBTypeId.UINTEGER) {
        for (let i = 0; i < rows; i++)
          if (view[i]! > 0x7fffffff && !(validity && !isValid(validity, i)))
            throw refuse(offset + i, `holds ${view[i]}, which does not fit in 32 bits`);
      }
      out.set(view, offset);
    }
    if (!validity) return;
    for (let i = 0; i < rows; i++) {
      if (isValid(validity, i)) continue;
      if (!allowNull) throw refuse(offset + i, NULL_HINT);
      out[offset + i] = NaN;
    }
  };
}

type NumericArray = Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;

/** The typed array that views a vector of each numeric type (BIGINT is read as two 32-bit halves). */
const VIEWS = new Map<
  DuckDBTypeId,
  { readonly BYTES_PER_ELEMENT: number; new (buffer: ArrayBufferLike, byteOffset: number, length: number): NumericArray }
>([
  [DuckDBTypeId.DOUBLE, Float64Array],
  [DuckDBTypeId.FLOAT, Float32Array],
  [DuckDBTypeId.INTEGER, Int32Array],
  [DuckDBTypeId.UINTEGER, Uint32Array],
  [DuckDBTypeId.SMALLINT, Int16Array],
  [DuckDBTypeId.USMALLINT, Uint16Array],
  [DuckDBTypeId.TINYINT, Int8Array],
  [DuckDBTypeId.UTINYINT, Uint8Array],
]);

function numericView(typeId: DuckDBTypeId, raw: RawVector, rows: number): NumericArray {
  const View = VIEWS.get(typeId);
  if (!View) throw new Error(`featc/duckdb: no numeric reader for DuckDB type id ${typeId}`);
  const d = bindings.vector_get_data(raw, rows * View.BYTES_PER_ELEMENT);
  return new View(d.buffer, d.byteOffset, rows);
}

function booleanReader(out: (boolean | null)[], allowNull: boolean, refuse: Refuse): Reader {
  return (raw, _chunk, _k, rows, offset) => {
    const d = bindings.vector_get_data(raw, rows);
    const validity = validityOf(raw, rows);
    for (let i = 0; i < rows; i++) {
      if (validity && !isValid(validity, i)) {
        if (!allowNull) throw refuse(offset + i, NULL_HINT);
        out[offset + i] = null;
      } else out[offset + i] = d[i] !== 0;
    }
  };
}

function enumReader(type: DuckDBEnumType, out: (string | null)[], allowNull: boolean, refuse: Refuse): Reader {
  const dictionary = type.values;
  const width = type.internalTypeId === DuckDBTypeId.UTINYINT ? 1 : type.internalTypeId === DuckDBTypeId.USMALLINT ? 2 : 4;
  return (raw, _chunk, _k, rows, offset) => {
    const d = bindings.vector_get_data(raw, rows * width);
    const codes =
      width === 1 ? d : width === 2 ? new Uint16Array(d.buffer, d.byteOffset, rows) : new Uint32Array(d.buffer, d.byteOffset, rows);
    const validity = validityOf(raw, rows);
    for (let i = 0; i < rows; i++) {
      if (validity && !isValid(validity, i)) {
        if (!allowNull) throw refuse(offset + i, NULL_HINT);
        out[offset + i] = null;
      } else out[offset + i] = dictionary[codes[i]!]!;
    }
  };
}

/**
 * Reads a VARCHAR vector from its memory: 16 bytes per value, a 32-bit length then, up to 12
 * bytes, the text itself (longer text: a prefix and a pointer). Short texts are decoded once and
 * then found again by their 16 bytes (a small dictionary, up to DICTIONARY_LIMIT entries), so a
 * low-cardinality column costs a hash per row instead of a UTF-8 decode and a new string.
 */
function varcharReader(out: (string | null)[], allowNull: boolean, refuse: Refuse): Reader {
  const dictionary = new InlineStrings();
  return (raw, _chunk, _k, rows, offset) => {
    const d = bindings.vector_get_data(raw, rows * 16);
    const words = new Uint32Array(d.buffer, d.byteOffset, rows * 4);
    const validity = validityOf(raw, rows);
    for (let i = 0; i < rows; i++) {
      if (validity && !isValid(validity, i)) {
        if (!allowNull) throw refuse(offset + i, NULL_HINT);
        out[offset + i] = null;
        continue;
      }
      const length = words[4 * i]!;
      out[offset + i] =
        length <= 12
          ? dictionary.get(words, 4 * i, d, 16 * i + 4)
          : utf8.decode(bindings.get_data_from_pointer(d.buffer as ArrayBuffer, d.byteOffset + 16 * i + 8, length));
    }
  };
}

const utf8: { decode(bytes: Uint8Array): string } = new TextDecoder();

/** Decoded short strings of one column, keyed by their 16-byte DuckDB form (length and inline bytes). */
class InlineStrings {
  /** Per hash of the 4 words: the words and the decoded text, in chains of 5 entries. */
  private readonly table = new Map<number, (number | string)[]>();
  private size = 0;

  /** The text whose 4 words start at `words[at]` and bytes at `bytes[byteAt]`. */
  get(words: Uint32Array, at: number, bytes: Uint8Array, byteAt: number): string {
    const w0 = words[at]!;
    const w1 = words[at + 1]!;
    const w2 = words[at + 2]!;
    const w3 = words[at + 3]!;
    const hash = Math.imul(Math.imul(Math.imul(w0, 0x9e3779b1) ^ w1, 0x85ebca6b) ^ w2, 0xc2b2ae35) ^ w3;
    const chain = this.table.get(hash);
    if (chain) {
      for (let j = 0; j < chain.length; j += 5)
        if (chain[j] === w0 && chain[j + 1] === w1 && chain[j + 2] === w2 && chain[j + 3] === w3) return chain[j + 4] as string;
    }
    const text = utf8.decode(bytes.subarray(byteAt, byteAt + w0));
    if (this.size < DICTIONARY_LIMIT) {
      this.size++;
      if (chain) chain.push(w0, w1, w2, w3, text);
      else this.table.set(hash, [w0, w1, w2, w3, text]);
    }
    return text;
  }
}
