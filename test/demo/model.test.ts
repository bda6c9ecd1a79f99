import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tableOf } from "featc";
import { age_mean, age_stddev } from "../../catalog/aggregations.js";
import { age_normalized, features, is_female, is_high_roller, is_male, time_since_last_login } from "../../catalog/features.js";
import { last_logged_in__batch } from "../../catalog/joins.js";
import { predictions } from "../../catalog/model.js";
import type { FeatureVector, Model } from "../../catalog/types.js";
import { REFERENCE_TIME, generateData } from "../../demo/generate.js";
import {
  FEATURE_NAMES,
  MODEL_FORMAT,
  ModelFileError,
  loadModel,
  logLoss,
  modelFromJson,
  modelToJson,
  saveModel,
  stampMismatches,
  trainLogisticRegression,
  type ModelStamp,
} from "../../demo/model.js";
import { removeTemporaryDirs, temporaryDir } from "./tmp.js";

let rows: FeatureVector[];
let labels: Float64Array;

/** What a model in these tests was trained on. */
const stamp: ModelStamp = {
  features: {
    time_since_last_login: "f185a5cdf4c9ea4f",
    is_male: "11088b641b88502f",
    is_female: "58dbdf341cc41706",
    is_high_roller: "7363863f048a0405",
    age_normalized: "c43538463803e24b",
  },
  fitted: { hash: "f33628b76ef6c839", values: { age_mean: 48.9, age_stddev: 17.3 } },
};

/** Feature vectors of generated clients, computed by calling the catalog's functions by hand. */
beforeAll(() => {
  const d = generateData({ clients: 3000, seed: 9 });
  const s = d.survey;
  const mean = age_mean(s.age);
  const sd = age_stddev(s.age);
  const last = last_logged_in__batch(s.client_id, tableOf(d.logins));
  rows = [];
  for (let i = 0; i < s.client_id.length; i++) {
    const g = s.gender[i]!;
    rows.push(
      features(
        time_since_last_login(REFERENCE_TIME, last[i]!),
        is_male(g),
        is_female(g),
        is_high_roller(s.budget[i]!),
        age_normalized(s.age[i]!, mean, sd),
      ),
    );
  }
  const labelById = new Map<number, number>();
  d.labels.client_id.forEach((id, i) => labelById.set(id, d.labels.label[i]!));
  labels = Float64Array.from(s.client_id, (id) => labelById.get(id)!);
});

afterAll(removeTemporaryDirs);

describe("trainLogisticRegression", () => {
  it("decreases the loss as it iterates", () => {
    const losses = [0, 5, 20, 80, 200].map((iterations) => logLoss(rows, labels, trainLogisticRegression(rows, labels, { iterations })));
    expect(losses[0]).toBeCloseTo(Math.log(2), 12);
    for (let i = 1; i < losses.length; i++) expect(losses[i]!).toBeLessThan(losses[i - 1]!);
    expect(losses[losses.length - 1]!).toBeLessThan(0.5);
  });

  it("is deterministic, bit for bit", () => {
    const a = trainLogisticRegression(rows, labels, { iterations: 60, learningRate: 0.4 });
    const b = trainLogisticRegression(rows.slice(), Float64Array.from(labels), { iterations: 60, learningRate: 0.4 });
    for (const name of FEATURE_NAMES) expect(Object.is(a.weights[name], b.weights[name])).toBe(true);
    expect(Object.is(a.bias, b.bias)).toBe(true);
    expect(modelToJson({ model: a, stamp })).toBe(modelToJson({ model: b, stamp }));
  });

  it("learns the direction of the hidden rule", () => {
    const m = trainLogisticRegression(rows, labels, { iterations: 300 });
    expect(m.weights.is_high_roller).toBeGreaterThan(0.5);
    expect(m.weights.is_female).toBeGreaterThan(m.weights.is_male);
    expect(m.weights.time_since_last_login).toBeLessThan(0);
    expect(m.weights.age_normalized).toBeLessThan(0);
  });

  it("produces a model the catalog's predictions apply to the raw features", () => {
    const m = trainLogisticRegression(rows, labels, { iterations: 100 });
    let correct = 0;
    for (let i = 0; i < rows.length; i++) {
      const p = predictions(rows[i]!, m);
      expect(p >= 0 && p <= 1).toBe(true);
      if ((p > 0.5 ? 1 : 0) === labels[i]) correct++;
    }
    expect(correct / rows.length).toBeGreaterThan(0.7);
  });

  it("rejects bad input", () => {
    expect(() => trainLogisticRegression(rows, labels.subarray(1))).toThrow(/labels/);
    expect(() => trainLogisticRegression(rows.slice(0, 2), [0, 2])).toThrow(/labels must be 0 or 1/);
    expect(() => trainLogisticRegression([], [])).toThrow(/zero rows/);
    expect(() => trainLogisticRegression(rows, labels, { iterations: -1 })).toThrow(/iterations/);
    expect(() => trainLogisticRegression(rows, labels, { learningRate: 0 })).toThrow(/learningRate/);
    const bad = [{ ...rows[0]!, age_normalized: NaN }];
    expect(() => trainLogisticRegression(bad, [1])).toThrow(/age_normalized/);
  });
});

