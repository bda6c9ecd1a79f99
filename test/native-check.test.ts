/**
 * FC1011 comes from the native compiler (TypeScript 7's tsc, in a child process) when it can,
 * and from ts-morph's checker in this process otherwise. Both must say the same thing at the
 * same place: these tests analyse catalogs both ways and compare every FC1011, and check that
 * the native path was really taken where it should be, and left where it cannot serve. A native
 * checker kept between checks (featc server) must say what a tsc process says.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { analyze, type Analysis } from "../compiler/analyze.js";
import { parseReport } from "../compiler/discover/native-check.js";
import { closeNativeCheckers, keepNativeCheckers } from "../compiler/discover/native-session.js";
import { REPO, removeWorkspace, workspace, writeFiles } from "./support/workspace.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeWorkspace));

const CONFIG = JSON.stringify({
  catalog: ["catalog/**/*.ts"],
  outDir: "generated",
  targets: { online: { shape: "online", inputs: "catalog/inputs.ts#Inputs" } },
});

const INPUTS = "export interface Inputs {\n  age: number;\n  name: string;\n}\n";

function catalog(name: string, files: Record<string, string>, config = CONFIG): string {
  const dir = workspace(`native-${name}`);
  dirs.push(dir);
  writeFiles(dir, { "featc.config.json": config, "catalog/inputs.ts": INPUTS, ...files });
  return dir;
}

function typeErrors(analysis: Analysis, dir: string) {
  return analysis.diagnostics
    .filter((d) => d.code === "FC1011")
    .map((d) => ({
      file: d.span ? path.relative(dir, d.span.file) : undefined,
      line: d.span?.line,
      column: d.span?.column,
      message: d.message,
    }));
}

async function bothWays(dir: string) {
  const config = path.join(dir, "featc.config.json");
  const native = await analyze(config, { typeCheck: "native" });
  const builtin = await analyze(config, { typeCheck: "builtin" });
  expect(builtin.typeCheckedBy).toBe("builtin");
  // A kept native checker (featc server) answers as a tsc process does: on the check that starts it and on the next.
  keepNativeCheckers();
  try {
    for (let i = 0; i < 2; i++) {
      const kept = await analyze(config, { typeCheck: "native" });
      expect(kept.typeCheckedBy).toBe(native.typeCheckedBy);
      expect(typeErrors(kept, dir)).toEqual(typeErrors(native, dir));
    }
  } finally {
    await closeNativeCheckers();
  }
  return { native, builtin };
}

/** The default analysis fell back to the in-process checker and found exactly these TypeScript codes. */
async function expectFallback(dir: string, codes: string[]) {
  const { native, builtin } = await bothWays(dir);
  expect(native.typeCheckedBy).toBe("builtin");
  expect(typeErrors(native, dir).map((d) => d.message.slice(0, 6))).toEqual(codes);
  expect(typeErrors(native, dir)).toEqual(typeErrors(builtin, dir));
}

