/** Runtime errors: readable messages, structured fields, stable codes, one base class. */
import { describe, expect, it } from "vitest";
import {
  CheckFailedError,
  FeatcError,
  FittedArtifactError,
  MissingInputError,
  RowAxisError,
  UnknownOutputError,
  checkWarning,
} from "../../runtime/index.js";

describe("CheckFailedError", () => {
  it("names the check, the node, how many rows failed and the first ones", () => {
    const error = new CheckFailedError("age_normalized", "range(0, 1)", 3, 1000, [4, 17, 99]);
    expect(error.message).toBe("check 'range(0, 1)' failed on node 'age_normalized' for 3 of 1000 rows (first at rows 4, 17, 99)");
    expect(error).toMatchObject({
      node: "age_normalized",
      check: "range(0, 1)",
      failed: 3,
      total: 1000,
      firstIndices: [4, 17, 99],
      code: "FEATC_CHECK_FAILED",
    });
    expect(error.name).toBe("CheckFailedError");
    expect(error).toBeInstanceOf(FeatcError);
    expect(error).toBeInstanceOf(Error);
  });

  it("says 'row' for a single listed row and speaks of no rows online", () => {
    expect(new CheckFailedError("n", "notNull", 1, 5, [2]).message).toBe(
      "check 'notNull' failed on node 'n' for 1 of 5 rows (first at row 2)",
    );
    expect(new CheckFailedError("n", "notNull", 1, 1, [0]).message).toBe("check 'notNull' failed on node 'n'");
  });
});

describe("checkWarning", () => {
  it("carries the same fields and message as the error would", () => {
    const warning = checkWarning("age", "range(0, 120)", 2, 10, [3, 8]);
    expect(warning).toEqual({
      node: "age",
      check: "range(0, 120)",
      failed: 2,
      total: 10,
      firstIndices: [3, 8],
      message: new CheckFailedError("age", "range(0, 120)", 2, 10, [3, 8]).message,
    });
  });
});

describe("RowAxisError", () => {
  it("names both values and both lengths", () => {
    const error = new RowAxisError("age", 1000, "budget", 999);
    expect(error.message).toBe("row-level values must have one length: 'age' has 1000 rows but 'budget' has 999");
    expect(error).toMatchObject({ firstName: "age", firstLength: 1000, otherName: "budget", otherLength: 999, code: "FEATC_ROW_AXIS" });
  });
});

describe("MissingInputError", () => {
  it("names the input and the target", () => {
    const error = new MissingInputError("client_id", "online");
    expect(error.message).toBe("input 'client_id' of target 'online' is needed by the requested outputs but was not given");
    expect(error).toMatchObject({ input: "client_id", target: "online", code: "FEATC_MISSING_INPUT" });
  });
});

describe("UnknownOutputError", () => {
  const known = ["age_mean", "age_normalized", "predictions"];

  it("suggests the nearest known output by edit distance", () => {
    const error = new UnknownOutputError("age_mena", "online", known);
    expect(error.message).toBe("'age_mena' is not an output of target 'online'. Did you mean 'age_mean'?");
    expect(error).toMatchObject({ output: "age_mena", target: "online", known, code: "FEATC_UNKNOWN_OUTPUT" });
    expect(new UnknownOutputError("prediction", "batch", known).message).toMatch(/Did you mean 'predictions'\?$/);
  });

  it("suggests nothing when no known name is close", () => {
    expect(new UnknownOutputError("zzzzzz", "batch", known).message).toBe("'zzzzzz' is not an output of target 'batch'");
    expect(new UnknownOutputError("x", "batch", []).message).toBe("'x' is not an output of target 'batch'");
  });
});

describe("FittedArtifactError", () => {
  it("names the artifact and the reason", () => {
    const error = new FittedArtifactError("fitted.json", "file not found");
    expect(error.message).toBe("fitted artifact 'fitted.json' refused: file not found");
    expect(error).toMatchObject({ path: "fitted.json", reason: "file not found", code: "FEATC_FITTED_ARTIFACT" });
    expect(error).toBeInstanceOf(FeatcError);
  });
});
