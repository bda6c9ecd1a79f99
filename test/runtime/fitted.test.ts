/** The @fitted artifact: bit-identical round trip, and a clear refusal of every bad artifact. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FITTED_FORMAT, FittedArtifactError, parseFitted, serializeFitted, type FittedSchema } from "../../runtime/index.js";
import { loadFitted, saveFitted } from "../../runtime/node.js";

const schema: FittedSchema = { mean: "number", stddev: "number", label: "string", on: "boolean", table: "json" };
const values = { mean: 0.1 + 0.2, stddev: 1e-300, label: "ok", on: true, table: [NaN, -0, Infinity, -Infinity, 5e-324, 0] };

/** Whether two values are equal with numbers compared bit for bit (Object.is: NaN = NaN, -0 ≠ 0). */
function sameBits(a: unknown, b: unknown): boolean {
  if (typeof a === "number" || typeof b === "number") return Object.is(a, b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameBits(v, b[i]));
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((k) => Object.hasOwn(b, k) && sameBits((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return a === b;
}

describe("saveFitted and loadFitted", () => {
  let dir = "";
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "featc-fitted-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("round-trip every value bit for bit, through a file written atomically", () => {
    const file = path.join(dir, "sub", "fitted.json");
    saveFitted(file, { catalogHash: "abc", target: "batch", values }, schema);
    const back = loadFitted<typeof values>(file, "abc", schema);
    expect(sameBits(back, values)).toBe(true);
    expect(Object.is(back.table[1], -0)).toBe(true);
    expect(back.mean).toBe(0.30000000000000004);
    expect(fs.readdirSync(path.dirname(file))).toEqual(["fitted.json"]); // no temporary file left behind
  });

  it("write the documented fields", () => {
    const file = path.join(dir, "fitted.json");
    saveFitted(file, { catalogHash: "abc", target: "batch", values }, schema);
    const body = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(body.format).toBe(FITTED_FORMAT);
    expect(body.catalogHash).toBe("abc");
    expect(body.target).toBe("batch");
    expect(new Date(body.createdAt).toISOString()).toBe(body.createdAt);
    expect(body.values.table).toEqual([
      { $number: "NaN" },
      { $number: "-0" },
      { $number: "Infinity" },
      { $number: "-Infinity" },
      5e-324,
      0,
    ]);
  });

  it("replace an existing artifact whole", () => {
    const file = path.join(dir, "fitted.json");
    saveFitted(file, { catalogHash: "old", values }, schema);
    saveFitted(file, { catalogHash: "new", values: { ...values, mean: 2 } }, schema);
    expect(loadFitted(file, "new", schema).mean).toBe(2);
    expect(fs.readdirSync(dir)).toEqual(["fitted.json"]);
  });

  it("refuse a missing file with a hint", () => {
    expect(() => loadFitted(path.join(dir, "nope.json"), "abc", schema)).toThrow(FittedArtifactError);
    expect(() => loadFitted(path.join(dir, "nope.json"), "abc", schema)).toThrow(
      /nope\.json' refused: file not found; run the fitting target first/,
    );
  });

  it("leave the previous artifact untouched when the new values are refused", () => {
    const file = path.join(dir, "fitted.json");
    saveFitted(file, { catalogHash: "abc", values }, schema);
    const before = fs.readFileSync(file, "utf8");
    expect(() => saveFitted(file, { catalogHash: "def", values: { ...values, mean: "x" } }, schema)).toThrow(
      /fitted\.json' refused: value 'mean' should be a number, got a string/,
    );
    expect(fs.readFileSync(file, "utf8")).toBe(before);
    expect(fs.readdirSync(dir)).toEqual(["fitted.json"]);
  });
});

describe("serializeFitted and parseFitted", () => {
  it("round-trip any double and any JSON value bit for bit", () => {
    const jsonValue = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.double(),
        fc.string(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie("value"), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie("value"), { maxKeys: 4 }),
      ),
    })).value;
    fc.assert(
      fc.property(fc.double(), fc.string(), jsonValue, (x, s, json) => {
        const local: FittedSchema = { x: "number", s: "string", json: "json" };
        const back = parseFitted(serializeFitted({ catalogHash: "h", values: { x, s, json } }, local), "h", local);
        expect(sameBits(back, { x, s, json })).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("keep user objects that look like number tags or start with '$' as they were", () => {
    const local: FittedSchema = { $number: "string", tricky: "json" };
    const written = { $number: "NaN", tricky: { $number: "NaN", $$x: 1, $: [{ $number: "-0" }] } };
    const back = parseFitted(serializeFitted({ catalogHash: "h", values: written }, local), "h", local);
    expect(back).toEqual(written);
    expect(back.$number).toBe("NaN");
  });

  it("refuse to save values JSON cannot hold faithfully", () => {
    const local: FittedSchema = { w: "json" };
    const save = (w: unknown) => () => serializeFitted({ catalogHash: "h", values: { w } }, local);
    expect(save(new Float64Array(2))).toThrow(/value 'w' is a Float64Array, which JSON cannot hold faithfully/);
    expect(save({ at: new Date(0) })).toThrow(/value 'w'\.at is a Date/);
    expect(save([1, undefined])).toThrow(/value 'w'\[1\] is undefined/);
    expect(save(10n)).toThrow(/is a bigint/);
    expect(save(undefined)).toThrow(/value 'w' should be a JSON value, got undefined/);
  });

  it("refuse values that do not match the schema", () => {
    expect(() => serializeFitted({ catalogHash: "abc", values: { ...values, mean: "x" } }, schema)).toThrow(FittedArtifactError);
    const { label: _label, ...withoutLabel } = values;
    expect(() => serializeFitted({ catalogHash: "abc", values: withoutLabel }, schema)).toThrow(/value 'label' is missing/);
    expect(() => serializeFitted({ catalogHash: "abc", values: { ...values, extra: 1 } }, schema)).toThrow(/unexpected value 'extra'/);
  });

  const good = serializeFitted({ catalogHash: "abc", target: "batch", values }, schema);
  const artifact = (body: Record<string, unknown>): string => JSON.stringify({ format: "featc-fitted/1", catalogHash: "def", ...body });
  const goodValues = { mean: 1, stddev: 1, label: "", on: true, table: [] };
  const refusals: [string, string, RegExp][] = [
    [
      "a stale hash, naming the target to re-run",
      good,
      /stale: fitted by a different catalog \(artifact abc, executor def\); re-run target 'batch' and save the artifact again/,
    ],
    [
      "a stale hash without a target",
      artifact({ catalogHash: "abc", values: goodValues }),
      /\(artifact abc, executor def\); re-run the fitting target/,
    ],
    ["text that is not JSON", "{nope", /not valid JSON/],
    ["JSON that is not an object", "[1]", /not a JSON object/],
    ["another format", artifact({ format: "x", values: {} }), /unknown format "x" \(expected "featc-fitted\/1"\)/],
    ["no format at all", JSON.stringify({ catalogHash: "def", values: {} }), /unknown format \(none\)/],
    ["no catalog hash", artifact({ catalogHash: 7, values: goodValues }), /no catalogHash/],
    ["no values", artifact({}), /no values object/],
    ["a missing value", artifact({ values: { ...goodValues, mean: undefined } }), /value 'mean' is missing/],
    ["a value of the wrong type", artifact({ values: { ...goodValues, mean: "1" } }), /value 'mean' should be a number, got a string/],
    ["null for a number", artifact({ values: { ...goodValues, stddev: null } }), /value 'stddev' should be a number, got null/],
    ["a number for a boolean", artifact({ values: { ...goodValues, on: 1 } }), /value 'on' should be a boolean, got a number/],
    ["an unexpected value", artifact({ values: { ...goodValues, extra: 1 } }), /unexpected value 'extra'/],
    ["several unexpected values", artifact({ values: { ...goodValues, a: 1, b: 2 } }), /unexpected values 'a', 'b'/],
    ["a key inherited from Object.prototype", artifact({ values: { ...goodValues, constructor: 1 } }), /unexpected value 'constructor'/],
  ];
  for (const [what, text, message] of refusals) {
    it(`refuse ${what}`, () => {
      expect(() => parseFitted(text, "def", schema, "fitted.json")).toThrow(FittedArtifactError);
      expect(() => parseFitted(text, "def", schema, "fitted.json")).toThrow(message);
    });
  }

  it("refuse a missing value even when Object.prototype has a property of that name", () => {
    const local = Object.fromEntries([["toString", "json"]]) as FittedSchema; // a literal would clash with Object.prototype.toString in the type
    expect(() => parseFitted(artifact({ values: {} }), "def", local)).toThrow(/value 'toString' is missing/);
  });
});
