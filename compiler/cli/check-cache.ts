/**
 * `featc check`'s result cache. A check reads the config, the catalog, the modules they import,
 * the tsconfig and the type declarations it reaches; its diagnostics are a function of those
 * files and of featc and TypeScript themselves. So a check's result is kept together with
 * everything the run learnt from the file system (file-reads.ts: each file read, by a hash of
 * its contents; each path looked at, also those that were not there; each folder listed) and
 * the files the native type checker read. A later check of the same config starts by asking
 * the file system the same questions: when every answer is the same, the catalog's globs match
 * the same files and featc, Node and TypeScript are the same builds, the kept diagnostics are
 * reported without loading the compiler; otherwise the catalog is checked as usual and the
 * entry replaced.
 *
 * Where: `node_modules/.cache/featc/` of the nearest `node_modules` folder at or above the
 * config (where build tools keep their caches: outside the sources, ignored with node_modules,
 * gone with a fresh install, and never in the catalog or the generated folder that
 * `featc build --check` compares); without one, featc's user cache folder
 * (`$XDG_CACHE_HOME/featc` or `~/.cache/featc`). One file per config, targets and
 * type-check settings, replaced on every change; the folder keeps the 64 most recent.
 *
 * An entry that cannot be read, does not parse, fails its checksum or was written by another
 * version is ignored. A run whose check was incomplete (the type check timed out, featc failed)
 * or whose files changed while it read them is not kept. `--no-cache` or `FEATC_CACHE=0` turns
 * the cache off.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { catalogGlob } from "../catalog-glob.js";
import { cacheDir } from "../compile-cache.js";
import type { Diagnostic } from "../diagnostics.js";
import { recordFileReads, stillHolds, type Observation, type Recording } from "../file-reads.js";
import { packageFile } from "../paths.js";

/** What `featc check` reports: its diagnostics, the folder they are relative to, and the node counts of a clean catalog. */
export interface CheckResult {
  readonly diagnostics: readonly Diagnostic[];
  readonly rootDir: string;
  readonly nodes: string;
}

/** What a check must leave for its result to be kept. */
export interface CheckRun {
  readonly result: CheckResult;
  /** The catalog's globs as written, and the files they matched. */
  readonly catalogPatterns: readonly string[];
  readonly catalogFiles: readonly string[];
  /** Whether the result is what the catalog is (not a type check that timed out, not an internal error). */
  readonly complete: boolean;
}

interface Entry {
  readonly version: 1;
  readonly key: string;
  readonly build: string;
  readonly rootDir: string;
  readonly catalogPatterns: readonly string[];
  readonly catalogFiles: readonly string[];
  readonly observations: readonly Observation[];
  readonly result: CheckResult;
}

const sum = (text: string): string => crypto.createHash("sha256").update(text).digest("hex");

/** The settings a check's result depends on besides the files it reads. */
function keyOf(configPath: string, targets: readonly string[] | undefined): string {
  return JSON.stringify([
    path.resolve(configPath),
    targets ?? [],
    process.env.FEATC_TYPECHECK ?? "",
    process.env.FEATC_TYPECHECK_TIMEOUT ?? "",
  ]);
}

/**
 * The build of featc, Node and TypeScript that made a result: featc's version, the size and
 * modification time of each of the compiler's modules (a rebuilt compiler in a checkout of
 * featc), Node's version, and ts-morph's TypeScript (the native one is among the files read).
 */
function buildStamp(): string {
  const parts: string[] = [process.version, process.arch];
  const stat = (file: string) => {
    const s = fs.statSync(file, { throwIfNoEntry: false });
    parts.push(`${file}:${s?.size ?? -1}:${s?.mtimeMs ?? -1}`);
  };
  stat(packageFile("package.json"));
  const compiler = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  for (const entry of fs.readdirSync(compiler, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) stat(path.join(entry.parentPath, entry.name));
  try {
    const common = createRequire(createRequire(import.meta.url).resolve("ts-morph")).resolve("@ts-morph/common");
    stat(common);
    stat(path.join(path.dirname(common), "typescript.js"));
  } catch {
    parts.push("no ts-morph");
  }
  return sum(parts.join("\n"));
}

/** `node_modules/.cache/featc` of the nearest node_modules at or above `from`; else the user cache folder. */
function cacheFolder(from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const modules = path.join(dir, "node_modules");
    if (fs.statSync(modules, { throwIfNoEntry: false })?.isDirectory()) return path.join(modules, ".cache", "featc");
    if (path.dirname(dir) === dir) return cacheDir();
  }
}

function readEntry(file: string): Entry | undefined {
  try {
    const text = fs.readFileSync(file, "utf8");
    const newline = text.indexOf("\n");
    const body = text.slice(newline + 1);
    if (newline < 0 || text.slice(0, newline) !== sum(body)) return undefined;
    return JSON.parse(body) as Entry;
  } catch {
    return undefined;
  }
}

/** Entries kept in one folder; beyond it, the least recently written go (configs checked long ago, or gone). */
const MAX_ENTRIES = 64;

function writeEntry(file: string, entry: Entry): void {
  const body = JSON.stringify(entry);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(temp, `${sum(body)}\n${body}`);
    fs.renameSync(temp, file);
    const folder = path.dirname(file);
    const entries = fs
      .readdirSync(folder)
      .filter((name) => /^check-[0-9a-f]+\.json$/.test(name))
      .map((name) => ({ file: path.join(folder, name), written: fs.statSync(path.join(folder, name)).mtimeMs }))
      .sort((a, b) => b.written - a.written);
    for (const old of entries.slice(MAX_ENTRIES)) fs.rmSync(old.file, { force: true });
  } catch {
    // A result that cannot be kept is checked again next time.
    fs.rmSync(temp, { force: true });
  }
}

export interface CheckCache {
  /** The kept result, when it still holds. */
  lookup(): Promise<CheckResult | undefined>;
  /** Starts recording a check; `keep` stores its result (when complete) and ends the recording. */
  record(): { keep(run: CheckRun | undefined): void };
}

/** The cache for checks of this config and these targets; undefined when turned off. */
export function checkCache(configPath: string, targets: readonly string[] | undefined): CheckCache | undefined {
  if (process.env.FEATC_CACHE === "0") return undefined;
  const absolute = path.resolve(configPath);
  const folder = cacheFolder(fs.statSync(absolute, { throwIfNoEntry: false })?.isDirectory() ? absolute : path.dirname(absolute));
  if (!folder) return undefined;
  const key = keyOf(configPath, targets);
  const file = path.join(folder, `check-${sum(key).slice(0, 24)}.json`);
  let build: string | undefined;
  const stamp = () => (build ??= buildStamp());
  return {
    async lookup() {
      const entry = readEntry(file);
      if (!entry || entry.version !== 1 || entry.key !== key || entry.build !== stamp()) return undefined;
      if (!stillHolds(entry.observations)) return undefined;
      const files = await catalogGlob(entry.catalogPatterns, entry.rootDir);
      if (files.length !== entry.catalogFiles.length || files.some((f, i) => f !== entry.catalogFiles[i])) return undefined;
      return entry.result;
    },
    record() {
      const recording: Recording = recordFileReads();
      return {
        keep(run) {
          const observations = recording.stop();
          if (!run?.complete || !observations) return;
          writeEntry(file, {
            version: 1,
            key,
            build: stamp(),
            rootDir: run.result.rootDir,
            catalogPatterns: run.catalogPatterns,
            catalogFiles: run.catalogFiles,
            observations,
            result: run.result,
          });
        },
      };
    },
  };
}
