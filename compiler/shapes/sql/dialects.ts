/**
 * What differs between SQL engines where JavaScript's meaning must be kept, measured on the
 * engines themselves (test/sql): how a double literal is written with its exact bits, whether
 * NaN equals itself and sorts above every number, whether a division by zero, a square root or
 * logarithm of a negative number, or an overflow raises instead of giving IEEE's answer.
 */
import type { SqlDialect } from "../../../runtime/sql/identifiers.js";

export type Dialect = SqlDialect;

export interface DialectRules {
  /** The name of the IEEE double type. */
  readonly double: string;
  /** An exact double literal (NaN, ±Infinity and -0 included). */
  number(value: number): string;
  /** A string literal. */
  string(value: string): string;
  boolean(value: boolean): string;
  /** Logical negation. */
  not(x: string): string;
  /** Arithmetic negation (flips the sign of zeros and NaN too). */
  negate(x: string): string;
  isNaN(x: string): string;
  isInfinite(x: string): string;
  /** True when NaN = NaN and NaN > every number (DuckDB, PostgreSQL, Spark); false for IEEE comparisons. */
  readonly nanIsLargest: boolean;
  /** `a / b` when it must give IEEE's answer for b = ±0; undefined: the engine's `/` already does. */
  divide?(a: string, b: string): string;
  /** `a % b` with JavaScript's meaning (C's fmod), or the reason there is none. */
  remainder(a: string, b: string): string | { readonly unsupported: string };
  /** Whether `sqrt`/`ln` of a negative number (or `ln(0)`) raises instead of giving NaN / -Infinity. */
  readonly domainRaises: boolean;
  readonly ln: string;
  readonly floorCeilTrunc: { readonly floor: string; readonly ceil: string; readonly trunc: string } | { readonly unsupported: string };
  /** `exp(x)` with the engine's libm, guarded where the engine raises on overflow or underflow. */
  exp(x: string): string;
  /** `Math.pow` special cases that differ from C's `pow` are handled by the caller. */
  pow(a: string, b: string): string | { readonly unsupported: string };
  /** A string's length in UTF-16 code units, as a double. */
  utf16Length(s: string): string | { readonly unsupported: string };
  startsWith(s: string, prefix: string): string;
  /** Arithmetic that raises where JavaScript overflows to ±Infinity or underflows to 0. */
  readonly arithmeticRaises?: string;
}

/** The IEEE bits of a double as 16 hex digits, little-endian (the byte order engines reinterpret). */
function littleEndianHex(value: number): string {
  const bytes = new Uint8Array(new Float64Array([value]).buffer);
  return [...bytes].map((b) => b.toString(16).padStart(2, "0").toUpperCase()).join("");
}

/** JavaScript's shortest round-trip spelling, which every engine's text-to-double parse reads back exactly. */
function spelling(value: number): string {
  if (Object.is(value, -0)) return "-0";
  return String(value);
}

