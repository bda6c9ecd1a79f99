/**
 * Constructs with no SQL translation: `featc check` reports FC1013 at the construct, per SQL
 * target (the reason may depend on the dialect), naming the nodes downstream that it affects;
 * nothing is written, and the translatable functions beside them raise nothing.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../support/workspace.js";

const FIXTURE = path.join(REPO, "test", "fixtures", "sql", "untranslatable");

interface Expected {
  readonly code: string;
  readonly target: string;
  readonly line: number;
  readonly column: number;
  /** A part of the message. */
  readonly message: string;
}

describe("FC1013", () => {
  it("is reported at each untranslatable construct, with the affected consumers, through the command line", () => {
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
