/**
 * Large targets: executors of catalogs far bigger than the reference one must still pass
 * `tsc --strict` (TypeScript's control-flow analysis gives up, TS2563, on a function body with a
 * few thousand branches) and compute what the catalog functions compute. Each case failed the
 * type check before executor bodies were split:
 * - 1,000 synthetic features spread over 500 files (bench/synthetic.ts), batch and online;
 * - a chain of 3,000 map features, each reading the one before;
 * - one feature with 1,000 parameters, each a feature of its own;
 * - (split, async) two chains of 150 features, one after an async call, joined after another.
 * Past 100 outputs the output-name switch is a function of its own and each input has one need
 * bit (tsc's time stays linear in the target's size; bench/large.bench.ts measures it).
 * One native tsc run checks them all. The 10,000-feature build is type-checked by
 * bench/large.bench.ts (`npm run bench -- --only=large`), which fails when tsc reports an error.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeShapeCatalog, writeSyntheticCatalog } from "../bench/synthetic.js";
import { REPO, STRICT_COMPILER_OPTIONS, buildOk, importFrom, removeWorkspace, workspace, writeFiles } from "./support/workspace.js";

type Executor = { OUTPUT_NAMES: readonly string[]; execute(outputs: readonly string[], inputs: object): Record<string, unknown> };
type Catalog = Record<string, (...args: number[]) => number>;

const ROWS = 7;
/** Columns x0…x7 of ROWS rows, and the same rows as online requests. */
const columns = Object.fromEntries(
  Array.from({ length: 8 }, (_, k) => [`x${k}`, Float64Array.from({ length: ROWS }, (_, i) => ((i * (k + 2)) % 5) - 1.5)]),
);
const request = (row: number) => Object.fromEntries(Object.entries(columns).map(([name, col]) => [name, col[row]!]));

const dirs = { features: "", chain: "", wide: "", async: "" };

/** 150 features after an async call, 150 more beside them, joined after a second async call: a split async body. */
function asyncCatalog(): Record<string, string> {
  const fns = [`export async function a_0(x0: number): Promise<number> {\n  return x0 + 1;\n}\n`];
  for (let i = 1; i < 150; i++)
    fns.push(`export function a_${i}(a_${i - 1}: number, x1: number): number {\n  return a_${i - 1} * 0.5 + x1;\n}\n`);
  fns.push(
    `export async function late(a_149: number): Promise<number> {\n  return a_149 * 2;\n}\n`,
    `export function b_0(x1: number): number {\n  return x1 * 3;\n}\n`,
  );
  for (let i = 1; i < 150; i++) fns.push(`export function b_${i}(b_${i - 1}: number): number {\n  return b_${i - 1} + 1;\n}\n`);
  fns.push(`export function both(late: number, b_149: number): number {\n  return late + b_149;\n}\n`);
  return {
    "catalog/features.ts": fns.join("\n"),
    "catalog/inputs.ts": "export interface OnlineInputs {\n  x0: number;\n  x1: number;\n}\n",
    "featc.config.json": JSON.stringify({
      catalog: ["catalog/**/*.ts"],
      outDir: "generated",
      targets: { online: { shape: "online", inputs: "catalog/inputs.ts#OnlineInputs" } },
    }),
  };
}
let tscOutput = "";

beforeAll(async () => {
  dirs.features = workspace("large-features");
  writeSyntheticCatalog(dirs.features, { features: 1_000, files: 500, seed: 7 });
  dirs.chain = workspace("large-chain");
  writeShapeCatalog(dirs.chain, "chain", 3_000);
  dirs.wide = workspace("large-wide");
  writeShapeCatalog(dirs.wide, "wide", 1_000);
  dirs.async = workspace("large-async");
  writeFiles(dirs.async, asyncCatalog());
  for (const dir of Object.values(dirs)) await buildOk(dir);
  tscOutput = await typecheck(Object.values(dirs));
}, 600_000);

afterAll(() => {
  for (const dir of Object.values(dirs)) if (dir) removeWorkspace(dir);
});

