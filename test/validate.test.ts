/**
 * The executors' opt-in run-time validation of their inputs, written from the inputs' types:
 * generated executors of a catalog with inputs of every kind (numbers, strings, booleans, arrays
 * of arrays, typed arrays, columns, a table, nested and optional properties, a union of literals,
 * an index signature, a class instance, a nullable number, a service with a method) are called
 * the way JavaScript or JSON callers call them — with wrong types, null, missing and extra
 * properties, NaN, arrays with one wrong element — and the errors are asserted word for word.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError, MissingInputError } from "../runtime/index.js";
import fc from "fast-check";
import { catalogArbitrary, writeCatalog } from "./support/random-catalog.js";
import { REPO, STRICT_COMPILER_OPTIONS, buildOk, importFrom, removeWorkspace, workspace, writeFiles } from "./support/workspace.js";

type Execute = (outputs: readonly string[], inputs: unknown, options?: Record<string, unknown>) => unknown;
interface Executor {
  execute: Execute;
  validateInputs: (value: unknown) => void;
  checkFitted: (values: unknown, options?: Record<string, unknown>) => void;
}

let dir: string;
let online: Executor;
let batch: Executor;

beforeAll(async () => {
  dir = workspace("validate", path.join(REPO, "test", "fixtures", "validate", "typed"));
  await buildOk(dir);
  online = await importFrom<Executor>(dir, "generated/online.ts");
  batch = await importFrom<Executor>(dir, "generated/batch.ts");
}, 120_000);
afterAll(() => removeWorkspace(dir));

/** Valid online inputs; each test spoils one part. */
function onlineInputs(): Record<string, unknown> {
  return {
    amount: 12,
    label: "abc",
    active: true,
    tags: ["a", "b"],
    weights: Float64Array.of(0.5, 0.25),
    address: { city: "Oslo", zip: "0150" },
    tier: "gold",
    note: "hi",
    limits: { daily: 10, weekly: 50 },
    since: new Date(Date.UTC(2024, 0, 1)),
    maybe: null,
    scorer: { score: (x: number) => x * 2 },
    matrix: [[1, 2], [3]],
    fitted: { amount_mean: 2 },
  };
}

function batchInputs(): Record<string, unknown> {
  return {
    amount: Float64Array.of(1, 2, 3),
    label: ["a", "bb", "ccc"],
    purchases: { length: 2, columns: { amount: [5, 6], refunded: [true, false] } },
    scale: 2,
    tier: "silver",
  };
}

/** The error `f` throws (it must throw). */
function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error, none was thrown");
}

const validateOnline = (inputs: unknown) => thrown(() => online.execute(["summary"], inputs, { validate: true }));

describe("the generated validation", () => {
  it("passes tsc --strict with the catalog (native tsc)", () => {
    fs.writeFileSync(
      path.join(dir, "tsconfig.check.json"),
      JSON.stringify({
        compilerOptions: STRICT_COMPILER_OPTIONS,
        files: ["generated/online.ts", "generated/batch.ts"],
      }),
    );
    const tsc = path.join(REPO, "node_modules", "typescript", "bin", "tsc");
    let output = "";
    try {
      execFileSync(process.execPath, [tsc, "-p", path.join(dir, "tsconfig.check.json"), "--pretty", "false"], { encoding: "utf8" });
    } catch (e) {
      output = String((e as { stdout?: string }).stdout ?? e);
    }
    expect(output).toBe("");
  });
});

