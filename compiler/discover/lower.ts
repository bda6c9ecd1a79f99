/**
 * Lowers a catalog function's body into the plain-data expression IR of the SQL shape, through
 * the syntax tree and the type checker. The body is evaluated symbolically: locals and `let`
 * reassignments are substituted, `if`/`return` chains and ternaries become conditionals, calls
 * to catalog functions (features or private helpers) are inlined. Anything outside that subset
 * stops the lowering with the construct and its position; nothing is guessed.
 */
import path from "node:path";
import { ts } from "../typescript.js";
import type { Span } from "../diagnostics.js";
import fs from "node:fs";
import { packageFile } from "../paths.js";
import { scalarClass } from "./scalar.js";
import type { Expr, Lowering, LoweredField, MathFunction, RelationArg, RelationCall, Untranslatable, ValueType } from "../shapes/sql/ir.js";

type FunctionLike = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression;

/** A value during evaluation: a scalar expression, an object literal, or an object-typed parameter. */
type Value =
  | RelationCall
  | { readonly kind: "scalar"; readonly type: ValueType; readonly expr: Expr }
  | { readonly kind: "object"; readonly fields: ReadonlyMap<string, Value> }
  | { readonly kind: "objectRef"; readonly param: string; readonly path: readonly string[] };

type Env = Map<ts.Symbol, Value>;

const MATH_FUNCTIONS: ReadonlySet<string> = new Set<MathFunction>([
  "abs",
  "floor",
  "ceil",
  "trunc",
  "sqrt",
  "min",
  "max",
  "exp",
  "log",
  "pow",
  "round",
]);
const MATH_ARITY: Partial<Record<MathFunction, number>> = { pow: 2 };
const MATH_CONSTANTS: ReadonlySet<string> = new Set(["PI", "E", "LN2", "LN10", "LOG2E", "LOG10E", "SQRT2", "SQRT1_2"]);
/** Where featc's relational API for SQL targets is declared: its functions are recognised by declaration. */
const RELATIONAL_FILES = new Set(
  [packageFile("runtime", "sql", "relational.ts"), packageFile("dist", "runtime", "sql", "relational.d.ts")].map(realpath),
);
const RELATIONAL_FUNCTIONS: ReadonlySet<string> = new Set<RelationCall["fn"]>([
  "sqlTable",
  "lookup",
  "count",
  "sum",
  "mean",
  "stddev",
  "min",
  "max",
]);
/** Inlined calls deeper than this are reported (a recursive helper). */
const MAX_INLINE_DEPTH = 32;

class Stop extends Error {
  constructor(readonly problem: Untranslatable) {
    super(problem.reason);
  }
}

/**
 * Lowers `fn` (a catalog function) whose parameters become `ref`s by name. `program` tells
 * TypeScript's own library (where `Math`, `NaN` and `Infinity` must come from) from user code.
 */
export function lowerFunction(fn: FunctionLike, program: ts.Program, catalogFiles: ReadonlySet<string>): Lowering {
  const lowering: Lowerer = new Lowerer(program, catalogFiles);
  try {
    const env: Env = new Map();
    for (const p of fn.parameters) {
      if (!ts.isIdentifier(p.name)) lowering.stop(p, "a destructured parameter");
      const symbol = lowering.symbolOf(p.name);
      const type = program.getTypeChecker().getTypeAtLocation(p);
      const scalar = valueTypeOf(type);
      env.set(
        symbol,
        scalar
          ? { kind: "scalar", type: scalar, expr: { kind: "ref", param: p.name.text, path: [], type: scalar } }
          : { kind: "objectRef", param: p.name.text, path: [] },
      );
    }
    const value = lowering.body(fn, env);
    if (value.kind === "scalar" || value.kind === "relation") return { ok: true, value };
    const fields: LoweredField[] = [];
    for (const [name, v] of lowering.fieldsOf(value, fn)) {
      if (v.kind !== "scalar") lowering.stop(fn, `the field '${name}' of the returned object is itself an object`);
      fields.push({ name, type: v.type, expr: v.expr });
    }
    return { ok: true, value: { kind: "record", fields } };
  } catch (e) {
    if (e instanceof Stop) return { ok: false, problem: e.problem };
    throw e;
  }
}

