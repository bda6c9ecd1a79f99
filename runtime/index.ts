// featc's runtime: what generated executors and catalogs import from "featc". Node-free (no
// `node:` module, no `process`), so an executor runs in a browser or an edge worker as well;
// what needs Node (artifact files, the progress bar) is "featc/node" (node.ts).
export type { Column, Table } from "./containers.js";
export { tableOf } from "./containers.js";
export { ALIASING_PAGE, allocateFloat64Columns, columnPageOffset } from "./columns.js";
export {
  CheckFailedError,
  DuplicateKeyError,
  FeatcError,
  FittedArtifactError,
  InvalidInputError,
  MissingInputError,
  RowAxisError,
  UnknownOutputError,
  checkWarning,
  describeValue,
  type CheckWarning,
} from "./errors.js";
export {
  RowAxis,
  chunkRowsFor,
  handled,
  reportCheck,
  type BatchExecuteOptions,
  type BatchProgress,
  type CheckFailure,
  type ColumnElement,
  type ExecuteOptions,
  type TableRow,
  type Value,
} from "./executor.js";
export { FITTED_FORMAT, parseFitted, serializeFitted, type FittedArtifact, type FittedSchema } from "./fitted.js";
export { NumericKeyIndex, StringKeyIndex, gather, joinColumn, type KeyIndex } from "./keyed.js";
export { count, first, last, max, mean, min, stddev, sum, type Window } from "./window/aggregates.js";
export {
  historyValues,
  historyWindow,
  rollingAggregate,
  rollingReduce,
  windowGroups,
  type RollingAggregate,
  type WindowFrame,
  type WindowGroups,
} from "./window/rolling.js";
