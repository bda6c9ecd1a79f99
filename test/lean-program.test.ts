/**
 * With the native compiler checking the full program, featc reads the catalog's types from a
 * program without the `types` packages and the DOM's libraries when nothing needs them
 * (compiler/discover/program.ts). The answers must be those of the full program: the reference
 * catalog and `featc init`'s, read both ways, give the same facts and diagnostics; a catalog
 * that uses Node's globals or the DOM's is read with them (a type mismatch that only their
 * declarations reveal is still reported).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { analyze, type Analysis } from "../compiler/analyze.js";
import { REPO, writeFiles } from "./support/workspace.js";

vi.setConfig({ testTimeout: 240_000 });

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A project outside the repository whose tsconfig names `@types/node` (or, given `compilerOptions`, those). */
function project(
  files: Record<string, string>,
  compilerOptions: Record<string, unknown> = { types: ["node"], typeRoots: [path.join(REPO, "node_modules", "@types")] },
): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "featc-lean-")));
  dirs.push(dir);
  writeFiles(dir, {
    "featc.config.json": JSON.stringify({
      catalog: ["catalog/*.ts"],
      tsconfig: "tsconfig.json",
      targets: { online: { shape: "online", inputs: "catalog/inputs.ts#Inputs" } },
    }),
    "tsconfig.json": JSON.stringify({ compilerOptions: { target: "es2022", module: "nodenext", strict: true, ...compilerOptions } }),
    "catalog/inputs.ts": "export interface Inputs {\n  price: number;\n}\n",
    ...files,
  });
  return path.join(dir, "featc.config.json");
}

/** What featc read of the catalog, as plain data. */
function facts(a: Analysis) {
  return {
    diagnostics: a.diagnostics.map((d) => `${d.code} ${d.span ? `${d.span.file}:${d.span.line}:${d.span.column}` : ""} ${d.message}`),
    functions: a.catalog!.functions.map((f) => ({
      name: f.exportName,
      params: f.params.map((p) => [p.name, p.type.text, p.type.container, p.type.scalar, p.type.printable, p.type.code]),
      returns: [f.returns.text, f.returns.container, f.returns.scalar, f.returns.printable, f.returns.code],
      async: f.async,
    })),
    inputs: [...a.catalog!.inputs].map(([target, i]) => [target, i.fields.map((f) => [f.name, f.type.text, f.optional])]),
    targets: a.targets.map((t) => [t.name, [...t.nodes.keys()].sort()]),
  };
}

