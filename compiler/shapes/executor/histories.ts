/**
 * The history inputs of an entity target's `@window` nodes as types of the executor module: one
 * property per (by, order) pair in `WindowHistories`, saying which rows of the entity it must hold.
 */
import { checkerType, code, commentText, docComment, joinCode, key, num, type Code } from "../../codegen/writer.js";
import type { WindowHistory } from "../../model.js";
import type { TargetPlan } from "./plan.js";

/** `interface WindowHistories { … }`, or nothing when the target has no window node. */
export function historiesInterface(plan: TargetPlan): Code[] {
  const histories = plan.target.windowHistories;
  if (histories.length === 0) return [];
  const lines: Code[] = [
    docComment("The entity's rows before the request, oldest first, per (by, order) pair of the @window nodes."),
    code`export interface WindowHistories {`,
  ];
  for (const h of histories) {
    lines.push(code`  /**`, ...rowsNeeded(h).map((line) => code`   * ${commentText(line)}`), code`   */`);
    const columns = h.columns.map(
      (c) => code`readonly ${key(c.name)}: ${plan.imports.runtimeType("Column")}<${checkerType(c.type.code ?? "number")}>`,
    );
    lines.push(code`  ${key(h.name)}: { ${joinCode(columns, "; ")} };`);
  }
  lines.push(code`}`);
  return lines;
}

/** What rows one history must hold, for each node it feeds. */
function rowsNeeded(h: WindowHistory): string[] {
  const lines = [`The rows of the request's ${h.by} before it, ordered by ${h.order} (ties in the order they happened). At least:`];
  for (const n of h.nodes) {
    const { kind, size, lag } = n.frame;
    lines.push(
      kind === "rows"
        ? `- ${n.name}: the last ${size + lag - 1 === 1 ? "row" : `${size + lag - 1} rows`} (size ${size}, lag ${lag});`
        : `- ${n.name}: every row with ${h.order} in (${h.order} − ${num(lag + size)}, ${h.order} − ${num(lag)}] (range ${num(size)}, lag ${num(lag)});`,
    );
  }
  return lines;
}
