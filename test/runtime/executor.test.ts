/** The helpers generated executors call: the row axis, chunk sizes, check reporting, handled promises. */
import { describe, expect, it } from "vitest";
import { CheckFailedError, RowAxis, RowAxisError, chunkRowsFor, handled, reportCheck, type CheckWarning } from "../../runtime/index.js";

describe("RowAxis", () => {
  it("takes its length from the first value and refuses another length, naming both values", () => {
    const axis = new RowAxis();
    expect(axis.rows).toBe(0);
    axis.add("age", 3);
    axis.add("budget", 3);
    expect(axis.rows).toBe(3);
    expect(() => axis.add("gender", 2)).toThrow(RowAxisError);
    expect(() => axis.add("gender", 2)).toThrow("'age' has 3 rows but 'gender' has 2");
  });

  it("fixes its length at zero rows too: an empty value and a non-empty one disagree", () => {
    const axis = new RowAxis();
    axis.add("empty", 0);
    axis.add("none", 0);
    expect(axis.rows).toBe(0);
    expect(() => axis.add("age", 7)).toThrow("'empty' has 0 rows but 'age' has 7");
  });
});

describe("chunkRowsFor", () => {
  it("runs all rows in one chunk without progress, 65,536-row chunks with it, or what was asked", () => {
    expect(chunkRowsFor(undefined, 1000)).toBe(1000);
    expect(chunkRowsFor({}, 0)).toBe(1);
    expect(chunkRowsFor({ onProgress: () => {} }, 1000)).toBe(65536);
    expect(chunkRowsFor({ chunkRows: 7 }, 1000)).toBe(7);
    expect(() => chunkRowsFor({ chunkRows: 0 }, 10)).toThrow(RangeError);
    expect(() => chunkRowsFor({ chunkRows: 2.5 }, 10)).toThrow(/positive integer, got 2.5/);
  });
});

describe("reportCheck", () => {
  it("throws CheckFailedError for a failing check", () => {
    expect(() => reportCheck(undefined, { node: "age", check: "range(0, 120)", warn: false, failed: 2, total: 10, first: [1, 5] })).toThrow(
      CheckFailedError,
    );
    expect(() =>
      reportCheck({ onWarning: () => {} }, { node: "age", check: "range(0, 120)", warn: false, failed: 2, total: 10, first: [1, 5] }),
    ).toThrow("for 2 of 10 rows (first at rows 1, 5)");
  });

  it("hands a warn check to onWarning with a copy of the indices, and is silent without it", () => {
    const warnings: CheckWarning[] = [];
    const indices = [4];
    reportCheck({ onWarning: (w) => warnings.push(w) }, { node: "n", check: "notNull", warn: true, failed: 1, total: 9, first: indices });
    indices.push(5);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ node: "n", check: "notNull", failed: 1, total: 9, firstIndices: [4] });
    expect(() => reportCheck(undefined, { node: "n", check: "notNull", warn: true, failed: 1, total: 9, first: [4] })).not.toThrow();
  });
});

describe("handled", () => {
  it("returns its argument and keeps a later-awaited rejection from being unhandled", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const failing = handled(Promise.reject(new Error("down")));
      await new Promise((resolve) => setTimeout(resolve, 10));
      await expect(failing).rejects.toThrow("down");
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
    expect(handled(5)).toBe(5);
    expect(handled(null)).toBe(null);
  });
});
