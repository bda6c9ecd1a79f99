/**
 * Windowed aggregation: the batch kernels (sliding, O(n) per group) against a naive evaluation
 * that builds every row's frame from its definition and calls the runtime aggregate on it — on
 * random data with ties and gaps in the order key, NaN, ±0, infinities and groups shorter than
 * the frame. Results must be bit-identical (Object.is), which is what lets an online request,
 * calling the aggregate on the frame it is given, agree with the batch run.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  count,
  first,
  last,
  max,
  mean,
  min,
  rollingAggregate,
  rollingReduce,
  stddev,
  sum,
  windowGroups,
  type RollingAggregate,
  type Window,
  type WindowFrame,
} from "featc";

const RUNTIME: Readonly<Record<RollingAggregate, (w: Window<number>) => number>> = { sum, mean, count, min, max, stddev, first, last };
/** The runtime's aggregates called on a frame of numbers as featc builds one: a Float64Array. */
const AGGREGATES = Object.fromEntries(
  Object.entries(RUNTIME).map(([name, aggregate]) => [name, (w: readonly number[]) => aggregate(Float64Array.from(w))]),
) as Readonly<Record<RollingAggregate, (w: readonly number[]) => number>>;

interface Data {
  by: (number | string)[];
  order: number[];
  values: number[];
}

/** The frame of row i, oldest first, from the definition: no shared code with the kernel. */
function naiveFrame(data: Data, i: number, frame: WindowFrame): number[] {
  const group = data.by.map((_, j) => j).filter((j) => data.by[j] === data.by[i]);
  group.sort((a, b) => data.order[a]! - data.order[b]! || a - b);
  const p = group.indexOf(i);
  const members =
    frame.kind === "rows"
      ? group.filter((_, j) => j <= p - frame.lag && j >= p - frame.lag - frame.size + 1)
      : group.filter((j) => data.order[j]! <= data.order[i]! - frame.lag && data.order[j]! > data.order[i]! - frame.lag - frame.size);
  return members.map((j) => data.values[j]!);
}

