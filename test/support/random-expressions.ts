/**
 * Random feature functions over two numbers `a` and `b`, as TypeScript source: arithmetic,
 * negation, the exact Math functions (abs, floor, ceil, trunc, round, sqrt, min, max),
 * comparisons, &&, ||, ! and ternaries, with literals chosen where engines and V8 part ways
 * (NaN, ±0, ±Infinity, ties, the largest and smallest doubles). Deterministic for a seed.
 */
import fc from "fast-check";

const LITERALS = ["0", "-0", "1", "0.5", "2.5", "3", "100", "0.1", "1e308", "5e-324", "NaN", "Infinity", "-Infinity"];

const { num } = fc.letrec<{ num: string; bool: string }>((tie) => ({
  num: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom("a", "b"),
    // Typed as number, so TypeScript does not flag a comparison of two literals.
    fc.constantFrom(...LITERALS).map((l) => `(${l} as number)`),
    fc.tuple(tie("num"), fc.constantFrom("+", "-", "*", "/"), tie("num")).map(([l, op, r]) => `(${l} ${op} ${r})`),
    tie("num").map((x) => `-(${x})`),
    fc.tuple(fc.constantFrom("abs", "floor", "ceil", "trunc", "round", "sqrt"), tie("num")).map(([f, x]) => `Math.${f}(${x})`),
    fc.tuple(fc.constantFrom("min", "max"), tie("num"), tie("num")).map(([f, x, y]) => `Math.${f}(${x}, ${y})`),
    fc.tuple(tie("bool"), tie("num"), tie("num")).map(([c, x, y]) => `(${c} ? ${x} : ${y})`),
  ),
  bool: fc.oneof(
    { depthSize: "small" },
    fc.tuple(tie("num"), fc.constantFrom("<", "<=", ">", ">=", "===", "!=="), tie("num")).map(([l, op, r]) => `(${l} ${op} ${r})`),
    fc.tuple(tie("bool"), fc.constantFrom("&&", "||"), tie("bool")).map(([l, op, r]) => `(${l} ${op} ${r})`),
    tie("bool").map((x) => `!${x}`),
  ),
}));

/** `count` exported functions `random_0 … random_{count-1}(a: number, b: number): number`. */
export function randomExpressionCatalog(seed: number, count: number): string {
  const bodies = fc.sample(num, { seed, numRuns: count });
  return bodies.map((body, i) => `export function random_${i}(a: number, b: number): number {\n  return ${body};\n}\n`).join("\n");
}