function quoted(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function quotedWithBackslashes(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** Code points plus the astral ones again (each is two UTF-16 units), for engines whose length counts code points. */
const utf16LengthFrom = (fn: string, astral: string, double: string) => (s: string) =>
  `CAST(${fn}(${s}) + ${fn}(regexp_replace(${s}, '[^${astral}]', '', 'g')) AS ${double})`;

export const DIALECT_RULES: Readonly<Record<Dialect, DialectRules>> = {
  duckdb: {
    double: "DOUBLE",
    number: (v) => (Number.isSafeInteger(v) && !Object.is(v, -0) ? `${v}::DOUBLE` : `'${spelling(v)}'::DOUBLE`),
    string: quoted,
    boolean: (v) => (v ? "TRUE" : "FALSE"),
    not: (x) => `(NOT ${x})`,
    negate: (x) => `(- ${x})`,
    isNaN: (x) => `isnan(${x})`,
    isInfinite: (x) => `isinf(${x})`,
    nanIsLargest: true,
    remainder: () => ({ unsupported: "DuckDB's fmod is not C's (fmod(0, Infinity) is NaN, a zero result loses its sign)" }),
    domainRaises: true,
    ln: "ln",
    floorCeilTrunc: { floor: "floor", ceil: "ceil", trunc: "trunc" },
    exp: (x) => `exp(${x})`,
    pow: (a, b) => `pow(${a}, ${b})`,
    utf16Length: utf16LengthFrom("length", "\\x{10000}-\\x{10FFFF}", "DOUBLE"),
    startsWith: (s, p) => `starts_with(${s}, ${p})`,
  },
  clickhouse: {
    double: "Float64",
    number: (v) =>
      Number.isSafeInteger(v) && !Object.is(v, -0)
        ? `toFloat64(${v})`
        : `reinterpretAsFloat64(unhex('${littleEndianHex(v)}')) /* ${spelling(v)} */`,
    string: quotedWithBackslashes,
    boolean: (v) => (v ? "1" : "0"),
    // ClickHouse 18 re-serialises NOT inside function arguments for its shards so that they cannot parse it.
    not: (x) => `(${x} = 0)`,
    // …and writes -(-x) as --x, a comment; multiplying by -1 flips the sign just as exactly.
    negate: (x) => `(${x} * toFloat64(-1))`,
    isNaN: (x) => `isNaN(${x})`,
    isInfinite: (x) => `isInfinite(${x})`,
    nanIsLargest: false,
    remainder: () => ({ unsupported: "ClickHouse's % truncates doubles to integers" }),
    domainRaises: false,
    ln: "log",
    floorCeilTrunc: { floor: "floor", ceil: "ceil", trunc: "trunc" },
    exp: (x) => `exp(${x})`,
    pow: (a, b) => `pow(${a}, ${b})`,
    utf16Length: (s) => `toFloat64(lengthUTF8(replaceRegexpAll(${s}, '[\\\\x{10000}-\\\\x{10FFFF}]', '..')))`,
    startsWith: (s, p) => `startsWith(${s}, ${p})`,
  },
  postgres: {
    double: "double precision",
    number: (v) => (Number.isSafeInteger(v) && !Object.is(v, -0) ? `${v}::float8` : `'${spelling(v)}'::float8`),
    string: quoted,
    boolean: (v) => (v ? "TRUE" : "FALSE"),
    not: (x) => `(NOT ${x})`,
    negate: (x) => `(- ${x})`,
    isNaN: (x) => `(${x} = 'NaN'::float8)`,
    isInfinite: (x) => `(abs(${x}) = 'Infinity'::float8)`,
    nanIsLargest: true,
    divide: (a, b) => ieeeDivide(a, b, "(" + a + " = 'NaN'::float8)", "float8", (x) => `'${x}'::float8`),
    remainder: () => ({ unsupported: "PostgreSQL has no fmod for double precision" }),
    domainRaises: true,
    ln: "ln",
    floorCeilTrunc: { floor: "floor", ceil: "ceil", trunc: "trunc" },
    // PostgreSQL raises where exp overflows or gives a subnormal or zero result.
    exp: (x) =>
      `CASE WHEN (${x} = 'NaN'::float8) THEN ${x} WHEN ${x} > 709.782712893384::float8 THEN 'Infinity'::float8 ` +
      `WHEN ${x} < '-745.1332191019412'::float8 THEN 0::float8 WHEN ${x} < -708::float8 THEN exp(${x} + 64::float8) * '1.603810890548638e-28'::float8 ELSE exp(${x}) END`,
    pow: () => ({
      unsupported:
        "PostgreSQL's power raises for a negative base with a fractional exponent, zero to a negative power, overflow and underflow",
    }),
    utf16Length: utf16LengthFrom("char_length", "\\U00010000-\\U0010FFFF", "double precision"),
    startsWith: (s, p) => `starts_with(${s}, ${p})`,
    arithmeticRaises: "PostgreSQL raises 'value out of range' where JavaScript overflows to ±Infinity or underflows to 0",
  },
  spark: {
    double: "DOUBLE",
    number: (v) =>
      Number.isSafeInteger(v) && !Object.is(v, -0) ? `CAST(${v} AS DOUBLE)` : `CAST('${Number.isNaN(v) ? "NaN" : spelling(v)}' AS DOUBLE)`,
    string: quotedWithBackslashes,
    boolean: (v) => (v ? "TRUE" : "FALSE"),
    not: (x) => `(NOT ${x})`,
    negate: (x) => `(- ${x})`,
    isNaN: (x) => `isnan(${x})`,
    isInfinite: (x) => `(abs(${x}) = CAST('Infinity' AS DOUBLE))`,
    nanIsLargest: true,
    divide: (a, b) => ieeeDivide(a, b, `isnan(${a})`, "DOUBLE", (x) => `CAST('${x}' AS DOUBLE)`),
    remainder: (a, b) => `CASE WHEN ${b} = 0 THEN CAST('NaN' AS DOUBLE) ELSE ${a} % ${b} END`,
    domainRaises: false,
    ln: "ln",
    floorCeilTrunc: { unsupported: "Spark's floor and ceil return BIGINT (signed zero and large values are lost)" },
    exp: (x) => `exp(${x})`,
    pow: (a, b) => `pow(${a}, ${b})`,
    utf16Length: (s) => `CAST(length(${s}) + length(regexp_replace(${s}, '[^\\\\x{10000}-\\\\x{10FFFF}]', '')) AS DOUBLE)`,
    startsWith: (s, p) => `(substring(${s}, 1, length(${p})) = ${p})`,
  },
  bigquery: {
    double: "FLOAT64",
    number: (v) =>
      Number.isSafeInteger(v) && !Object.is(v, -0)
        ? `CAST(${v} AS FLOAT64)`
        : `CAST('${Number.isNaN(v) ? "NaN" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : spelling(v)}' AS FLOAT64)`,
    string: quotedWithBackslashes,
    boolean: (v) => (v ? "TRUE" : "FALSE"),
    not: (x) => `(NOT ${x})`,
    negate: (x) => `(- ${x})`,
    isNaN: (x) => `IS_NAN(${x})`,
    isInfinite: (x) => `IS_INF(${x})`,
    nanIsLargest: false,
    divide: (a, b) => `IEEE_DIVIDE(${a}, ${b})`,
    remainder: () => ({ unsupported: "BigQuery's MOD takes no FLOAT64" }),
    domainRaises: true,
    ln: "LN",
    floorCeilTrunc: { floor: "FLOOR", ceil: "CEIL", trunc: "TRUNC" },
    exp: (x) => `EXP(${x})`,
    pow: (a, b) => `POW(${a}, ${b})`,
    utf16Length: (s) => `CAST(LENGTH(${s}) + LENGTH(REGEXP_REPLACE(${s}, r'[^\\x{10000}-\\x{10FFFF}]', '')) AS FLOAT64)`,
    startsWith: (s, p) => `STARTS_WITH(${s}, ${p})`,
    arithmeticRaises: "BigQuery raises on overflow where JavaScript gives ±Infinity",
  },
};

/**
 * `a / b` with IEEE's answer for a zero divisor, for engines that raise or give NULL: ±Infinity
 * by the signs of `a` and of the zero (`atan2(-0, -1)` is -π), NaN for 0/0 and NaN/0.
 */
function ieeeDivide(a: string, b: string, aIsNaN: string, type: string, constant: (text: string) => string): string {
  return (
    `CASE WHEN ${b} = 0 THEN CASE WHEN ${a} = 0 OR ${aIsNaN} THEN ${constant("NaN")} ` +
    `WHEN (${a} > 0) = (atan2(${b}, CAST(-1 AS ${type})) > 0) THEN ${constant("Infinity")} ELSE ${constant("-Infinity")} END ELSE ${a} / ${b} END`
  );
}
