/**
 * The expression IR of a feature function's body, as plain data: what discover's lowering
 * produces from the TypeScript AST and the type checker, and what the SQL renderer reads. Every
 * number is an IEEE double and every operator means what it means in JavaScript; the renderer
 * decides per dialect how to keep that meaning.
 */
import type { Span } from "../../diagnostics.js";

export type ValueType = "number" | "boolean" | "string";

export type MathFunction = "abs" | "floor" | "ceil" | "trunc" | "sqrt" | "min" | "max" | "exp" | "log" | "pow" | "round";

export type ArithmeticOp = "+" | "-" | "*" | "/" | "%";
export type CompareOp = "<" | "<=" | ">" | ">=" | "===" | "!==";

export type Expr =
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "boolean"; readonly value: boolean }
  /** A parameter of the lowered function, or a field (by path) of an object parameter. */
  | { readonly kind: "ref"; readonly param: string; readonly path: readonly string[]; readonly type: ValueType }
  | { readonly kind: "negate"; readonly arg: Expr }
  | { readonly kind: "not"; readonly arg: Expr }
  | { readonly kind: "arithmetic"; readonly op: ArithmeticOp; readonly left: Expr; readonly right: Expr; readonly span: Span }
  | { readonly kind: "compare"; readonly op: CompareOp; readonly operands: ValueType; readonly left: Expr; readonly right: Expr }
  | { readonly kind: "logic"; readonly op: "and" | "or"; readonly left: Expr; readonly right: Expr }
  | { readonly kind: "if"; readonly type: ValueType; readonly test: Expr; readonly then: Expr; readonly else: Expr }
  | { readonly kind: "math"; readonly fn: MathFunction; readonly args: readonly Expr[]; readonly span: Span }
  /** `s.length`: UTF-16 code units. */
  | { readonly kind: "length"; readonly arg: Expr; readonly span: Span }
  | { readonly kind: "startsWith"; readonly arg: Expr; readonly prefix: Expr; readonly span: Span };

export interface LoweredField {
  readonly name: string;
  readonly type: ValueType;
  readonly expr: Expr;
}

/** An argument of a relational call: a parameter of the function, or a literal. */
export type RelationArg = { readonly kind: "param"; readonly name: string } | Extract<Expr, { kind: "number" | "string" | "boolean" }>;

/** The aggregates of `featc/sql` a `@fitted` variant may return. */
export type AggregateFunction = "count" | "sum" | "mean" | "stddev" | "min" | "max";

/** A call of featc's relational API for SQL targets (`featc/sql`): a table by name, a keyed left join, an aggregate. */
export interface RelationCall {
  readonly kind: "relation";
  readonly fn: "sqlTable" | "lookup" | AggregateFunction;
  readonly args: readonly RelationArg[];
  readonly span: Span;
}

/** A function's value: one expression, an object literal's fields (several columns), or a relational call. */
export type LoweredValue =
  | { readonly kind: "scalar"; readonly type: ValueType; readonly expr: Expr }
  | { readonly kind: "record"; readonly fields: readonly LoweredField[] }
  | RelationCall;

/** A construct with no translation, at the construct. */
export interface Untranslatable {
  /** The construct as written (shortened), e.g. `Math.random()`. */
  readonly construct: string;
  readonly reason: string;
  readonly span: Span;
}

export type Lowering = { readonly ok: true; readonly value: LoweredValue } | { readonly ok: false; readonly problem: Untranslatable };

/** The JavaScript an engine runs for a `@udf` function: the function and the catalog declarations it reaches, dependencies first. */
export type UdfSource = { readonly ok: true; readonly js: string } | { readonly ok: false; readonly problem: Untranslatable };
