/** Column allocation: one buffer, no two columns at the same page offset, independent columns. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { newColumn } from "../../runtime/columns.js";
import { ALIASING_PAGE, allocateFloat64Columns, columnPageOffset } from "../../runtime/index.js";

/** Whether two byte ranges [start, start + length) overlap. */
function overlaps(a: Float64Array, b: Float64Array): boolean {
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

describe("allocateFloat64Columns", () => {
  it("carves every column from one buffer, each of the requested length and zeroed", () => {
    const columns = allocateFloat64Columns(1000, 5);
    expect(columns).toHaveLength(5);
    for (const column of columns) {
      expect(column.buffer).toBe(columns[0]!.buffer);
      expect(column.length).toBe(1000);
      expect(column.every((v) => v === 0)).toBe(true);
    }
  });

  it("starts no two columns at the same offset modulo 4096, and no columns overlap", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 80 }), (rows, count) => {
        const columns = allocateFloat64Columns(rows, count);
        expect(columns).toHaveLength(count);
        const offsets = columns.map((c) => c.byteOffset % ALIASING_PAGE);
        expect(new Set(offsets).size).toBe(count);
        for (let a = 0; a < count; a++) {
          expect(columns[a]!.byteOffset % 8).toBe(0);
          for (let b = a + 1; b < count; b++) if (rows > 0) expect(overlaps(columns[a]!, columns[b]!)).toBe(false);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("keeps the first 64 columns cache-line aligned and their page offsets distinct up to 512 columns", () => {
    const first64 = Array.from({ length: 64 }, (_, k) => columnPageOffset(k));
    expect(first64.every((offset) => offset % 64 === 0)).toBe(true);
    const first512 = Array.from({ length: 512 }, (_, k) => columnPageOffset(k));
    expect(new Set(first512).size).toBe(512);
    expect(first512.every((offset) => offset >= 0 && offset < ALIASING_PAGE && offset % 8 === 0)).toBe(true);
  });

  it("staggers columns whose size is a whole number of pages (8 MB, the case that aliased)", () => {
    const columns = allocateFloat64Columns(1 << 20, 3);
    expect(columns.map((c) => c.byteOffset % ALIASING_PAGE)).toEqual([0, 192, 384]);
  });

  it("gives independent columns: a write to one is seen in no other", () => {
    const columns = allocateFloat64Columns(513, 4);
    columns.forEach((column, k) => column.fill(k + 1));
    columns.forEach((column, k) => expect(column.every((v) => v === k + 1)).toBe(true));
  });

  it("returns no columns for count 0 and empty columns for 0 rows", () => {
    expect(allocateFloat64Columns(100, 0)).toEqual([]);
    expect(allocateFloat64Columns(0, 3).map((c) => c.length)).toEqual([0, 0, 0]);
  });

  it("refuses negative or fractional sizes", () => {
    expect(() => allocateFloat64Columns(-1, 2)).toThrow(RangeError);
    expect(() => allocateFloat64Columns(10, 1.5)).toThrow(RangeError);
  });
});

describe("newColumn (the DuckDB reader's columns of booleans and strings)", () => {
  it("fills a hole-free array of the requested length", () => {
    const flags = newColumn(4, false);
    expect(flags).toEqual([false, false, false, false]);
    expect(Object.keys(flags)).toEqual(["0", "1", "2", "3"]);
    expect(newColumn(3, "x")).toEqual(["x", "x", "x"]);
    expect(newColumn(0, 1)).toEqual([]);
  });
});
