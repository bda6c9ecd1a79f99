/**
 * Catalog text is data, never code: a catalog whose field names, descriptions, check arguments,
 * config values and file name hold comment terminators, backticks, `${`, quotes, backslashes,
 * line terminators, `</script>` and NUL builds into executors that `tsc --strict` accepts, that
 * run no injected statement, and that compute what the catalog's functions compute; and a
 * catalog whose names are exactly the names featc's executors declare builds and type-checks.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Graphviz } from "@hpcc-js/wasm-graphviz";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build, type BuildResult } from "../compiler/build.js";
import { HOSTILE, hostileCatalog, ownNamesCatalog } from "./support/hostile.js";
import { evaluateDirectly, sameValue } from "./support/reference.js";
import { REPO, buildOk, importFrom, removeWorkspace, workspace, writeFiles } from "./support/workspace.js";
import { featc } from "./lineage/cli.js";

const TSC = path.join(REPO, "node_modules", "typescript", "bin", "tsc");

interface Executor {
  OUTPUT_NAMES: readonly string[];
  FITTED_OUTPUTS?: readonly string[];
  execute(outputs: readonly string[], inputs: Record<string, unknown>): unknown;
}

/** `tsc --strict` over the workspace's catalog and generated modules; returns what it printed. */
function typeCheck(dir: string): string {
  writeFiles(dir, {
    "tsconfig.json": JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        lib: ["ES2023"],
        types: ["node"],
        typeRoots: [path.join(REPO, "node_modules", "@types")],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        verbatimModuleSyntax: true,
      },
      include: ["catalog", "generated"],
    }),
  });
  try {
    return execFileSync(process.execPath, [TSC, "-p", path.join(dir, "tsconfig.json"), "--pretty", "false"], {
      encoding: "utf8",
      stdio: "pipe",
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return `${err.stdout ?? ""}${err.stderr ?? ""}`;
  }
}

/** Runs every target (fitting targets first) on the inputs and compares with direct evaluation, all outputs and each alone. */
async function runsLikeTheCatalog(dir: string, result: BuildResult, inputsOf: (target: string) => Record<string, unknown>): Promise<void> {
  const targets = [...result.analysis.targets].sort((a, b) =>
    a.fitted === b.fitted ? a.name.localeCompare(b.name) : a.fitted === "compute" ? -1 : 1,
  );
  let fitted: Record<string, unknown> | undefined;
  for (const g of targets) {
    const executor = await importFrom<Executor>(dir, `generated/${g.name}.ts`);
    const inputs = g.fittedInputs.length > 0 ? { ...inputsOf(g.name), fitted } : inputsOf(g.name);
    const all = (await executor.execute(executor.OUTPUT_NAMES, inputs)) as Record<string, unknown>;
    if (executor.FITTED_OUTPUTS) fitted = Object.fromEntries(executor.FITTED_OUTPUTS.map((o) => [o, all[o]]));
    for (const outputs of [executor.OUTPUT_NAMES, ...executor.OUTPUT_NAMES.map((o) => [o])]) {
      const actual = (await executor.execute(outputs, inputs)) as Record<string, unknown>;
      const expected = await evaluateDirectly(g, outputs, inputs);
      expect(Object.keys(actual).sort(), `${g.name}: ${JSON.stringify(outputs)}`).toEqual(Object.keys(expected).sort());
      for (const k of Object.keys(expected)) expect(sameValue(actual[k], expected[k]), `${g.name}: output ${JSON.stringify(k)}`).toBe(true);
    }
  }
}

describe("hostile catalog text", () => {
  let dir: string;
  let result: BuildResult;
  beforeAll(async () => {
    dir = workspace("injection");
    writeFiles(dir, hostileCatalog());
    result = await buildOk(dir);
  }, 60_000);
  afterAll(() => removeWorkspace(dir));

  it("builds with every hostile field as a node of both targets, and no warning", () => {
    expect(result.diagnostics).toEqual([]);
    for (const g of result.analysis.targets) {
      for (const h of HOSTILE) expect(g.nodes.has(h), `${g.name} has node ${JSON.stringify(h)}`).toBe(true);
      expect(g.nodes.has("flavoured")).toBe(true);
    }
  });

  it("writes no raw control character or line separator into an executor", () => {
    for (const [file, text] of result.files) {
      if (!file.endsWith(".ts")) continue;
      expect(text, file).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u2028\u2029]/);
    }
  });

  it("passes tsc --strict", () => {
    expect(typeCheck(dir)).toBe("");
  }, 120_000);

  it("runs no injected statement and computes what the catalog computes, in every target", async () => {
    const g = globalThis as { PWNED?: unknown };
    delete g.PWNED;
    await runsLikeTheCatalog(dir, result, (target) => (target === "batch" ? { rows: 7 } : { id: 3 }));
    expect(g.PWNED).toBeUndefined();
  }, 60_000);

  it("draws every hostile name as one vertex in featc graph: JSON, DOT that Graphviz renders, one-line Mermaid labels", async () => {
    const config = path.join(dir, "featc.config.json");
    for (const target of ["batch", "online"]) {
      const json = await featc("graph", "-c", config, "-t", target, "-f", "json");
      expect(json.code, json.err).toBe(0);
      const graph = JSON.parse(json.out) as { vertices: { id: string; name: string }[] };
      for (const h of HOSTILE) expect(graph.vertices.filter((v) => v.name === h).length, JSON.stringify(h)).toBe(1);

      const dot = await featc("graph", "-c", config, "-t", target);
      expect(dot.code, dot.err).toBe(0);
      const svg = (await Graphviz.load()).dot(dot.out);
      expect((svg.match(/<g id="node\d+" class="node">/g) ?? []).length).toBe(graph.vertices.length);

      const mermaid = await featc("graph", "-c", config, "-t", target, "-f", "mermaid");
      expect(mermaid.code, mermaid.err).toBe(0);
      // Mermaid reads backticks as markdown and a line break ends a statement; `</script>` would end an embedding page's script.
      expect(mermaid.out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u2028\u2029`]|<\/script/);
      for (const line of mermaid.out.split("\n").filter((l) => l.includes('["') || l.includes("([")))
        expect(line.match(/"/g)!.length, line).toBe(2);
    }
  }, 120_000);

  it("embeds every hostile name in featc docs as data that parses back", async () => {
    const site = path.join(dir, "site");
    const run = await featc("docs", "-c", path.join(dir, "featc.config.json"), "--out", site);
    expect(run.code, run.err).toBe(0);
    const html = fs.readFileSync(path.join(site, "index.html"), "utf8");
    // The page's own three scripts close; nothing from the catalog closes one early.
    const data = /<script type="application\/json" id="featc-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(data).not.toMatch(/<|[\u2028\u2029]/);
    const names = JSON.stringify(JSON.parse(data));
    for (const h of HOSTILE) expect(names).toContain(JSON.stringify(h));
  }, 120_000);

  it("refuses catalog file names that an import cannot spell (#, ?, %, \\) with FC1010 at the file", async () => {
    for (const name of ["hash#x.ts", "query?x.ts", "percent%41.ts", "back\\slash.ts"]) {
      const bad = workspace("injection-file");
      try {
        writeFiles(bad, {
          "featc.config.json": JSON.stringify({ catalog: ["catalog/**/*.ts"], targets: { online: { shape: "online" } } }),
          [`catalog/${name}`]: `export function f(): number {\n  return 1;\n}\n`,
        });
        const built = await build(path.join(bad, "featc.config.json"));
        // (A backslash file has no function TypeScript can read, so its target is also empty: FC2003.)
        const errors = built.diagnostics.filter((d) => d.severity === "error");
        expect(errors.map((d) => [d.code, d.span && path.basename(d.span.file), d.span?.line])).toEqual([["FC1010", name, 1]]);
        expect(errors[0]!.message).toContain(name[name.search(/[#?%\\]/)]!);
      } finally {
        removeWorkspace(bad);
      }
    }
  }, 60_000);
});

describe("a catalog whose names are featc's own", () => {
  let dir: string;
  let result: BuildResult;
  beforeAll(async () => {
    dir = workspace("own-names");
    writeFiles(dir, ownNamesCatalog());
    result = await buildOk(dir);
  }, 60_000);
  afterAll(() => removeWorkspace(dir));

  it("builds, passes tsc --strict and runs like the catalog", async () => {
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(typeCheck(dir)).toBe("");
    await runsLikeTheCatalog(dir, result, (target) =>
      target === "batch" ? { Inputs: new Float64Array([1, 2, 3]), options: 2 } : { Inputs: 4, options: 2 },
    );
  }, 120_000);
});

describe("an empty catalog", () => {
  it("builds executors that type-check and answer an empty request, with FC2003 per target", async () => {
    const dir = workspace("empty-catalog");
    try {
      writeFiles(dir, {
        "featc.config.json": JSON.stringify({
          catalog: ["catalog/**/*.ts"],
          targets: { batch: { shape: "batch" }, online: { shape: "online" } },
        }),
        "catalog/notes.ts": "// Features will come here.\nexport const version = 1;\n",
      });
      const result = await buildOk(dir);
      expect(result.diagnostics.map((d) => [d.code, d.targets[0]])).toEqual([
        ["FC2003", "batch"],
        ["FC2003", "online"],
      ]);
      expect(typeCheck(dir)).toBe("");
      for (const target of ["batch", "online"]) {
        const executor = await importFrom<Executor>(dir, `generated/${target}.ts`);
        expect(executor.OUTPUT_NAMES).toEqual([]);
        expect(executor.execute([], {})).toEqual({});
      }
    } finally {
      removeWorkspace(dir);
    }
  }, 120_000);
});
