/**
 * A process that checks more than once reuses the files it parsed and bound
 * (compiler/discover/parsed-files.ts): only for the same text and the same parse, and never at
 * the cost of an answer. Checks in one process see every edit, and report a file too deep to
 * parse on every check, not only on the one that parsed it.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, onTestFinished, vi } from "vitest";
import { analyze } from "../compiler/analyze.js";
import { closeNativeCheckers, keepNativeCheckers, keptCheckAnswers } from "../compiler/discover/native-session.js";
import { beginCheck, type ParseKey } from "../compiler/discover/parsed-files.js";
import { ts } from "../compiler/typescript.js";
import { writeFiles } from "./support/workspace.js";

vi.setConfig({ testTimeout: 240_000 });

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function project(files: Record<string, string>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "featc-parsed-")));
  dirs.push(dir);
  writeFiles(dir, {
    "featc.config.json": JSON.stringify({
      catalog: ["catalog/*.ts"],
      targets: { online: { shape: "online", inputs: "catalog/inputs.ts#Inputs" } },
    }),
    "catalog/inputs.ts": "export interface Inputs {\n  price: number;\n}\n",
    ...files,
  });
  return dir;
}

const FEATURES = "export function doubled(price: number): number {\n  return price * 2;\n}\n";

describe("checks in one process", () => {
  for (const checker of ["native", "builtin", "kept"] as const)
    it(`see every edit of a catalog file and of a module it imports (${checker} type check)`, async () => {
      const dir = project({ "catalog/features.ts": FEATURES, "lib/rate.ts": "export const rate = 2;\n" });
      const config = path.join(dir, "featc.config.json");
      const typeCheck = checker === "builtin" ? "builtin" : "native";
      // The native checker featc server keeps between checks (discover/native-session.ts).
      if (checker === "kept") keepNativeCheckers();
      onTestFinished(closeNativeCheckers);
      const codes = async () => {
        const answered = keptCheckAnswers();
        const analysis = await analyze(config, { typeCheck });
        expect(analysis.typeCheckedBy).toBe(typeCheck);
        expect(keptCheckAnswers() - answered).toBe(checker === "kept" ? 1 : 0);
        return analysis.diagnostics.map((d) => `${d.code} ${d.span?.line ?? ""}`);
      };
      expect(await codes()).toEqual([]);
      fs.writeFileSync(path.join(dir, "catalog/features.ts"), FEATURES.replace("price * 2", 'price * "2"'));
      expect(await codes()).toEqual(["FC1011 2"]);
      fs.writeFileSync(
        path.join(dir, "catalog/features.ts"),
        'import { rate } from "../lib/rate.js";\n' + FEATURES.replace("price * 2", "price * rate"),
      );
      expect(await codes()).toEqual([]);
      // The imported module changes, not the catalog: its new type reaches the catalog's check.
      fs.writeFileSync(path.join(dir, "lib/rate.ts"), 'export const rate = "2";\n');
      expect(await codes()).toEqual(["FC1011 3"]);
      fs.writeFileSync(path.join(dir, "lib/rate.ts"), "export const rate = 2;\n");
      expect(await codes()).toEqual([]);
    });

  it("report a module too deep to parse on every check", async () => {
    const dir = project({
      "catalog/features.ts": 'import { deep } from "../lib/deep.js";\n' + FEATURES.replace("price * 2", "price * deep.length"),
      "lib/deep.ts": `export const deep = ${"(".repeat(60_000)}[]${")".repeat(60_000)};\n`,
    });
    const config = path.join(dir, "featc.config.json");
    for (let i = 0; i < 2; i++)
      expect((await analyze(config)).diagnostics).toContainEqual(
        expect.objectContaining({ code: "FC1014", span: expect.objectContaining({ file: path.join(dir, "lib/deep.ts") }) }),
      );
  });
});

describe("a kept native checker", () => {
  it("sees an edit of the tsconfig the catalog's extends and of the package.json that sets its module format", async () => {
    const dir = project({
      "featc.config.json": JSON.stringify({
        catalog: ["catalog/*.ts"],
        tsconfig: "tsconfig.json",
        targets: { online: { shape: "online", inputs: "catalog/inputs.ts#Inputs" } },
      }),
      "catalog/features.ts": FEATURES + "export function untyped(price: number): number {\n  const f = (x) => x;\n  return f(price);\n}\n",
      "catalog/helper.ts": "export const rate = 2;\n",
    });
    const tsconfig = (strict: boolean) =>
      JSON.stringify({
        compilerOptions: { target: "es2022", module: "nodenext", strict, verbatimModuleSyntax: true, types: [] },
      });
    const config = path.join(dir, "featc.config.json");
    const errors = async () =>
      (await analyze(config)).diagnostics.filter((d) => d.code === "FC1011").map((d) => `${d.span!.line}:${d.span!.column} ${d.message}`);
    const states: [string, Record<string, string>][] = [
      ["loose, ES module", { "tsconfig.json": tsconfig(false), "package.json": '{ "type": "module" }' }],
      ["strict, ES module", { "tsconfig.json": tsconfig(true), "package.json": '{ "type": "module" }' }],
      ["strict, CommonJS", { "tsconfig.json": tsconfig(true), "package.json": '{ "type": "commonjs" }' }],
      ["loose, ES module again", { "tsconfig.json": tsconfig(false), "package.json": '{ "type": "module" }' }],
    ];
    const expected: string[][] = [];
    for (const [, files] of states) {
      writeFiles(dir, files);
      expected.push(await errors());
    }
    // Each edit changes what tsc reports (so the kept checker has something to miss).
    expect(expected[0]).toEqual([]);
    expect(expected[1]).toEqual([expect.stringContaining("TS7006")]);
    expect(expected[2]).toEqual(expect.arrayContaining([expect.stringContaining("TS1287"), expect.stringContaining("TS7006")]));
    keepNativeCheckers();
    onTestFinished(closeNativeCheckers);
    for (const [i, [state, files]] of states.entries()) {
      writeFiles(dir, files);
      const answered = keptCheckAnswers();
      expect(await errors(), state).toEqual(expected[i]);
      expect(keptCheckAnswers(), state).toBe(answered + 1);
    }
  });
});

describe("a process that keeps native checkers", () => {
  it("removes the temporary folders that featc processes killed with SIGKILL left, and only those", () => {
    const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "featc-sweep-")));
    dirs.push(tmp);
    const gone = spawnSync(process.execPath, ["-e", "0"]).pid;
    const left = path.join(tmp, `featc-tsc-${gone}-abc`);
    const own = path.join(tmp, `featc-tsc-${process.pid}-def`);
    const other = path.join(tmp, "featc-tsc-other");
    for (const dir of [left, own, other]) fs.mkdirSync(dir);
    const before = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      keepNativeCheckers();
    } finally {
      process.env.TMPDIR = before;
    }
    onTestFinished(closeNativeCheckers);
    expect(fs.readdirSync(tmp).sort()).toEqual([path.basename(own), path.basename(other)].sort());
  });
});

describe("the parse cache", () => {
  const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, strict: true };
  const key = (file: string, opts = options): ParseKey => ({
    file,
    options: opts,
    parse: { languageVersion: ts.ScriptTarget.ES2022 },
    setParentNodes: false,
  });
  const parser = (file: string, text: string) => {
    let parses = 0;
    const parse = () => {
      parses++;
      return { sourceFile: ts.createSourceFile(file, text, ts.ScriptTarget.ES2022), tooDeep: false };
    };
    return { parse, parses: () => parses };
  };

  it("gives the same parse for the same text, options that change no parse included", () => {
    const text = "export const a = 1;\n";
    const p = parser("/a.ts", text);
    const first = beginCheck()(key("/a.ts"), text, p.parse).sourceFile;
    const again = beginCheck()(key("/a.ts", { ...options, types: ["node"], lib: ["lib.es5.d.ts"] }), text, p.parse).sourceFile;
    expect(again).toBe(first);
    expect(p.parses()).toBe(1);
  });

  it("parses again for another text, another file, or an option that changes a parse or a bind", () => {
    const text = "export const b = 1;\n";
    const p = parser("/b.ts", text);
    const take = beginCheck();
    const first = take(key("/b.ts"), text, p.parse).sourceFile;
    expect(take(key("/b.ts"), "export const b = 2;\n", p.parse).sourceFile).not.toBe(first);
    expect(take(key("/c.ts"), text, p.parse).sourceFile).not.toBe(first);
    expect(take(key("/b.ts", { ...options, alwaysStrict: false }), text, p.parse).sourceFile).not.toBe(first);
    expect(take({ ...key("/b.ts"), setParentNodes: true }, text, p.parse).sourceFile).not.toBe(first);
    expect(p.parses()).toBe(5);
  });

  it("drops a file no check used for four checks", () => {
    const text = "export const d = 1;\n";
    const p = parser("/d.ts", text);
    beginCheck()(key("/d.ts"), text, p.parse);
    for (let i = 0; i < 3; i++) beginCheck();
    beginCheck()(key("/d.ts"), text, p.parse);
    expect(p.parses()).toBe(1);
    for (let i = 0; i < 4; i++) beginCheck();
    beginCheck()(key("/d.ts"), text, p.parse);
    expect(p.parses()).toBe(2);
  });
});
