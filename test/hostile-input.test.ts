/**
 * Careless and hostile input through the real command line: constructs nested too deeply to
 * analyse, files that are no regular files (a device, a FIFO) or are huge — as catalog, inputs,
 * config or tsconfig —, configs that lead to non-JSON files, target names too long to name a
 * file, a lone surrogate in a literal type, control characters in catalog text. Every run ends
 * (no hang: each has a bound), exits 0, 1 or 2, prints no stack trace, and in JSON mode prints
 * exactly one JSON document on standard output.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { MAX_BRACKET_DEPTH } from "../compiler/discover/depth.js";
import { MAX_TEXT_FILE_BYTES } from "../compiler/discover/files.js";
import { REPO, removeWorkspace, workspace, writeFiles } from "./support/workspace.js";

// Each test runs featc (and tsc) as processes: on a loaded machine that takes longer than the default bound.
vi.setConfig({ testTimeout: 240_000 });

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeWorkspace));

const INPUTS = "export interface Inputs {\n  age: number;\n}\n";
const CONFIG = { catalog: ["catalog/**/*.ts"], targets: { online: { shape: "online", inputs: "catalog/inputs.ts#Inputs" } } };

function project(name: string, files: Record<string, string>, config: Record<string, unknown> = CONFIG): string {
  const dir = workspace(`hostile-${name}`);
  dirs.push(dir);
  writeFiles(dir, { "featc.config.json": JSON.stringify(config, null, 2), "catalog/inputs.ts": INPUTS, ...files });
  return dir;
}

interface JsonDiagnostic {
  code: string;
  file: string | null;
  line: number | null;
  column: number | null;
  message: string;
}