/** One native tsc --strict run over the catalogs and executors of `folders`; its output. */
async function typecheck(folders: readonly string[]): Promise<string> {
  const tsconfig = path.join(REPO, "test", ".tmp", `large-targets-${process.pid}.tsconfig.json`);
  const compilerOptions = STRICT_COMPILER_OPTIONS;
  const include = folders.flatMap((dir) => [`${path.basename(dir)}/catalog/**/*.ts`, `${path.basename(dir)}/generated/**/*.ts`]);
  fs.writeFileSync(tsconfig, JSON.stringify({ compilerOptions, include }));
  const tsc = path.join(REPO, "node_modules", "typescript", "bin", "tsc");
  try {
    return await new Promise<string>((resolve) => {
      execFile(process.execPath, [tsc, "-p", tsconfig, "--pretty", "false"], { cwd: REPO, maxBuffer: 64 << 20 }, (_err, stdout, stderr) =>
        resolve(stdout + stderr),
      );
    });
  } finally {
    fs.rmSync(tsconfig, { force: true });
  }
}

/** tsc's error lines for one workspace. */
function errorsIn(dir: string): string[] {
  return tscOutput.split("\n").filter((line) => line.includes(path.basename(dir)) && line.includes("error TS"));
}

describe("large targets type-check", () => {
  it("tsc ran over the generated executors", () => {
    for (const dir of [dirs.features, dirs.chain, dirs.wide]) {
      for (const name of ["batch.ts", "online.ts"]) expect(fs.statSync(path.join(dir, "generated", name)).size).toBeGreaterThan(100_000);
    }
    // Any output at all is an error (a clean tsc prints nothing), which the tests below name.
    expect(tscOutput.split("\n").filter((l) => l.trim() !== "" && !Object.values(dirs).some((d) => l.includes(path.basename(d))))).toEqual(
      [],
    );
  });

  it.each(["features", "chain", "wide", "async"] as const)("%s: the executors pass tsc --strict", (name) => {
    expect(errorsIn(dirs[name])).toEqual([]);
  });

  it("the bodies are split into nested functions named after the nodes they compute", () => {
    const online = fs.readFileSync(path.join(dirs.chain, "generated", "online.ts"), "utf8");
    expect(online).toMatch(/^ {2}function compute_c_0_to_c_\d+\(\): void \{$/m);
    expect(online).toMatch(/^ {2}function need_c_2999_to_c_\d+\(\): void \{$/m);
    const batch = fs.readFileSync(path.join(dirs.chain, "generated", "batch.ts"), "utf8");
    expect(batch).toMatch(/\/\/ Fused loop 150 of 150, one call per row: c_2980, /);
  });
});

describe("split executors compute what the catalog functions compute", () => {
  // Importing megabytes of generated TypeScript through the test runner's transform takes a while.
  it("a chain of 3,000 features: every output, and the last alone, batch and online", { timeout: 600_000 }, async () => {
    const fns = await importFrom<Catalog>(dirs.chain, "catalog/features.ts");
    const direct = (row: number) => {
      const values = [fns.c_0!(columns.x0![row]!)];
      for (let i = 1; i < 3_000; i++) values.push(fns[`c_${i}`]!(values[i - 1]!));
      return values;
    };
    const batch = await importFrom<Executor>(dirs.chain, "generated/batch.ts");
    const online = await importFrom<Executor>(dirs.chain, "generated/online.ts");
    const all = batch.execute(batch.OUTPUT_NAMES, columns);
    const last = batch.execute(["c_2999"], columns);
    for (let row = 0; row < ROWS; row++) {
      const expected = direct(row);
      const onlineAll = online.execute(online.OUTPUT_NAMES, request(row));
      for (const i of [0, 1, 99, 100, 1_500, 2_999]) {
        expect((all[`c_${i}`] as Float64Array)[row]).toBe(expected[i]);
        expect(onlineAll[`c_${i}`]).toBe(expected[i]);
      }
      expect((last.c_2999 as Float64Array)[row]).toBe(expected[2_999]);
      expect(online.execute(["c_2999"], request(row)).c_2999).toBe(expected[2_999]);
      expect(online.execute(["c_1500", "c_7"], request(row))).toEqual({ c_1500: expected[1_500], c_7: expected[7] });
    }
  });

  it("past 100 outputs: the want switch in a function of its own, an input's need bit in a word after every node's", async () => {
    // 3,000 nodes fill words 0…99 exactly; the one input x0 takes bit 0 of word 100.
    for (const name of ["batch", "online"]) {
      const source = fs.readFileSync(path.join(dirs.chain, "generated", `${name}.ts`), "utf8");
      expect(source).toMatch(/^ {2}function wantOutput\(name: string\): void \{$/m);
      // Shapes whose type check would grow with the square of the outputs: each case returns, and
      // the names are typed as strings before they are OutputNames.
      expect(source).toMatch(/^ {6}case "c_7": want\[0\]! \|= 0x80; return;$/m);
      expect(source).toMatch(
        /^export const OUTPUT_NAMES = \["c_0", "c_1", .*, "c_2999"\] as readonly string\[\] as readonly OutputName\[\];$/m,
      );
      expect(source).toMatch(
        /^ {2}if \(x0 === undefined && \(need\[100\]! & 0x1\) !== 0\) throw new MissingInputError\("x0", TARGET\); \/\/ read by c_0$/m,
      );
      expect(source).toMatch(/^ {4}if \(need\[0\]! & 0x1\) \{ need\[100\]! \|= 0x1; \} \/\/ c_0 needs x0$/m);
      const executor = await importFrom<Executor>(dirs.chain, `generated/${name}.ts`);
      // c_2999 runs nothing but x0 is still needed through the chain; an unknown name is refused whatever comes with it.
      expect(() => executor.execute(["c_2999"], {})).toThrow(expect.objectContaining({ code: "FEATC_MISSING_INPUT", input: "x0" }));
      expect(() => executor.execute(["c_7", "c_3000"], request(0))).toThrow(
        expect.objectContaining({ code: "FEATC_UNKNOWN_OUTPUT", output: "c_3000" }),
      );
      expect(() => executor.execute(["c_7", "c_2999"], {})).toThrow(expect.objectContaining({ input: "x0" }));
    }
  });

  it("a feature with 1,000 parameters: alone, and with others, batch and online", { timeout: 600_000 }, async () => {
    const fns = await importFrom<Catalog>(dirs.wide, "catalog/features.ts");
    const direct = (row: number) => fns.wide!(...Array.from({ length: 1_000 }, (_, i) => fns[`p_${i}`]!(columns[`x${i % 8}`]![row]!)));
    const batch = await importFrom<Executor>(dirs.wide, "generated/batch.ts");
    const online = await importFrom<Executor>(dirs.wide, "generated/online.ts");
    const alone = batch.execute(["wide"], columns).wide as Float64Array;
    const withOthers = batch.execute(["p_999", "wide"], columns);
    for (let row = 0; row < ROWS; row++) {
      expect(alone[row]).toBe(direct(row));
      expect((withOthers.wide as Float64Array)[row]).toBe(direct(row));
      expect((withOthers.p_999 as Float64Array)[row]).toBe(fns.p_999!(columns.x7![row]!));
      expect(online.execute(["wide"], request(row)).wide).toBe(direct(row));
      expect(online.execute(online.OUTPUT_NAMES, request(row)).wide).toBe(direct(row));
    }
  });

  it("a split async body: calls awaited across the nested functions, and a request needing none answers synchronously", async () => {
    type Fns = {
      a_0(x: number): Promise<number>;
      late(x: number): Promise<number>;
      b_0(x: number): number;
      both(a: number, b: number): number;
    } & Record<string, (...args: number[]) => number>;
    const fns = await importFrom<Fns>(dirs.async, "catalog/features.ts");
    let a = await fns.a_0(2);
    for (let i = 1; i < 150; i++) a = fns[`a_${i}`]!(a, 5);
    let b = fns.b_0(5);
    for (let i = 1; i < 150; i++) b = fns[`b_${i}`]!(b);
    const expected = fns.both(await fns.late(a), b);
    const online = await importFrom<Executor>(dirs.async, "generated/online.ts");
    const source = fs.readFileSync(path.join(dirs.async, "generated", "online.ts"), "utf8");
    expect(source).toMatch(/^ {2}await compute_a_0_to_\w+\(\);$/m);
    expect(await online.execute(["both"], { x0: 2, x1: 5 })).toEqual({ both: expected });
    const all = await online.execute(online.OUTPUT_NAMES, { x0: 2, x1: 5 });
    expect([all.both, all.a_149, all.b_149]).toEqual([expected, a, b]);
    const sync = online.execute(["b_149", "b_3"], { x1: 5 });
    expect(sync).not.toBeInstanceOf(Promise);
    expect(sync.b_149).toBe(b);
  });
});
