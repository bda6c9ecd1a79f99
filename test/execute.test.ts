/**
 * Behaviour of generated executors at run time: pruning, async overlap, sync results, checks
 * (fail and warn), the one row axis, missing inputs, unknown outputs, progress and chunks.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckFailedError, MissingInputError, RowAxisError, UnknownOutputError, type CheckWarning } from "../runtime/index.js";
import { REPO, buildOk, importFrom, removeWorkspace, workspace } from "./support/workspace.js";

type Execute = (outputs: readonly string[], inputs: Record<string, unknown>, options?: Record<string, unknown>) => unknown;

let dir: string;
let batch: Execute;
let online: Execute;

beforeAll(async () => {
  dir = workspace("execute", path.join(REPO, "test", "fixtures", "execute", "behaviour"));
  await buildOk(dir);
  batch = (await importFrom<{ execute: Execute }>(dir, "generated/batch.ts")).execute;
  online = (await importFrom<{ execute: Execute }>(dir, "generated/online.ts")).execute;
}, 60_000);
afterAll(() => removeWorkspace(dir));

const column = (...values: number[]) => Float64Array.from(values);

describe("pruning", () => {
  it("never runs a node that the requested outputs do not need", () => {
    expect(() => batch(["bounded", "ratio"], { x: column(1, 2), y: column(2, 4), limit: 3 })).not.toThrow();
    expect(() => online(["bounded"], { x: 1, y: 2, limit: 3 })).not.toThrow();
    expect(() => online(["uses_explode"], { x: 1, y: 2, limit: 3 })).toThrow(/explode ran/);
  });
});

describe("online", () => {
  it("is synchronous when no requested output needs an async node", () => {
    const result = online(["sum_xy", "ratio"], { x: 1, y: 4, limit: 3 });
    expect(result).not.toBeInstanceOf(Promise);
    expect(result).toEqual({ sum_xy: 3, ratio: 0.25 });
  });

  it("starts independent async lookups together and awaits them late", async () => {
    const events: string[] = [];
    const lookup = (name: string, value: number) => (id: number) => {
      events.push(`start ${name}`);
      return new Promise<number>((resolve) =>
        setTimeout(() => {
          events.push(`end ${name}`);
          resolve(value + id);
        }, 20),
      );
    };
    const pending = online(["both", "bounded"], { x: 2, id: 1, lookups: { a: lookup("a", 10), b: lookup("b", 100) } });
    expect(pending).toBeInstanceOf(Promise);
    expect(events).toEqual(["start a", "start b"]);
    expect(await pending).toEqual({ both: 112, bounded: 2 });
    expect(events.slice(2).sort()).toEqual(["end a", "end b"]);
  });

  it("rejects with the lookup's error, and a second failing lookup is not an unhandled rejection", async () => {
    const failing = { a: () => Promise.reject(new Error("a is down")), b: () => Promise.reject(new Error("b is down")) };
    await expect(online(["both"], { id: 1, lookups: failing }) as Promise<unknown>).rejects.toThrow("a is down");
    await new Promise((r) => setTimeout(r, 10));
  });

  it("throws CheckFailedError for one entity", () => {
    expect(() => online(["bounded"], { x: 11 })).toThrow(CheckFailedError);
  });
});

describe("checks in batch", () => {
  it("throws CheckFailedError with the node, the check, the count and the first rows", () => {
    try {
      batch(["bounded"], { x: column(1, 11, 2, -1, 30, 5, 12, 13, 14, 15), y: column(0, 0, 0, 0, 0, 0, 0, 0, 0, 0) });
      expect.fail("no error");
    } catch (e) {
      expect(e).toBeInstanceOf(CheckFailedError);
      const err = e as CheckFailedError;
      expect([err.node, err.check, err.failed, err.total]).toEqual(["bounded", "range(0, 10)", 7, 10]);
      expect(err.firstIndices).toEqual([1, 3, 4, 6, 7]);
    }
  });

  it("reports warn checks through onWarning and returns the result", () => {
    const warnings: CheckWarning[] = [];
    const result = batch(["soft"], { x: column(1, 9, 2) }, { onWarning: (w: CheckWarning) => warnings.push(w) }) as { soft: Float64Array };
    expect(Array.from(result.soft)).toEqual([2, 18, 4]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ node: "soft", check: "range(0, 10)", failed: 1, total: 3, firstIndices: [1] });
  });

  it("checks notNull (NaN counts as null)", () => {
    expect(() => batch(["ratio"], { x: column(0, 1), y: column(0, 1) })).toThrow(/notNull.*'ratio' for 1 of 2 rows/);
  });
});

describe("the row axis", () => {
  it("refuses columns of different lengths before computing any row, naming both", () => {
    expect(() => batch(["sum_xy"], { x: column(1, 2, 3), y: column(1, 2), limit: 9 })).toThrow(RowAxisError);
    expect(() => batch(["sum_xy"], { x: column(1, 2, 3), y: column(1, 2), limit: 9 })).toThrow(/'x' has 3 rows but 'y' has 2/);
  });

  it("computes nothing for zero rows", () => {
    const result = batch(["sum_xy"], { x: column(), y: column(), limit: 9 }) as { sum_xy: Float64Array };
    expect(result.sum_xy).toHaveLength(0);
  });
});

describe("bad calls from untyped code", () => {
  it("throws MissingInputError naming the input", () => {
    expect(() => batch(["sum_xy"], { x: column(1), limit: 1 })).toThrow(MissingInputError);
    expect(() => online(["sum_xy"], { x: 1, y: 2 })).toThrow(/input 'limit' of target 'online'/);
  });

  it("throws UnknownOutputError with a suggestion", () => {
    expect(() => online(["sum_x"], {})).toThrow(UnknownOutputError);
    expect(() => online(["sum_x"], {})).toThrow(/Did you mean 'sum_xy'/);
  });
});

describe("progress and chunks", () => {
  it("reports progress after every chunk and gives the same values", () => {
    const x = Float64Array.from({ length: 35 }, (_, i) => i % 10);
    const y = Float64Array.from({ length: 35 }, (_, i) => i + 1);
    const seen: number[] = [];
    const chunked = batch(
      ["sum_xy", "ratio"],
      { x, y, limit: 20 },
      { chunkRows: 10, onProgress: (p: { rows: number; total: number }) => seen.push(p.rows) },
    ) as Record<string, Float64Array>;
    const whole = batch(["sum_xy", "ratio"], { x, y, limit: 20 }) as Record<string, Float64Array>;
    expect(seen).toEqual([10, 20, 30, 35]);
    expect(Array.from(chunked.sum_xy!)).toEqual(Array.from(whole.sum_xy!));
    expect(() => batch(["sum_xy"], { x, y, limit: 20 }, { chunkRows: 0 })).toThrow(RangeError);
  });
});