/** The SQL value type of a TypeScript type: number, boolean, string (literal types and their unions included). */
function valueTypeOf(type: ts.Type): ValueType | undefined {
  const scalar = scalarClass(type);
  return scalar === "other" ? undefined : scalar;
}

function unwrap(e: ts.Expression): ts.Expression {
  while (
    ts.isParenthesizedExpression(e) ||
    ts.isAsExpression(e) ||
    ts.isNonNullExpression(e) ||
    ts.isSatisfiesExpression(e) ||
    ts.isTypeAssertionExpression(e)
  )
    e = e.expression;
  return e;
}

/** Whether a statement (or any statement nested in it) returns. */
function containsReturn(node: ts.Node): boolean {
  if (ts.isReturnStatement(node)) return true;
  if (ts.isFunctionLike(node)) return false;
  return ts.forEachChild(node, (c) => (containsReturn(c) ? true : undefined)) ?? false;
}

const COMPOUND: ReadonlyMap<ts.SyntaxKind, "+" | "-" | "*" | "/" | "%"> = new Map([
  [ts.SyntaxKind.PlusEqualsToken, "+"],
  [ts.SyntaxKind.MinusEqualsToken, "-"],
  [ts.SyntaxKind.AsteriskEqualsToken, "*"],
  [ts.SyntaxKind.SlashEqualsToken, "/"],
  [ts.SyntaxKind.PercentEqualsToken, "%"],
] as const);

class Lowerer {
  private readonly inlining: ts.Node[] = [];
  /** `let` locals: the only names an assignment may change. */
  private readonly mutable = new Set<ts.Symbol>();

  private readonly checker: ts.TypeChecker;

  constructor(
    private readonly program: ts.Program,
    private readonly catalogFiles: ReadonlySet<string>,
  ) {
    this.checker = program.getTypeChecker();
  }

  stop(node: ts.Node, reason: string): never {
    const sf = node.getSourceFile();
    const start = node.getStart(sf);
    const text = node.getText(sf).replace(/\s+/g, " ");
    const { line, character } = sf.getLineAndCharacterOfPosition(start);
    const span: Span = {
      file: path.normalize(sf.fileName),
      line: line + 1,
      column: character + 1,
      length: Math.max(1, node.getEnd() - start),
    };
    throw new Stop({ construct: text.length > 40 ? `${text.slice(0, 37)}...` : text, reason, span });
  }

  symbolOf(node: ts.Node): ts.Symbol {
    let symbol = this.checker.getSymbolAtLocation(node);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
    if (!symbol) this.stop(node, "the type checker does not resolve this name");
    return symbol;
  }

  /** A function's result, with its parameters already bound in `env`. */
  body(fn: FunctionLike, env: Env): Value {
    if ((ts.getCombinedModifierFlags(fn) & ts.ModifierFlags.Async) !== 0) this.stop(fn, "an async function");
    if (!fn.body) this.stop(fn, "a function without a body");
    if (!ts.isBlock(fn.body)) return this.expr(fn.body, env);
    const result = this.statements(fn.body.statements, 0, env);
    if (!result) this.stop(fn, "not every path returns a value");
    return result;
  }