const value = fc.oneof(
  { weight: 12, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
  { weight: 4, arbitrary: fc.integer({ min: -5, max: 5 }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, -0, 0, Infinity, -Infinity, 0.1, 1e15) },
);

const data = fc.integer({ min: 0, max: 48 }).chain((n) =>
  fc.record({
    by: fc.array(fc.constantFrom<number | string>(0, 1, 2, "a", "b"), { minLength: n, maxLength: n }),
    // Few distinct days: ties; integers and halves with holes between them: gaps.
    order: fc.array(
      fc.integer({ min: 0, max: 24 }).map((d) => d / 2),
      { minLength: n, maxLength: n },
    ),
    values: fc.array(value, { minLength: n, maxLength: n }),
  }),
);

const frame: fc.Arbitrary<WindowFrame> = fc.oneof(
  fc.record({ kind: fc.constant("rows" as const), size: fc.integer({ min: 1, max: 7 }), lag: fc.integer({ min: 0, max: 3 }) }),
  fc.record({
    kind: fc.constant("range" as const),
    size: fc.integer({ min: 1, max: 16 }).map((s) => s / 2),
    lag: fc.integer({ min: 0, max: 6 }).map((l) => l / 2),
  }),
);

describe("rollingAggregate", () => {
  for (const name of Object.keys(AGGREGATES) as RollingAggregate[]) {
    it(`${name}: bit-identical to the aggregate called on each row's frame`, () => {
      fc.assert(
        fc.property(data, frame, (d, f) => {
          const got = rollingAggregate(windowGroups(d.by, d.order), d.values, f, name);
          expect(got.length).toBe(d.values.length);
          for (let i = 0; i < d.values.length; i++) {
            const want = AGGREGATES[name](naiveFrame(d, i, f));
            if (!Object.is(got[i], want))
              throw new Error(`row ${i}: ${got[i]} but the frame gives ${want} (${JSON.stringify(naiveFrame(d, i, f))})`);
          }
        }),
        { numRuns: 300 },
      );
    });
  }

  it("a table already in order-key order (one pass in table order) gives the same bits", () => {
    const inOrder = data.map((d) => {
      const rows = d.order.map((_, i) => i).sort((a, b) => d.order[a]! - d.order[b]! || a - b);
      return { by: rows.map((i) => d.by[i]!), order: rows.map((i) => d.order[i]!), values: rows.map((i) => d.values[i]!) };
    });
    const integers = inOrder.map((d) => ({ ...d, values: d.values.map((v) => (Number.isFinite(v) ? Math.round(v) : v)) }));
    // Prices in cents (finite decimals): summed with two doubles, exact for such values.
    const cents = inOrder.map((d) => ({ ...d, values: d.values.map((v) => (Number.isFinite(v) ? Math.round(v * 100) / 100 : 0.1)) }));
    fc.assert(
      fc.property(
        fc.oneof(inOrder, integers, cents),
        frame,
        fc.constantFrom<RollingAggregate>("sum", "mean", "count", "first", "last"),
        (d, f, name) => {
          const got = rollingAggregate(windowGroups(d.by, d.order), d.values, f, name);
          for (let i = 0; i < d.values.length; i++) {
            const want = AGGREGATES[name](naiveFrame(d, i, f));
            if (!Object.is(got[i], want))
              throw new Error(`${name} row ${i}: ${got[i]} but the frame gives ${want} (${JSON.stringify(naiveFrame(d, i, f))})`);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("sum and mean over integers (summed plainly, where that is exact) equal the aggregates too", () => {
    const integer = fc.oneof(
      { weight: 10, arbitrary: fc.integer({ min: -1000, max: 1000 }) },
      { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -0, 2 ** 52, -(2 ** 51), 2 ** 53) },
    );
    const integers = data.chain((d) =>
      fc.array(integer, { minLength: d.values.length, maxLength: d.values.length }).map((values) => ({ ...d, values })),
    );
    fc.assert(
      fc.property(integers, frame, fc.constantFrom<RollingAggregate>("sum", "mean"), (d, f, name) => {
        const got = rollingAggregate(windowGroups(d.by, d.order), d.values, f, name);
        for (let i = 0; i < d.values.length; i++) {
          const want = AGGREGATES[name](naiveFrame(d, i, f));
          if (!Object.is(got[i], want))
            throw new Error(`${name} row ${i}: ${got[i]} but the frame gives ${want} (${JSON.stringify(naiveFrame(d, i, f))})`);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("a typed key column, grouped as the rows stream, and a panel's layout (every group once per period) give the same bits", () => {
    // Keys: small, negative, far apart (the dense table grows or gives up) and fractional (not a dense table).
    const key = fc.constantFrom(0, 1, 2, 3, -7, 40_000, 0.5);
    const panel = fc
      .record({
        keys: fc.uniqueArray(key, { minLength: 1, maxLength: 5 }),
        periods: fc.integer({ min: 0, max: 9 }),
        // A row dropped or a key changed breaks the layout after its first rows; a row moved back in time, the order.
        drop: fc.option(fc.nat()),
        change: fc.option(fc.tuple(fc.nat(), key)),
        back: fc.option(fc.nat()),
        values: fc.array(value, { minLength: 45, maxLength: 45 }),
        int32: fc.boolean(),
        // Whole numbers: the panel's plain running sum; decimals: its two-double sum.
        whole: fc.boolean(),
      })
      .map(({ keys, periods, drop, change, back, values, int32, whole }) => {
        let by = Array.from({ length: keys.length * periods }, (_, i) => keys[i % keys.length]!);
        let order = by.map((_, i) => Math.floor(i / keys.length));
        if (drop !== null && by.length > 0) {
          by = by.filter((_, i) => i !== drop % by.length);
          order = order.filter((_, i) => i !== drop % order.length);
        }
        if (change !== null && by.length > 0) by[change[0] % by.length] = change[1];
        if (back !== null && order.length > 0) order[back % order.length] -= 1.5;
        const typed = int32 && by.every((k) => Number.isInteger(k)) ? Int32Array.from(by) : Float64Array.from(by);
        return {
          by,
          typed,
          order,
          values: values.slice(0, by.length).map((v) => (Number.isFinite(v) ? Math.round(v * (whole ? 1 : 100)) / (whole ? 1 : 100) : v)),
        };
      });
    const rows = fc.record({
      kind: fc.constant("rows" as const),
      size: fc.integer({ min: 1, max: 7 }),
      lag: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(panel, rows, rows, (d, f1, f2) => {
        // Two windows over one grouping: the second reuses what the first recorded.
        const groups = windowGroups(d.typed, d.order);
        for (const [f, name] of [
          [f1, "mean"],
          [f2, "sum"],
        ] as const) {
          const got = rollingAggregate(groups, d.values, f, name);
          for (let i = 0; i < d.values.length; i++) {
            const want = AGGREGATES[name](naiveFrame(d, i, f));
            if (!Object.is(got[i], want))
              throw new Error(`${name} row ${i}: ${got[i]} but the frame gives ${want} (${JSON.stringify(naiveFrame(d, i, f))})`);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it("refuses a NaN order key, a bad frame and columns of other lengths", () => {
    // The order key is checked on first use: on its own, or by the stream over a panel's rows.
    expect(() => rollingAggregate(windowGroups([1, 1], [0, NaN]), [1, 2], { kind: "rows", size: 1, lag: 0 }, "max")).toThrow(
      /order key is NaN at row 1/,
    );
    expect(() =>
      rollingAggregate(windowGroups(Float64Array.of(1, 2, 1, 2), [0, 0, NaN, 1]), [1, 2, 3, 4], { kind: "rows", size: 2, lag: 1 }, "mean"),
    ).toThrow(/order key is NaN at row 2/);
    expect(() => rollingAggregate(windowGroups([1], [0]), [1], { kind: "rows", size: 1.5, lag: 0 }, "sum")).toThrow(
      /size must be a positive integer/,
    );
    expect(() => rollingAggregate(windowGroups([1], [0]), [1], { kind: "range", size: 1, lag: -1 }, "sum")).toThrow(
      /lag must be a non-negative number/,
    );
    expect(() => rollingAggregate(windowGroups([1], [0]), [1, 2], { kind: "rows", size: 1, lag: 0 }, "mean")).toThrow(
      /group key has 1 rows but the values have 2/,
    );
    expect(() => windowGroups([1], [0, 1])).toThrow(/group key has 1 rows but the order key has 2/);
  });
});

describe("rollingReduce", () => {
  it("calls any reducer with each row's frame, oldest first", () => {
    const spread = (w: Window<number>) => (w.length === 0 ? -1 : w[w.length - 1]! - w[0]! + w.length / 8);
    fc.assert(
      fc.property(data, frame, (d, f) => {
        const got = rollingReduce(windowGroups(d.by, d.order), [d.values], f, ([w]) => spread(w!));
        for (let i = 0; i < d.values.length; i++) {
          const want = spread(naiveFrame(d, i, f));
          if (!Object.is(got[i], want)) throw new Error(`row ${i}: ${got[i]} but the frame gives ${want}`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("takes columns of strings and booleans beside numbers, as count, first and last of rollingAggregate do", () => {
    fc.assert(
      fc.property(data, frame, (d, f) => {
        const labels = d.values.map((v) => (Number.isNaN(v) ? "nan" : v > 0 ? "up" : "down"));
        const flags = d.values.map((v) => v > 0);
        const groups = windowGroups(d.by, d.order);
        const got = rollingReduce(
          groups,
          [d.values, labels, flags],
          f,
          ([v, l, b]) => `${sum(v!)} ${Array.from(l!).join()} ${Array.from(b!).join()}`,
        );
        const firsts = rollingAggregate(groups, labels, f, "first");
        const lasts = rollingAggregate(groups, flags, f, "last");
        const counts = rollingAggregate(groups, labels, f, "count");
        for (let i = 0; i < d.values.length; i++) {
          const rows = naiveFrame({ ...d, values: d.values.map((_, j) => j) }, i, f);
          const l = rows.map((j) => labels[j]!);
          const b = rows.map((j) => flags[j]!);
          const want = `${sum(Float64Array.from(rows, (j) => d.values[j]!))} ${l.join()} ${b.join()}`;
          if (got[i] !== want) throw new Error(`row ${i}: ${got[i]} but the frames give ${want}`);
          if (firsts[i] !== first(l) || lasts[i] !== last(b) || counts[i] !== count(l))
            throw new Error(
              `row ${i}: first ${firsts[i]}, last ${lasts[i]}, count ${counts[i]} but the frames give ${first(l)}, ${last(b)}, ${count(l)}`,
            );
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("aggregates", () => {
  it("sum is correctly rounded, whatever the order of the values", () => {
    expect(sum([0.1, 0.2, 0.3])).toBe(0.6);
    expect(0.1 + 0.2 + 0.3).not.toBe(0.6);
    expect(sum([1e16, 1, -1e16])).toBe(1);
    expect(sum([])).toBe(0);
    expect(sum([Infinity, 1])).toBe(Infinity);
    expect(sum([Infinity, -Infinity])).toBeNaN();
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e12, max: 1e12, noNaN: true })), fc.integer(), (xs, seed) => {
        const shuffled = [...xs].sort((a, b) => ((a * 7919 + seed) % 13) - ((b * 7919 + seed) % 13) || a - b);
        return Object.is(sum(xs), sum(shuffled)) && Object.is(stddev(xs), stddev(shuffled));
      }),
    );
  });

  it("mean, stddev, min, max, first, last and count say what they mean", () => {
    expect(mean([1, 2, 4])).toBe(7 / 3);
    expect(mean([])).toBeNaN();
    expect(stddev([2, 4, 4, 4, 5, 5, 7, 9])).toBe(Math.sqrt(32 / 7));
    expect(stddev([1e9 + 1, 1e9 + 2, 1e9 + 3])).toBe(1);
    expect(stddev([5])).toBeNaN();
    expect(stddev([1, Infinity])).toBeNaN();
    expect(Object.is(min([0, -0]), -0)).toBe(true);
    expect(Object.is(max([-0, 0]), 0)).toBe(true);
    expect(min([3, NaN, 1])).toBeNaN();
    expect(max([])).toBeNaN();
    expect([first([4, 5]), last([4, 5]), count([4, 5]), first(new Float64Array(0))]).toEqual([4, 5, 2, NaN]);
  });

  it("count, first and last take frames of strings and booleans: undefined for an empty one", () => {
    expect([first(["a", "b"]), last(["a", "b"]), count(["a", "b"]), first<string>([]), last<boolean>([])]).toEqual([
      "a",
      "b",
      2,
      undefined,
      undefined,
    ]);
    expect([first([true, false]), last([true, false]), count([] as boolean[])]).toEqual([true, false, 0]);
  });
});
