/** The `online` shape: one entity per call, plain values, async calls overlapped. */
import type { TargetShape } from "../shape.js";
import { emitOnlineExecutor } from "./emit.js";
import { checkAggregatesOnline } from "./validate.js";

export const onlineShape: TargetShape = {
  name: "online",
  description: "one entity per call: every value a plain value",
  fitted: "read",
  levels: "entity",
  validate: checkAggregatesOnline,
  emit: (input) => [{ name: `${input.target.name}.ts`, text: emitOnlineExecutor(input) }],
};
