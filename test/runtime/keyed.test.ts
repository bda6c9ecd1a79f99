/** The key indexes agree with a Map (first row wins) on every kind of key set; joins gather by key. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NumericKeyIndex, StringKeyIndex, gather, joinColumn } from "../../runtime/index.js";

/** The reference: key → first row holding it, with Map semantics except that NaN matches nothing. */
function firstRows<K>(keys: readonly K[]): Map<K, number> {
  const rows = new Map<K, number>();
  keys.forEach((key, row) => {
    if (!(typeof key === "number" && Number.isNaN(key)) && !rows.has(key)) rows.set(key, row);
  });
  return rows;
}

/** What the index should answer for `key`, per the reference. */
function expectedRow(reference: Map<number, number>, key: number): number {
  return Number.isNaN(key) ? -1 : (reference.get(key) ?? -1);
}

const keySets = {
  "dense integer keys": fc.array(fc.integer({ min: -50, max: 200 }), { maxLength: 300 }),
  "dense keys with many duplicates": fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 200 }),
  "sparse integer keys": fc.array(fc.integer({ min: -2e9, max: 2e9 }), { maxLength: 300 }),
  "negative and fractional keys": fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 300 }),
  "any doubles (NaN, ±0, ±Infinity, subnormals)": fc.array(fc.double(), { maxLength: 300 }),
  "a mix of everything": fc.array(
    fc.oneof(fc.integer({ min: -60, max: 210 }), fc.double(), fc.constantFrom(0, -0, NaN, 2 ** 53, -(2 ** 53))),
    {
      maxLength: 300,
    },
  ),
} as const;
const probes = fc.array(fc.oneof(fc.integer({ min: -60, max: 210 }), fc.double()), { maxLength: 50 });

describe("NumericKeyIndex", () => {
  for (const [name, keySet] of Object.entries(keySets)) {
    it(`agrees with a Map on ${name}`, () => {
      fc.assert(
        fc.property(keySet, probes, fc.boolean(), (keys, extra, asArray) => {
          const index = NumericKeyIndex.build(asArray ? keys : Float64Array.from(keys));
          const reference = firstRows(keys);
          expect(index.rows).toBe(keys.length);
          for (const key of [...keys, ...extra, 0.5, -0, NaN, Infinity, -Infinity])
            expect(index.get(key)).toBe(expectedRow(reference, key));
        }),
        { numRuns: 150 },
      );
    });
  }

  it("takes the dense fast path for compact integer keys and hashes the rest", () => {
    expect(NumericKeyIndex.build(Float64Array.from({ length: 1000 }, (_, i) => 5000 + ((i * 7) % 1000))).isDense).toBe(true);
    expect(NumericKeyIndex.build(Float64Array.from({ length: 1000 }, (_, i) => i * 1e6)).isDense).toBe(false);
    expect(NumericKeyIndex.build([1, 2, 2.5]).isDense).toBe(false);
    expect(NumericKeyIndex.build([1, 2, NaN]).isDense).toBe(false);
    expect(NumericKeyIndex.build([]).isDense).toBe(false);
  });

  it("gives the first row of a duplicated key, on both paths", () => {
    expect(NumericKeyIndex.build([7, 3, 7, 3]).get(7)).toBe(0);
    expect(NumericKeyIndex.build([7, 3, 7, 3]).get(3)).toBe(1);
    expect(NumericKeyIndex.build([7e12, 3.5, 7e12, 3.5]).get(7e12)).toBe(0);
    expect(NumericKeyIndex.build([7e12, 3.5, 7e12, 3.5]).get(3.5)).toBe(1);
  });

  it("treats -0 as 0 and never matches NaN", () => {
    for (const keys of [
      [0, 1, 2],
      [-0, 1e12, 0.5],
    ]) {
      const index = NumericKeyIndex.build(keys);
      expect(index.get(-0)).toBe(0);
      expect(index.get(0)).toBe(0);
    }
    expect(NumericKeyIndex.build([NaN, 1.5]).get(NaN)).toBe(-1);
  });

  it("finds every key of a large sparse set (probing past collisions)", () => {
    const keys = Float64Array.from({ length: 50_000 }, (_, i) => (i * 2654435761) % 2 ** 40);
    const index = NumericKeyIndex.build(keys);
    expect(index.isDense).toBe(false);
    let wrong = 0;
    for (let i = 0; i < keys.length; i++) if (index.get(keys[i]!) !== i) wrong++;
    expect(wrong).toBe(0);
    expect(index.get(2 ** 41)).toBe(-1);
  });
});

describe("StringKeyIndex", () => {
  it("agrees with a Map, first row winning", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 3 }), { maxLength: 100 }), fc.array(fc.string({ maxLength: 3 })), (keys, extra) => {
        const index = StringKeyIndex.build(keys);
        const reference = firstRows(keys);
        expect(index.rows).toBe(keys.length);
        for (const key of [...keys, ...extra]) expect(index.get(key)).toBe(reference.get(key) ?? -1);
      }),
    );
  });
});

describe("joinColumn and gather", () => {
  it("join a numeric column by key, with a value for missing keys", () => {
    const index = NumericKeyIndex.build(Float64Array.from([30, 10, 20]));
    const joined = joinColumn([10, 20, 99, 30], index, [3, 1, 2], -1);
    expect(joined).toBeInstanceOf(Float64Array);
    expect(Array.from(joined)).toEqual([1, 2, -1, 3]);
    expect(Number.isNaN(joinColumn([5], index, [3, 1, 2])[0])).toBe(true);
  });

  it("join through a string index too", () => {
    const index = StringKeyIndex.build(["b", "a"]);
    expect(Array.from(joinColumn(["a", "b", "c"], index, [2, 1], 0))).toEqual([1, 2, 0]);
  });

  it("gather values of any type into a packed array", () => {
    const index = NumericKeyIndex.build([1e9, 2e9]);
    expect(gather([2e9, 3e9, 1e9], index, ["two", "one"].reverse(), "none")).toEqual(["two", "none", "one"]);
    expect(gather(["x"], StringKeyIndex.build(["x"]), [true], false)).toEqual([true]);
  });

  it("refuse a value column that is not the indexed table's", () => {
    const index = NumericKeyIndex.build([1, 2, 3]);
    expect(() => joinColumn([1], index, [1, 2])).toThrow(/value column has 2 rows but the key index was built from 3/);
    expect(() => gather([1], index, ["a"], "")).toThrow(RangeError);
  });

  it("agree with a Map-based join on random tables", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1e6, max: 1e6 }), { maxLength: 200 }),
        fc.array(fc.integer({ min: -1e6, max: 1e6 }), { maxLength: 200 }),
        (tableKeys, keys) => {
          const values = tableKeys.map((_, i) => i * 0.5);
          const reference = firstRows(tableKeys);
          const joined = joinColumn(keys, NumericKeyIndex.build(tableKeys), values, -1);
          expect(Array.from(joined)).toEqual(keys.map((k) => (reference.has(k) ? values[reference.get(k)!]! : -1)));
        },
      ),
    );
  });
});
