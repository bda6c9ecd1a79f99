/**
 * Test workspaces: a fixture catalog copied under test/.tmp (inside the package, so catalogs
 * and generated code resolve `featc` to this repository), built with the real compiler.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type BuildResult } from "../../compiler/build.js";

export const REPO = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
const TMP = path.join(REPO, "test", ".tmp");

let counter = 0;

/** A fresh folder under test/.tmp holding a copy of `fixtureDir` (or empty). */
export function workspace(name: string, fixtureDir?: string): string {
  const dir = path.join(TMP, `${name}-${process.pid}-${Date.now().toString(36)}-${counter++}`);
  fs.mkdirSync(dir, { recursive: true });
  if (fixtureDir)
    fs.cpSync(fixtureDir, dir, {
      recursive: true,
      filter: (src) => !src.includes(`${path.sep}_expected`) && !src.includes(`${path.sep}generated`),
    });
  return dir;
}

/** Writes files (path → text) into a folder. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
}

/** Builds a workspace and fails loudly with the diagnostics if the build did not succeed. */
export async function buildOk(dir: string, configName = "featc.config.json"): Promise<BuildResult> {
  const result = await build(path.join(dir, configName));
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0 || !result.analysis.config) {
    throw new Error(
      `build of ${dir} failed:\n${errors.map((d) => `${d.code} ${d.span ? `${path.relative(dir, d.span.file)}:${d.span.line}:${d.span.column}` : ""} ${d.message}`).join("\n")}`,
    );
  }
  return result;
}

/** Imports a module of a workspace by path (fresh: vitest caches by URL, the workspace is unique). */
export async function importFrom<T = Record<string, unknown>>(dir: string, rel: string): Promise<T> {
  return (await import(/* @vite-ignore */ pathToFileURL(path.join(dir, rel)).href)) as T;
}

export function removeWorkspace(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** A tsconfig's compilerOptions for type-checking a catalog with its generated executors: strict, NodeNext modules, no ambient types. */
export const STRICT_COMPILER_OPTIONS = {
  target: "ES2022",
  module: "NodeNext",
  moduleResolution: "NodeNext",
  lib: ["ES2023"],
  types: [],
  strict: true,
  noEmit: true,
  skipLibCheck: true,
} as const;

/** The native `tsc --strict` output (empty when clean) for `files`, with Node's types and NodeNext modules. */
export function strictTypeCheck(files: readonly string[]): string {
  const tsc = path.join(REPO, "node_modules", "typescript", "bin", "tsc");
  const options = [
    "--ignoreConfig",
    "--noEmit",
    "--strict",
    "--module",
    "nodenext",
    "--moduleResolution",
    "nodenext",
    "--target",
    "es2022",
    "--skipLibCheck",
    "--types",
    "node",
  ];
  const run = spawnSync(process.execPath, [tsc, ...options, ...files], { encoding: "utf8" });
  return run.stdout + run.stderr;
}
