/**
 * Every diagnostic code, produced by a fixture with the right position: one folder per case in
 * test/fixtures/diagnostics (written by make.py from catalogs whose offending tokens are marked),
 * each with the exact set of diagnostics it must produce, text each message must include, and
 * the CLI's exit code. A case folder without featc.config.json is the "missing config" case.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { analyze } from "../compiler/analyze.js";
import { exitCodeFor } from "../compiler/cli.js";
import { relative } from "../compiler/cli/format.js";
import { REPO } from "./support/workspace.js";

const ROOT = path.join(REPO, "test", "fixtures", "diagnostics");

interface Expected {
  exitCode: number;
  diagnostics: { code: string; file?: string; line?: number; column?: number; target?: string; messageIncludes?: string | string[] }[];
}

const key = (d: Expected["diagnostics"][number]) =>
  JSON.stringify([d.code, d.file ?? null, d.line ?? null, d.column ?? null, d.target ?? null]);

describe("diagnostic fixtures", () => {
  const cases = fs
    .readdirSync(ROOT)
    .filter((n) => fs.statSync(path.join(ROOT, n)).isDirectory())
    .sort();

  it("cover every code of DESIGN.md §3", () => {
    const codes = new Set(
      cases.flatMap((c) =>
        (JSON.parse(fs.readFileSync(path.join(ROOT, c, "expected.json"), "utf8")) as Expected).diagnostics.map((d) => d.code),
      ),
    );
    for (const code of [
      "FC1001",
      "FC1002",
      "FC1003",
      "FC1004",
      "FC1005",
      "FC1006",
      "FC1007",
      "FC1008",
      "FC1009",
      "FC1010",
      "FC1011",
      "FC2001",
      "FC2002",
    ])
      expect(codes).toContain(code);
  });

  for (const name of cases) {
    it(name, async () => {
      const dir = path.join(ROOT, name);
      const expected = JSON.parse(fs.readFileSync(path.join(dir, "expected.json"), "utf8")) as Expected;
      const analysis = await analyze(path.join(dir, "featc.config.json"));
      const actual = analysis.diagnostics.map((d) => ({
        code: d.code,
        ...(d.span ? { file: relative(d.span.file, dir), line: d.span.line, column: d.span.column } : {}),
        ...(d.targets.length > 0 ? { target: d.targets[0] } : {}),
      }));
      const detail = analysis.diagnostics
        .map(
          (d) =>
            `${d.code} ${d.span ? `${relative(d.span.file, dir)}:${d.span.line}:${d.span.column}` : "-"} [${d.targets.join(",")}] ${d.message}`,
        )
        .join("\n");
      expect(actual.map(key).sort(), detail).toEqual(expected.diagnostics.map(key).sort());
      expect(exitCodeFor(analysis.diagnostics)).toBe(expected.exitCode);
      for (const want of expected.diagnostics) {
        if (want.messageIncludes === undefined) continue;
        const got = analysis.diagnostics.find((d, i) => key(actual[i]!) === key(want))!;
        for (const text of [want.messageIncludes].flat()) expect(got.message, `message of ${key(want)}`).toContain(text);
      }
      for (const d of analysis.diagnostics) {
        expect(d.message).not.toMatch(/import\("/);
        expect(d.message.length).toBeGreaterThan(10);
      }
    });
  }
});
