/** `featc check` as a process: tsc-like human output, the JSON shape of DESIGN.md §3, exit codes, no stack traces. */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO, removeWorkspace, workspace, writeFiles } from "./support/workspace.js";

const FIXTURES = path.join(REPO, "test", "fixtures", "diagnostics");
const run = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(REPO, "bin", "featc.js"), "check", ...args], { encoding: "utf8", cwd: REPO });
const config = (name: string) => path.join(FIXTURES, name, "featc.config.json");

describe("featc check", () => {
  it("prints tsc-style diagnostics with a code frame and exits 1", () => {
    const r = run("--config", config("fc1001-suggestion"));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("catalog/f.ts:4:43 - error FC1001: 'age_mena' is not a feature or an input of targets 'batch' and 'online'");
    expect(r.stderr).toMatch(/\n4 export function age_centered\(age: number, age_mena: number\)[^\n]*\n\s+~~~~~~~~\n/);
    expect(r.stderr).toContain("Found 1 error.");
  });

  it("prints exactly the JSON shape of the contract", () => {
    const r = run("--config", config("fc1002-cycle"), "--format", "json");
    expect(r.status).toBe(1);
    const json = JSON.parse(r.stdout) as { diagnostics: Record<string, unknown>[] };
    expect(Object.keys(json)).toEqual(["diagnostics"]);
    expect(json.diagnostics).toHaveLength(4);
    for (const d of json.diagnostics)
      expect(Object.keys(d).sort()).toEqual(["code", "column", "file", "line", "message", "severity", "target"]);
    expect(json.diagnostics[0]).toMatchObject({
      code: "FC1002",
      severity: "error",
      file: "catalog/f.ts",
      line: 1,
      column: 19,
      message: "cycle in target 'batch': a -> b -> c -> a",
    });
  });

  it("exits 0 on a clean catalog and on warnings only", () => {
    expect(run("--config", config("clean-variants-extract-fitted")).status).toBe(0);
    const warn = run("--config", config("fc2001-unused-input"));
    expect(warn.status).toBe(0);
    expect(warn.stderr).toContain("catalog/inputs.ts:1:45 - warning FC2001: input 'unused' of target 'batch' is never used.");
    const json = run("--config", config("fc2001-unused-input"), "--format", "json");
    expect(json.status).toBe(0);
    expect((JSON.parse(json.stdout) as { diagnostics: { severity: string }[] }).diagnostics.map((d) => d.severity)).toEqual([
      "warning",
      "warning",
    ]);
  });

  it("prints a finding shared by several targets once", () => {
    const r = run("--config", config("fc1006-tags"));
    expect(r.status).toBe(1);
    // The same tag problem in both targets, with a message that does not name the target.
    expect(r.stderr.split("@check range(0, 1) needs a number").length - 1).toBe(1);
    expect(r.stderr.split("@check range needs two numbers").length - 1).toBe(1);
  });

  it("takes a folder for --config, as tsc -p does", () => {
    const r = run("--config", path.join(FIXTURES, "fc1001-suggestion"), "--format", "json");
    expect(r.status).toBe(1);
    expect((JSON.parse(r.stdout) as { diagnostics: { file: string }[] }).diagnostics[0]!.file).toBe("catalog/f.ts");
  });

  it("exits 2 on usage and config errors, without a stack trace", () => {
    for (const args of [
      ["--config", config("fc1010-missing-config")],
      ["--config", config("fc1010-unknown-shape")],
      ["--config", config("clean-variants-extract-fitted"), "--target", "nope"],
      ["--format", "xml"],
    ]) {
      const r = run(...args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr + r.stdout).not.toMatch(/\n\s+at /);
    }
  });

  it("says what is wrong with options that cannot go together, as for any other usage error", () => {
    for (const [args, message] of [
      [["build", "--watch", "--check"], "error: --watch and --check cannot be combined"],
      [["server", "--stop", "--status"], "error: --detach, --stop and --status cannot be combined"],
      [["server", "--idle", "0"], 'error: --idle must be a positive number of minutes, not "0"'],
    ] as const) {
      const r = spawnSync(process.execPath, [path.join(REPO, "bin", "featc.js"), ...args], { encoding: "utf8", cwd: REPO });
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toBe(`${message}\n(run featc --help for usage)\n`);
    }
  });

  it("reports a binary catalog file as FC1011, without a stack trace", () => {
    const r = run("--config", config("fc1011-typescript"));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("catalog/zz_binary.ts:1:1 - error FC1011");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("names an optional input's type as the feature reads it, undefined included (FC1004)", () => {
    const dir = workspace("cli-check-optional");
    try {
      writeFiles(dir, {
        "featc.config.json": JSON.stringify({
          catalog: ["catalog/*.ts"],
          outDir: "generated",
          targets: { online: { shape: "online", inputs: "catalog/inputs.ts#Inputs" } },
        }),
        "catalog/inputs.ts": "export interface Inputs {\n  price: number;\n  discount?: number;\n}\n",
        "catalog/f.ts": "export function net(price: number, discount: number): number {\n  return price - discount;\n}\n",
      });
      const r = run("--config", path.join(dir, "featc.config.json"));
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toContain("error FC1004: 'discount' is 'number | undefined', but parameter 'discount' of 'net' expects 'number'");
    } finally {
      removeWorkspace(dir);
    }
  });
});