  /** Runs statements from `i`; the value returned, or undefined when control falls off the end. */
  private statements(list: readonly ts.Statement[], i: number, env: Env): Value | undefined {
    for (; i < list.length; i++) {
      const st = list[i]!;
      if (ts.isReturnStatement(st)) {
        if (!st.expression) this.stop(st, "a return without a value");
        return this.expr(st.expression, env);
      }
      if (ts.isVariableStatement(st)) {
        const flags = st.declarationList.flags;
        if (!(flags & (ts.NodeFlags.Const | ts.NodeFlags.Let))) this.stop(st, "a 'var' declaration (use const or let)");
        for (const d of st.declarationList.declarations) {
          if (!ts.isIdentifier(d.name)) this.stop(d.name, "a destructuring declaration");
          if (!d.initializer) this.stop(d, "a variable without an initial value");
          const symbol = this.symbolOf(d.name);
          if (flags & ts.NodeFlags.Let) this.mutable.add(symbol);
          env.set(symbol, this.expr(d.initializer, env));
        }
        continue;
      }
      if (ts.isExpressionStatement(st)) {
        this.assignment(st.expression, env);
        continue;
      }
      if (ts.isBlock(st)) {
        const inner = this.statements([...st.statements, ...list.slice(i + 1)], 0, env);
        return inner;
      }
      if (ts.isIfStatement(st)) {
        const test = this.boolean(st.expression, env);
        const branches = st.elseStatement ? [st.thenStatement, st.elseStatement] : [st.thenStatement];
        if (!branches.some(containsReturn)) {
          // Assignments only: run both branches from copies of the scope and merge what changed.
          const thenEnv = new Map(env);
          const elseEnv = new Map(env);
          this.statements([st.thenStatement], 0, thenEnv);
          if (st.elseStatement) this.statements([st.elseStatement], 0, elseEnv);
          for (const symbol of new Set([...thenEnv.keys(), ...elseEnv.keys()])) {
            const a = thenEnv.get(symbol);
            const b = elseEnv.get(symbol);
            if (a === b || !env.has(symbol)) continue;
            env.set(symbol, this.choose(test, a!, b!, st));
          }
          continue;
        }
        // A branch returns: each branch continues with the statements after the `if`.
        const rest = list.slice(i + 1);
        const thenValue = this.statements([st.thenStatement, ...rest], 0, new Map(env));
        const elseValue = this.statements(st.elseStatement ? [st.elseStatement, ...rest] : rest, 0, new Map(env));
        if (!thenValue || !elseValue) this.stop(st, "not every path returns a value");
        return this.choose(test, thenValue, elseValue, st);
      }
      if (ts.isEmptyStatement(st)) continue;
      this.stop(st, `${statementName(st)} is outside the translatable subset`);
    }
    return undefined;
  }

  private assignment(e: ts.Expression, env: Env): void {
    if (ts.isBinaryExpression(e) && ts.isIdentifier(e.left)) {
      const symbol = this.symbolOf(e.left);
      if (!this.mutable.has(symbol)) this.stop(e.left, "only a local 'let' of this function may be assigned");
      const op = e.operatorToken.kind;
      if (op === ts.SyntaxKind.EqualsToken) {
        env.set(symbol, this.expr(e.right, env));
        return;
      }
      const arithmetic = COMPOUND.get(op);
      if (arithmetic) {
        const left = this.asScalar(this.identifier(e.left, env), e.left);
        const right = this.asScalar(this.expr(e.right, env), e.right);
        if (left.type !== "number" || right.type !== "number") this.stop(e, "compound assignment on non-numbers");
        env.set(symbol, {
          kind: "scalar",
          type: "number",
          expr: { kind: "arithmetic", op: arithmetic, left: left.expr, right: right.expr, span: this.spanOf(e) },
        });
        return;
      }
    }
    this.stop(e, "an expression statement other than an assignment to a local");
  }

