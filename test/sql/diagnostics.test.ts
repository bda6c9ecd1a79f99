/**
 * Constructs with no SQL translation: `featc check` reports FC1013 at the construct, per SQL
 * target (the reason may depend on the dialect), naming the nodes downstream that it affects
 * and, where the dialect runs JavaScript UDFs, that `@udf` would run the function as it is;
 * nothing is written, and the translatable functions beside them raise nothing. `@udf` misused
 * is FC1015 at the construct: on a dialect without JavaScript UDFs (at the tag), a parameter
 * that is not one value per row, and, for the engines that run a copy of the JavaScript, an
 * import from outside the catalog or module state; `@udf` with an argument is FC1006.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../support/workspace.js";

interface Expected {
  readonly code: string;
  readonly target: string;
  readonly line: number;
  readonly column: number;
  /** A part of the message. */
  readonly message: string;
}

describe.each([
  ["FC1013", "untranslatable"],
  ["@udf misused", "udf-misuse"],
])("%s", (_, fixture) => {
  const FIXTURE = path.join(REPO, "test", "fixtures", "sql", fixture);
  it("is reported at each construct, with its code and position, through the command line", () => {
    const run = spawnSync(
      process.execPath,
      [path.join(REPO, "bin", "featc.js"), "check", "--config", path.join(FIXTURE, "featc.config.json"), "--format", "json"],
      { encoding: "utf8", cwd: REPO },
    );
    expect(run.status, run.stderr).toBe(1);
    const found = (
      JSON.parse(run.stdout) as {
        diagnostics: { code: string; target?: string; file: string; line: number; column: number; message: string }[];
      }
    ).diagnostics;
    const expected = JSON.parse(fs.readFileSync(path.join(FIXTURE, "expected.json"), "utf8")) as Expected[];
    expect(found.map((d) => ({ code: d.code, target: d.target, file: d.file, line: d.line, column: d.column }))).toEqual(
      expected.map((e) => ({ code: e.code, target: e.target, file: "catalog/features.ts", line: e.line, column: e.column })),
    );
    found.forEach((d, i) => expect(d.message).toContain(expected[i]!.message));
    expect(fs.existsSync(path.join(FIXTURE, "generated"))).toBe(false);
  });
});
