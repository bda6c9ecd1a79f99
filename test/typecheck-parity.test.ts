/**
 * FC1011 is as strict as the user's own `tsc -p`: in projects outside the repository, every
 * error the real tsc reports in a catalog file is an FC1011 at the same place with the same
 * code and text — from the native checker (a tsc process, or the checker featc server keeps) and
 * from the in-process one alike. The projects are
 * those where the two used to disagree: module formats decided by package.json and the file
 * extension (TS1287/TS1295 under verbatimModuleSyntax, with an error in an imported module too),
 * and errors found only by declaration emit.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { analyze } from "../compiler/analyze.js";
import { closeNativeCheckers, keepNativeCheckers } from "../compiler/discover/native-session.js";
import { REPO, writeFiles } from "./support/workspace.js";

// Each test runs featc (and tsc) as processes: on a loaded machine that takes longer than the default bound.
vi.setConfig({ testTimeout: 240_000 });

const TSC = path.join(REPO, "node_modules", "typescript", "bin", "tsc");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function project(name: string, files: Record<string, string>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `featc-parity-${name}-`)));
  dirs.push(dir);
  writeFiles(dir, {
    "featc.config.json": JSON.stringify({
      catalog: ["catalog/**/*.ts", "catalog/**/*.cts"],
      targets: { online: { shape: "online", inputs: "catalog/inputs.ts#Inputs" } },
    }),
    "catalog/inputs.ts": "export interface Inputs {\n  age: number;\n}\n",
    ...files,
  });
  return dir;
}

interface Found {
  file: string;
  line: number;
  column: number;
  text: string;
}

/** What the real `tsc -p` of the project reports in catalog files. */
function tscReport(dir: string): Found[] {
  const run = spawnSync(process.execPath, [TSC, "-p", ".", "--noEmit", "--pretty", "false"], { cwd: dir, encoding: "utf8" });
  expect(run.stderr).toBe("");
  const found: Found[] = [];
  for (const line of run.stdout.split("\n")) {
    const m = /^(.+?)\((\d+),(\d+)\): error (TS\d+: .*)$/.exec(line);
    if (m) found.push({ file: m[1]!, line: Number(m[2]), column: Number(m[3]), text: m[4]! });
    else if (/^\s/.test(line) && found.length > 0) found[found.length - 1]!.text += ` ${line}`;
  }
  return found.filter((d) => d.file.startsWith("catalog/")).sort(byPlace);
}

async function featcReport(dir: string, typeCheck: "native" | "builtin") {
  const analysis = await analyze(path.join(dir, "featc.config.json"), { typeCheck });
  const found = analysis.diagnostics
    .filter((d) => d.code === "FC1011")
    .map((d) => ({ file: path.relative(dir, d.span!.file), line: d.span!.line, column: d.span!.column, text: d.message }))
    .sort(byPlace);
  return { found, checkedBy: analysis.typeCheckedBy };
}

function byPlace(a: Found, b: Found): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.text.localeCompare(b.text);
}

async function expectParity(dir: string, codes: string[]) {
  const tsc = tscReport(dir);
  expect(tsc.map((d) => d.text.slice(0, 6))).toEqual(codes);
  const native = await featcReport(dir, "native");
  expect(native.checkedBy).toBe("native");
  expect(native.found).toEqual(tsc);
  const builtin = await featcReport(dir, "builtin");
  expect(builtin.checkedBy).toBe("builtin");
  expect(builtin.found).toEqual(tsc);
  // The native checker featc server keeps between checks: on the check that starts it and on the next.
  keepNativeCheckers();
  try {
    for (let i = 0; i < 2; i++) {
      const kept = await featcReport(dir, "native");
      expect(kept.checkedBy).toBe("native");
      expect(kept.found).toEqual(tsc);
    }
  } finally {
    await closeNativeCheckers();
  }
}

const VERBATIM = { compilerOptions: { target: "es2022", module: "nodenext", strict: true, verbatimModuleSyntax: true, types: [] } };

describe("FC1011 against the real tsc -p, both checkers", () => {
  it("a CommonJS package with verbatimModuleSyntax: TS1295 and TS1287 in the catalog, and in the module it imports", async () => {
    const dir = project("cjs", {
      "package.json": JSON.stringify({ name: "app", version: "1.0.0", type: "commonjs" }),
      "tsconfig.json": JSON.stringify(VERBATIM),
      "lib/helper.ts": "export function helper(x: number): number {\n  return x + 1;\n}\n",
      "catalog/f.ts":
        'import { helper } from "../lib/helper.js";\nexport function older(age: number): number {\n  return helper(age);\n}\n',
    });
    await expectParity(dir, ["TS1295", "TS1287"]);
  });

  it("a .cts catalog file in an ES module package: CommonJS by its extension", async () => {
    const dir = project("cts", {
      "package.json": JSON.stringify({ name: "app", version: "1.0.0", type: "module" }),
      "tsconfig.json": JSON.stringify(VERBATIM),
      "catalog/f.cts": "export function older(age: number): number {\n  return age + 1;\n}\n",
    });
    await expectParity(dir, ["TS1287"]);
  });

  it("errors only declaration emit finds (isolatedDeclarations)", async () => {
    const dir = project("declarations", {
      "package.json": JSON.stringify({ name: "app", version: "1.0.0", type: "module" }),
      "tsconfig.json": JSON.stringify({ compilerOptions: { ...VERBATIM.compilerOptions, declaration: true, isolatedDeclarations: true } }),
      "catalog/f.ts":
        "export const older = (age: number): number => age + 1;\nexport const LIMIT = 3 + 4;\nexport function typed(age: number): number {\n  return age + LIMIT;\n}\nexport const table = { a: older(1) };\n",
    });
    await expectParity(dir, ["TS9010", "TS9013"]);
  });

  it("a type error in an imported module beside a type error in the catalog", async () => {
    const dir = project("elsewhere", {
      "package.json": JSON.stringify({ name: "app", version: "1.0.0", type: "module" }),
      "tsconfig.json": JSON.stringify(VERBATIM),
      "lib/helper.ts": "export function helper(x: number): number {\n  return 'x';\n}\n",
      "catalog/f.ts":
        'import { helper } from "../lib/helper.js";\nexport function older(age: number): string {\n  return helper(age);\n}\n',
    });
    await expectParity(dir, ["TS2322"]);
  });
});
