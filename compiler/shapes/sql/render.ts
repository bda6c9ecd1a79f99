/**
 * Renders the expression IR as SQL in one dialect, keeping JavaScript's meaning: NaN compares
 * unequal to everything, a division by zero gives ±Infinity or NaN, `Math.round` rounds ties
 * up, `Math.min`/`max` propagate NaN and order -0 below 0, literals keep their exact bits.
 * Functions computed by the engine's libm (exp, log, pow) are reported as approximate;
 * constructs a dialect cannot express exactly are reported, never rendered wrong.
 */
import type { Expr, MathFunction, Untranslatable } from "./ir.js";
import { DIALECT_RULES, type Dialect, type DialectRules } from "./dialects.js";

export type RefExpr = Extract<Expr, { kind: "ref" }>;

export interface RenderedExpr {
  readonly sql: string;
  /** Why the result may differ from V8's, one entry per approximate function used (e.g. `exp: the engine's libm`). */
  readonly approximate: readonly string[];
  /** How the expression may fail in the engine where JavaScript gives a value. */
  readonly raises: readonly string[];
}

export type RenderResult = ({ readonly ok: true } & RenderedExpr) | { readonly ok: false; readonly problem: Untranslatable };

/** The ulp bound stated for each use of a libm function: measured at 1 ulp, stated with one more for the rounding after it. */
export const ULPS_PER_APPROXIMATE_CALL = 2;

class Unsupported extends Error {
  constructor(readonly problem: Untranslatable) {
    super(problem.reason);
  }
}

const APPROXIMATE: Partial<Record<MathFunction, string>> = {
  exp: "exp: computed by the engine's libm (within 1 ulp of V8)",
  log: "log: computed by the engine's libm (within 1 ulp of V8)",
  pow: "pow: computed by the engine's libm (within 1 ulp of V8)",
};

export function renderExpr(expr: Expr, dialect: Dialect, ref: (r: RefExpr) => string): RenderResult {
  const renderer = new Renderer(DIALECT_RULES[dialect], ref);
  try {
    const sql = renderer.render(expr);
    return { ok: true, sql, approximate: [...renderer.approximate].sort(), raises: [...renderer.raises].sort() };
  } catch (e) {
    if (e instanceof Unsupported) return { ok: false, problem: e.problem };
    throw e;
  }
}

class Renderer {
  readonly approximate = new Set<string>();
  readonly raises = new Set<string>();

  constructor(
    private readonly d: DialectRules,
    private readonly ref: (r: RefExpr) => string,
  ) {}

  private unsupported(construct: string, reason: string, span: Untranslatable["span"]): never {
    throw new Unsupported({ construct, reason, span });
  }

  private nan(): string {
    return this.d.number(NaN);
  }

  render(e: Expr): string {
    const d = this.d;
    switch (e.kind) {
      case "number":
        return d.number(e.value);
      case "string":
        return d.string(e.value);
      case "boolean":
        return d.boolean(e.value);
      case "ref":
        return this.ref(e);
      case "negate":
        return d.negate(this.render(e.arg));
      case "not":
        return d.not(this.render(e.arg));
      case "logic":
        return `(${this.render(e.left)} ${e.op === "and" ? "AND" : "OR"} ${this.render(e.right)})`;
      case "if":
        return this.caseWhen(e);
      case "arithmetic": {
        const a = this.render(e.left);
        const b = this.render(e.right);
        if (d.arithmeticRaises) this.raises.add(d.arithmeticRaises);
        // A nonzero literal divisor needs no guard for division by zero.
        const plainDivisor = e.right.kind === "number" && e.right.value !== 0 && !Number.isNaN(e.right.value);
        if (e.op === "/") return d.divide && !plainDivisor ? d.divide(a, b) : `(${a} / ${b})`;
        if (e.op === "%") {
          const r = d.remainder(a, b);
          if (typeof r !== "string") this.unsupported("%", `no exact translation: ${r.unsupported}`, e.span);
          return r;
        }
        return `(${a} ${e.op} ${b})`;
      }
      case "compare":
        return this.compare(e);
      case "math":
        return this.math(e);
      case "length": {
        const r = d.utf16Length(this.render(e.arg));
        if (typeof r !== "string") this.unsupported(".length", `no exact translation: ${r.unsupported}`, e.span);
        return r;
      }
      case "startsWith":
        return d.startsWith(this.render(e.arg), this.render(e.prefix));
    }
  }

