/**
 * featc from its packed tarball, as a new user meets it: in a fresh npm project outside this
 * repository — once with "type": "module", once as `npm init -y` leaves it (CommonJS) — install
 * featc and TypeScript, `featc init`, `featc build`, `tsc -p .`, and run the compiled example
 * with plain `node`, no loader. What it prints is compared with the catalog's functions called
 * directly. CommonJS settings under which tsc cannot compile the executors are reported by
 * `featc check` at the setting, and tsc indeed refuses them. The module project, installed without
 * featc's optional peer @duckdb/node-api, runs featc, and featc/duckdb says what to install.
 */
import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, installFeatc, run, tempProject, writeFiles } from "./packed.js";

/** The example's inputs (main.ts, written by featc init), evaluated through the compiled catalog's own functions. */
const DIRECT = `
const f = await import("./dist/catalog/features.js");
const ages = [25, 40, 61];
const budgets = [50, 150, 300];
const mean = f.age_mean__batch(ages);
const batch = { age_mean: mean, age_centered: ages.map((age) => f.age_centered(age, mean)), is_high_roller: budgets.map((b) => f.is_high_roller(b)) };
const online = { age_centered: f.age_centered(40, f.age_mean__online({ age_mean: mean })), is_high_roller: f.is_high_roller(150) };
console.log(JSON.stringify({ batch, online }));
`;

/** The versions of the packages featc is developed with. */
const DEVELOPED_WITH = (JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as { devDependencies: Record<string, string> })
  .devDependencies;

/** The `label: {json}` lines a program printed, by label. */
function printed(stdout: string): Record<string, unknown> {
  return Object.fromEntries(
    stdout
      .trim()
      .split("\n")
      .map((line) => /^(\w+): (.*)$/.exec(line)!)
      .map((m) => [m[1]!, JSON.parse(m[2]!)]),
  );
}

type ProjectType = "module" | "commonjs";
const projects = new Map<ProjectType, string>();
afterAll(() => projects.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** The project npm init makes (with "type" set for a module one), featc installed: made once, its installed featc also serves "featc init, elsewhere". */
function npmProject(type: ProjectType): string {
  let dir = projects.get(type);
  if (dir) return dir;
  dir = tempProject(type);
  projects.set(type, dir);
  run("npm", ["init", "-y"], dir);
  if (type === "module") run("npm", ["pkg", "set", "type=module"], dir);
  expect(JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).type ?? "commonjs").toBe(type);
  installFeatc(dir);
  return dir;
}

