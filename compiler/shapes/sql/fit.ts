/**
 * The fit statement of a SQL target: the `@fitted` values computed by the engine in one
 * aggregate query over the loaded table, from the target's `@fitted` variants that return one
 * of `featc/sql`'s aggregates (`mean(age)`, `stddev(age, "sample")`). JavaScript's answers are
 * kept where the engines differ (NaN for no rows or too few, a NaN value makes min and max NaN).
 * A standard deviation takes two passes like featc's loop (the mean, then the squared
 * distances to it), so only the order in which the engine adds up differs: sums, means and
 * standard deviations are approximate, within a bound that grows with the number of rows.
 */
import type { Span } from "../../diagnostics.js";
import type { BuiltTarget, GraphNode } from "../../model.js";
import { FIT_ROWS_COLUMN, quoteIdentifier, type SqlDialect } from "../../../runtime/sql/identifiers.js";
import { DIALECT_RULES } from "./dialects.js";
import type { AggregateFunction, RelationCall } from "./ir.js";
import { loadedColumn, mergeText, type SqlNodeNote, type SqlPart } from "./parts.js";

export interface SqlFitPlan {
  /** The aggregate statement: one row, one column per fitted node. */
  readonly parts: readonly SqlPart[];
  /** The inputs used as table names. */
  readonly tables: readonly string[];
  /** The fitted nodes, in the order of the statement's columns. */
  readonly nodes: readonly string[];
  readonly notes: readonly SqlNodeNote[];
}

export interface FitProblem {
  readonly node: string;
  readonly construct: string;
  readonly reason: string;
  readonly span: Span;
}

export type SqlFitResult = { readonly plan?: SqlFitPlan; readonly problems: readonly FitProblem[] };

export const AGGREGATES: ReadonlySet<string> = new Set<AggregateFunction>(["count", "sum", "mean", "stddev", "min", "max"]);

/**
 * The stated bound of a sum, mean or standard deviation computed by the engine, in ulps of the
 * result per row: n terms of one sign added up in any two orders are each within (n − 1)·u of
 * the exact sum, so they differ by less than 2(n − 1) ulp; a factor 2 covers a result that
 * crosses a power of two, and the final division or square root adds less than one ulp.
 */
export const ENGINE_SUM_ULPS_PER_ROW = 4;

/** Aggregate functions' names per dialect. */
const NAMES: Readonly<Record<SqlDialect, { readonly avg: string; readonly count: string; readonly sqrt: string }>> = {
  duckdb: { avg: "avg", count: "count(*)", sqrt: "sqrt" },
  postgres: { avg: "avg", count: "count(*)", sqrt: "sqrt" },
  clickhouse: { avg: "avg", count: "count()", sqrt: "sqrt" },
  spark: { avg: "avg", count: "count(*)", sqrt: "sqrt" },
  bigquery: { avg: "AVG", count: "COUNT(*)", sqrt: "SQRT" },
};

const SUM_ORDER = "the engine adds up in its own order (featc's loop adds left to right); within 4 ulp per row for values of one sign";
const REASONS: Readonly<Record<string, string>> = {
  sum: `sum: ${SUM_ORDER}`,
  mean: `mean: ${SUM_ORDER}`,
  stddev: `stddev: two passes like featc's loop, but ${SUM_ORDER}`,
  min: "min: the sign of a zero result is the engine's choice",
  max: "max: the sign of a zero result is the engine's choice",
};

/** Whether the node's value is a fitted one (a target reads it or computes it as a fit). */
export function isFittedNode(node: GraphNode): boolean {
  return node.fn.fitted && node.kind !== "extract";
}

/**
 * Plans the fit statement of a target, or says why there is none: a problem per fitted node
 * that is not one aggregate of a column of the loaded table.
 */
