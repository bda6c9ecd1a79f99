/**
 * The CLI runs from the JavaScript `npm run prepare` compiles into dist/ when that is fresh, and
 * from the TypeScript sources otherwise. Both must behave the same: the compiler is compiled
 * here into a fresh folder (whatever state dist/ is in) and each command's output, exit code
 * and written files are compared with the sources' run through tsx.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, removeWorkspace, workspace } from "./support/workspace.js";

const TSC = path.join(REPO, "node_modules", "typescript", "bin", "tsc");
const FIXTURES = path.join(REPO, "test", "fixtures");
let outDir = "";
let runner = "";

beforeAll(() => {
  outDir = workspace("compiled-cli");
  const r = spawnSync(process.execPath, [TSC, "-p", path.join(REPO, "tsconfig.build.json"), "--outDir", outDir], { encoding: "utf8" });
  expect(r.stdout + r.stderr, "tsc -p tsconfig.build.json").toBe("");
  expect(r.status).toBe(0);
  runner = path.join(outDir, "run.mjs");
  fs.writeFileSync(
    runner,
    `const { main } = await import(${JSON.stringify(pathToFileURL(path.join(outDir, "compiler", "cli.js")).href)});\nprocess.exitCode = await main(process.argv);\n`,
  );
}, 60_000);
afterAll(() => removeWorkspace(outDir));

function both(args: string[], cwd = REPO) {
  const run = (argv: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, argv, { encoding: "utf8", cwd, env: { ...process.env, NO_COLOR: "1", ...env } });
  const compiled = run([runner, ...args], {});
  const sources = run([path.join(REPO, "bin", "featc.js"), ...args], { FEATC_FROM_SOURCE: "1" });
  return { compiled, sources };
}

describe("the compiled CLI", () => {
  it.each([
    ["check, human, a broken catalog", ["check", "--config", path.join(FIXTURES, "diagnostics", "fc1004-types", "featc.config.json")]],
    [
      "check, json, every kind of tag problem",
      ["check", "--format", "json", "--config", path.join(FIXTURES, "diagnostics", "fc1006-tags", "featc.config.json")],
    ],
    ["build --check on the reference catalog", ["build", "--check"]],
  ])("%s: the same output and exit code as the sources", (_name, args) => {
    const { compiled, sources } = both(args);
    expect(compiled.stderr).not.toMatch(/\n\s+at /);
    expect({ status: compiled.status, stdout: compiled.stdout, stderr: compiled.stderr }).toEqual({
      status: sources.status,
      stdout: sources.stdout,
      stderr: sources.stderr,
    });
  });

  it("docs writes the same page as the sources", () => {
    const dirs = [workspace("compiled-docs"), workspace("source-docs")];
    try {
      const runs = [
        spawnSync(process.execPath, [runner, "docs", "--out", dirs[0]!], { encoding: "utf8", cwd: REPO }),
        spawnSync(process.execPath, [path.join(REPO, "bin", "featc.js"), "docs", "--out", dirs[1]!], {
          encoding: "utf8",
          cwd: REPO,
          env: { ...process.env, FEATC_FROM_SOURCE: "1" },
        }),
      ];
      for (const r of runs) expect(r.status, r.stderr).toBe(0);
      const written = (dir: string) =>
        Object.fromEntries(
          fs
            .readdirSync(dir)
            .sort()
            .map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]),
        );
      const compiled = written(dirs[0]!);
      expect(Object.keys(compiled)).toContain("index.html");
      expect(compiled).toEqual(written(dirs[1]!));
    } finally {
      dirs.forEach(removeWorkspace);
    }
  });

  it("build writes the same executors as the sources", () => {
    const dirs = [
      workspace("compiled-build", path.join(FIXTURES, "emit", "mixed")),
      workspace("source-build", path.join(FIXTURES, "emit", "mixed")),
    ];
    try {
      const runs = [
        spawnSync(process.execPath, [runner, "build"], { encoding: "utf8", cwd: dirs[0] }),
        spawnSync(process.execPath, [path.join(REPO, "bin", "featc.js"), "build"], {
          encoding: "utf8",
          cwd: dirs[1],
          env: { ...process.env, FEATC_FROM_SOURCE: "1" },
        }),
      ];
      for (const r of runs) expect(r.status, r.stderr).toBe(0);
      const written = (dir: string) =>
        Object.fromEntries(
          fs
            .readdirSync(path.join(dir, "generated"))
            .sort()
            .map((f) => [f, fs.readFileSync(path.join(dir, "generated", f), "utf8")]),
        );
      const compiled = written(dirs[0]!);
      expect(Object.keys(compiled).length).toBeGreaterThan(0);
      expect(compiled).toEqual(written(dirs[1]!));
    } finally {
      dirs.forEach(removeWorkspace);
    }
  });
});
