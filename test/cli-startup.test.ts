/**
 * The command line loads the compiler (ts-morph and the TypeScript it bundles) only for commands
 * that read a catalog: `--help`, `--version` and a usage error start without it. Each command
 * runs as a user runs it (`node bin/featc.js`), with a preload that lists, at exit, every
 * CommonJS module the process loaded (ts-morph and TypeScript are CommonJS).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, removeWorkspace, workspace } from "./support/workspace.js";

let dir = "";
let preload = "";
let esmPreload = "";

beforeAll(() => {
  dir = workspace("cli-startup");
  preload = path.join(dir, "list-modules.cjs");
  fs.writeFileSync(
    preload,
    `process.on("exit", () => require("node:fs").writeFileSync(process.env.FEATC_MODULES_FILE, Object.keys(require.cache).join("\\n")));\n`,
  );
  // ES modules are not in require.cache: a loader hook appends each one's path as it is loaded.
  const hooks = path.join(dir, "list-es-modules-hooks.mjs");
  fs.writeFileSync(
    hooks,
    `import fs from "node:fs";\nimport { fileURLToPath } from "node:url";\nexport async function load(url, context, next) {\n  if (url.startsWith("file:")) fs.appendFileSync(process.env.FEATC_ES_MODULES_FILE, fileURLToPath(url) + "\\n");\n  return next(url, context);\n}\n`,
  );
  esmPreload = path.join(dir, "list-es-modules.mjs");
  fs.writeFileSync(
    esmPreload,
    `import { register } from "node:module";\nimport { pathToFileURL } from "node:url";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
  );
});
afterAll(() => removeWorkspace(dir));

/** Runs the CLI; returns its exit code, output and the CommonJS and ES modules it loaded. */
function run(args: string[]) {
  const listFile = path.join(dir, "modules.txt");
  const esListFile = path.join(dir, "es-modules.txt");
  fs.rmSync(listFile, { force: true });
  fs.writeFileSync(esListFile, "");
  const r = spawnSync(
    process.execPath,
    ["--require", preload, "--import", pathToFileURL(esmPreload).href, path.join(REPO, "bin", "featc.js"), ...args],
    {
      encoding: "utf8",
      cwd: REPO,
      env: { ...process.env, NO_COLOR: "1", FEATC_MODULES_FILE: listFile, FEATC_ES_MODULES_FILE: esListFile },
    },
  );
  const esModules = fs.readFileSync(esListFile, "utf8").split("\n").filter(Boolean);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, modules: fs.readFileSync(listFile, "utf8").split("\n"), esModules };
}

const COMPILER = /[\\/]node_modules[\\/](ts-morph|@ts-morph[\\/]common|typescript)[\\/]/;
const TYPESCRIPT = /[\\/]node_modules[\\/]@ts-morph[\\/]common[\\/]dist[\\/]typescript\.js$/;
const TS_MORPH = /[\\/]node_modules[\\/]ts-morph[\\/]/;
/** The modules of the compiler's phases: what reads the config and the catalog, checks and emits. */
const COMPILER_PHASE =
  /[\\/]compiler[\\/](config|analyze|build|discover[\\/][^\\/]+|graph[\\/]build|validate[\\/][^\\/]+|codegen[\\/][^\\/]+)\.[jt]s$/;

describe("start-up", () => {
  it("--help lists every command without loading the compiler", () => {
    const r = run(["--help"]);
    expect(r.status).toBe(0);
    for (const command of ["check", "build", "init", "graph", "explain", "diff", "docs", "version"])
      expect(r.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
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
    const initHelp = run(["init", "--help"]);
    expect(initHelp.status).toBe(0);
    expect(initHelp.modules.filter((m) => COMPILER.test(m))).toEqual([]);
    const usage = run(["check", "--format", "yaml"]);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("'yaml' is invalid");
    expect([...help.modules, ...usage.modules].filter((m) => COMPILER.test(m))).toEqual([]);
  });

  it("check loads the TypeScript it reads the catalog with (the probe sees it), not ts-morph's own classes", () => {
    // --no-cache: a check answered from its result cache reads no catalog and loads neither (test/check-cache.test.ts).
    const r = run(["check", "--no-cache"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.modules.some((m) => TYPESCRIPT.test(m))).toBe(true);
    expect(r.modules.filter((m) => TS_MORPH.test(m))).toEqual([]);
  });

  it("init loads TypeScript only to read the project's tsconfig, and no phase of the compiler", () => {
    const project = path.join(dir, "init-project");
    fs.mkdirSync(project, { recursive: true });
    fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "init-project", type: "module" }));
    const r = run(["init", project]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("wrote featc.config.json");
    expect(r.stdout).toMatch(/^  node .*main\.js$/m);
    expect(r.modules.filter((m) => TS_MORPH.test(m))).toEqual([]);
    expect(r.esModules.filter((m) => COMPILER_PHASE.test(m))).toEqual([]);
  });
});
