/**
 * The compiled-code cache of the command line (compiler/compile-cache.ts), from outside: `featc
 * check` as a user runs it, with the cache folder in a temporary XDG_CACHE_HOME. The first run
 * writes the cache, a later run reads it and reports exactly the same; a damaged cache entry is
 * rejected and rewritten, never trusted; an entry made for another version of the module is
 * replaced, not joined by a second one; FEATC_COMPILE_CACHE=0 writes nothing; the folder keeps
 * the entries used most recently, within MAX_ENTRIES and MAX_BYTES, and is pruned only by a run
 * that writes an entry.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { MAX_BYTES, MAX_ENTRIES, requireLarge } from "../compiler/compile-cache.js";
import { REPO, removeWorkspace, workspace } from "./support/workspace.js";

const FIXTURE = path.join(REPO, "test", "fixtures", "diagnostics", "fc1004-types", "featc.config.json");
let home = "";

beforeAll(() => {
  home = workspace("compile-cache");
});
afterAll(() => removeWorkspace(home));

/** A check that reads the catalog (--no-cache: one answered from its result cache loads no TypeScript to cache the code of). */
function check(env: Record<string, string> = {}) {
  const r = spawnSync(
    process.execPath,
    [path.join(REPO, "bin", "featc.js"), "check", "--no-cache", "--format", "json", "--config", FIXTURE],
    {
      encoding: "utf8",
      cwd: REPO,
      env: { ...process.env, NO_COLOR: "1", XDG_CACHE_HOME: home, ...env },
    },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The cache entries, by name, with their sizes. */
function entries(): Map<string, number> {
  const dir = path.join(home, "featc", "v8-code");
  return new Map(fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => [f, fs.statSync(path.join(dir, f)).size]) : []);
}

describe("the compiled-code cache", () => {
  it("is off with FEATC_COMPILE_CACHE=0", () => {
    const r = check({ FEATC_COMPILE_CACHE: "0" });
    expect(r.status, r.stderr).toBe(1);
    expect(entries().size).toBe(0);
  });

  it("is written by the first run, read by the next, and changes nothing in the report", () => {
    const uncached = check({ FEATC_COMPILE_CACHE: "0" });
    const first = check();
    const written = entries();
    // TypeScript as ts-morph bundles it is the largest module: it must be among the entries.
    expect([...written.keys()].some((f) => f.startsWith("typescript-"))).toBe(true);
    for (const size of written.values()) expect(size).toBeGreaterThan(0);
    const second = check();
    expect(entries()).toEqual(written);
    for (const run of [first, second]) expect(run).toEqual(uncached);
    expect(JSON.parse(uncached.stdout).diagnostics.length).toBeGreaterThan(0);
  });

  it("rejects a damaged entry, reports the same, and writes the entry again", () => {
    if (entries().size === 0) check();
    const dir = path.join(home, "featc", "v8-code");
    const typescript = path.join(
      dir,
      [...entries().keys()].find((f) => f.startsWith("typescript-"))!,
    );
    const garbage = Buffer.from("not code a V8 would accept");
    fs.writeFileSync(typescript, garbage);
    expect(check()).toEqual(check({ FEATC_COMPILE_CACHE: "0" }));
    const rewritten = fs.readFileSync(typescript);
    expect(rewritten.length).toBeGreaterThan(1000);
    // V8 accepts the new entry: the next run leaves it as it is.
    const before = fs.statSync(typescript).mtimeMs;
    check();
    expect(fs.statSync(typescript).mtimeMs).toBe(before);
  });

  it("replaces the entry of another version of a module instead of adding one", () => {
    if (entries().size === 0) check();
    const dir = path.join(home, "featc", "v8-code");
    const names = [...entries().keys()];
    const typescript = path.join(
      dir,
      names.find((f) => f.startsWith("typescript-"))!,
    );
    const data = fs.readFileSync(typescript);
    const newline = data.indexOf(10);
    const [size, mtime, ...rest] = JSON.parse(data.subarray(0, newline).toString("utf8")) as [number, number, ...string[]];
    // The same entry as a TypeScript of another modification time left it.
    fs.writeFileSync(
      typescript,
      Buffer.concat([Buffer.from(JSON.stringify([size, mtime - 1000, ...rest]) + "\n"), data.subarray(newline + 1)]),
    );
    expect(check()).toEqual(check({ FEATC_COMPILE_CACHE: "0" }));
    expect([...entries().keys()].sort()).toEqual(names.sort());
    expect(fs.readFileSync(typescript).equals(data)).toBe(false);
    expect(fs.readFileSync(typescript).subarray(0, newline).toString("utf8")).toBe(JSON.stringify([size, mtime, ...rest]));
  });
});

describe("the compiled-code cache's entries", () => {
  it("hold no code for a module whose code is larger than its text, which is then neither read nor written again", () => {
    // The first run loads ts-morph's module only where the standard library's declarations are not copied yet.
    fs.rmSync(path.join(home, "featc"), { recursive: true, force: true });
    const uncached = check({ FEATC_COMPILE_CACHE: "0" });
    expect(check()).toEqual(uncached);
    const dir = path.join(home, "featc", "v8-code");
    const written = entries();
    // ts-morph's module holds the standard library's declarations as 3 MB of string literals.
    const common = [...written.keys()].find((f) => f.startsWith("ts-morph-common-"))!;
    const text = fs.readFileSync(path.join(dir, common), "utf8");
    expect(text.indexOf("\n")).toBe(text.length - 1);
    const module = createRequire(createRequire(path.join(REPO, "package.json")).resolve("ts-morph")).resolve("@ts-morph/common");
    expect((JSON.parse(text) as number[])[0]).toBe(fs.readFileSync(module, "utf8").length);
    const typescript = [...written.keys()].find((f) => f.startsWith("typescript-"))!;
    expect(written.get(typescript)).toBeGreaterThan(1_000_000);
    const modified = new Map([...written.keys()].map((f) => [f, fs.statSync(path.join(dir, f)).mtimeMs]));
    expect(check()).toEqual(uncached);
    expect(new Map([...written.keys()].map((f) => [f, fs.statSync(path.join(dir, f)).mtimeMs]))).toEqual(modified);
  });
});

describe("the copy of the standard library's declarations", () => {
  /**
   * `libraryFiles()` in a process of its own with the cache on, as the command line has it: each
   * file's name and text, and whether ts-morph's module (which holds the texts) was loaded.
   */
  function libraries(env: Record<string, string> = {}): { files: [string, string][]; morphLoaded: boolean } {
    const script = `
      import { createRequire } from "node:module";
      import { enableCompileCache } from ${JSON.stringify(path.join(REPO, "compiler", "compile-cache.ts"))};
      enableCompileCache();
      const { libraryFiles } = await import(${JSON.stringify(path.join(REPO, "compiler", "typescript.ts"))});
      const files = libraryFiles().map((f) => [f.fileName, f.text()]);
      const require = createRequire(${JSON.stringify(path.join(REPO, "package.json"))});
      const common = createRequire(require.resolve("ts-morph")).resolve("@ts-morph/common");
      console.log(JSON.stringify({ files, morphLoaded: common in require.cache }));`;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      cwd: REPO,
      env: { ...process.env, XDG_CACHE_HOME: home, ...env },
    });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { files: [string, string][]; morphLoaded: boolean };
  }
  const copies = () => fs.readdirSync(path.join(home, "featc")).filter((f) => f.startsWith("typescript-lib-"));

  it("is made by the first run and read by later ones, which do not load ts-morph's module", () => {
    fs.rmSync(path.join(home, "featc"), { recursive: true, force: true });
    const first = libraries();
    expect(first.morphLoaded).toBe(true);
    expect(first.files.map(([name]) => name)).toContain("lib.es5.d.ts");
    expect(copies()).toHaveLength(1);
    const second = libraries();
    expect(second.morphLoaded).toBe(false);
    expect(second.files).toEqual(first.files);
  });

  it("is not trusted where a file is not the one listed, and is made again when its list is missing or cut short", () => {
    const original = libraries().files;
    const dir = path.join(home, "featc", copies()[0]!);
    const es5 = path.join(dir, "lib.es5.d.ts");
    fs.writeFileSync(es5, "interface Array<T> {}");
    const damaged = libraries();
    expect(damaged.files).toEqual(original);
    expect(damaged.morphLoaded).toBe(true);
    // The same length, one character changed: the digest, not the length, tells.
    const text = original.find(([name]) => name === "lib.es5.d.ts")![1];
    fs.writeFileSync(es5, text.replace("interface Array<T>", "interface Array<U>"));
    expect(libraries().files).toEqual(original);
    // A list without lib.d.ts is a list cut short: the copy is made again.
    fs.writeFileSync(path.join(dir, "files.json"), "[]");
    expect(libraries().files).toEqual(original);
    expect(libraries().morphLoaded).toBe(false);
    fs.rmSync(path.join(dir, "files.json"));
    expect(libraries().files).toEqual(original);
    expect(fs.readFileSync(path.join(dir, "lib.es5.d.ts"), "utf8")).toBe(original.find(([name]) => name === "lib.es5.d.ts")![1]);
    expect(libraries().morphLoaded).toBe(false);
  });

  it("leaves another version's copy, removes a temporary folder older than an hour, and is not made with FEATC_COMPILE_CACHE=0", () => {
    fs.rmSync(path.join(home, "featc"), { recursive: true, force: true });
    const featcDir = path.join(home, "featc");
    fs.mkdirSync(path.join(featcDir, "typescript-lib-0.0.1"), { recursive: true });
    const stale = path.join(featcDir, "typescript-lib-0.0.1.123.tmp");
    const fresh = path.join(featcDir, "typescript-lib-0.0.1.456.tmp");
    fs.mkdirSync(stale);
    fs.mkdirSync(fresh);
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    fs.utimesSync(stale, twoHoursAgo, twoHoursAgo);
    libraries();
    const kept = copies();
    expect(kept).toContain("typescript-lib-0.0.1");
    expect(kept).toContain("typescript-lib-0.0.1.456.tmp");
    expect(kept.filter((name) => /^typescript-lib-\d+\.\d+\.\d+$/.test(name) && name !== "typescript-lib-0.0.1")).toHaveLength(1);
    expect(fs.existsSync(stale)).toBe(false);
    fs.rmSync(path.join(home, "featc"), { recursive: true, force: true });
    expect(libraries({ FEATC_COMPILE_CACHE: "0" }).morphLoaded).toBe(true);
    expect(fs.existsSync(path.join(home, "featc"))).toBe(false);
  });
});

