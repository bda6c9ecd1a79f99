// featc's SQL runtime: what SQL targets' generated modules and catalogs import from "featc/sql".
export { clickhouseConnection, duckdbConnection, postgresConnection, float8Text, inlineParameters } from "./connection.js";
export type {
  ClickHouseOptions,
  DuckDBConnectionLike,
  PostgresClientLike,
  SqlColumnSpec,
  SqlConnection,
  SqlParameter,
  SqlResult,
  SqlScalarFunction,
  SqlValue,
  SqlValueType,
  UdfColumn,
} from "./connection.js";
export { SQL_DIALECTS, SqlInputError, quoteIdentifier, quoteTableName, type SqlDialect, type TableName } from "./identifiers.js";
export {
  compareNode,
  compareRuns,
  sameValue,
  ulpDistance,
  type CompareRunsOptions,
  type NodeParity,
  type ParitySetup,
  type ParityTarget,
  type ParityVerdict,
} from "./parity.js";
export { count, lookup, max, mean, min, sqlTable, stddev, sum, type StddevKind } from "./relational.js";
export {
  bindKeyChecks,
  materializeStatement,
  registerFunctions,
  requireInputs,
  runFit,
  runStatement,
  statementText,
  type BoundKeyCheck,
  type BoundStatement,
  type KeyCheck,
  type MaterializeOptions,
  type SqlCheck,
  type SqlTargetInfo,
  type StatementPart,
} from "./statement.js";
