/**
 * `featc check`'s result cache, through the command line: a second check of an unchanged catalog
 * reports exactly what the first did without loading the compiler; any change to a file the
 * check read (a catalog file, a module it imports, the tsconfig, the config, a declaration only
 * the native type checker reads), a file appearing where module resolution looked or a new
 * catalog file is seen; a damaged entry is ignored; `--no-cache` and `FEATC_CACHE=0` turn it off.
 *
 * Each workspace has a `node_modules` folder of its own, so its entries are its own. Whether a
 * check came from the cache is told by the modules the process loaded: a check that reads the
 * catalog loads the TypeScript that ts-morph bundles.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, removeWorkspace, workspace, writeFiles } from "./support/workspace.js";

const FIXTURES = path.join(REPO, "test", "fixtures", "diagnostics");
/** The fixtures whose config itself is in error (FC1010 before the catalog is read). */
const UNLOADABLE_CONFIGS = ["fc1010-bad-json", "fc1010-glob-matches-nothing", "fc1010-trailing-comma", "fc1010-unknown-shape"];
const dirs: string[] = [];
let preload = "";

beforeAll(() => {
  const dir = workspace("check-cache-preload");
  dirs.push(dir);
  preload = path.join(dir, "list-modules.cjs");
  fs.writeFileSync(
    preload,
    `process.on("exit", () => { if (process.env.FEATC_MODULES_FILE) require("node:fs").writeFileSync(process.env.FEATC_MODULES_FILE, Object.keys(require.cache).join("\\n")); });\n`,
  );
});
afterAll(() => dirs.forEach(removeWorkspace));

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Whether the process read the catalog (loaded the compiler's TypeScript) rather than the cache. */
  readonly analysed: boolean;
}

let runs = 0;

/** `featc check` in `dir` as a user runs it. */
function check(dir: string, args: string[] = [], env: Record<string, string> = {}): Promise<Run> {
  const modules = path.join(dir, `modules-${runs++}.txt`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--require", preload, path.join(REPO, "bin", "featc.js"), "check", ...args], {
      cwd: dir,
      env: { ...process.env, ...env, FEATC_MODULES_FILE: modules },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (status) => {
      const loaded = fs.readFileSync(modules, "utf8");
      fs.rmSync(modules);
      resolve({ status, stdout, stderr, analysed: loaded.includes(`${path.sep}@ts-morph${path.sep}common${path.sep}`) });
    });
  });
}

/** A workspace with its own node_modules (so its own cache folder) holding a copy of `fixture` or `files`. */
function project(name: string, fixture?: string, files: Record<string, string> = {}): string {
  const dir = workspace(`check-cache-${name}`, fixture);
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, "node_modules"));
  writeFiles(dir, files);
  return dir;
}

const cacheFolder = (dir: string) => path.join(dir, "node_modules", ".cache", "featc");
const entries = (dir: string) => (fs.existsSync(cacheFolder(dir)) ? fs.readdirSync(cacheFolder(dir)) : []);

const CONFIG = JSON.stringify({
  catalog: ["catalog/**/*.ts"],
  outDir: "generated",
  targets: { batch: { shape: "batch", config: { mode: "batch" }, inputs: "catalog/inputs.ts#Inputs" } },
});

const TSCONFIG = JSON.stringify({
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    lib: ["ES2023"],
    // A package of global declarations, read by the native checker (the check's own program leaves `types` out).
    types: ["helpers"],
    typeRoots: ["./types"],
  },
});

/** A clean catalog: its inputs, a feature that imports a module outside the catalog's globs, one that calls a method declared in types/. */
const CLEAN = {
  "featc.config.json": CONFIG,
  "tsconfig.json": TSCONFIG,
  "catalog/inputs.ts": "export interface Inputs { age: number }\n",
  "catalog/features.ts": [
    'import { scale } from "../lib/scale.js";',
    "export function age_scaled(age: number): number { return scale(age); }",
    "export function age_offset(age: number): number { return Math.offset(); }",
    "",
  ].join("\n"),
  "lib/scale.ts": "export function scale(x: number): number { return x * 2; }\n",
  // A member added to a standard-library interface: the check's own program does not need it to read the catalog.
  "types/helpers/index.d.ts": "interface Math { offset(): number }\n",
};

