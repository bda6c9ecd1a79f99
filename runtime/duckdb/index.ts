// featc/duckdb: typed loaders from DuckDB (tables, queries, CSV and Parquet files) into featc Tables.
export { LoadError, readTable, type Source } from "./read.js";
export {
  COLUMN_KINDS,
  type ColumnKind,
  type ColumnsOf,
  type ContainerOf,
  type LoadedTable,
  type RowOf,
  type Schema,
  type ValueOf,
} from "./schema.js";
export { quoteIdent, quoteQualified, quoteString } from "./sql.js";
export { writeTable, type AppendColumn, type SqlType } from "./write.js";
