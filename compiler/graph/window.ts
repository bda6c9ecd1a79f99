/**
 * `@window` nodes in a target's graph. Their `by` and `order` keys are edges like parameters (no
 * argument of the call); under the `rows` rules the node is row-level but reads whole columns —
 * its row's value depends on other rows of the same entity. Under the `entity` rules the
 * `Window<T>` parameters are fed by an extra input holding the entity's recent rows (a
 * `WindowHistory`, one per (by, order) pair), which the generated `InputsFor` asks for.
 */
import { diagnostics, type Diagnostic } from "../diagnostics.js";
import type { BuiltTarget, DepSource, FunctionFact, LevelRules, ParamFact, WindowFact, WindowHistory } from "../model.js";

/** A dependency once wired, before its passing is known. */
interface WiredWindowDep {
  readonly param: ParamFact;
  readonly source: DepSource;
  readonly window?: "by" | "order" | "history";
}

/** The edges of `by` and `order`, as pseudo-parameters at the tag's tokens (index -1: no argument). */
function keyDeps(window: WindowFact, sourceOf: (name: string) => DepSource): WiredWindowDep[] {
  return (["by", "order"] as const).map((role) => {
    const key = window[role];
    return { param: { name: key.name, index: -1, type: key.type, span: key.span }, source: sourceOf(key.name), window: role };
  });
}

/** The dependencies of a window function: its keys, then its parameters (frames from the history under the entity rules). */
export function windowDeps(
  fn: FunctionFact,
  window: WindowFact,
  levels: LevelRules,
  sourceOf: (name: string) => DepSource,
  histories: readonly WindowHistory[],
): WiredWindowDep[] {
  const history = histories.find((h) => h.nodes.some((n) => n.name === fn.nodeName));
  const params = fn.params.map((param): WiredWindowDep => {
    if (levels === "entity" && param.type.container === "window")
      return { param, source: { kind: "input", name: history!.name }, window: "history" };
    return { param, source: sourceOf(param.binds ?? param.name) };
  });
  return [...keyDeps(window, sourceOf), ...params];
}

/**
 * The history inputs of an entity target: one per (by, order) pair of its window functions, named
 * `<by>_history` (`<by>_<order>_history` when one `by` is ordered two ways).
 */
export function windowHistories(functions: readonly FunctionFact[]): WindowHistory[] {
  const pairs = new Map<
    string,
    { by: string; order: string; columns: Map<string, WindowHistory["columns"][number]>; nodes: WindowHistory["nodes"][number][] }
  >();
  for (const fn of [...functions].sort((a, b) => (a.nodeName < b.nodeName ? -1 : a.nodeName > b.nodeName ? 1 : 0))) {
    const w = fn.window;
    if (!w) continue;
    const k = `${w.by.name}\0${w.order.name}`;
    let pair = pairs.get(k);
    if (!pair)
      pairs.set(
        k,
        (pair = {
          by: w.by.name,
          order: w.order.name,
          columns: new Map([[w.order.name, { name: w.order.name, type: w.order.type }]]),
          nodes: [],
        }),
      );
    pair.nodes.push({ name: fn.nodeName, frame: w.frame });
    for (const p of fn.params) {
      const column = p.binds ?? p.name;
      if (p.type.container === "window" && p.type.element && !pair.columns.has(column))
        pair.columns.set(column, { name: column, type: p.type.element });
    }
  }
  const byCount = new Map<string, number>();
  for (const p of pairs.values()) byCount.set(p.by, (byCount.get(p.by) ?? 0) + 1);
  return [...pairs.values()]
    .map((p) => ({
      name: byCount.get(p.by)! > 1 ? `${p.by}_${p.order}_history` : `${p.by}_history`,
      by: p.by,
      order: p.order,
      columns: [...p.columns.values()],
      nodes: p.nodes,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * The rules of window nodes over a built graph: under the `rows` rules the keys and the frames'
 * sources are row-level (FC1004) and the other parameters one value for the run (FC1005); under
 * the `entity` rules the frame ends before the row (FC1009): a request's history holds the rows
 * before it, not the request's own values.
 */
export function checkWindows(g: BuiltTarget): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const node of g.nodes.values()) {
    const w = node.fn.window;
    if (node.kind !== "function" || !w) continue;
    if (g.levels === "entity") {
      if (w.frame.lag === 0) out.push(diagnostics.windowHoldsItsRow(g.name, node.fn.exportName, w.frame.kind, w.span));
      continue;
    }
    for (const dep of node.deps) {
      if (dep.source.kind === "unknown") continue;
      const rowLevel = dep.passing !== "value";
      const framed = dep.window !== undefined || dep.param.type.container === "window";
      if (framed && !rowLevel)
        out.push(diagnostics.windowOverScalar(g.name, node.fn.exportName, dep.window ?? dep.param.name, dep.source.name, dep.param.span));
      if (!framed && rowLevel) out.push(diagnostics.windowRowParameter(g.name, node.fn.exportName, dep.param.name, dep.param.span));
    }
  }
  return out;
}
