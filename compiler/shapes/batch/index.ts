/** The `batch` shape: N rows at once, map functions in fused loops, aggregates over whole columns. */
import type { TargetShape } from "../shape.js";
import { emitBatchExecutor } from "./emit.js";

export const batchShape: TargetShape = {
  name: "batch",
  description: "N rows per call: row-level values as columns, scalars once",
  fitted: "compute",
  levels: "rows",
  emit: (input) => [{ name: `${input.target.name}.ts`, text: emitBatchExecutor(input) }],
};
