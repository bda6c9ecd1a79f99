import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DuplicateKeyError, tableOf } from "featc";
import { age_mean, age_stddev } from "../../catalog/aggregations.js";
import { survey_results__batch, survey_results__online, client_login_data__batch } from "../../catalog/data_loaders.js";
import { age_normalized, features, is_female, is_high_roller, is_male, time_since_last_login } from "../../catalog/features.js";
import { last_logged_in__batch, last_logged_in__online } from "../../catalog/joins.js";
import { predictions } from "../../catalog/model.js";
import { UnknownClientError, type Login, type Model, type Survey, type Warehouse } from "../../catalog/types.js";

/** The obvious join over unique keys: the row of each key through a Map; NaN when absent. */
function referenceJoin(ids: readonly number[], keys: readonly number[], values: readonly number[]): number[] {
  const first = new Map<number, number>();
  keys.forEach((k, row) => {
    if (!first.has(k)) first.set(k, row);
  });
  return ids.map((id) => {
    const row = first.get(id);
    return row === undefined || Number.isNaN(id) ? NaN : values[row]!;
  });
}

describe("last_logged_in__batch", () => {
  const join = (ids: number[], keys: number[], values: number[]) =>
    Array.from(last_logged_in__batch(ids, tableOf<Login>({ client_id: keys, last_logged_in: values })));

  it("joins on client_id, NaN for clients without a login", () => {
    expect(join([3, 1, 2, 9], [1, 2, 3], [10, 20, 30])).toEqual([30, 10, 20, NaN]);
    expect(join([], [1], [1])).toEqual([]);
    expect(join([1, 2], [], [])).toEqual([NaN, NaN]);
  });

  it("refuses a duplicated key, on both index paths, naming the login table's key column", () => {
    expect(() => join([5], [5, 5], [1, 2])).toThrow(DuplicateKeyError);
    expect(() => join([5e9], [5e9, 1, 5e9], [1, 2, 3])).toThrow(
      "duplicate key number 5000000000 in lookup 'client_login_data.client_id': 2 rows hold it (rows 0 and 2)",
    );
  });

  it("matches the obvious join on dense, sparse and fractional keys", () => {
    const key = fc.oneof(
      fc.integer({ min: -50, max: 50 }),
      fc.integer({ min: -2e9, max: 2e9 }),
      fc.double({ noNaN: false }),
      fc.constantFrom(0, -0, 0.5, 1e300),
    );
    fc.assert(
      fc.property(fc.uniqueArray(key, { maxLength: 60, comparator: "SameValueZero" }), fc.array(key, { maxLength: 30 }), (keys, probes) => {
        const values = keys.map((_, i) => i * 10 + 1);
        const ids = [...probes, ...keys];
        expect(join(ids, keys, values)).toEqual(referenceJoin(ids, keys, values));
      }),
      { numRuns: 400 },
    );
  });
});

describe("aggregations", () => {
  it("computes the mean and the sample (n - 1) standard deviation", () => {
    const age = [20, 30, 40, 50];
    expect(age_mean(age)).toBe(35);
    expect(age_stddev(age)).toBe(Math.sqrt((225 + 25 + 25 + 225) / 3));
    expect(age_stddev(Float64Array.of(7))).toBeNaN();
    expect(age_mean([])).toBeNaN();
  });

  it("adds left to right, the same bits for arrays and typed arrays", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 120, noNaN: true }), { minLength: 2, maxLength: 200 }), (values) => {
        let sum = 0;
        for (const v of values) sum += v;
        expect(Object.is(age_mean(values), sum / values.length)).toBe(true);
        expect(Object.is(age_stddev(Float64Array.from(values)), age_stddev(values))).toBe(true);
      }),
    );
  });
});

describe("shared map features", () => {
  it("encode gender and budget", () => {
    expect([is_male("male"), is_male("female"), is_male("other")]).toEqual([true, false, false]);
    expect([is_female("male"), is_female("female"), is_female("other")]).toEqual([false, true, false]);
    expect([is_high_roller(100), is_high_roller(100.01)]).toEqual([false, true]);
  });

  it("normalise age and measure time in days", () => {
    expect(age_normalized(50, 40, 5)).toBe(2);
    expect(time_since_last_login(Date.UTC(2024, 0, 3), Date.UTC(2024, 0, 1))).toBe(2);
    expect(time_since_last_login(Date.UTC(2024, 0, 1), NaN)).toBeNaN();
  });

  it("build the feature vector and score it", () => {
    const f = features(2.5, true, false, true, -0.5);
    expect(f).toEqual({ time_since_last_login: 2.5, is_male: 1, is_female: 0, is_high_roller: 1, age_normalized: -0.5 });
    const zero: Model = { weights: { time_since_last_login: 0, is_male: 0, is_female: 0, is_high_roller: 0, age_normalized: 0 }, bias: 0 };
    expect(predictions(f, zero)).toBe(0.5);
    const model: Model = {
      weights: { time_since_last_login: -1, is_male: 2, is_female: 3, is_high_roller: 4, age_normalized: 5 },
      bias: 0.25,
    };
    const z = 0.25 + -1 * 2.5 + 2 * 1 + 3 * 0 + 4 * 1 + 5 * -0.5;
    expect(predictions(f, model)).toBe(1 / (1 + Math.exp(-z)));
    expect(predictions(f, { ...model, bias: 1000 })).toBe(1);
    expect(predictions(f, { ...model, bias: -1000 })).toBe(0);
  });
});

describe("loaders", () => {
  it("delegate to the warehouse and the services", async () => {
    const surveyTable = tableOf<Survey>({ client_id: [1], budget: [2], age: [3], gender: ["other"] });
    const loginTable = tableOf<Login>({ client_id: [1], last_logged_in: [5] });
    const asked: string[] = [];
    const warehouse: Warehouse = {
      readSurvey: async (t) => (asked.push(t), surveyTable),
      readLogins: async (t) => (asked.push(t), loginTable),
    };
    expect(await survey_results__batch(warehouse, "s")).toBe(surveyTable);
    expect(await client_login_data__batch(warehouse, "l")).toBe(loginTable);
    expect(asked).toEqual(["s", "l"]);
    const survey = await survey_results__online({ survey: async (id) => ({ client_id: id, budget: 1, age: 2, gender: "male" }) }, 7);
    expect(survey.client_id).toBe(7);
    await expect(
      last_logged_in__online(
        {
          lastLoggedIn: async (id) => {
            throw new UnknownClientError(id, "test");
          },
        },
        8,
      ),
    ).rejects.toThrow(/unknown client 8: no record in test/);
  });
});