describe("FC1011 from the native compiler", () => {
  it("reports the same errors, positions and messages as the in-process checker", async () => {
    const dir = catalog("parity", {
      // A type error after astral-plane and accented characters: columns count UTF-16 units.
      "catalog/a.ts": 'export function greeting(name: string): string {\n  const s = "é😀"; const n: number = name;\n  return s + n;\n}\n',
      // A chained message (an object literal against an interface).
      "catalog/b.ts":
        "interface Shape {\n  kind: string;\n  size: number;\n}\nexport function shape(age: number): Shape {\n  const s: Shape = { kind: 'x', size: 'big' as unknown as string };\n  return { ...s, size: age };\n}\n",
      // An unknown name, and a call with the wrong number of arguments.
      "catalog/c.ts":
        "export function older(age: number): number {\n  return Math.max(age) + agee;\n}\nexport function twice(age: number): number {\n  return older(age, 2);\n}\n",
      "catalog/clean.ts": "export function is_adult(age: number): boolean {\n  return age >= 18;\n}\n",
    });
    const { native, builtin } = await bothWays(dir);
    expect(native.typeCheckedBy).toBe("native");
    const found = typeErrors(native, dir);
    expect(found.map((d) => d.file)).toEqual(["catalog/a.ts", "catalog/b.ts", "catalog/c.ts", "catalog/c.ts"]);
    expect(found).toEqual(typeErrors(builtin, dir));
    const line2 = '  const s = "é😀"; const n: number = name;';
    expect(found[0]).toMatchObject({
      line: 2,
      column: line2.indexOf("n: number") + 1,
      message: expect.stringContaining("TS2322: Type 'string' is not assignable to type 'number'"),
    });
  });

  it("takes the catalog's tsconfig: its options decide what is an error", async () => {
    const tsconfig = JSON.stringify({
      compilerOptions: { target: "es2022", module: "nodenext", strict: false, noImplicitReturns: true, types: [] },
    });
    const dir = catalog(
      "tsconfig",
      {
        "tsconfig.json": tsconfig,
        // Not strict: no error for the implicit any inside; noImplicitReturns: TS7030 on the function.
        "catalog/a.ts": "export function band(age: number): string {\n  const f = (x) => x;\n  if (age > 1) return f('adult');\n}\n",
      },
      JSON.stringify({ ...JSON.parse(CONFIG), tsconfig: "tsconfig.json" }),
    );
    const { native, builtin } = await bothWays(dir);
    expect(native.typeCheckedBy).toBe("native");
    expect(typeErrors(native, dir)).toEqual(typeErrors(builtin, dir));
    expect(typeErrors(native, dir).map((d) => d.message.slice(0, 6))).toEqual(["TS7030"]);
  });

  it("is not asked when a file has a syntax error: tsc would stop at it, and the other files' type errors must still show", async () => {
    const dir = catalog("syntax", {
      "catalog/a.ts": "export function broken(age: number): number { return age ) }\n",
      "catalog/b.ts": "export function wrong(age: number): string { return age; }\n",
    });
    await expectFallback(dir, ["TS1005", "TS2322"]);
  });

  it("is not asked when a module the catalog imports has a syntax error (tsc would then check no types)", async () => {
    const dir = catalog("syntax-elsewhere", {
      "lib/helper.ts": "export function helper(x: number): number { return x ) }\n",
      "catalog/a.ts":
        'import { helper } from "../lib/helper.js";\nexport function wrong(age: number): string {\n  return helper(age);\n}\n',
    });
    await expectFallback(dir, ["TS2322"]);
  });

  it("reads tsc's paths right when featc runs from another folder, reached through a symbolic link", () => {
    const dir = catalog("elsewhere", {
      "catalog/a.ts":
        "export function wrong(age: number): string {\n  return age;\n}\nexport function unknown(age: number): number {\n  return age + agee;\n}\n",
      "work/deep/er/.keep": "",
    });
    // Through the link, paths relative to the shell's folder ($PWD) differ from those relative
    // to the real one (process.cwd()).
    const link = path.join(os.tmpdir(), `featc-native-link-${process.pid}`);
    fs.rmSync(link, { force: true });
    fs.symlinkSync(path.join(dir, "work", "deep", "er"), link);
    const run = (env: Record<string, string>) =>
      spawnSync(
        process.execPath,
        [path.join(REPO, "bin", "featc.js"), "check", "--format", "json", "--config", path.join(dir, "featc.config.json")],
        {
          cwd: link,
          encoding: "utf8",
          env: { ...process.env, PWD: link, ...env },
        },
      );
    let native: ReturnType<typeof run>;
    let builtin: ReturnType<typeof run>;
    try {
      native = run({});
      builtin = run({ FEATC_TYPECHECK: "builtin" });
    } finally {
      fs.rmSync(link, { force: true });
    }
    expect(native.status, native.stderr).toBe(1);
    const found = (JSON.parse(native.stdout) as { diagnostics: { code: string; message: string }[] }).diagnostics.filter(
      (d) => d.code === "FC1011",
    );
    expect(found.map((d) => d.message.slice(0, 6))).toEqual(["TS2322", "TS2552"]);
    expect(native.stdout).toBe(builtin.stdout);
  });

  it("a clean catalog stays clean", async () => {
    const dir = catalog("clean", {
      "catalog/a.ts":
        "export function is_adult(age: number): boolean {\n  return age >= 18;\n}\nexport function initial(name: string): string {\n  return name.slice(0, 1);\n}\n",
    });
    const analysis = await analyze(path.join(dir, "featc.config.json"));
    expect(analysis.typeCheckedBy).toBe("native");
    expect(analysis.diagnostics).toEqual([]);
  });
});

