/** The typed key index agrees with a Map (first row wins) on every kind of key set. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NumericKeyIndex, joinColumn } from "../../runtime/index.js";

function firstRows(keys: readonly number[]): Map<number, number> {
  const m = new Map<number, number>();
  keys.forEach((k, i) => {
    const key = Object.is(k, -0) ? 0 : k;
    if (!Number.isNaN(key) && !m.has(key)) m.set(key, i);
  });
  return m;
}

const dense = fc.array(fc.integer({ min: -50, max: 200 }), { maxLength: 300 });
const sparse = fc.array(fc.oneof(fc.integer({ min: -1e9, max: 1e9 }), fc.double({ noDefaultInfinity: true })), { maxLength: 300 });

describe("NumericKeyIndex", () => {
  for (const [name, arb] of [["dense integer keys", dense], ["sparse, fractional and special keys", sparse]] as const) {
    it(`agrees with a Map on ${name}`, () => {
      fc.assert(
        fc.property(arb, fc.array(fc.oneof(fc.integer({ min: -60, max: 210 }), fc.double()), { maxLength: 50 }), (keys, probes) => {
          const index = new NumericKeyIndex(Float64Array.from(keys));
          const expected = firstRows(keys);
          for (const k of [...keys, ...probes, 0.5, -0, NaN]) {
            const key = Object.is(k, -0) ? 0 : k;
            expect(index.get(k)).toBe(Number.isNaN(key) ? -1 : (expected.get(key) ?? -1));
          }
        }),
        { numRuns: 200 },
      );
    });
  }

  it("joins a column by key, with a value for missing keys", () => {
    const index = new NumericKeyIndex(Float64Array.from([30, 10, 20]));
    expect(Array.from(joinColumn([10, 20, 99, 30], index, [3, 1, 2], -1))).toEqual([1, 2, -1, 3]);
  });
});