  private choose(test: Expr, a: Value, b: Value, at: ts.Node): Value {
    if (a.kind === "relation" || b.kind === "relation") this.stop(at, "a relational call chosen by a condition");
    if (a.kind === "scalar" && b.kind === "scalar") {
      if (a.type !== b.type) this.stop(at, `the branches have different types (${a.type}, ${b.type})`);
      return { kind: "scalar", type: a.type, expr: { kind: "if", type: a.type, test, then: a.expr, else: b.expr } };
    }
    const fa = this.fieldsOf(a, at);
    const fb = this.fieldsOf(b, at);
    if (fa.size !== fb.size || [...fa.keys()].some((k) => !fb.has(k))) this.stop(at, "the branches return objects with different fields");
    return { kind: "object", fields: new Map([...fa].map(([k, v]) => [k, this.choose(test, v, fb.get(k)!, at)])) };
  }

  fieldsOf(v: Value, at: ts.Node): ReadonlyMap<string, Value> {
    if (v.kind === "object") return v.fields;
    this.stop(at, "an object that is not an object literal (return the fields one by one)");
  }

  private spanOf(node: ts.Node): Span {
    const sf = node.getSourceFile();
    const start = node.getStart(sf);
    const { line, character } = sf.getLineAndCharacterOfPosition(start);
    return { file: path.normalize(sf.fileName), line: line + 1, column: character + 1, length: Math.max(1, node.getEnd() - start) };
  }

  private asScalar(v: Value, at: ts.Node): { type: ValueType; expr: Expr } {
    if (v.kind === "scalar") return v;
    return this.stop(at, "an object where a number, boolean or string is needed");
  }

  private typed(e: ts.Expression, env: Env, type: ValueType): Expr {
    const v = this.asScalar(this.expr(e, env), e);
    if (v.type !== type) this.stop(e, `a ${v.type} where a ${type} is needed`);
    return v.expr;
  }

  private boolean(e: ts.Expression, env: Env): Expr {
    const v = this.asScalar(this.expr(e, env), e);
    if (v.type !== "boolean") this.stop(e, `a condition on a ${v.type} (JavaScript truthiness): compare explicitly`);
    return v.expr;
  }

  private number(e: ts.Expression, env: Env): Expr {
    return this.typed(e, env, "number");
  }