  /** Nested conditionals in the else branch become one CASE with several WHENs. */
  private caseWhen(e: Extract<Expr, { kind: "if" }>): string {
    const whens: string[] = [];
    let tail: Expr = e;
    while (tail.kind === "if") {
      whens.push(`WHEN ${this.render(tail.test)} THEN ${this.render(tail.then)}`);
      tail = tail.else;
    }
    return `CASE ${whens.join(" ")} ELSE ${this.render(tail)} END`;
  }

  private compare(e: Extract<Expr, { kind: "compare" }>): string {
    const a = this.render(e.left);
    const b = this.render(e.right);
    const op = { "<": "<", "<=": "<=", ">": ">", ">=": ">=", "===": "=", "!==": "<>" }[e.op];
    const plain = `(${a} ${op} ${b})`;
    if (e.operands !== "number" || !this.d.nanIsLargest) return plain;
    // Where NaN equals NaN and sorts above every number, JavaScript's `false` for any comparison
    // with NaN needs the side that could make it true checked.
    const notNaN = (side: Expr, text: string) =>
      side.kind === "number" && !Number.isNaN(side.value) ? undefined : `NOT ${this.d.isNaN(text)}`;
    let guard: string | undefined;
    if (e.op === "<" || e.op === "<=") guard = notNaN(e.right, b);
    else if (e.op === ">" || e.op === ">=" || e.op === "===") guard = notNaN(e.left, a);
    else return e.left.kind === "number" && !Number.isNaN(e.left.value) ? plain : `(${a} <> ${b} OR ${this.d.isNaN(a)})`;
    return guard ? `(${a} ${op} ${b} AND ${guard})` : plain;
  }

  private math(e: Extract<Expr, { kind: "math" }>): string {
    const d = this.d;
    const args = e.args.map((a) => this.render(a));
    const x = args[0]!;
    const reason = APPROXIMATE[e.fn];
    if (reason) this.approximate.add(reason);
    const rounding = (fn: "floor" | "ceil" | "trunc") => {
      const names = d.floorCeilTrunc;
      if ("unsupported" in names) this.unsupported(`Math.${e.fn}`, `no exact translation: ${names.unsupported}`, e.span);
      return `${names[fn]}(${x})`;
    };
    switch (e.fn) {
      case "abs":
        return `abs(${x})`;
      case "floor":
      case "ceil":
      case "trunc":
        return rounding(e.fn);
      case "round": {
        // Ties go up (JavaScript), not away from zero (SQL's round): x - floor(x) is exact.
        const floor = rounding("floor");
        const ceil = rounding("ceil");
        return `CASE WHEN ${x} - ${floor} >= ${d.number(0.5)} THEN ${ceil} ELSE ${floor} END`;
      }
      case "sqrt":
        return d.domainRaises ? `CASE WHEN ${x} < 0 THEN ${this.nan()} ELSE sqrt(${x}) END` : `sqrt(${x})`;
      case "log":
        return d.domainRaises
          ? `CASE WHEN ${x} = 0 THEN ${d.number(-Infinity)} WHEN ${x} < 0 THEN ${this.nan()} ELSE ${d.ln}(${x}) END`
          : `${d.ln}(${x})`;
      case "exp":
        return d.exp(x);
      case "pow": {
        const b = args[1]!;
        const pow = d.pow(x, b);
        if (typeof pow !== "string") this.unsupported("Math.pow", `no bounded translation: ${pow.unsupported}`, e.span);
        // JavaScript differs from C's pow: pow(x, NaN) and pow(±1, ±Infinity) are NaN.
        return `CASE WHEN ${d.isNaN(b)} OR (abs(${x}) = 1 AND ${d.isInfinite(b)}) THEN ${this.nan()} ELSE ${pow} END`;
      }
      case "min":
      case "max": {
        const b = args[1]!;
        const [smaller, larger] = e.fn === "min" ? [x, b] : [b, x];
        // Equal values: the same number, or zeros of either sign (min prefers -0, max +0).
        const zeros = e.fn === "min" ? d.negate(`(${d.negate(x)} - ${b})`) : `(${x} + ${b})`;
        return (
          `CASE WHEN ${d.isNaN(x)} OR ${d.isNaN(b)} THEN ${this.nan()} WHEN ${x} < ${b} THEN ${smaller} ` +
          `WHEN ${b} < ${x} THEN ${larger} WHEN ${x} = 0 THEN ${zeros} ELSE ${x} END`
        );
      }
    }
  }
}