/** Runs featc with a bound (a hang fails the test), and checks what every run must hold. */
function featc(args: string[]) {
  const run = spawnSync(process.execPath, [path.join(REPO, "bin", "featc.js"), ...args], {
    encoding: "utf8",
    timeout: 90_000,
    killSignal: "SIGKILL",
  });
  expect(run.signal, `featc ${args.join(" ")} did not finish`).toBeNull();
  expect([0, 1, 2]).toContain(run.status);
  expect(run.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  return run;
}

/** A JSON-mode run: standard output is one JSON document and nothing else. */
function featcJson(args: string[]): { status: number; diagnostics: JsonDiagnostic[] } {
  const run = featc([...args, "--format", "json"]);
  let parsed: { diagnostics: JsonDiagnostic[] };
  try {
    parsed = JSON.parse(run.stdout) as { diagnostics: JsonDiagnostic[] };
  } catch {
    throw new Error(`standard output is not one JSON document:\n${run.stdout.slice(0, 500)}\nstderr: ${run.stderr.slice(0, 500)}`);
  }
  expect(Array.isArray(parsed.diagnostics)).toBe(true);
  return { status: run.status!, diagnostics: parsed.diagnostics };
}

const configOf = (dir: string) => ["--config", path.join(dir, "featc.config.json")];

describe("nesting too deep to analyse", () => {
  const healthy = "export function older(age: number): number {\n  return age + 1;\n}\n";
  const files = {
    "catalog/ok.ts": healthy,
    "catalog/parens.ts": `export function deep(age: number): number {\n  return ${"(".repeat(5000)}age${")".repeat(5000)};\n}\n`,
    "catalog/generic.ts": `export type Deep = ${"Array<".repeat(5000)}number${">".repeat(5000)};\nexport function nested(age: number): number {\n  return age;\n}\n`,
    "catalog/sum.ts": `export function total(age: number): number {\n  return age${" + age".repeat(5000)};\n}\n`,
  };

  it("check: FC1014 at the construct in each file, the rest analysed, exit 1", () => {
    const dir = project("deep", files);
    const { status, diagnostics } = featcJson(["check", ...configOf(dir)]);
    expect(status).toBe(1);
    const deep = diagnostics.filter((d) => d.code === "FC1014");
    expect(deep.map((d) => d.file).sort()).toEqual(["catalog/generic.ts", "catalog/parens.ts", "catalog/sum.ts"]);
    // The bracket that opens one level too many: the function body's brace is the first level.
    expect(deep.find((d) => d.file === "catalog/parens.ts")).toMatchObject({
      line: 2,
      column: "  return ".length + MAX_BRACKET_DEPTH,
      message: expect.stringContaining("too deep to analyse"),
    });
    expect(deep.find((d) => d.file === "catalog/sum.ts")).toMatchObject({ line: 2 });
    expect(diagnostics.filter((d) => d.code !== "FC1014" && d.code !== "FC2001")).toEqual([]);
  });

  it("build: the same diagnostics, nothing written; human output names the code, no stack trace", () => {
    const dir = project("deep-build", files);
    const { status, diagnostics } = featcJson(["build", ...configOf(dir)]);
    expect(status).toBe(1);
    expect(diagnostics.filter((d) => d.code === "FC1014")).toHaveLength(3);
    expect(fs.existsSync(path.join(dir, "generated"))).toBe(false);
    const human = featc(["check", ...configOf(dir)]);
    expect(human.status).toBe(1);
    expect(human.stderr).toContain("error FC1014: too deep to analyse");
    expect(human.stderr).not.toContain("internal error");
  });
});

describe("only regular files of a sane size are read", () => {
  const fifo = (file: string) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const made = spawnSync("mkfifo", [file]);
    expect(made.status, String(made.stderr)).toBe(0);
  };
  const healthy = { "catalog/f.ts": "export function older(age: number): number {\n  return age + 1;\n}\n" };

  it('"inputs": "/dev/zero#X" is FC1010 naming the path', () => {
    const dir = project("dev-zero", healthy, { ...CONFIG, targets: { online: { shape: "online", inputs: "/dev/zero#X" } } });
    const { status, diagnostics } = featcJson(["check", ...configOf(dir)]);
    expect(status).toBe(2);
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: "FC1010",
        file: "featc.config.json",
        message: expect.stringMatching(/inputs file '.*dev\/zero' of target 'online' is not a regular file \(a character device\)/),
      }),
    ]);
  });

  it("a catalog glob that reaches a FIFO (through a link: the glob lists no FIFO itself), and a file over the size limit, are FC1010 naming each", () => {
    const dir = project("fifo-huge", healthy);
    fifo(path.join(dir, "catalog", "pipe.ts"));
    fifo(path.join(dir, "outside.ts"));
    fs.symlinkSync(path.join("..", "outside.ts"), path.join(dir, "catalog", "link.ts"));
    fs.writeFileSync(path.join(dir, "catalog", "huge.ts"), "");
    fs.truncateSync(path.join(dir, "catalog", "huge.ts"), MAX_TEXT_FILE_BYTES + 1);
    const { status, diagnostics } = featcJson(["build", ...configOf(dir)]);
    expect(status).toBe(2);
    expect(diagnostics.map((d) => d.message).sort()).toEqual([
      expect.stringMatching(/^catalog file 'catalog\/huge.ts' is larger than 32 MiB/),
      "catalog file 'catalog/link.ts' is not a regular file (a FIFO)",
    ]);
    expect(diagnostics.every((d) => d.code === "FC1010" && d.file === "featc.config.json")).toBe(true);
  });

  it("the config file itself: a FIFO, a device", () => {
    const dir = project("config-fifo", healthy);
    fifo(path.join(dir, "pipe.json"));
    for (const config of [path.join(dir, "pipe.json"), "/dev/zero"]) {
      const { status, diagnostics } = featcJson(["check", "--config", config]);
      expect(status).toBe(2);
      expect(diagnostics).toEqual([expect.objectContaining({ code: "FC1010", message: expect.stringContaining("is not a regular file") })]);
    }
  });

  it("a tsconfig that is a FIFO, or extends one", () => {
    const dir = project("tsconfig-fifo", { ...healthy, "tsconfig.extends.json": JSON.stringify({ extends: "./pipe.json" }) });
    fifo(path.join(dir, "pipe.json"));
    const direct = featcJson(["check", "--config", writeConfig(dir, "direct", { ...CONFIG, tsconfig: "pipe.json" })]);
    expect(direct.status).toBe(2);
    expect(direct.diagnostics).toEqual([
      expect.objectContaining({ code: "FC1010", message: "tsconfig 'pipe.json' is not a regular file (a FIFO)" }),
    ]);
    const extended = featcJson(["check", "--config", writeConfig(dir, "extends", { ...CONFIG, tsconfig: "tsconfig.extends.json" })]);
    expect(extended.status).toBe(2);
    expect(extended.diagnostics).toEqual([expect.objectContaining({ code: "FC1010", message: expect.stringContaining("pipe.json") })]);
  });
});

