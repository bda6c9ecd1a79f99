/**
 * The command line's last resort: whatever escapes the compiler (here a stack overflow thrown
 * by the analysis) ends with exit code 2, never 3 and never a stack trace; in JSON mode standard
 * output holds exactly one JSON document with an FC1099 diagnostic. (`--no-cache`: the catalog is
 * analysed, not answered from a kept result.)
 */
import { describe, expect, it, vi } from "vitest";

vi.mock("../compiler/analyze.js", () => ({
  analyze: () => {
    throw new RangeError("Maximum call stack size exceeded");
  },
}));

const { main } = await import("../compiler/cli.js");

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), color: false }, out, err };
}

describe("an internal error", () => {
  for (const format of [["--format", "json"], ["--format=json"], ["-f", "json"]]) {
    it(`prints one JSON document with FC1099 and exits 2 (${format.join(" ")})`, async () => {
      const { io, out, err } = capture();
      expect(await main(["node", "featc", "check", "--no-cache", ...format], io)).toBe(2);
      expect(err).toEqual([]);
      expect(out).toHaveLength(1);
      expect(JSON.parse(out[0]!)).toEqual({
        diagnostics: [
          {
            code: "FC1099",
            severity: "error",
            target: null,
            file: null,
            line: null,
            column: null,
            message: expect.stringContaining("Maximum call stack size exceeded"),
          },
        ],
      });
    });
  }

  it("says so on stderr in human mode and exits 2", async () => {
    const { io, out, err } = capture();
    expect(await main(["node", "featc", "check", "--no-cache"], io)).toBe(2);
    expect(out).toEqual([]);
    expect(err).toEqual(["featc: internal error: Maximum call stack size exceeded"]);
  });
});
