/**
 * @duckdb/node-api, which featc/duckdb is built on: an optional peer dependency of featc (the
 * rest of featc does not need it). It is loaded here, once, so that a project without it gets
 * one clear error when it imports featc/duckdb, rather than a module that cannot be resolved
 * somewhere among featc's own files. The values featc/duckdb uses are re-exported with their types.
 */
import { createRequire } from "node:module";
import { FeatcError } from "../errors.js";

type NodeApi = typeof import("@duckdb/node-api");

function load(): { readonly nodeApi: NodeApi; readonly path: string } {
  const require = createRequire(import.meta.url);
  let path: string;
  try {
    path = require.resolve("@duckdb/node-api");
  } catch {
    throw new FeatcError(
      "FEATC_DUCKDB_MISSING",
      "featc/duckdb needs the package @duckdb/node-api, which is not installed: add it to your project (npm install @duckdb/node-api)",
    );
  }
  return { nodeApi: require(path) as NodeApi, path };
}
const { nodeApi, path } = load();

/** Where @duckdb/node-api is installed, for loading the native bindings it loaded. */
export const nodeApiPath: string = path;

export const DuckDBTypeId = nodeApi.DuckDBTypeId;
export type DuckDBTypeId = import("@duckdb/node-api").DuckDBTypeId;
export const DuckDBBigIntType = nodeApi.DuckDBBigIntType;
export const DuckDBDoubleType = nodeApi.DuckDBDoubleType;
export const DuckDBIntegerType = nodeApi.DuckDBIntegerType;
export const DuckDBVarCharType = nodeApi.DuckDBVarCharType;
export const DuckDBVector = nodeApi.DuckDBVector;
export const DuckDBDataChunk = nodeApi.DuckDBDataChunk;
export type DuckDBDataChunk = import("@duckdb/node-api").DuckDBDataChunk;