describe("valid inputs", () => {
  it("pass, and give what execute gives without validation", () => {
    const inputs = onlineInputs();
    expect(() => online.validateInputs(inputs)).not.toThrow();
    const checked = online.execute(["summary", "centered", "tier_code"], inputs, { validate: true });
    expect(checked).toEqual(online.execute(["summary", "centered", "tier_code"], inputs));
    expect((checked as { centered: number }).centered).toBe(10);
    const columns = batch.execute(["scaled", "label_length", "refunds", "amount_mean"], batchInputs(), { validate: true });
    expect(columns).toEqual(batch.execute(["scaled", "label_length", "refunds", "amount_mean"], batchInputs()));
    expect(Array.from((columns as { scaled: Float64Array }).scaled)).toEqual([2, 4, 6]);
  });

  it("NaN and ±Infinity are numbers (TypeScript's number holds them; catalogs use NaN for no value)", () => {
    for (const amount of [NaN, Infinity, -Infinity]) {
      expect(() => online.validateInputs({ ...onlineInputs(), amount })).not.toThrow();
    }
    expect(() => batch.validateInputs({ ...batchInputs(), amount: [NaN, 1, 2] })).not.toThrow();
  });

  it("properties the types do not declare are allowed, at the top and nested", () => {
    expect(() => online.validateInputs({ ...onlineInputs(), extra: "x", address: { city: "Oslo", floor: 3 } })).not.toThrow();
  });

  it("optional properties may be absent or undefined; a nullable one may be null", () => {
    const inputs = onlineInputs();
    delete inputs.note;
    expect(() => online.validateInputs({ ...inputs, address: { city: "Oslo" }, maybe: 3 })).not.toThrow();
    expect(() => online.validateInputs({ ...inputs, note: undefined, address: { city: "Oslo", zip: undefined } })).not.toThrow();
  });

  it("any typed array or array is a Column of numbers", () => {
    for (const amount of [Int32Array.of(1, 2, 3), Float32Array.of(1, 2, 3), [1, 2, 3]]) {
      expect(() => batch.validateInputs({ ...batchInputs(), amount })).not.toThrow();
    }
  });
});

