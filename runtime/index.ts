// featc's runtime: what generated executors and catalogs import from "featc".
export type { Column, Table } from "./containers.js";
export { tableOf } from "./containers.js";
export { allocateFloat64Columns } from "./columns.js";
export {
  CheckFailedError,
  FeatcError,
  FittedArtifactError,
  MissingInputError,
  RowAxisError,
  UnknownOutputError,
  checkWarning,
  type CheckWarning,
} from "./errors.js";
export {
  RowAxis,
  chunkRowsFor,
  handled,
  isNullish,
  reportCheck,
  type BatchExecuteOptions,
  type BatchProgress,
  type ColumnElement,
  type ExecuteOptions,
  type TableRow,
  type Value,
} from "./executor.js";
export { FITTED_FORMAT, loadFitted, parseFitted, saveFitted, serializeFitted, type FittedArtifact, type FittedSchema } from "./fitted.js";
export { NumericKeyIndex, joinColumn } from "./keyed.js";