describe("model files", () => {
  const model: Model = {
    weights: {
      time_since_last_login: -0.035123456789012345,
      is_male: -0.3,
      is_female: 0.1 + 0.2,
      is_high_roller: 1.6,
      age_normalized: -5e-324,
    },
    bias: -0.5705600604104026,
  };

  it("round-trip through JSON exactly", () => {
    const file = path.join(temporaryDir("model"), "nested", "model.json");
    saveModel(file, { model, stamp });
    const { model: back, stamp: backStamp } = loadModel(file);
    expect(backStamp).toEqual(stamp);
    for (const name of FEATURE_NAMES) expect(Object.is(back.weights[name], model.weights[name])).toBe(true);
    expect(Object.is(back.bias, model.bias)).toBe(true);
    const json = JSON.parse(fs.readFileSync(file, "utf8")) as { format: string; weights: object };
    expect(json.format).toBe(MODEL_FORMAT);
    expect(Object.keys(json.weights)).toEqual([...FEATURE_NAMES]);
    expect(predictions(rows[0]!, back)).toBe(predictions(rows[0]!, model));
  });

  it("refuse malformed files with a clear error", () => {
    const dir = temporaryDir("bad-model");
    const valid = JSON.parse(modelToJson({ model, stamp })) as Record<string, unknown>;
    const cases: [string, string, RegExp][] = [
      ["not json", "{weights:", /invalid JSON/],
      ["array", "[]", /expected a JSON object/],
      ["no format", JSON.stringify({ ...valid, format: undefined }), /"format" must be/],
      ["other format", JSON.stringify({ ...valid, format: "sklearn" }), /"format" must be .* got "sklearn"/],
      [
        "missing weight",
        JSON.stringify({ ...valid, weights: { ...(valid.weights as object), is_male: undefined } }),
        /weight "is_male" must be a finite number, got nothing/,
      ],
      [
        "string weight",
        JSON.stringify({ ...valid, weights: { ...(valid.weights as object), is_male: "NaN" } }),
        /weight "is_male" must be a finite number, got "NaN"/,
      ],
      [
        "extra weight",
        JSON.stringify({ ...valid, weights: { ...(valid.weights as object), shoe_size: 1 } }),
        /unknown feature "shoe_size"/,
      ],
      ["weights array", JSON.stringify({ ...valid, weights: [1, 2, 3, 4, 5] }), /"weights" must be an object/],
      ["no bias", JSON.stringify({ ...valid, bias: undefined }), /"bias" must be a finite number, got nothing/],
      ["extra key", JSON.stringify({ ...valid, intercept: 1 }), /unexpected key "intercept"/],
      // Tampered or mismatched files: a valid structure is not enough.
      [
        "flipped signs",
        JSON.stringify({ ...valid, weights: Object.fromEntries(Object.entries(valid.weights as object).map(([k, v]) => [k, -v])) }),
        /does not match its digest: the file was changed after training/,
      ],
      ["a huge bias", JSON.stringify({ ...valid, bias: 1e308 }), /does not match its digest/],
      [
        "an edited fitted value",
        JSON.stringify({ ...valid, fitted: { ...(valid.fitted as object), values: { age_mean: 60, age_stddev: 1e-6 } } }),
        /does not match its digest/,
      ],
      ["no digest", JSON.stringify({ ...valid, digest: undefined }), /"digest" must be the sha256 of the file's content, got nothing/],
      [
        "another feature set",
        JSON.stringify({ ...valid, features: { ...(valid.features as object), age_normalized: undefined, shoe_size: "0" } }),
        /trained on another feature set \(time_since_last_login, is_male, is_female, is_high_roller, shoe_size; this catalog's model takes .*age_normalized\)/,
      ],
      [
        "no stamp (the earlier format)",
        JSON.stringify({ format: "featc-demo/logistic-regression@1", weights: valid.weights, bias: valid.bias }),
        /"format" must be "featc-demo\/logistic-regression@2", got "featc-demo\/logistic-regression@1"; train again/,
      ],
    ];
    for (const [name, text, message] of cases) {
      const file = path.join(dir, `${name}.json`);
      fs.writeFileSync(file, text);
      let error: unknown;
      try {
        loadModel(file);
      } catch (e) {
        error = e;
      }
      expect(error, name).toBeInstanceOf(ModelFileError);
      expect((error as Error).message, name).toMatch(message);
      expect((error as Error).message, name).toContain(file);
    }
    expect(() => loadModel(path.join(dir, "absent.json"))).toThrow(/does not exist/);
    expect(() => modelFromJson("1")).toThrow(ModelFileError);
    expect(() => saveModel(path.join(dir, "x.json"), { model: { ...model, bias: Infinity }, stamp })).toThrow(
      /invalid model: "bias" must be a finite number/,
    );
    expect(fs.existsSync(path.join(dir, "x.json"))).toBe(false);
  });
});

describe("model stamps", () => {
  it("agree with the code and fitted values they were trained with, and name every difference otherwise", () => {
    expect(stampMismatches(stamp, structuredClone(stamp))).toEqual([]);
    const now: ModelStamp = {
      features: { ...stamp.features, age_normalized: "0000000000000000" },
      fitted: { hash: "1111111111111111", values: { age_mean: 60, age_stddev: 1e-6, age_median: 50 } },
    };
    expect(stampMismatches(stamp, now)).toEqual([
      "feature 'age_normalized' changed since the model was trained (code hash c43538463803e24b, now 0000000000000000)",
      "the model was trained with fitted values of another catalog (fitted hash f33628b76ef6c839, now 1111111111111111)",
      "fitted value 'age_mean' is 60, but the model was trained with 48.9",
      "fitted value 'age_stddev' is 0.000001, but the model was trained with 17.3",
      "fitted value 'age_median' is 50, but the model was trained with none",
    ]);
  });
});