describe("wrong types: InvalidInputError names the input's path, the type and what was given", () => {
  const cases: [string, (inputs: Record<string, unknown>) => void, string][] = [
    [
      "a string for a number",
      (i) => (i.amount = "2024-01-01T00:00:00Z"),
      `input 'amount': expected number, got string "2024-01-01T00:00:00Z" (target 'online')`,
    ],
    ["null for a number", (i) => (i.amount = null), "input 'amount': expected number, got null (target 'online')"],
    ["a number for a string", (i) => (i.label = 7), "input 'label': expected string, got number 7 (target 'online')"],
    ["a string for a boolean", (i) => (i.active = "true"), `input 'active': expected boolean, got string "true" (target 'online')`],
    [
      "an array with one wrong element",
      (i) => (i.tags = ["a", "b", 3]),
      "input 'tags[2]': expected string, got number 3 (target 'online')",
    ],
    ["an object for an array", (i) => (i.tags = { 0: "a" }), "input 'tags': expected string[], got object (target 'online')"],
    [
      "a wrong element two arrays deep",
      (i) => (i.matrix = [[1], [2, "x"]]),
      `input 'matrix[1][1]': expected number, got string "x" (target 'online')`,
    ],
    [
      "a plain array for a Float64Array",
      (i) => (i.weights = [0.5]),
      "input 'weights': expected Float64Array, got array (1 item) (target 'online')",
    ],
    [
      "another typed array for a Float64Array",
      (i) => (i.weights = Float32Array.of(1, 2)),
      "input 'weights': expected Float64Array, got Float32Array (2 items) (target 'online')",
    ],
    [
      "a nested property of the wrong type",
      (i) => (i.address = { city: 47 }),
      "input 'address.city': expected string, got number 47 (target 'online')",
    ],
    [
      "a nested required property left out",
      (i) => (i.address = { zip: "0150" }),
      "input 'address.city': expected string, got undefined (target 'online')",
    ],
    [
      "an optional nested property of the wrong type",
      (i) => (i.address = { city: "Oslo", zip: 150 }),
      "input 'address.zip': expected string, got number 150 (target 'online')",
    ],
    [
      "an optional property of the wrong type",
      (i) => (i.note = false),
      "input 'note': expected string, got boolean false (target 'online')",
    ],
    [
      "a string outside a union of literals",
      (i) => (i.tier = "platinum"),
      `input 'tier': expected Tier, got string "platinum" (target 'online')`,
    ],
    [
      "a wrong value under an index signature",
      (i) => (i.limits = { daily: 1, weekly: "50" }),
      `input 'limits.weekly': expected number, got string "50" (target 'online')`,
    ],
    ["a date as a string", (i) => (i.since = "2024-01-01"), `input 'since': expected Date, got string "2024-01-01" (target 'online')`],
    ["a string for a nullable number", (i) => (i.maybe = "3"), `input 'maybe': expected number | null, got string "3" (target 'online')`],
    [
      "a service without its method",
      (i) => (i.scorer = {}),
      "input 'scorer.score': expected (x: number) => number, got undefined (target 'online')",
    ],
    [
      "fitted values of the wrong type",
      (i) => (i.fitted = { amount_mean: "2" }),
      `input 'fitted.amount_mean': expected number, got string "2" (target 'online')`,
    ],
    ["a fitted value left out", (i) => (i.fitted = {}), "input 'fitted.amount_mean': expected number, got undefined (target 'online')"],
    [
      "a long string, cut in the message",
      (i) => (i.amount = "x".repeat(100)),
      `input 'amount': expected number, got string "${"x".repeat(40)}…" (100 characters) (target 'online')`,
    ],
  ];
  it.each(cases)("%s", (_, spoil, message) => {
    const inputs = onlineInputs();
    spoil(inputs);
    for (const error of [validateOnline(inputs), thrown(() => online.validateInputs(inputs))]) {
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.message).toBe(message);
    }
  });

  it("the error carries the path, the expected type and what was given as fields", () => {
    const error = validateOnline({ ...onlineInputs(), matrix: [[1], [2, "x"]] }) as InvalidInputError;
    expect({ code: error.code, target: error.target, input: error.input, expected: error.expected, given: error.given }).toEqual({
      code: "FEATC_INVALID_INPUT",
      target: "online",
      input: "matrix[1][1]",
      expected: "number",
      given: `string "x"`,
    });
  });

  it("without validate the executor does not check (the wrong number comes out): validation is opt-in", () => {
    const result = online.execute(["centered"], { ...onlineInputs(), amount: "12" }) as { centered: unknown };
    expect(result.centered).toBe(10); // "12" - 2: JavaScript's coercion, which validation exists to stop
  });

  it("batch: a column with one wrong element, a string column given numbers, a table column of another length", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ amount: [1, "2", 3] }, `input 'amount[1]': expected number, got string "2" (target 'batch')`],
      [{ amount: "1,2,3" }, `input 'amount': expected Column<number>, got string "1,2,3" (target 'batch')`],
      [{ label: Float64Array.of(1, 2, 3) }, "input 'label[0]': expected string, got number 1 (target 'batch')"],
      [
        { purchases: { length: 2, columns: { amount: [5, 6, 7], refunded: [true, false] } } },
        "input 'purchases.columns.amount': expected a column of 2 rows, got array (3 items) (target 'batch')",
      ],
      [
        { purchases: { length: 2, columns: { amount: [5, 6], refunded: [true, 0] } } },
        "input 'purchases.columns.refunded[1]': expected boolean, got number 0 (target 'batch')",
      ],
      [
        { purchases: { length: -1, columns: {} } },
        "input 'purchases.length': expected a row count (a non-negative integer), got number -1 (target 'batch')",
      ],
      [{ purchases: [] }, "input 'purchases.columns': expected an object of columns, got undefined (target 'batch')"],
      [{ scale: "2" }, `input 'scale': expected number, got string "2" (target 'batch')`],
    ];
    for (const [spoil, message] of cases) {
      const error = thrown(() => batch.execute(["scaled", "label_length", "refunds"], { ...batchInputs(), ...spoil }, { validate: true }));
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.message).toBe(message);
    }
  });

  it("inputs that are no object at all", () => {
    for (const [value, given] of [
      [5, "number 5"],
      ["inputs", `string "inputs"`],
      [true, "boolean true"],
    ] as const) {
      const error = validateOnline(value);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.message).toBe(`the inputs of target 'online' must be an object, got ${given}`);
    }
  });
});

