/**
 * The command line loads the compiler (ts-morph and the TypeScript it bundles) only for commands
 * that read a catalog: `--help`, `--version` and a usage error start without it. Each command
 * runs as a user runs it (`node bin/featc.js`), with a preload that lists, at exit, every
 * CommonJS module the process loaded (ts-morph and TypeScript are CommonJS).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, removeWorkspace, workspace } from "./support/workspace.js";

let dir = "";
let preload = "";

beforeAll(() => {
  dir = workspace("cli-startup");
  preload = path.join(dir, "list-modules.cjs");
  fs.writeFileSync(preload, `process.on("exit", () => require("node:fs").writeFileSync(process.env.FEATC_MODULES_FILE, Object.keys(require.cache).join("\\n")));\n`);
});
afterAll(() => removeWorkspace(dir));

/** Runs the CLI; returns its exit code, output and the CommonJS modules it loaded. */
function run(args: string[]) {
  const listFile = path.join(dir, "modules.txt");
  fs.rmSync(listFile, { force: true });
  const r = spawnSync(process.execPath, ["--require", preload, path.join(REPO, "bin", "featc.js"), ...args], {
    encoding: "utf8",
    cwd: REPO,
    env: { ...process.env, NO_COLOR: "1", FEATC_MODULES_FILE: listFile },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, modules: fs.readFileSync(listFile, "utf8").split("\n") };
}

const COMPILER = /[\\/]node_modules[\\/](ts-morph|@ts-morph[\\/]common|typescript)[\\/]/;

describe("start-up", () => {
  it("--help lists every command without loading the compiler", () => {
    const r = run(["--help"]);
    expect(r.status).toBe(0);
    for (const command of ["check", "build", "graph", "explain", "diff", "docs", "version"]) expect(r.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    expect(r.modules.filter((m) => COMPILER.test(m))).toEqual([]);
  });

  it("--version prints the package's version without loading the compiler", () => {
    const r = run(["--version"]);
    expect(r.status).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as { version: string };
    expect(r.stdout.trim()).toBe(manifest.version);
    expect(r.modules.filter((m) => COMPILER.test(m))).toEqual([]);
  });

  it("a command's help and a usage error do not load the compiler either", () => {
    const help = run(["check", "--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("--config <path>");
    const usage = run(["check", "--format", "yaml"]);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("'yaml' is invalid");
    expect([...help.modules, ...usage.modules].filter((m) => COMPILER.test(m))).toEqual([]);
  });

  it("check loads the compiler it needs (the probe sees it)", () => {
    const r = run(["check"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.modules.some((m) => /[\\/]ts-morph[\\/]/.test(m))).toBe(true);
  });
});
