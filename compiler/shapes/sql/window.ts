/**
 * `@window` nodes in a SQL target: a recognised aggregate becomes a window function over the
 * entity's frame —
 *
 *     AVG(x) OVER (PARTITION BY by ORDER BY order ROWS BETWEEN size + lag − 1 PRECEDING AND lag PRECEDING)
 *
 * — with JavaScript's answers kept where SQL's differ (an empty frame gives NULL in SQL, 0 or NaN
 * in JavaScript; MIN skips NaN, `min` propagates it). Where the engine cannot give featc's bits
 * the node is marked approximate, with the reason: it sums in its own order with rounding (featc
 * sums exactly), it orders ties of a rows frame as it sorts them (featc keeps the table's order),
 * SQL's RANGE frame is closed where featc's is open at its older end (exact for integer keys).
 * Any other body has no translation (FC1013), nor has `first` or `last` of a frame of strings or
 * booleans, nor has a dialect without window functions.
 */
import type { SqlDialect } from "../../../runtime/sql/identifiers.js";
import type { Dep, GraphNode, WindowFact } from "../../model.js";
import { DIALECT_RULES } from "./dialects.js";

export type WindowSql =
  | { readonly ok: true; readonly sql: string; readonly approximate: readonly string[]; readonly raises: readonly string[] }
  | { readonly ok: false; readonly construct: string; readonly reason: string };

/** The SQL of a window node; `column` gives the SQL of a dependency's column, or undefined when it has none. */
export function windowSql(node: GraphNode, dialect: SqlDialect, column: (dep: Dep) => string | undefined): WindowSql {
  const w = node.fn.window!;
  if (dialect === "clickhouse")
    return { ok: false, construct: "@window", reason: "ClickHouse (version 18, the one featc supports) has no window functions" };
  if (!w.aggregate) {
    return {
      ok: false,
      construct: "@window",
      reason:
        "only a body that returns a runtime aggregate of a frame (return mean(units), sum, count, min, max, stddev, first, last) becomes a window function",
    };
  }
  const dep = (pick: (d: Dep) => boolean) => node.deps.find(pick)!;
  const keys = {
    by: dep((d) => d.window === "by"),
    order: dep((d) => d.window === "order"),
    values: dep((d) => d.window === undefined && d.param.name === w.aggregate!.param),
  };
  const sql: Record<keyof typeof keys, string> = { by: "", order: "", values: "" };
  for (const role of ["by", "order", "values"] as const) {
    const c = column(keys[role]);
    if (c === undefined)
      return {
        ok: false,
        construct: keys[role].param.name,
        reason: "a window frames columns of the loaded table or of features computed from it, not an input",
      };
    sql[role] = c;
  }
  const element = keys.values.param.type.element?.scalar;
  if (element !== "number" && w.aggregate.name !== "count")
    return {
      ok: false,
      construct: "@window",
      reason: `${w.aggregate.name} of a frame of ${element}s gives undefined for an empty frame, which a SQL result does not hold (count translates)`,
    };
  const frame = frameClause(w);
  if (typeof frame !== "string") return { ok: false, construct: "@window", reason: frame.unsupported };
  const over = `OVER (PARTITION BY ${sql.by} ORDER BY ${sql.order} ${frame})`;
  const d = DIALECT_RULES[dialect];
  const x = sql.values;
  const nan = d.number(NaN);
  // NaN propagates in JavaScript; SQL aggregates skip it (MIN), sort it last (MAX) or raise (DuckDB's STDDEV_SAMP).
  const withoutNaN = `CASE WHEN ${d.isNaN(x)} THEN NULL ELSE ${x} END`;
  const nanGuarded = (aggregate: string, empty: string) =>
    `CASE WHEN COUNT(CASE WHEN ${d.isNaN(x)} THEN 1 END) ${over} > 0 THEN ${nan} ELSE COALESCE(${aggregate}(${withoutNaN}) ${over}, ${empty}) END`;
  const approximate: string[] = [];
  const raises: string[] = [];
  if (w.frame.kind === "rows")
    approximate.push("a rows frame orders ties of the order key as the engine sorts them; featc keeps the table's order");
  else
    approximate.push(
      "a range frame is open at its older end, (t − lag − range, t − lag]; SQL's RANGE is closed, written lag + range − 1 PRECEDING: exact for integer order keys",
    );
  const summed = "the engine sums the frame in its own order with rounding; featc sums exactly";
  let value: string;
  switch (w.aggregate.name) {
    case "count":
      value = `CAST(COUNT(${x}) ${over} AS ${d.double})`;
      break;
    case "sum":
      value = nanGuarded("SUM", d.number(0));
      approximate.push(summed);
      break;
    case "mean":
      value = nanGuarded("AVG", nan);
      approximate.push(summed);
      break;
    case "stddev":
      value = nanGuarded("STDDEV_SAMP", nan);
      approximate.push(summed);
      raises.push("an infinite value in a frame of a standard deviation (the engine's STDDEV_SAMP may raise)");
      break;
    case "min":
    case "max":
      value = nanGuarded(w.aggregate.name.toUpperCase(), nan);
      approximate.push("-0 and 0 are equal to the engine's MIN and MAX; featc orders -0 first");
      break;
    case "first":
    case "last":
      value = `COALESCE(${w.aggregate.name === "first" ? "FIRST_VALUE" : "LAST_VALUE"}(${x}) ${over}, ${nan})`;
      break;
  }
  return { ok: true, sql: value, approximate, raises };
}

/** `ROWS BETWEEN 27 PRECEDING AND 1 PRECEDING`, `RANGE BETWEEN 28 PRECEDING AND 1 PRECEDING`. */
function frameClause(w: WindowFact): string | { unsupported: string } {
  const { kind, size, lag } = w.frame;
  const end = lag === 0 ? "CURRENT ROW" : `${lag} PRECEDING`;
  if (kind === "rows") return `ROWS BETWEEN ${size + lag - 1} PRECEDING AND ${end}`;
  if (!Number.isInteger(size) || !Number.isInteger(lag))
    return { unsupported: `a range frame of ${size} with lag ${lag}: SQL's closed RANGE spells featc's open end only for whole numbers` };
  const start = lag + size - 1;
  return `RANGE BETWEEN ${start === 0 ? "CURRENT ROW" : `${start} PRECEDING`} AND ${end}`;
}