describe("reading tsc's report", () => {
  const reported = new Set(["/p/catalog/a.ts"]);
  const CWD = "/tmp/x";
  it("keeps errors in the catalog's files with their message chains, counts every error, and lists the program's files", () => {
    const text = [
      "../../p/catalog/a.ts(3,7): error TS2322: Type '{ a: string; }' is not assignable to type 'Shape'.",
      "  Property 'size' is missing in type '{ a: string; }' but required in type 'Shape'.",
      "../../p/runtime/other.ts(1,1): error TS2304: Cannot find name 'x'.",
      // --listFiles: every file of the program, after the diagnostics.
      "/ts/lib/lib.es5.d.ts",
      "/p/runtime/other.ts",
      "/p/catalog/a.ts",
      "",
    ].join("\n");
    expect(parseReport(text, reported, CWD, () => true)).toEqual({
      errors: 2,
      diagnostics: [
        {
          file: "/p/catalog/a.ts",
          line: 3,
          column: 7,
          code: 2322,
          message:
            "Type '{ a: string; }' is not assignable to type 'Shape'.   Property 'size' is missing in type '{ a: string; }' but required in type 'Shape'.",
        },
      ],
      files: ["/ts/lib/lib.es5.d.ts", "/p/runtime/other.ts", "/p/catalog/a.ts"],
    });
  });
  it("splits a line at the first position, whatever the message quotes", () => {
    const text = "../../p/catalog/a.ts(2,3): error TS2322: Type '\"(1,2): error TS1: \"' is not assignable to type 'number'.\n";
    expect(parseReport(text, reported, CWD, () => true)?.diagnostics).toMatchObject([
      { file: "/p/catalog/a.ts", line: 2, column: 3, code: 2322 },
    ]);
  });
  it("gives up (the caller checks in process) where the report cannot be placed or trusted", () => {
    // A global error; an options error in the catalog's own tsconfig; a file that is not on disk (a misread path).
    expect(parseReport("error TS5023: Unknown compiler option 'foo'.\n", reported, CWD, () => true)).toBeUndefined();
    expect(
      parseReport(
        "../../p/tsconfig.json(1,2): error TS5024: Compiler option 'strict' requires a value of type boolean.\n",
        reported,
        CWD,
        () => true,
      ),
    ).toBeUndefined();
    expect(parseReport("../../p/catalog/a.ts(1,1): error TS2304: Cannot find name 'x'.\n", reported, CWD, () => false)).toBeUndefined();
  });
  it("counts a grammar error in a module the catalog imports and keeps the catalog's own (a syntax error there is the caller's to see)", () => {
    const text = [
      "../../p/catalog/a.ts(2,1): error TS1287: A top-level 'export' modifier cannot be used on value declarations in a CommonJS module when 'verbatimModuleSyntax' is enabled.",
      "../../p/lib/helper.ts(1,1): error TS1287: A top-level 'export' modifier cannot be used on value declarations in a CommonJS module when 'verbatimModuleSyntax' is enabled.",
      "",
    ].join("\n");
    expect(parseReport(text, reported, CWD, () => true)).toMatchObject({
      errors: 2,
      diagnostics: [{ file: "/p/catalog/a.ts", line: 2, column: 1, code: 1287 }],
    });
  });
});
