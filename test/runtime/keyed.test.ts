/**
 * The key indexes agree with a Map on every key set whose keys are unique, and refuse every key
 * set that holds a key twice (-0 and 0 are one key; NaN is never found and never a duplicate)
 * with a DuplicateKeyError naming the least duplicated key, its count and first rows, as an
 * independent reference computes them; joins gather by key.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DuplicateKeyError, NumericKeyIndex, StringKeyIndex, gather, joinColumn } from "../../runtime/index.js";

/** The reference: key → the rows holding it, with Map semantics (0 and -0 one key) except that NaN is left out. */
function rowsByKey<K>(keys: readonly K[]): Map<K, number[]> {
  const rows = new Map<K, number[]>();
  keys.forEach((key, row) => {
    if (typeof key === "number" && Number.isNaN(key)) return;
    rows.set(key, [...(rows.get(key) ?? []), row]);
  });
  return rows;
}

/** The duplicate the reference says an index must refuse: the least key held by two rows or more, by `compare`. */
function expectedDuplicate<K>(keys: readonly K[], compare: (a: K, b: K) => number): { key: K; count: number; rows: number[] } | undefined {
  const held = [...rowsByKey(keys)].filter(([, rows]) => rows.length > 1).sort(([a], [b]) => compare(a, b));
  if (held.length === 0) return undefined;
  const [key, rows] = held[0]!;
  return { key: (key === 0 ? 0 : key) as K, count: rows.length, rows: rows.slice(0, 2) };
}

/** The index of `keys`, checked against the reference: a Map of the unique keys, or the DuplicateKeyError it must throw. */
function checkIndex<K>(
  keys: readonly K[],
  build: () => { rows: number; get(key: K): number },
  compare: (a: K, b: K) => number,
  probes: readonly K[],
): void {
  const duplicate = expectedDuplicate(keys, compare);
  if (duplicate) {
    let error: unknown;
    try {
      build();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DuplicateKeyError);
    const d = error as DuplicateKeyError;
    expect(d.code).toBe("FEATC_DUPLICATE_KEY");
    expect(Object.is(d.key, duplicate.key)).toBe(true);
    expect([d.count, d.rows]).toEqual([duplicate.count, duplicate.rows]);
    return;
  }
  const index = build();
  const reference = rowsByKey(keys);
  expect(index.rows).toBe(keys.length);
  for (const key of [...keys, ...probes]) expect(index.get(key)).toBe(reference.get(key)?.[0] ?? -1);
}

const byNumber = (a: number, b: number) => a - b;
/** UTF-8 byte order, as the engines compare strings: an oracle independent of the index's code-point comparison. */
const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

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
    it(`agrees with a Map on ${name}, and refuses duplicates`, () => {
      fc.assert(
        fc.property(keySet, probes, fc.boolean(), (keys, extra, asArray) => {
          const build = () => NumericKeyIndex.build(asArray ? keys : Float64Array.from(keys));
          checkIndex(keys, build, byNumber, [...extra, 0.5, -0, NaN, Infinity, -Infinity]);
          // The same set without its duplicates is indexed, whatever the path.
          const unique = [...new Set(keys)];
          checkIndex(unique, () => NumericKeyIndex.build(unique), byNumber, [...extra, -0, NaN]);
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

  it("refuses a duplicated key on both paths, naming the lookup, the least duplicated key and where it is", () => {
    expect(() => NumericKeyIndex.build([7, 3, 7, 3], "logins.client_id")).toThrow(
      "duplicate key number 3 in lookup 'logins.client_id': 2 rows hold it (rows 1 and 3); a lookup's keys must be unique (deduplicate the table, or aggregate it per key first)",
    );
    expect(() => NumericKeyIndex.build([7e12, 3.5, 7e12, 7e12])).toThrow(
      "duplicate key number 7000000000000 in lookup 'NumericKeyIndex': 3 rows hold it (rows 0 and 2)",
    );
    expect(() => new NumericKeyIndex(Float64Array.of(1, 2, 2), "t.k")).toThrow(DuplicateKeyError);
  });

  it("treats -0 as 0 (one key: a duplicate when both are indexed) and never matches NaN nor counts it as a duplicate", () => {
    for (const keys of [
      [0, 1, 2],
      [-0, 1e12, 0.5],
    ]) {
      const index = NumericKeyIndex.build(keys);
      expect(index.get(-0)).toBe(0);
      expect(index.get(0)).toBe(0);
    }
    for (const keys of [
      [-0, 5, 0],
      [0, 1e12, -0],
    ])
      expect(() => NumericKeyIndex.build(keys, "t.k")).toThrow("duplicate key number 0 in lookup 't.k': 2 rows hold it (rows 0 and 2)");
    const withNaN = NumericKeyIndex.build([NaN, 1.5, NaN, NaN]);
    expect([withNaN.get(NaN), withNaN.get(1.5)]).toEqual([-1, 1]);
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

/** Strings whose UTF-16 order and code-point order differ (U+E000–U+FFFF against astral characters), and look-alikes. */
const stringKey = fc
  .array(fc.constantFrom("a", "b", "é", "e\u0301", "\uE000", "\uFFFF", "😀", "\u{10400}", "日", " "), { maxLength: 3 })
  .map((units) => units.join(""));

describe("StringKeyIndex", () => {
  it("agrees with a Map on unique keys and refuses duplicates, the least by code point named", () => {
    fc.assert(
      fc.property(fc.array(stringKey, { maxLength: 40 }), fc.array(stringKey), (keys, extra) => {
        checkIndex(keys, () => StringKeyIndex.build(keys), byUtf8, extra);
        const unique = [...new Set(keys)];
        checkIndex(unique, () => StringKeyIndex.build(unique), byUtf8, extra);
      }),
      { numRuns: 300 },
    );
  });

  it("names the lookup and the key", () => {
    expect(() => StringKeyIndex.build(["fr", "de", "fr"], "tax_rates.country")).toThrow(
      "duplicate key string \"fr\" in lookup 'tax_rates.country': 2 rows hold it (rows 0 and 2)",
    );
    // Composed and decomposed é are different keys, as in every engine.
    expect(StringKeyIndex.build(["é", "e\u0301"]).get("e\u0301")).toBe(1);
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
          const unique = [...new Set(tableKeys)];
          const values = unique.map((_, i) => i * 0.5);
          const reference = rowsByKey(unique);
          const joined = joinColumn(keys, NumericKeyIndex.build(unique), values, -1);
          expect(Array.from(joined)).toEqual(keys.map((k) => (reference.has(k) ? values[reference.get(k)![0]!]! : -1)));
        },
      ),
    );
  });
});