function writeConfig(dir: string, name: string, config: Record<string, unknown>): string {
  const file = path.join(dir, `featc.${name}.json`);
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

describe("JSON mode prints one JSON document", () => {
  const healthy = {
    "catalog/f.ts": "export function older(age: number): number {\n  return age + 1;\n}\n",
    "notjson.txt": "hello: world\n",
  };

  it("a tsconfig that is not JSON, or extends a file that is not: FC1010 in the tsconfig", () => {
    const dir = project("tsconfig-text", { ...healthy, "tsconfig.extends.json": JSON.stringify({ extends: "./notjson.txt" }) });
    const direct = featcJson(["check", "--config", writeConfig(dir, "direct", { ...CONFIG, tsconfig: "notjson.txt" })]);
    expect(direct.status).toBe(2);
    expect(direct.diagnostics.length).toBeGreaterThan(0);
    expect(direct.diagnostics.every((d) => d.code === "FC1010" && d.file === "notjson.txt" && d.line === 1)).toBe(true);
    const extended = featcJson(["check", "--config", writeConfig(dir, "extends", { ...CONFIG, tsconfig: "tsconfig.extends.json" })]);
    expect(extended.status).toBe(2);
    expect(extended.diagnostics.length).toBeGreaterThan(0);
    expect(extended.diagnostics.every((d) => d.code === "FC1010" && d.message.startsWith("tsconfig 'tsconfig.extends.json': TS"))).toBe(
      true,
    );
  });

  it("a target name too long to name a file: FC1010 at the name, in check and build", () => {
    const name = "t".repeat(5000);
    const dir = project("long-target", healthy, { ...CONFIG, targets: { [name]: CONFIG.targets.online } });
    const text = fs.readFileSync(path.join(dir, "featc.config.json"), "utf8");
    const line = text.slice(0, text.indexOf(name)).split("\n").length;
    for (const command of ["check", "build"]) {
      const { status, diagnostics } = featcJson([command, ...configOf(dir)]);
      expect(status).toBe(2);
      expect(diagnostics).toEqual([
        expect.objectContaining({
          code: "FC1010",
          file: "featc.config.json",
          line,
          message: expect.stringContaining("(5000 characters) must be a simple name"),
        }),
      ]);
    }
    expect(fs.existsSync(path.join(dir, "generated"))).toBe(false);
  });

  it("a usage error", () => {
    const { status, diagnostics } = featcJson(["check", "--no-such-option"]);
    expect(status).toBe(2);
    expect(diagnostics).toEqual([expect.objectContaining({ code: "FC1010", message: expect.stringContaining("--no-such-option") })]);
  });
});

describe("catalog text that is not plain", () => {
  it("a lone surrogate in a literal type: the executors type-check", () => {
    const dir = project(
      "surrogate",
      {
        "catalog/inputs.ts": "export interface TagInputs {\n  age: number;\n}\n",
        "catalog/f.ts":
          'export function tag(age: number): "\\uD800" {\n  return "\\uD800";\n}\nexport function tagged(tag: "\\uD800"): number {\n  return tag.length;\n}\n',
      },
      {
        ...CONFIG,
        targets: {
          online: { shape: "online", inputs: "catalog/inputs.ts#TagInputs" },
          batch: { shape: "batch", inputs: "catalog/inputs.ts#TagInputs" },
        },
      },
    );
    expect(featc(["build", ...configOf(dir)]).status).toBe(0);
    const tsc = spawnSync(
      process.execPath,
      [
        path.join(REPO, "node_modules", "typescript", "bin", "tsc"),
        "--ignoreConfig",
        "--noEmit",
        "--strict",
        "--module",
        "nodenext",
        "--target",
        "es2022",
        "--skipLibCheck",
        "--types",
        "node",
        ...["online.ts", "batch.ts"].map((f) => path.join(dir, "generated", f)),
      ],
      { encoding: "utf8" },
    );
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  });

  it("NUL bytes and an escape sequence in catalog text reach the terminal only as visible characters", () => {
    const dir = project("controls", {
      "catalog/binary.ts": "export const x = 1;\u0000\u001b[2J\n",
      "catalog/f.ts":
        'export function older(age: number): string {\n  const banner = "\u001b[31mred\u001b[0m"; return age + banner.length;\n}\n',
    });
    const run = featc(["check", ...configOf(dir)]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      "catalog/binary.ts:1:1 - error FC1011: 'catalog/binary.ts' is not a readable text file (it holds NUL bytes)",
    );
    expect(run.stderr).toContain("catalog/f.ts:2:");
    expect(run.stderr).toContain("\u241b[31mred");
    expect(run.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });
});
