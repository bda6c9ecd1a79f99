/**
 * The packed tarball itself: publint and arethetypeswrong find no error in it, and its "featc"
 * entry is node-free — bundled for the browser it resolves no Node built-in, and the bundle runs
 * in a bare JavaScript realm (no `process`, no `Buffer`, no `require`), as in an edge worker.
 */
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, packedTarball, run, tempProject } from "./packed.js";

let tarball: string;
let unpacked: string;

beforeAll(() => {
  tarball = packedTarball();
  unpacked = tempProject("unpacked");
  run("tar", ["xzf", tarball, "-C", unpacked], unpacked);
});
afterAll(() => fs.rmSync(unpacked, { recursive: true, force: true }));

const bin = (name: string) => path.join(REPO, "node_modules", ".bin", name);

describe("the packed tarball", () => {
  it("ships compiled ES modules with types and source maps for every entry point", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(unpacked, "package", "package.json"), "utf8")) as {
      exports: Record<string, unknown>;
      dependencies: Record<string, string>;
    };
    for (const entry of ["index", "node", "duckdb/index", "sql/index"]) {
      for (const suffix of [".js", ".js.map", ".d.ts", ".d.ts.map"])
        expect(fs.existsSync(path.join(unpacked, "package", "dist", "runtime", entry + suffix)), entry + suffix).toBe(true);
    }
    expect(Object.keys(pkg.exports)).toEqual([".", "./node", "./duckdb", "./sql", "./package.json"]);
    // The CLI runs compiled: nothing that loads TypeScript sources is installed with it.
    expect(Object.keys(pkg.dependencies)).not.toContain("tsx");
    expect(Object.keys(pkg.dependencies)).not.toContain("typescript");
  });

  it("publint reports nothing, warnings included", () => {
    const result = run(bin("publint"), ["run", "--strict", tarball], unpacked);
    expect(result.stdout).toContain("All good!");
  });

  it("arethetypeswrong finds no problem for an ES-module package", () => {
    // The esm-only profile: featc ships ES modules only (CommonJS projects reach them through
    // require(esm), Node >= 20.19, with TypeScript's module "node20" or "nodenext").
    // attw exits 1 on a problem the profile does not ignore; the JSON lists the ignored ones too.
    const result = run(bin("attw"), ["--profile", "esm-only", "--format", "json", tarball], unpacked);
    const report = JSON.parse(result.stdout) as { analysis: { problems: { resolutionKind?: string }[] } };
    for (const problem of report.analysis.problems)
      expect(["node10", "node16-cjs"], JSON.stringify(problem)).toContain(problem.resolutionKind);
  });

  it("its declarations type-check on their own: strict, no skipLibCheck, no Node types, no DOM", () => {
    const project = path.join(unpacked, "consumer");
    fs.mkdirSync(path.join(project, "node_modules"), { recursive: true });
    fs.symlinkSync(path.join(unpacked, "package"), path.join(project, "node_modules", "featc"), "dir");
    fs.writeFileSync(path.join(project, "package.json"), '{ "type": "module" }\n');
    fs.writeFileSync(
      path.join(project, "use.ts"),
      'import * as featc from "featc";\nimport * as node from "featc/node";\nexport const used: readonly unknown[] = [featc, node];\n',
    );
    const options = [
      "--strict",
      "--noEmit",
      "--skipLibCheck",
      "false",
      "--types",
      "",
      "--lib",
      "es2022",
      "--module",
      "nodenext",
      "--target",
      "es2022",
    ];
    run(bin("tsc"), [...options, "--ignoreConfig", "use.ts"], project);
  });

  /** The browser bundle of one of the package's compiled modules (esbuild, platform browser). */
  const bundleForBrowser = (entry: string) =>
    build({
      entryPoints: [path.join(unpacked, "package", "dist", "runtime", entry)],
      bundle: true,
      platform: "browser",
      format: "iife",
      globalName: "featc",
      write: false,
      logLevel: "silent",
    });

  it('"featc" bundles for the browser and runs in a realm without Node\'s globals', async () => {
    const bundle = await bundleForBrowser("index.js");
    const realm = vm.createContext({});
    vm.runInContext(`${bundle.outputFiles[0]!.text}\nglobalThis.featc = featc;`, realm);
    const result = vm.runInContext(
      `(() => {
        const { NumericKeyIndex, StringKeyIndex, joinColumn, tableOf, serializeFitted, parseFitted } = globalThis.featc;
        const index = NumericKeyIndex.build([30, 10, 20]);
        const joined = Array.from(joinColumn([20, 99, 30], index, [3, 1, 2]));
        const names = StringKeyIndex.build(["a", "b"]).get("b");
        const table = tableOf({ x: [1, 2], y: ["p", "q"] }).length;
        const schema = { mean: "number" };
        const text = serializeFitted({ catalogHash: "h", values: { mean: -0 } }, schema);
        const back = parseFitted(text, "h", schema).mean;
        return { joined, names, table, negativeZero: Object.is(back, -0), hasProcess: typeof process };
      })()`,
      realm,
    );
    expect(JSON.parse(JSON.stringify(result))).toEqual({
      joined: [2, NaN, 3].map((v) => (Number.isNaN(v) ? null : v)),
      names: 1,
      table: 2,
      negativeZero: true,
      hasProcess: "undefined",
    });
  });

  it('"featc/node" is where the Node built-ins are: it does not bundle for the browser', async () => {
    const failure = await bundleForBrowser("node.js").then(
      () => undefined,
      (error: { errors: { text: string }[] }) => error.errors.map((e) => e.text).join("\n"),
    );
    expect(failure).toMatch(/Could not resolve "node:(fs|crypto|path)"/);
  });
});