export function planFit(target: BuiltTarget, dialect: SqlDialect): SqlFitResult {
  const q = (name: string) => quoteIdentifier(dialect, name);
  const d = DIALECT_RULES[dialect];
  const names = NAMES[dialect];
  const problems: FitProblem[] = [];
  const columns: string[] = [];
  const nodes: string[] = [];
  const notes: SqlNodeNote[] = [];
  /** The mean of each column a standard deviation needs, by field: a subquery over the same table. */
  const means = new Map<string, string>();
  let table: string | undefined;
  for (const name of target.order) {
    const node = target.nodes.get(name)!;
    if (!isFittedNode(node)) continue;
    const fail = (construct: string, reason: string, span: Span) => problems.push({ node: name, construct, reason, span });
    const lowered = node.fn.lowered;
    if (!lowered?.ok) {
      if (lowered) fail(lowered.problem.construct, lowered.problem.reason, lowered.problem.span);
      else fail(name, "the function was not lowered", node.fn.span);
      continue;
    }
    const value = lowered.value;
    if (value.kind !== "relation" || !AGGREGATES.has(value.fn)) {
      fail(
        node.fn.exportName,
        "a @fitted value in a SQL target is one aggregate of featc/sql (count, sum, mean, stddev, min, max) of a column",
        node.fn.span,
      );
      continue;
    }
    const column = columnOf(target, node, value);
    if (typeof column === "string") {
      fail(value.fn, column, value.span);
      continue;
    }
    if (table !== undefined && column.table !== table) {
      fail(value.fn, `every fitted value is aggregated over one table in one query ('${table}' and '${column.table}' differ)`, value.span);
      continue;
    }
    table = column.table;
    const kind = value.args[1];
    if (value.fn === "stddev" && (kind?.kind !== "string" || (kind.value !== "sample" && kind.value !== "population"))) {
      fail("stddev", `the second argument is "sample" or "population", as a string literal`, value.span);
      continue;
    }
    const x = `CAST(${loadedColumn(dialect, column.field)} AS ${d.double})`;
    const nan = d.number(NaN);
    const anyNaN = `sum(CASE WHEN ${d.isNaN(x)} THEN 1 ELSE 0 END) > 0`;
    let sql: string;
    switch (value.fn as AggregateFunction) {
      case "count":
        sql = `CAST(${names.count} AS ${d.double})`;
        break;
      case "sum":
        sql = `COALESCE(sum(${x}), ${d.number(0)})`;
        break;
      case "mean":
        sql = `COALESCE(${names.avg}(${x}), ${nan})`;
        break;
      case "min":
      case "max":
        // ClickHouse's min and max of no rows are 0, the others' NULL: both are NaN for featc.
        sql = `CASE WHEN ${names.count} = 0 OR ${anyNaN} THEN ${nan} ELSE ${value.fn}(${x}) END`;
        break;
      case "stddev": {
        // The engines' own stddev functions use other algorithms (Welford's update, sums of
        // squares) whose rounding grows with the spread of the data; two passes only differ in order.
        const sample = (kind as { value: string }).value === "sample";
        if (!means.has(column.field)) means.set(column.field, `featc_mean${means.size + 1}`);
        const mean = means.get(column.field)!;
        const m = dialect === "clickhouse" ? q(mean) : `${q(mean)}.${q("mean")}`;
        const n = `CAST(${names.count}${sample ? " - 1" : ""} AS ${d.double})`;
        sql = `CASE WHEN ${names.count} < ${sample ? 2 : 1} THEN ${nan} ELSE ${names.sqrt}(sum((${x} - ${m}) * (${x} - ${m})) / ${n}) END`;
        break;
      }
    }
    columns.push(`${sql} AS ${q(name)}`);
    nodes.push(name);
    const reason = REASONS[value.fn];
    const perRow = value.fn === "sum" || value.fn === "mean" || value.fn === "stddev";
    const bound = value.fn === "count" ? 0 : perRow ? ENGINE_SUM_ULPS_PER_ROW : 1;
    notes.push({
      node: name,
      approximate: reason ? [reason] : [],
      boundUlps: bound,
      ...(perRow ? { perRow } : {}),
      raises: d.arithmeticRaises && value.fn !== "count" ? [d.arithmeticRaises] : [],
    });
  }
  if (problems.length > 0 || table === undefined) return { problems };
  const tableSlot: SqlPart = { kind: "table", input: table };
  const text = (t: string): SqlPart => ({ kind: "text", text: t });
  const meanOf = (field: string) => `${names.avg}(CAST(${q(field)} AS ${d.double}))`;
  // ClickHouse names a scalar subquery with WITH; the others join its one row.
  const parts: SqlPart[] = [];
  if (dialect === "clickhouse")
    for (const [field, alias] of means) parts.push(text(`WITH (SELECT ${meanOf(field)} FROM `), tableSlot, text(`) AS ${q(alias)}\n`));
  columns.push(`CAST(${names.count} AS ${d.double}) AS ${q(FIT_ROWS_COLUMN)}`);
  parts.push(text(`SELECT\n  ${columns.join(",\n  ")}\nFROM `), tableSlot, ...(dialect === "clickhouse" ? [] : [text(` AS ${q("t0")}`)]));
  if (dialect !== "clickhouse")
    for (const [field, alias] of means)
      parts.push(text(`\nCROSS JOIN (SELECT ${meanOf(field)} AS ${q("mean")} FROM `), tableSlot, text(`) AS ${q(alias)}`));
  parts.push(text("\n"));
  return { plan: { parts: mergeText(parts), tables: [table], nodes, notes }, problems: [] };
}

/** The loaded table's input and the field an aggregate's column argument reads, or why it reads none. */
function columnOf(target: BuiltTarget, node: GraphNode, call: RelationCall): { table: string; field: string } | string {
  const arg = call.args[0];
  const param = arg?.kind === "param" ? node.fn.params.find((p) => p.name === arg.name) : undefined;
  const source = param ? target.nodes.get(param.binds ?? param.name) : undefined;
  const owner = source?.kind === "extract" ? target.nodes.get(source.extractOf!) : undefined;
  const loader = owner?.fn.lowered?.ok ? owner.fn.lowered.value : undefined;
  const tableArg = loader?.kind === "relation" && loader.fn === "sqlTable" ? loader.args[0] : undefined;
  const input = tableArg?.kind === "param" ? owner!.deps.find((dep) => dep.param.name === tableArg.name)?.source : undefined;
  if (!source || !owner || input?.kind !== "input") return "the aggregate's first argument is a field @extract-ed from a sqlTable() node";
  return { table: input.name, field: source.field! };
}
