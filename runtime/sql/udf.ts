/**
 * DuckDB scalar functions over the catalog's own compiled functions (`@udf` nodes): DuckDB hands
 * each chunk of rows to `run`, whose argument columns are the vectors' memory viewed as typed
 * arrays where the type allows (DOUBLE → Float64Array, no copy per value), and whose results
 * are written back the same way. Doubles cross with their bits (NaN, ±0, ±Infinity as V8 has
 * them); a row with a NULL argument is NULL, as a translated expression gives, and the adapter
 * reports a NULL result like any other.
 */
import {
  DuckDBBooleanType,
  DuckDBDoubleType,
  DuckDBScalarFunction,
  DuckDBVarCharType,
  DuckDBVector,
  VARCHAR,
  type DuckDBConnection,
} from "@duckdb/node-api";
import { bindings, type RawVector } from "../duckdb/bindings.js";
import type { SqlScalarFunction, SqlValueType, UdfColumn } from "./connection.js";

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const TYPES = { number: DuckDBDoubleType.instance, boolean: DuckDBBooleanType.instance, string: DuckDBVarCharType.instance };

/** The functions each connection has, so that a module run twice registers once. */
const registered = new WeakMap<DuckDBConnection, Map<string, SqlScalarFunction["run"]>>();

/** Rows whose validity bit is clear, or null when every row is valid. */
function invalidRows(raw: RawVector, rows: number): Uint8Array | null {
  const validity = bindings.vector_get_validity(raw, Math.ceil(rows / 64) * 8);
  if (!validity) return null;
  let any = false;
  const invalid = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    if ((validity[i >> 3]! & (1 << (i & 7))) === 0) {
      invalid[i] = 1;
      any = true;
    }
  }
  return any ? invalid : null;
}

type RawChunk = Parameters<typeof bindings.data_chunk_get_size>[0];

/** A chunk's argument column: a view of the vector's doubles, or the values read one by one (a NULL read as a placeholder). */
function argument(raw: RawVector, type: SqlValueType, rows: number): UdfColumn {
  if (type === "number") {
    const d = bindings.vector_get_data(raw, rows * 8);
    return new Float64Array(d.buffer, d.byteOffset, rows);
  }
  if (type === "boolean") return Array.from(bindings.vector_get_data(raw, rows).subarray(0, rows), (b) => b !== 0);
  const vector = DuckDBVector.create(raw, rows, VARCHAR);
  const out = new Array<string>(rows);
  for (let i = 0; i < rows; i++) out[i] = (vector.getItem(i) as string | null) ?? "";
  return out;
}

/** Writes a chunk's results into the output vector, NULL where an argument was. */
function write(output: RawVector, type: SqlValueType, out: UdfColumn, nulls: Uint8Array | null, rows: number): void {
  if (type === "number") {
    const doubles = out as Float64Array;
    bindings.copy_data_to_vector(output, 0, doubles.buffer as ArrayBuffer, doubles.byteOffset, rows * 8);
  } else if (type === "boolean") {
    const bytes = Uint8Array.from(out as boolean[], (b) => (b ? 1 : 0));
    bindings.copy_data_to_vector(output, 0, bytes.buffer, 0, rows);
  } else {
    const encoder = new TextEncoder();
    for (let i = 0; i < rows; i++)
      if (!nulls?.[i]) bindings.vector_assign_string_element_len(output, i, encoder.encode((out as string[])[i]!));
  }
  if (!nulls) return;
  const validity = new Uint8Array(Math.ceil(rows / 64) * 8).fill(0xff);
  for (let i = 0; i < rows; i++) if (nulls[i]) validity[i >> 3]! &= ~(1 << (i & 7));
  bindings.vector_ensure_validity_writable(output);
  bindings.copy_data_to_vector_validity(output, 0, validity.buffer, 0, validity.byteLength);
}

/** Computes one chunk: the argument vectors in, one call of the catalog function per row, the results out. */
function runChunk(f: SqlScalarFunction, input: RawChunk, output: RawVector): void {
  const rows = bindings.data_chunk_get_size(input);
  let nulls: Uint8Array | null = null;
  const args = f.parameters.map((type, k) => {
    const raw = bindings.data_chunk_get_vector(input, k);
    const invalid = invalidRows(raw, rows);
    if (invalid) {
      nulls ??= new Uint8Array(rows);
      for (let i = 0; i < rows; i++) nulls[i]! |= invalid[i]!;
    }
    return argument(raw, type, rows);
  });
  const out: UdfColumn = f.returns === "number" ? new Float64Array(rows) : new Array(rows);
  f.run(args, out, rows);
  write(output, f.returns, out, nulls, rows);
}

function scalarFunction(f: SqlScalarFunction): DuckDBScalarFunction {
  const fn = new DuckDBScalarFunction();
  fn.setName(f.name);
  fn.setReturnType(TYPES[f.returns]);
  for (const t of f.parameters) fn.addParameter(TYPES[t]);
  // NULLs are the runtime's to handle (runChunk), not DuckDB's.
  fn.setSpecialHandling();
  // The raw chunk and vector: node-api's wrappers would copy every vector into JavaScript and back.
  bindings.scalar_function_set_function(fn.scalar_function, (info, input, output) => {
    try {
      runChunk(f, input, output);
    } catch (e) {
      bindings.scalar_function_set_error(info, `featc: ${f.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  return fn;
}

/**
 * Registers a target's `@udf` functions with a DuckDB connection (once per connection and
 * function); a name registered before for another function is replaced.
 */
export function registerDuckdbFunctions(connection: DuckDBConnection, functions: readonly SqlScalarFunction[]): void {
  let known = registered.get(connection);
  if (!known) registered.set(connection, (known = new Map()));
  for (const f of functions) {
    if (!NAME.test(f.name)) throw new Error(`featc: '${f.name}' is not a UDF name featc writes`);
    if (known.get(f.name) === f.run) continue;
    connection.registerScalarFunction(scalarFunction(f));
    known.set(f.name, f.run);
  }
}