  expr(node: ts.Expression, env: Env): Value {
    const e = unwrap(node);
    if (ts.isNumericLiteral(e)) return num({ kind: "number", value: Number(e.text) });
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e))
      return { kind: "scalar", type: "string", expr: { kind: "string", value: e.text } };
    if (e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword)
      return bool({ kind: "boolean", value: e.kind === ts.SyntaxKind.TrueKeyword });
    if (ts.isIdentifier(e)) return this.identifier(e, env);
    if (ts.isPrefixUnaryExpression(e)) {
      // A double negation is the value itself (for booleans, and bit for bit for doubles); some
      // engines mis-serialise it (ClickHouse writes -(-x) as --x, a comment, for its shards).
      if (e.operator === ts.SyntaxKind.ExclamationToken) {
        const arg = this.boolean(e.operand, env);
        return bool(arg.kind === "not" ? arg.arg : { kind: "not", arg });
      }
      if (e.operator === ts.SyntaxKind.MinusToken) {
        const arg = this.number(e.operand, env);
        return num(arg.kind === "negate" ? arg.arg : { kind: "negate", arg });
      }
      if (e.operator === ts.SyntaxKind.PlusToken) return num(this.number(e.operand, env));
      return this.stop(e, `the operator '${ts.tokenToString(e.operator)}' is outside the translatable subset`);
    }
    if (ts.isBinaryExpression(e)) return this.binary(e, env);
    if (ts.isConditionalExpression(e)) {
      return this.choose(this.boolean(e.condition, env), this.expr(e.whenTrue, env), this.expr(e.whenFalse, env), e);
    }
    if (ts.isObjectLiteralExpression(e)) return this.objectLiteral(e, env);
    if (ts.isPropertyAccessExpression(e)) return this.property(e, env);
    if (ts.isCallExpression(e)) return this.call(e, env);
    if (e.kind === ts.SyntaxKind.NullKeyword) return this.stop(e, "null (SQL's NULL does not behave like JavaScript's null)");
    return this.stop(e, `a ${ts.SyntaxKind[e.kind]} is outside the translatable subset`);
  }

  private identifier(e: ts.Identifier, env: Env): Value {
    const symbol = this.symbolOf(e);
    const bound = env.get(symbol);
    if (bound) return bound;
    if (e.text === "NaN" || e.text === "Infinity") {
      if (this.isLibrary(symbol)) return num({ kind: "number", value: e.text === "NaN" ? NaN : Infinity });
    }
    const decl = symbol.valueDeclaration;
    // A module-level constant of the catalog.
    if (
      decl &&
      ts.isVariableDeclaration(decl) &&
      decl.initializer &&
      this.catalogFiles.has(decl.getSourceFile().fileName) &&
      ts.isVariableStatement(decl.parent.parent) &&
      decl.parent.flags & ts.NodeFlags.Const
    ) {
      return this.inline(decl, () => this.expr(decl.initializer!, new Map()));
    }
    if (decl && ts.isVariableDeclaration(decl) && this.mutable.has(symbol)) this.stop(e, "a local read before it is set on every path");
    return this.stop(e, `'${e.text}' is neither a parameter, a local, nor a constant of the catalog`);
  }

  private isLibrary(symbol: ts.Symbol): boolean {
    const decl = symbol.valueDeclaration ?? symbol.declarations?.[0];
    return decl !== undefined && this.program.isSourceFileDefaultLibrary(decl.getSourceFile());
  }

  private inline<T>(at: ts.Node, run: () => T): T {
    if (this.inlining.includes(at) || this.inlining.length >= MAX_INLINE_DEPTH) this.stop(at, "a recursive function or constant");
    this.inlining.push(at);
    try {
      return run();
    } finally {
      this.inlining.pop();
    }
  }

  private binary(e: ts.BinaryExpression, env: Env): Value {
    const op = e.operatorToken.kind;
    const K = ts.SyntaxKind;
    if (op === K.AmpersandAmpersandToken || op === K.BarBarToken) {
      return bool({
        kind: "logic",
        op: op === K.AmpersandAmpersandToken ? "and" : "or",
        left: this.boolean(e.left, env),
        right: this.boolean(e.right, env),
      });
    }
    const arithmetic: Partial<Record<ts.SyntaxKind, "+" | "-" | "*" | "/" | "%">> = {
      [K.PlusToken]: "+",
      [K.MinusToken]: "-",
      [K.AsteriskToken]: "*",
      [K.SlashToken]: "/",
      [K.PercentToken]: "%",
    };
    const a = arithmetic[op];
    if (a) {
      const left = this.asScalar(this.expr(e.left, env), e.left);
      const right = this.asScalar(this.expr(e.right, env), e.right);
      if (left.type !== "number" || right.type !== "number")
        this.stop(e, `'${ts.tokenToString(op)}' on a ${left.type} and a ${right.type}: only numbers are translated`);
      return num({ kind: "arithmetic", op: a, left: left.expr, right: right.expr, span: this.spanOf(e) });
    }
    if (op === K.AsteriskAsteriskToken)
      return num({ kind: "math", fn: "pow", args: [this.number(e.left, env), this.number(e.right, env)], span: this.spanOf(e) });
    const compare: Partial<Record<ts.SyntaxKind, "<" | "<=" | ">" | ">=" | "===" | "!==">> = {
      [K.LessThanToken]: "<",
      [K.LessThanEqualsToken]: "<=",
      [K.GreaterThanToken]: ">",
      [K.GreaterThanEqualsToken]: ">=",
      [K.EqualsEqualsEqualsToken]: "===",
      [K.ExclamationEqualsEqualsToken]: "!==",
      [K.EqualsEqualsToken]: "===",
      [K.ExclamationEqualsToken]: "!==",
    };
    const c = compare[op];
    if (c) {
      const left = this.asScalar(this.expr(e.left, env), e.left);
      const right = this.asScalar(this.expr(e.right, env), e.right);
      if (left.type !== right.type) this.stop(e, `a comparison of a ${left.type} with a ${right.type}`);
      if (left.type === "string" && c !== "===" && c !== "!==")
        this.stop(e, "string order (JavaScript compares UTF-16 code units, SQL engines bytes or collations)");
      if (left.type === "boolean" && c !== "===" && c !== "!==") this.stop(e, "an order comparison of booleans");
      return bool({ kind: "compare", op: c, operands: left.type, left: left.expr, right: right.expr });
    }
    return this.stop(e, `the operator '${ts.tokenToString(op)}' is outside the translatable subset`);
  }

  private objectLiteral(e: ts.ObjectLiteralExpression, env: Env): Value {
    const fields = new Map<string, Value>();
    for (const p of e.properties) {
      if (ts.isShorthandPropertyAssignment(p)) {
        const symbol = this.checker.getShorthandAssignmentValueSymbol(p);
        const bound = symbol && env.get(symbol);
        if (!bound) this.stop(p, "a shorthand property that names no parameter or local");
        fields.set(p.name.text, bound);
      } else if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)))
        fields.set(p.name.text, this.expr(p.initializer, env));
      else this.stop(p, "an object member other than a named property");
    }
    return { kind: "object", fields };
  }

  private property(e: ts.PropertyAccessExpression, env: Env): Value {
    const name = e.name.text;
    const target = unwrap(e.expression);
    if (ts.isIdentifier(target) && target.text === "Math" && this.isLibrary(this.symbolOf(target))) {
      if (MATH_CONSTANTS.has(name)) return num({ kind: "number", value: (Math as unknown as Record<string, number>)[name]! });
      return this.stop(e, `Math.${name} is not among the translated constants (${[...MATH_CONSTANTS].join(", ")})`);
    }
    const of = this.expr(e.expression, env);
    if (of.kind === "scalar") {
      if (of.type === "string" && name === "length") return num({ kind: "length", arg: of.expr, span: this.spanOf(e) });
      return this.stop(e, `'.${name}' of a ${of.type} is outside the translatable subset (a string's length is)`);
    }
    if (of.kind === "object") {
      const field = of.fields.get(name);
      if (!field) this.stop(e.name, `the object has no field '${name}'`);
      return field;
    }
    if (of.kind === "relation") return this.stop(e, "a field of a relational call's result");
    const type = valueTypeOf(this.checker.getTypeAtLocation(e));
    const refPath = [...of.path, name];
    if (type) return { kind: "scalar", type, expr: { kind: "ref", param: of.param, path: refPath, type } };
    const t = this.checker.getTypeAtLocation(e);
    if (t.getCallSignatures().length > 0 || !(t.flags & ts.TypeFlags.Object))
      this.stop(e, `'${e.getText()}' is not a number, boolean, string or plain object`);
    return { kind: "objectRef", param: of.param, path: refPath };
  }

  /** A relational call's argument: a parameter passed whole, or a literal. */
  private relationArg(a: ts.Expression, env: Env): RelationArg {
    const e = unwrap(a);
    if (ts.isIdentifier(e)) {
      const bound = env.get(this.symbolOf(e));
      if (bound?.kind === "objectRef" && bound.path.length === 0) return { kind: "param", name: bound.param };
      if (bound?.kind === "scalar" && bound.expr.kind === "ref" && bound.expr.path.length === 0)
        return { kind: "param", name: bound.expr.param };
    }
    const v = this.expr(a, env);
    if (v.kind === "scalar" && (v.expr.kind === "number" || v.expr.kind === "string" || v.expr.kind === "boolean")) return v.expr;
    return this.stop(a, "an argument of a relational call that is neither a parameter nor a literal");
  }

  private call(e: ts.CallExpression, env: Env): Value {
    const callee = unwrap(e.expression);
    const span = this.spanOf(e);
    if (e.arguments.some(ts.isSpreadElement)) this.stop(e, "a spread argument");
    if (ts.isPropertyAccessExpression(callee)) {
      const target = unwrap(callee.expression);
      const name = callee.name.text;
      if (ts.isIdentifier(target) && target.text === "Math" && this.isLibrary(this.symbolOf(target))) {
        if (!MATH_FUNCTIONS.has(name))
          this.stop(e, `Math.${name} is not among the translated functions (${[...MATH_FUNCTIONS].sort().join(", ")})`);
        const fn = name as MathFunction;
        const args = e.arguments.map((a) => this.number(a, env));
        if (fn === "min" || fn === "max") {
          if (args.length === 0) return num({ kind: "number", value: fn === "min" ? Infinity : -Infinity });
          return num(args.reduce((l, r) => ({ kind: "math", fn, args: [l, r], span })));
        }
        const arity = MATH_ARITY[fn] ?? 1;
        if (args.length !== arity) this.stop(e, `'Math.${name}' with ${args.length} argument(s) (expects ${arity})`);
        return num({ kind: "math", fn, args, span });
      }
      const of = this.expr(callee.expression, env);
      if (of.kind === "scalar" && of.type === "string" && name === "startsWith" && e.arguments.length === 1) {
        return bool({ kind: "startsWith", arg: of.expr, prefix: this.typed(e.arguments[0]!, env, "string"), span });
      }
      return this.stop(e, `the method '${name}' is outside the translatable subset (startsWith on a string is in it)`);
    }
    if (ts.isIdentifier(callee)) {
      const symbol = this.symbolOf(callee);
      const decl = symbol.valueDeclaration;
      if (decl && RELATIONAL_FUNCTIONS.has(callee.text) && RELATIONAL_FILES.has(realpath(decl.getSourceFile().fileName))) {
        return { kind: "relation", fn: callee.text as RelationCall["fn"], args: e.arguments.map((a) => this.relationArg(a, env)), span };
      }
      let fn: FunctionLike | undefined;
      if (decl && ts.isFunctionDeclaration(decl)) fn = decl;
      else if (decl && ts.isVariableDeclaration(decl) && decl.initializer && decl.parent.flags & ts.NodeFlags.Const) {
        const init = unwrap(decl.initializer);
        if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) fn = init;
      }
      if (fn && this.catalogFiles.has(fn.getSourceFile().fileName)) {
        const callable = fn;
        if (e.arguments.length !== callable.parameters.length)
          this.stop(e, "a call whose arguments do not match the parameters one to one");
        const args = e.arguments.map((a) => this.expr(a, env));
        return this.inline(callable, () => {
          const scope: Env = new Map();
          callable.parameters.forEach((p, i) => {
            if (!ts.isIdentifier(p.name) || p.dotDotDotToken || p.initializer)
              this.stop(p, "a parameter that is destructured, rest or defaulted");
            scope.set(this.symbolOf(p.name), args[i]!);
          });
          return this.body(callable, scope);
        });
      }
      return this.stop(e, `'${callee.text}()' is not a function of the catalog`);
    }
    return this.stop(e, "a call of a computed function is outside the translatable subset");
  }
}

function realpath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

function num(expr: Expr): Value {
  return { kind: "scalar", type: "number", expr };
}

function bool(expr: Expr): Value {
  return { kind: "scalar", type: "boolean", expr };
}

function statementName(st: ts.Statement): string {
  if (ts.isForStatement(st) || ts.isForOfStatement(st) || ts.isForInStatement(st)) return "a 'for' loop";
  if (ts.isWhileStatement(st) || ts.isDoStatement(st)) return "a 'while' loop";
  if (ts.isSwitchStatement(st)) return "a 'switch'";
  if (ts.isThrowStatement(st)) return "a 'throw'";
  if (ts.isTryStatement(st)) return "a 'try'";
  return `a ${ts.SyntaxKind[st.kind]}`;
}
