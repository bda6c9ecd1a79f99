/** The @fitted artifact: bit-identical round trip, and a clear refusal of every bad artifact. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FittedArtifactError, loadFitted, parseFitted, saveFitted, serializeFitted, type FittedSchema } from "../../runtime/index.js";

const schema: FittedSchema = { mean: "number", stddev: "number", label: "string", on: "boolean", table: "json" };
const values = { mean: 0.1 + 0.2, stddev: 1e-300, label: "ok", on: true, table: [NaN, -0, Infinity, -Infinity, 5e-324] };

describe("fitted artifacts", () => {
  it("round-trips every value bit for bit, through a file written atomically", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "featc-fitted-"));
    const file = path.join(dir, "sub", "fitted.json");
    saveFitted(file, { catalogHash: "abc", target: "batch", values }, schema);
    const back = loadFitted<typeof values>(file, "abc", schema);
    expect(Object.is(back.mean, values.mean)).toBe(true);
    expect(Object.is(back.stddev, values.stddev)).toBe(true);
    expect(back.table.map((v, i) => Object.is(v, values.table[i]))).toEqual([true, true, true, true, true]);
    expect(back.label).toBe("ok");
    expect(fs.readdirSync(path.dirname(file))).toEqual(["fitted.json"]);
    fs.rmSync(dir, { recursive: true });
  });

  const good = serializeFitted({ catalogHash: "abc", values }, schema);
  const refusals: [string, string, RegExp][] = [
    ["a stale hash", good, /stale: fitted by a different catalog \(artifact abc, executor def\)/],
    ["text that is not JSON", "{nope", /not valid JSON/],
    ["another format", JSON.stringify({ format: "x", catalogHash: "def", values: {} }), /unknown format/],
    ["a missing value", JSON.stringify({ format: "featc-fitted/1", catalogHash: "def", values: { stddev: 1, label: "", on: true, table: [] } }), /value 'mean' is missing/],
    ["a value of the wrong type", JSON.stringify({ format: "featc-fitted/1", catalogHash: "def", values: { mean: "1", stddev: 1, label: "", on: true, table: [] } }), /'mean' should be a number, got string/],
    ["an unexpected value", JSON.stringify({ format: "featc-fitted/1", catalogHash: "def", values: { mean: 1, stddev: 1, label: "", on: true, table: [], extra: 1 } }), /unexpected value 'extra'/],
  ];
  for (const [what, text, message] of refusals) {
    it(`refuses ${what}`, () => {
      expect(() => parseFitted(text, "def", schema, "fitted.json")).toThrow(FittedArtifactError);
      expect(() => parseFitted(text, "def", schema, "fitted.json")).toThrow(message);
    });
  }

  it("refuses a missing file with a hint", () => {
    expect(() => loadFitted("/nonexistent/fitted.json", "abc", schema)).toThrow(/file not found; run the fitting target first/);
  });

  it("refuses to save values that do not match the schema", () => {
    expect(() => serializeFitted({ catalogHash: "abc", values: { ...values, mean: "x" } }, schema)).toThrow(FittedArtifactError);
  });
});
