/**
 * featc/sql's plain functions: identifier quoting per dialect, ClickHouse's inline binding for
 * servers without query parameters, and the ulp distance and per-node verdicts of parity.
 */
import { describe, expect, it } from "vitest";
import { inlineParameters } from "../../runtime/sql/connection.js";
import { SqlInputError, quoteIdentifier, quoteTableName } from "../../runtime/sql/identifiers.js";
import { compareNode, compareRuns, ulpDistance } from "../../runtime/sql/parity.js";

describe("quoteIdentifier", () => {
  it("quotes a name whatever it holds, doubling or escaping the dialect's quote", () => {
    expect(quoteIdentifier("duckdb", `a"b; --`)).toBe(`"a""b; --"`);
    expect(quoteIdentifier("postgres", "x")).toBe(`"x"`);
    expect(quoteIdentifier("clickhouse", "a`b\\c")).toBe("`a\\`b\\\\c`");
    expect(quoteIdentifier("spark", "a`b")).toBe("`a``b`");
    expect(quoteTableName("duckdb", ["main", "t"])).toBe(`"main"."t"`);
  });
  it("refuses a name that no engine can hold", () => {
    expect(() => quoteIdentifier("duckdb", "")).toThrow(SqlInputError);
    expect(() => quoteIdentifier("postgres", "a\0b")).toThrow(/NUL/);
    expect(() => quoteTableName("duckdb", [])).toThrow(SqlInputError);
  });
});

describe("inlineParameters", () => {
  const p = (name: string, type: "number" | "string" | "boolean", value: number | string | boolean) => ({ name, type, value });
  it("replaces placeholders with hex-encoded exact values, leaving strings, quoted names and comments alone", () => {
    const sql = "SELECT {p1:Float64}, '{p1:Float64}', `{p1:Float64}`, {p2:String} -- {p1:Float64}\n/* {p2:String} */ {p3:UInt8}";
    expect(inlineParameters("clickhouse", sql, [p("p1", "number", 0.1), p("p2", "string", "'; x"), p("p3", "boolean", true)])).toBe(
      "SELECT reinterpretAsFloat64(unhex('9A9999999999B93F')), '{p1:Float64}', `{p1:Float64}`, unhex('273B2078') -- {p1:Float64}\n/* {p2:String} */ toUInt8(1)",
    );
  });
  it("refuses a placeholder without a value", () => {
    expect(() => inlineParameters("clickhouse", "SELECT {p9:Float64}", [])).toThrow(/p9/);
  });
  it("writes $n placeholders of DuckDB and PostgreSQL as exact literals, quotes doubled, outside strings and comments", () => {
    const sql = "SELECT $1::float8, '$1', \"$2\", $2 -- $1\n/* $3 */ $3, $10";
    const values = [p("p1", "number", -0), p("p2", "string", "it's; --"), p("p3", "boolean", false)];
    expect(inlineParameters("postgres", sql.replace("$10", "1"), values)).toBe(
      "SELECT '-0'::float8::float8, '$1', \"$2\", 'it''s; --' -- $1\n/* $3 */ FALSE, 1",
    );
    expect(inlineParameters("duckdb", "SELECT $1, $2", [p("p1", "number", 0.1), p("p2", "number", NaN)])).toBe(
      "SELECT '0.1'::DOUBLE, 'NaN'::DOUBLE",
    );
    expect(() => inlineParameters("duckdb", "SELECT $10", values)).toThrow(/\$10/);
    expect(() => inlineParameters("postgres", "SELECT $1", [p("p1", "string", "a\0b")])).toThrow(/NUL/);
  });
});

describe("parity", () => {
  it("counts the doubles between two values", () => {
    expect(ulpDistance(1, 1)).toBe(0);
    expect(ulpDistance(1, 1 + Number.EPSILON)).toBe(1);
    expect(ulpDistance(-1, -1 - Number.EPSILON)).toBe(1);
    expect(ulpDistance(0, -0)).toBe(1);
    expect(ulpDistance(5e-324, -5e-324)).toBe(3);
    expect(ulpDistance(NaN, NaN)).toBe(0);
    expect(ulpDistance(NaN, 1)).toBe(Infinity);
  });
  it("gives each node a verdict and its worst row", () => {
    expect(compareNode("a", [1, NaN, -0], [1, NaN, -0]).verdict).toBe("bit-identical");
    expect(compareNode("s", ["x", true], ["x", true]).verdict).toBe("equal");
    const close = compareNode("p", [1, 2, 3], [1, 2 + 2 * Number.EPSILON, 3], 2);
    expect(close).toMatchObject({ verdict: "within-ulps", maxUlps: 1, rowsDiffering: 1, ok: true, worstRow: { index: 1 } });
    expect(compareNode("q", [0, 1], [-0, 1]).ok).toBe(false);
    expect(() => compareNode("r", [1], [])).toThrow(RangeError);
  });
});

describe("compareRuns", () => {
  it("matches rows on the key and applies each node's bound to its fields", () => {
    const left = { id: [1, 2, 3], p: [0.5, 1, 2], "f.x": [1, 2, 3] };
    const right = { id: [3, 1, 2], p: [2, 0.5, 1 + Number.EPSILON], "f.x": [3, 1, 2] };
    const found = compareRuns(left, right, { key: "id", bounds: { p: { boundUlps: 1 } } });
    expect(found.map((f) => [f.node, f.verdict])).toEqual([
      ["id", "bit-identical"],
      ["p", "within-ulps"],
      ["f.x", "bit-identical"],
    ]);
    expect(() => compareRuns(left, { id: [1, 2, 4] }, { key: "id" })).toThrow(/not in the other/);
    expect(() => compareRuns({ id: [1, 1] }, { id: [1, 1] }, { key: "id" })).toThrow(/exactly once/);
  });
});
