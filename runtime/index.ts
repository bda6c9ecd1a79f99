// featc's runtime: what generated executors and catalogs import from "featc".
export type { Column, Table } from "./containers.js";
export { tableOf } from "./containers.js";
export { ALIASING_PAGE, allocateFloat64Columns, columnPageOffset, newBooleanColumn, newColumn } from "./columns.js";
export {
  CheckFailedError,
  FeatcError,
  FittedArtifactError,
  MissingInputError,
  RowAxisError,
  UnknownOutputError,
  axisLength,
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
  type CheckFailure,
  type ColumnElement,
  type ExecuteOptions,
  type TableRow,
  type Value,
} from "./executor.js";
export { FITTED_FORMAT, loadFitted, parseFitted, saveFitted, serializeFitted, type FittedArtifact, type FittedSchema } from "./fitted.js";
export { NumericKeyIndex, StringKeyIndex, gather, joinColumn, type KeyIndex } from "./keyed.js";
export { createProgressBar, formatCount, formatDuration, type ProgressBar, type ProgressStream } from "./progress.js";
