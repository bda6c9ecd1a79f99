/**
 * A SQL target's `@check`s, run by the engine: each check's predicate is written in the
 * expression IR (what `v >= min && v <= max`, `v === v`, `v === "a" || …` are as map features)
 * and rendered by the same translation, as one boolean column of the statement (true where the
 * value passes); the generated module counts the failing rows and reports them as the JavaScript
 * executors do. A check with no translation (a validator function) is listed with the reason.
 */
import type { CheckFact, CheckRule, GraphNode } from "../../model.js";
import { quoteIdentifier, type SqlDialect } from "../../../runtime/sql/identifiers.js";
import type { Expr, ValueType } from "./ir.js";
import { renderExpr } from "./render.js";

/** A check the statement evaluates, as the column `column`. */
export interface SqlCheckPlan {
  readonly node: string;
  /** The check as written after `@check`, without `warn`. */
  readonly text: string;
  readonly warn: boolean;
  readonly column: string;
  /** A check of a scalar (a @fitted value, bound as a parameter): reported once, not per row. */
  readonly scalar: boolean;
}

/** A check the target does not run, and why. */
export interface UncheckedCheck {
  readonly node: string;
  readonly check: CheckFact;
  readonly reason: string;
}

/** Where a node's value is in the statement: a column, or a bound scalar; undefined when it is neither. */
export type CheckedValue = { readonly sql: string; readonly type: ValueType; readonly scalar: boolean } | undefined;

export interface PlannedChecks {
  readonly checks: readonly SqlCheckPlan[];
  /** `predicate AS "featc_checkN"`, one per check, for the statement's final select list. */
  readonly selectSql: readonly string[];
  readonly unchecked: readonly UncheckedCheck[];
}

/** The checks of `nodes` (in order) as columns of the statement's final select. */
export function planChecks(nodes: readonly GraphNode[], dialect: SqlDialect, valueOf: (node: GraphNode) => CheckedValue): PlannedChecks {
  const checks: SqlCheckPlan[] = [];
  const selectSql: string[] = [];
  const unchecked: UncheckedCheck[] = [];
  for (const node of nodes) {
    for (const check of node.checks) {
      const value = valueOf(node);
      if (!value) {
        unchecked.push({ node: node.name, check, reason: "the node's value is not one column of the statement (an object or a table)" });
        continue;
      }
      const predicate = checkPredicate(check.rule, value.type);
      if (typeof predicate === "string") {
        unchecked.push({ node: node.name, check, reason: predicate });
        continue;
      }
      const rendered = renderExpr(predicate, dialect, () => value.sql);
      if (!rendered.ok) {
        unchecked.push({ node: node.name, check, reason: rendered.problem.reason });
        continue;
      }
      const column = `featc_check${checks.length + 1}`;
      checks.push({ node: node.name, text: check.text, warn: check.warn, column, scalar: value.scalar });
      selectSql.push(`${rendered.sql} AS ${quoteIdentifier(dialect, column)}`);
    }
  }
  return { checks, selectSql, unchecked };
}

/** The check's predicate on the value `v` (a ref), as the JavaScript executors test it; a reason when it has none. */
function checkPredicate(rule: CheckRule, type: ValueType): Expr | string {
  const v: Expr = { kind: "ref", param: "value", path: [], type };
  const is = (op: "===" | ">=" | "<=", right: Expr): Expr => ({ kind: "compare", op, operands: type, left: v, right });
  switch (rule.kind) {
    case "range":
      if (type !== "number") return `range() checks a number, and the node's value is a ${type}`;
      return {
        kind: "logic",
        op: "and",
        left: is(">=", { kind: "number", value: rule.min }),
        right: is("<=", { kind: "number", value: rule.max }),
      };
    case "notNull":
      // A SQL target's values are never null (a NULL result is an error): only NaN fails, as `v === v` says.
      return type === "number" ? is("===", v) : { kind: "boolean", value: true };
    case "oneOf": {
      // A value of another type is never `===` to the node's value.
      const [first, ...rest] = rule.values.filter((x) => typeof x === type).map((x) => is("===", literal(x)));
      if (!first) return { kind: "boolean", value: false };
      return rest.reduce<Expr>((a, b) => ({ kind: "logic", op: "or", left: a, right: b }), first);
    }
    case "validator":
      return `the validator function '${rule.fn}' runs only in JavaScript`;
  }
}

function literal(x: string | number | boolean): Expr {
  return typeof x === "number"
    ? { kind: "number", value: x }
    : typeof x === "string"
      ? { kind: "string", value: x }
      : { kind: "boolean", value: x };
}