describe("featc check's result cache", () => {
  it("reports exactly what a fresh check reports, on every diagnostics fixture, without reading the catalog again", async () => {
    const fixtures = fs.readdirSync(FIXTURES).filter((f) => fs.existsSync(path.join(FIXTURES, f, "featc.config.json")));
    expect(fixtures.length).toBeGreaterThan(20);
    const compare = async (fixture: string) => {
      const dir = project(fixture, path.join(FIXTURES, fixture));
      const fresh = await check(dir, ["--format", "json"]);
      const cached = await check(dir, ["--format", "json"]);
      return { fixture, fresh, cached, kept: entries(dir).length };
    };
    // Two at a time: each fresh check also runs the native type checker beside it.
    const results: Awaited<ReturnType<typeof compare>>[] = [];
    for (let i = 0; i < fixtures.length; i += 2) results.push(...(await Promise.all(fixtures.slice(i, i + 2).map(compare))));
    for (const { fixture, fresh, cached, kept } of results) {
      expect(fresh.analysed, fixture).toBe(true);
      expect({ fixture, status: cached.status, stdout: cached.stdout }).toEqual({ fixture, status: fresh.status, stdout: fresh.stdout });
      expect(JSON.parse(fresh.stdout), fixture).toHaveProperty("diagnostics");
      // A config that does not load is read again each time (it is quick, and there is no catalog to compare); every other result is kept.
      const fromCache = !UNLOADABLE_CONFIGS.includes(fixture);
      expect({ fixture, fromCache: !cached.analysed, kept }).toEqual({ fixture, fromCache, kept: fromCache ? 1 : 0 });
    }
    // Failing catalogs are among them, and stay failing from the cache.
    expect(results.filter((r) => r.cached.status === 1).length).toBeGreaterThan(10);
  }, 600_000);

  it("prints the same human report (code frames, summary line) from the cache", async () => {
    for (const fixture of ["fc1004-types", "fc1011-typescript", "clean-variants-extract-fitted"]) {
      const dir = project(fixture, path.join(FIXTURES, fixture));
      const fresh = await check(dir);
      const cached = await check(dir);
      expect(cached.analysed).toBe(false);
      expect([cached.status, cached.stderr, cached.stdout]).toEqual([fresh.status, fresh.stderr, fresh.stdout]);
    }
  }, 120_000);

  it("sees a change to any file the check read, and a file appearing where it looked", async () => {
    const dir = project("changes", undefined, CLEAN);
    const clean = await check(dir);
    expect([clean.status, clean.analysed]).toEqual([0, true]);
    expect(clean.stderr).toContain("featc: catalog is clean (batch: 2 nodes).");
    expect(await check(dir)).toMatchObject({ status: 0, analysed: false, stderr: clean.stderr });

    /** Applies an edit, checks (the cache must see it), and compares with a check that does not use the cache. */
    const afterEdit = async (files: Record<string, string>) => {
      writeFiles(dir, files);
      const cached = await check(dir);
      const fresh = await check(dir, ["--no-cache"]);
      expect(cached.analysed).toBe(true);
      expect([cached.status, cached.stderr]).toEqual([fresh.status, fresh.stderr]);
      // And the new result is kept.
      expect(await check(dir)).toMatchObject({ status: cached.status, stderr: cached.stderr, analysed: false });
      return cached;
    };

    // A module outside the catalog's globs, edited to the same length: the check now fails.
    const broken = await afterEdit({ "lib/scale.ts": "export function scale(x: number): string { return `${x}`; }\n" });
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain("TS2322");
    expect(await afterEdit({ "lib/scale.ts": CLEAN["lib/scale.ts"] })).toMatchObject({ status: 0 });

    // A declaration only the native type checker reads (the `types` package the check's own program leaves out).
    const global = await afterEdit({ "types/helpers/index.d.ts": "interface Math { offset(): string }\n" });
    expect(global.status).toBe(1);
    expect(global.stderr).toContain("catalog/features.ts:3:51 - error FC1011: TS2322");
    expect(await afterEdit({ "types/helpers/index.d.ts": CLEAN["types/helpers/index.d.ts"] })).toMatchObject({ status: 0 });

    // An import of a module that is not there, then the module appearing.
    const missing = await afterEdit({
      "catalog/features.ts": `import { extra } from "../lib/extra.js";\n${CLEAN["catalog/features.ts"]}export function age_extra(age: number): number { return extra(age); }\n`,
    });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("TS2307");
    expect(await afterEdit({ "lib/extra.ts": "export const extra = (x: number): number => x + 1;\n" })).toMatchObject({ status: 0 });

    // A new catalog file, matched by the config's globs.
    const added = await afterEdit({
      "catalog/more.ts": "export function age_more(age: number, nothing: number): number { return age; }\n",
    });
    expect(added.status).toBe(1);
    expect(added.stderr).toContain("FC1001");
    fs.rmSync(path.join(dir, "catalog", "more.ts"));
    expect(await check(dir)).toMatchObject({ status: 0, analysed: true });

    // The tsconfig: a stricter option finds an unused parameter.
    const strict = await afterEdit({ "tsconfig.json": TSCONFIG.replace('"strict":true', '"strict":true,"noUnusedParameters":true') });
    expect(strict.status).toBe(1);
    expect(strict.stderr).toContain("TS6133");

    // The config: a target more.
    writeFiles(dir, { "tsconfig.json": TSCONFIG });
    const targets = await afterEdit({
      "featc.config.json": CONFIG.replace(
        '"targets":{',
        '"targets":{"online":{"shape":"online","config":{"mode":"online"},"inputs":"catalog/inputs.ts#Inputs"},',
      ),
    });
    expect(targets.stderr).toContain("featc: catalog is clean (online: 3 nodes, batch: 3 nodes).");
  }, 300_000);

  it("ignores an entry that is damaged, unreadable or altered, and replaces it", async () => {
    const dir = project("damaged", undefined, {
      ...CLEAN,
      "catalog/features.ts": "export function age_scaled(age: number, missing: number): number { return age; }\n",
    });
    const fresh = await check(dir);
    expect(fresh.status).toBe(1);
    const [name] = entries(dir);
    const entry = path.join(cacheFolder(dir), name!);
    const text = fs.readFileSync(entry, "utf8");
    const damages: [string, () => void][] = [
      ["garbage", () => fs.writeFileSync(entry, "\u0000not an entry\n{")],
      ["truncated", () => fs.writeFileSync(entry, text.slice(0, text.length / 2))],
      // The diagnostics taken out of an otherwise intact entry: it must not make the failing catalog look clean.
      [
        "altered",
        () => {
          const altered = text.replace(/"diagnostics":\[.*?\],"rootDir"/, '"diagnostics":[],"rootDir"');
          expect(altered).not.toBe(text);
          fs.writeFileSync(entry, altered);
        },
      ],
      ["empty", () => fs.writeFileSync(entry, "")],
    ];
    for (const [what, damage] of damages) {
      damage();
      const r = await check(dir);
      expect({ what, status: r.status, stderr: r.stderr, analysed: r.analysed }).toEqual({
        what,
        status: 1,
        stderr: fresh.stderr,
        analysed: true,
      });
      expect(await check(dir)).toMatchObject({ status: 1, analysed: false });
    }
    // An entry that cannot be read at all (a folder where the file should be).
    fs.rmSync(entry);
    fs.mkdirSync(entry);
    const r = await check(dir);
    expect([r.status, r.stderr, r.analysed]).toEqual([1, fresh.stderr, true]);
  }, 180_000);

  it("is turned off by --no-cache and FEATC_CACHE=0, and keeps its entries out of the project's own files", async () => {
    const dir = project("off", undefined, CLEAN);
    const files = () =>
      (fs.readdirSync(dir, { recursive: true }) as string[])
        .filter((f) => !f.startsWith("node_modules") && !f.startsWith("modules-"))
        .sort();
    const before = files();
    for (const [args, env] of [
      [["--no-cache"], {}],
      [[], { FEATC_CACHE: "0" }],
    ] as const) {
      const r = await check(dir, [...args], env);
      expect([r.status, r.analysed]).toEqual([0, true]);
      expect(entries(dir)).toEqual([]);
    }
    expect((await check(dir)).analysed).toBe(true);
    expect(entries(dir)).toHaveLength(1);
    expect((await check(dir)).analysed).toBe(false);
    expect((await check(dir, ["--no-cache"])).analysed).toBe(true);
    // Nothing but the entry under node_modules/.cache/featc: the catalog, generated/ and the project's files are as they were.
    expect(files()).toEqual(before);
  }, 120_000);

  it("keeps separate results for other targets and for the in-process type check", async () => {
    const dir = project("keys", undefined, CLEAN);
    expect((await check(dir)).analysed).toBe(true);
    expect((await check(dir, ["--target", "batch"])).analysed).toBe(true);
    const builtin = await check(dir, [], { FEATC_TYPECHECK: "builtin" });
    expect([builtin.status, builtin.analysed]).toEqual([0, true]);
    expect((await check(dir, [], { FEATC_TYPECHECK: "builtin" })).analysed).toBe(false);
    expect((await check(dir)).analysed).toBe(false);
    expect(entries(dir)).toHaveLength(3);
  }, 120_000);
});
