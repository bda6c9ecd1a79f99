/**
 * The compiled-code cache of the command line (compiler/compile-cache.ts), from outside: `featc
 * check` as a user runs it, with the cache folder in a temporary XDG_CACHE_HOME. The first run
 * writes the cache, a later run reads it and reports exactly the same; a damaged cache entry is
 * rejected and rewritten, never trusted; an entry made for another version of the module is
 * replaced, not joined by a second one; FEATC_COMPILE_CACHE=0 writes nothing.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
