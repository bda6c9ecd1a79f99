/**
 * Writing typed-array columns into a DuckDB table: a reusable DataChunk is filled from the
 * columns (bulk copies for numbers) and handed to the appender, 2,048 rows at a time. No row
 * objects.
 */
import type { DuckDBConnection, DuckDBType } from "@duckdb/node-api";
import { DuckDBBigIntType, DuckDBDataChunk, DuckDBDoubleType, DuckDBIntegerType, DuckDBVarCharType, DuckDBVector } from "./api.js";
import type { Column } from "../containers.js";
import { bindings } from "./bindings.js";
import { quoteIdent, quoteQualified } from "./sql.js";

/** SQL types `writeTable` can write. */
export type SqlType = "INTEGER" | "BIGINT" | "DOUBLE" | "VARCHAR";

/** One column to write: its name, SQL type and values. */
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
 * appender, one DataChunk of up to 2,048 rows at a time. `table` is one name, or its parts
 * `[schema, name]` / `[catalog, schema, name]`. INTEGER and BIGINT values must be
 * integers (BIGINT: below 2^53 in magnitude), which is checked before anything is written.
 */
export async function writeTable(
  connection: DuckDBConnection,
  table: string | readonly string[],
  columns: readonly AppendColumn[],
): Promise<void> {
  const parts = typeof table === "string" ? [table] : table;
  const quoted = quoteQualified(parts);
  if (columns.length === 0) throw new Error(`writeTable ${quoted}: no columns`);
  const n = columns[0]!.values.length;
  for (const c of columns) {
    if (c.values.length !== n)
      throw new RangeError(`writeTable ${quoted}: column '${c.name}' has ${c.values.length} rows but '${columns[0]!.name}' has ${n}`);
  }
  // Validate everything first: a failure must not leave a half-written table behind.
  for (const c of columns) {
    if (c.type !== "INTEGER" && c.type !== "BIGINT") continue;
    const values = c.values as Column<number>;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (c.type === "INTEGER" ? (v | 0) !== v : !Number.isSafeInteger(v)) {
        throw new RangeError(
          `writeTable ${quoted}: column '${c.name}' row ${i} is ${v}, not a ${c.type === "INTEGER" ? "32-bit" : "safe"} integer`,
        );
      }
    }
  }
  await connection.run(`CREATE OR REPLACE TABLE ${quoted} (${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(", ")})`);
  const appender = await connection.createAppender(
    parts[parts.length - 1]!,
    parts.length >= 2 ? parts[parts.length - 2]! : null,
    parts.length === 3 ? parts[0]! : null,
  );
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