describe("missing inputs: MissingInputError, never a TypeError", () => {
  it("a null or undefined inputs object, with and without validate, online and batch", () => {
    for (const target of [online, batch]) {
      for (const options of [undefined, { validate: true }]) {
        for (const value of [null, undefined]) {
          const error = thrown(() => target.execute(target === online ? ["centered"] : ["scaled"], value, options));
          expect(error).toBeInstanceOf(MissingInputError);
          expect(error.message).toMatch(
            new RegExp(`^target '(online|batch)' needs an inputs object, got ${value === null ? "null" : "undefined"}$`),
          );
        }
      }
      expect(thrown(() => target.validateInputs(null))).toBeInstanceOf(MissingInputError);
    }
  });

  it("fitted = null, with and without validate", () => {
    for (const options of [undefined, { validate: true }]) {
      const error = thrown(() => online.execute(["centered"], { ...onlineInputs(), fitted: null }, options));
      expect(error).toBeInstanceOf(MissingInputError);
      expect(error.message).toBe("input 'fitted' of target 'online' is needed by the requested outputs but was not given");
    }
  });

  it("validateInputs requires every required input; execute with validate only those the outputs need", () => {
    const inputs = onlineInputs();
    delete inputs.tags;
    const error = thrown(() => online.validateInputs(inputs));
    expect(error).toBeInstanceOf(MissingInputError);
    expect(error.message).toBe("input 'tags' of target 'online' is needed by the requested outputs but was not given");
    // 'centered' needs amount and fitted only: the rest may be left out, but what is given is checked.
    expect(online.execute(["centered"], { amount: 3, fitted: { amount_mean: 1 } }, { validate: true })).toEqual({ centered: 2 });
    expect(
      thrown(() => online.execute(["centered"], { amount: 3, fitted: { amount_mean: 1 }, label: 1 }, { validate: true })).message,
    ).toBe("input 'label': expected string, got number 1 (target 'online')");
    expect(thrown(() => online.execute(["summary"], inputs, { validate: true }))).toBeInstanceOf(MissingInputError);
  });
});

describe("checkFitted", () => {
  it("runs the fitted values' @check rules in both targets: a warn check reports through onWarning", () => {
    for (const target of [online, batch]) {
      const warnings: { node: string; check: string }[] = [];
      target.checkFitted(
        { amount_mean: 5e6 },
        { onWarning: (w: { node: string; check: string }) => warnings.push({ node: w.node, check: w.check }) },
      );
      target.checkFitted(
        { amount_mean: 5 },
        { onWarning: (w: { node: string; check: string }) => warnings.push({ node: w.node, check: w.check }) },
      );
      expect(warnings).toEqual([{ node: "amount_mean", check: "range(-1000000, 1000000)" }]);
    }
  });
});

describe("random catalogs (test/support/random-catalog.ts)", () => {
  interface Scenario {
    batchInputs(rows: number): Record<string, unknown>;
    onlineInputs(id: number): Record<string, unknown>;
  }

  it("their inputs pass; each input given a value of another type is refused, naming it (row inputs at their first element)", async () => {
    let checked = 0;
    for (const desc of fc.sample(catalogArbitrary(), { seed: 2026, numRuns: 6 })) {
      const ws = workspace("validate-random");
      try {
        writeFiles(ws, writeCatalog(desc));
        await buildOk(ws);
        const scenario = await importFrom<Scenario>(ws, "scenario.ts");
        const batchTarget = await importFrom<Executor>(ws, "generated/batch.ts");
        const onlineTarget = await importFrom<Executor>(ws, "generated/online.ts");
        const batchGiven = scenario.batchInputs(3);
        const onlineGiven = scenario.onlineInputs(1);
        expect(() => batchTarget.validateInputs(batchGiven)).not.toThrow();
        expect(() => onlineTarget.execute([], onlineGiven, { validate: true })).not.toThrow();
        for (const input of desc.inputs) {
          const wrong = input.type === "number" ? "1" : input.type === "string" ? 1 : "true";
          const given = typeof wrong === "string" ? `string "${wrong}"` : `number ${wrong}`;
          const online = thrown(() => onlineTarget.execute([], { ...onlineGiven, [input.name]: wrong }, { validate: true }));
          expect(online.message).toBe(`input '${input.name}': expected ${input.type}, got ${given} (target 'online')`);
          const column = input.row ? Array.from(batchGiven[input.name] as ArrayLike<unknown>) : undefined;
          if (column) column[0] = wrong;
          const batch = thrown(() => batchTarget.validateInputs({ ...batchGiven, [input.name]: column ?? wrong }));
          expect(batch.message).toBe(`input '${input.name}${column ? "[0]" : ""}': expected ${input.type}, got ${given} (target 'batch')`);
          checked++;
        }
      } finally {
        removeWorkspace(ws);
      }
    }
    expect(checked).toBeGreaterThan(5);
  }, 180_000);
});