for (const type of ["module", "commonjs"] as const) {
  describe(`a "type": "${type}" project made by npm init`, () => {
    let dir: string;
    let init: string;

    beforeAll(() => {
      dir = npmProject(type);
      init = run("npx", ["featc", "init"], dir).stdout;
      run("npx", ["featc", "build"], dir);
    }, 240_000);

    it("featc init, featc build, tsc -p . and node dist/main.js: the example prints what the functions compute", () => {
      for (const file of ["featc.config.json", "catalog/inputs.ts", "catalog/features.ts", "main.ts", "tsconfig.json"])
        expect(init).toContain(`wrote ${file}`);
      expect(init).toContain("npx featc build\n  npx tsc -p .\n  node dist/main.js");
      run("npx", ["tsc", "-p", "."], dir);
      const compiled = fs.readFileSync(path.join(dir, "dist", "generated", "online.js"), "utf8");
      expect(compiled).toMatch(type === "module" ? /^import .* from "featc";$/m : /require\("featc"\)/);

      const app = printed(run("node", ["dist/main.js"], dir).stdout);
      fs.writeFileSync(path.join(dir, "direct.mjs"), DIRECT);
      const direct = JSON.parse(run("node", ["direct.mjs"], dir).stdout) as Record<string, unknown>;
      expect(app).toEqual(direct);
      expect(app.online).toEqual({ age_centered: -2, is_high_roller: true });
    });

    it("featc check is clean on what init wrote, and a second init leaves every file alone", () => {
      const check = run("npx", ["featc", "check"], dir);
      expect(check.stderr).toContain("catalog is clean");
      const before = fs.readFileSync(path.join(dir, "catalog", "features.ts"), "utf8");
      fs.writeFileSync(path.join(dir, "catalog", "features.ts"), `${before}\n// edited\n`);
      const again = run("npx", ["featc", "init"], dir).stdout;
      for (const file of ["featc.config.json", "catalog/inputs.ts", "catalog/features.ts", "main.ts", "tsconfig.json"])
        expect(again).toContain(`left alone: ${file} (it exists)`);
      expect(again).not.toContain("wrote ");
      expect(fs.readFileSync(path.join(dir, "catalog", "features.ts"), "utf8")).toBe(`${before}\n// edited\n`);
    });

    if (type === "module") {
      it("declares @duckdb/node-api an optional peer; installed without it, featc runs and featc/duckdb says what to install", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, "node_modules", "featc", "package.json"), "utf8")) as {
          peerDependencies: Record<string, string>;
          peerDependenciesMeta: Record<string, { optional?: boolean }>;
        };
        expect(pkg.peerDependencies["@duckdb/node-api"]).toBe(DEVELOPED_WITH["@duckdb/node-api"]);
        expect(pkg.peerDependenciesMeta["@duckdb/node-api"]).toEqual({ optional: true });
        expect(fs.existsSync(path.join(dir, "node_modules", "@duckdb", "node-api"))).toBe(false);
        const core = run("node", ["--input-type=module", "-e", 'import { mean } from "featc"; console.log(mean([1, 2]));'], dir);
        expect(core.stdout.trim()).toBe("1.5");
        const script = [
          "try { await import('featc/duckdb'); } catch (e) { console.log(e.name, e.code, e.message); process.exit(3); }",
          "console.log('loaded');",
        ].join("\n");
        const duck = run("node", ["--input-type=module", "-e", script], dir, 3);
        expect(duck.stdout.trim()).toBe(
          "FeatcError FEATC_DUCKDB_MISSING featc/duckdb needs the package @duckdb/node-api, which is not installed: add it to your project (npm install @duckdb/node-api)",
        );
      });

      it("the compiled executors bundle for the browser: they import nothing of Node", async () => {
        const bundle = await build({
          entryPoints: [path.join(dir, "dist", "generated", "online.js")],
          bundle: true,
          platform: "browser",
          format: "esm",
          write: false,
          logLevel: "silent",
        });
        expect(bundle.outputFiles[0]!.text).toContain("age_centered");
      });
    } else {
      it.each([
        ["module node16", { module: "node16" }, '"node16"', /TS1479/],
        ["verbatimModuleSyntax", { module: "nodenext", verbatimModuleSyntax: true }, "true", /TS1295/],
      ])("%s: featc check reports FC1010 at the setting, where tsc fails on the executors", (_name, options, written, tscError) => {
        const tsconfig = `{\n  "extends": "./tsconfig.json",\n  "compilerOptions": ${JSON.stringify(options)}\n}\n`;
        writeFiles(dir, {
          "tsconfig.strict.json": tsconfig,
          "featc.strict.json": fs
            .readFileSync(path.join(dir, "featc.config.json"), "utf8")
            .replace("{", '{\n  "tsconfig": "tsconfig.strict.json",'),
        });
        const check = run("npx", ["featc", "check", "--config", "featc.strict.json", "--format", "json"], dir, 2);
        const found = (
          JSON.parse(check.stdout) as { diagnostics: { code: string; file: string; line: number; column: number; message: string }[] }
        ).diagnostics;
        const column = tsconfig.split("\n")[2]!.indexOf(written) + 1;
        // TypeScript's own errors in catalog files (FC1011) may come with it; the executors' is FC1010.
        const settings = found.filter((d) => d.code === "FC1010");
        expect(settings.map(({ code, file, line, column }) => ({ code, file, line, column }))).toEqual([
          { code: "FC1010", file: "tsconfig.strict.json", line: 3, column },
        ]);
        expect(settings[0]!.message).toMatch(/add "type": "module" to package.json/);
        expect(found.filter((d) => d.code !== "FC1010" && d.code !== "FC1011")).toEqual([]);
        const tsc = run("npx", ["tsc", "-p", "tsconfig.strict.json", "--noEmit"], dir, 1);
        expect(tsc.stdout).toMatch(new RegExp(`generated/(batch|online)\\.ts\\(\\d+,\\d+\\): error ${tscError.source}`));
      });
    }
  });
}

describe("featc init, elsewhere", () => {
  let cli: string;
  const dirs: string[] = [];
  const project = (label: string) => {
    const dir = tempProject(label);
    dirs.push(dir);
    return dir;
  };

  beforeAll(() => {
    cli = path.join(npmProject("module"), "node_modules", "featc", "bin", "featc.js");
  }, 240_000);
  afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it("refuses a folder without package.json, with exit code 2 and a message", () => {
    const dir = project("init-empty");
    const result = run("node", [cli, "init", dir], dir, 2);
    expect(result.stderr).toContain(`no package.json in ${dir}`);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("keeps an existing tsconfig.json and says when it does not compile main.ts; says to install TypeScript", () => {
    const dir = project("init-tsconfig");
    const tsconfig = '{ "compilerOptions": { "module": "nodenext", "outDir": "out" }, "include": ["src"] }\n';
    writeFiles(dir, { "package.json": '{ "name": "app", "type": "module" }\n', "tsconfig.json": tsconfig, "src/index.ts": "export {};\n" });
    const out = run("node", [cli, "init", dir], dir).stdout;
    expect(out).toContain("left alone: tsconfig.json (it exists)");
    expect(fs.readFileSync(path.join(dir, "tsconfig.json"), "utf8")).toBe(tsconfig);
    expect(out).toContain('main.ts is not part of what tsconfig.json compiles: add "main.ts" to its "include"');
    expect(out).toContain("npm install --save-dev typescript");
    expect(out).not.toMatch(/node \S+main\.js/);
  });

  it("names the compiled example's path from the project's own tsconfig", () => {
    const dir = project("init-outdir");
    writeFiles(dir, {
      "package.json": '{ "name": "app" }\n',
      "tsconfig.json": '{ "compilerOptions": { "module": "nodenext", "rootDir": ".", "outDir": "build/js" } }\n',
    });
    expect(run("node", [cli, "init", dir], dir).stdout).toContain("node build/js/main.js");
  });
});
