/**
 * The native DuckDB bindings, for copying vector memory to and from typed arrays.
 *
 * Why not @duckdb/node-api alone: its `DuckDBVector.getItem` tests validity with BigInt
 * arithmetic per value, which made reading ~2× slower end to end than copying the vector's
 * buffer (100k survey rows from a file, best of 9: ~25 ms vs ~55 ms; in memory, 1M rows: ~190 ms
 * vs ~360 ms). The bindings are the package @duckdb/node-api is built on (pinned to its exact
 * version); the very instance it loaded is used, and only chunk, vector and validity accessors.
 */
import { createRequire } from "node:module";
import os from "node:os";
import { nodeApiPath } from "./api.js";

type Bindings = typeof import("@duckdb/node-bindings");
export type RawVector = ReturnType<Bindings["data_chunk_get_vector"]>;

/** The native bindings instance that @duckdb/node-api itself loaded. */
export const bindings: Bindings = createRequire(nodeApiPath)("@duckdb/node-bindings") as Bindings;

// Vector memory is read and written through little-endian typed-array views.
const littleEndian: boolean = os.endianness() === "LE";
if (!littleEndian) throw new Error("featc/duckdb assumes a little-endian machine");