describe("featc's program without the types packages", () => {
  it("reads the reference catalog as the full program does", async () => {
    const config = path.join(REPO, "featc.config.json");
    const lean = await analyze(config, { codeHashes: false });
    const full = await analyze(config, { codeHashes: false, typeCheck: "builtin" });
    expect(lean.typeCheckedBy).toBe("native");
    expect(lean.lean).toBe(true);
    expect(full.lean).toBe(false);
    expect(facts(lean)).toEqual(facts(full));
  });

  it("keeps the types packages for a catalog that uses Node's globals", async () => {
    const config = project({
      "catalog/f.ts": [
        "export function net(price: number): number {",
        "  return price + Number(process.env.PRICE_OFFSET ?? 0);",
        "}",
        "export function label(net: number) {",
        "  return Buffer.from(String(net));",
        "}",
        "export function size(label: string): number {",
        "  return label.length;",
        "}",
        "",
      ].join("\n"),
    });
    const a = await analyze(config, { codeHashes: false });
    expect(a.typeCheckedBy).toBe("native");
    expect(a.lean).toBe(false);
    expect(a.diagnostics.map((d) => `${d.code}: ${d.message}`)).toEqual([
      "FC1004: 'label' is 'Buffer<ArrayBuffer>', but parameter 'label' of 'size' expects 'string'",
    ]);
  });

  it("leaves them out when the catalog does not need them, with the same findings", async () => {
    const config = project({
      "catalog/f.ts":
        "export function net(price: number): number {\n  return price * 2;\n}\nexport function shown(net: string): string {\n  return net;\n}\n",
    });
    const lean = await analyze(config, { codeHashes: false });
    const full = await analyze(config, { codeHashes: false, typeCheck: "builtin" });
    expect(lean.lean).toBe(true);
    expect(facts(lean)).toEqual(facts(full));
    expect(lean.diagnostics.map((d) => d.code)).toEqual(["FC1004"]);
  });

  it("tests the names of a catalog file nested deeper than the stack allows, which is then FC1014, not an internal error", async () => {
    const config = project({
      "catalog/f.ts": `export function net(price: number): number {\n  return ${"price + ".repeat(20_000)}price;\n}\n`,
      "catalog/g.ts": "export function shown(price: number): string {\n  return String(price);\n}\n",
    });
    const lean = await analyze(config, { codeHashes: false });
    expect(lean.lean).toBe(true);
    expect(lean.diagnostics.map((d) => `${d.code} ${d.span?.file ?? ""}`)).toEqual([
      `FC1014 ${path.join(path.dirname(config), "catalog", "f.ts")}`,
    ]);
    expect(lean.catalog!.functions.map((f) => f.exportName)).toEqual(["shown"]);
  });

  it("leaves them out when a module the catalog imports uses Node only where no type featc reads comes from", async () => {
    const catalog = {
      "catalog/f.ts":
        'import { cores } from "../lib/host.js";\nexport function spread(price: number): number {\n  return price / cores();\n}\n',
    };
    const typed = 'import os from "node:os";\nexport function cores(): number {\n  return os.cpus().length;\n}\n';
    const lean = await analyze(project({ ...catalog, "lib/host.ts": typed }), { codeHashes: false });
    expect(lean.typeCheckedBy).toBe("native");
    expect(lean.lean).toBe(true);
    expect(lean.diagnostics).toEqual([]);
    // The same module with a function whose type is inferred from Node's: the full program.
    const inferred = await analyze(
      project({ ...catalog, "lib/host.ts": `${typed}export function platform() {\n  return os.platform();\n}\n` }),
      { codeHashes: false },
    );
    expect(inferred.lean).toBe(false);
    expect(inferred.diagnostics).toEqual([]);
  });

  it("does not read a module loaded with import() where no type featc reads comes from, and reads it where one does", async () => {
    const catalog = {
      "catalog/f.ts":
        'import { adapter } from "../lib/adapter.js";\nexport function scaled(price: number): number {\n  return price * adapter().factor;\n}\n',
      "lib/heavy.ts": "export function heavy(): number {\n  return 1;\n}\n",
    };
    const adapter =
      'export function adapter(): { factor: number; load(): Promise<number> } {\n  return { factor: 2, load: async () => (await import("./heavy.js")).heavy() };\n}\n';
    /** The analysis, and the files this process read for it (the native tsc reads the whole program in its own). */
    const read = async (config: string) => {
      const spy = vi.spyOn(fs, "readFileSync");
      try {
        const analysis = await analyze(config, { codeHashes: false });
        return { analysis, files: spy.mock.calls.map(([file]) => path.basename(String(file))) };
      } finally {
        spy.mockRestore();
      }
    };
    const deferred = project({ ...catalog, "lib/adapter.ts": adapter });
    const lean = await read(deferred);
    expect(lean.analysis.lean).toBe(true);
    expect(lean.files).toContain("adapter.ts");
    expect(lean.files).not.toContain("heavy.ts");
    expect(facts(lean.analysis)).toEqual(facts(await analyze(deferred, { codeHashes: false, typeCheck: "builtin" })));
    // A function whose return type is inferred from the import(): its module is part of a type featc may read.
    const inferred = await read(
      project({ ...catalog, "lib/adapter.ts": `${adapter}export function loader() {\n  return import("./heavy.js");\n}\n` }),
    );
    expect(inferred.analysis.lean).toBe(true);
    expect(inferred.files).toContain("heavy.ts");
    expect(inferred.analysis.diagnostics).toEqual([]);
  });

  it("keeps the DOM's libraries of the default library for a catalog that uses them", async () => {
    const files = {
      "catalog/f.ts":
        "export function link(price: number) {\n  return new URL(`https://shop.test/p/${price}`);\n}\nexport function shown(link: string): string {\n  return link;\n}\n",
    };
    const dom = await analyze(project(files, { typeRoots: [] }), { codeHashes: false });
    expect(dom.typeCheckedBy).toBe("native");
    expect(dom.lean).toBe(false);
    expect(dom.diagnostics.map((d) => `${d.code}: ${d.message}`)).toEqual([
      "FC1004: 'link' is 'URL', but parameter 'link' of 'shown' expects 'string'",
    ]);
  });

  it("reads featc init's catalog without the DOM's libraries, as the full program does", async () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "featc-lean-init-")));
    dirs.push(dir);
    writeFiles(dir, { "package.json": JSON.stringify({ name: "lean-init", type: "module" }) });
    fs.mkdirSync(path.join(dir, "node_modules"));
    fs.symlinkSync(REPO, path.join(dir, "node_modules", "featc"), "dir");
    const { init } = await import("../compiler/init.js");
    expect(await init(dir, { out: () => {}, err: () => {}, color: false })).toBe(0);
    const config = path.join(dir, "featc.config.json");
    const lean = await analyze(config, { codeHashes: false });
    const full = await analyze(config, { codeHashes: false, typeCheck: "builtin" });
    expect(lean.lean).toBe(true);
    expect(lean.diagnostics).toEqual([]);
    expect(facts(lean)).toEqual(facts(full));
  });
});