describe("requireLarge", () => {
  const write = (name: string, text: string) => {
    const file = path.join(home, "modules", name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };

  it("loads a module as require does: the same module object, text decoded as UTF-8", () => {
    const ascii = write("ascii.cjs", "module.exports = { name: __filename, answer: 6 * 7 };\n");
    const utf8 = write("utf8.cjs", 'module.exports = { text: "héllo ✓ ∑" };\n');
    const loaded = requireLarge(ascii);
    expect(loaded).toEqual({ name: ascii, answer: 42 });
    expect(createRequire(ascii)(ascii)).toBe(loaded);
    expect(requireLarge(utf8)).toEqual({ text: "héllo ✓ ∑" });
    expect(requireLarge(utf8)).toBe(createRequire(utf8)(utf8));
  });

  it("leaves a module that throws out of the module cache, as require does", () => {
    const state = write("state.cjs", "module.exports = { runs: 0 };\n");
    const failing = write("failing.cjs", 'const state = require("./state.cjs"); state.runs++; throw new Error("run " + state.runs);\n');
    expect(() => requireLarge(failing)).toThrow("run 1");
    expect(() => createRequire(failing)(failing)).toThrow("run 2");
  });
});

describe("the compiled-code cache's size", () => {
  const DAY = 24 * 3600;
  const dir = () => path.join(home, "featc", "v8-code");
  /** Entries other installations of featc left, each `bytes` long (sparse) and last used `daysAgo`. */
  function leftBehind(count: number, bytes: number, daysAgo: (i: number) => number): string[] {
    fs.mkdirSync(dir(), { recursive: true });
    return Array.from({ length: count }, (_, i) => {
      const name = `typescript-other-install-${String(i).padStart(3, "0")}.bin`;
      fs.writeFileSync(path.join(dir(), name), "");
      fs.truncateSync(path.join(dir(), name), bytes);
      const used = Date.now() / 1000 - daysAgo(i) * DAY;
      fs.utimesSync(path.join(dir(), name), used, used);
      return name;
    });
  }

  it("drops the entries used least recently when a run writes one, and keeps its own", () => {
    fs.rmSync(dir(), { recursive: true, force: true });
    // Older as i grows: entry 0 was used 2 days ago, entry 59 61 days ago.
    const others = leftBehind(60, 1024 * 1024, (i) => 2 + i);
    const stale = path.join(dir(), "typescript-abc.bin.4242.tmp");
    fs.writeFileSync(stale, "half written");
    fs.utimesSync(stale, Date.now() / 1000 - 2 * 3600, Date.now() / 1000 - 2 * 3600);
    expect(check()).toEqual(check({ FEATC_COMPILE_CACHE: "0" }));
    const kept = [...entries().keys()];
    expect(kept.length).toBe(MAX_ENTRIES);
    const own = kept.filter((f) => !others.includes(f));
    expect(own.some((f) => f.startsWith("typescript-"))).toBe(true);
    // What is left of the others are the ones used most recently.
    expect(kept.filter((f) => others.includes(f)).sort()).toEqual(others.slice(0, MAX_ENTRIES - own.length));
    expect(fs.existsSync(stale)).toBe(false);
  });

  it("keeps the folder within MAX_BYTES", () => {
    fs.rmSync(dir(), { recursive: true, force: true });
    const others = leftBehind(8, Math.ceil(MAX_BYTES / 4), (i) => 2 + i);
    check();
    const kept = entries();
    const own = [...kept.keys()].filter((f) => !others.includes(f));
    expect(own.some((f) => f.startsWith("typescript-"))).toBe(true);
    expect([...kept.values()].reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(MAX_BYTES);
    // The room the run's own entries leave holds the newest of the others, as many as fit.
    const room = MAX_BYTES - own.reduce((sum, f) => sum + kept.get(f)!, 0);
    const fit = Math.floor(room / Math.ceil(MAX_BYTES / 4));
    expect(fit).toBeGreaterThan(0);
    expect([...kept.keys()].filter((f) => others.includes(f)).sort()).toEqual(others.slice(0, fit));
  });

  it("marks an entry a run reads as used, and lists the folder only when a run writes", () => {
    fs.rmSync(dir(), { recursive: true, force: true });
    check();
    const own = [...entries().keys()];
    const typescript = path.join(
      dir(),
      own.find((f) => f.startsWith("typescript-"))!,
    );
    const longAgo = Date.now() / 1000 - 10 * DAY;
    fs.utimesSync(typescript, longAgo, longAgo);
    // Far more than the folder keeps, all used more recently than the entry above.
    const others = leftBehind(MAX_ENTRIES * 2, 1024, () => 1.5);
    check();
    // Nothing was written, so nothing was pruned; the entry read is now the most recently used.
    expect(entries().size).toBe(own.length + others.length);
    expect(Date.now() - fs.statSync(typescript).atimeMs).toBeLessThan(3600_000);
    // Its modification time (when the code was written) is kept.
    expect(Math.abs(fs.statSync(typescript).mtimeMs - longAgo * 1000)).toBeLessThan(1);
  });
});
