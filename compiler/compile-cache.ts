/**
 * A persistent cache of V8's compiled code for the large CommonJS modules the compiler loads
 * (TypeScript as bundled by ts-morph is 9 MB of JavaScript): Node 20 compiles them again in
 * every process, and compiles each of their functions again on its first call. Node ≥ 22.1 has
 * `module.enableCompileCache()` for this (used when present); on Node 20 the same is done with
 * `vm.Script`'s cached data.
 *
 * The first run of a command compiles as usual and, at exit, writes the code V8 produced by then
 * — the functions that ran included — to the cache folder; later runs start from it. V8 itself
 * rejects data made for another source text, V8 version or set of flags; the file's name also
 * holds the module's path, size and modification time, and Node's version. A cache that cannot
 * be read or written only costs the time it would have saved.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import Module from "node:module";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";

/** Modules smaller than this compile faster than their cached code is read. */
const MIN_SIZE = 256 * 1024;

type CompileFn = (this: Module, content: string, filename: string, format?: string) => unknown;

/** featc's cache folder: `$XDG_CACHE_HOME/featc` or `~/.cache/featc`; undefined without a home. */
function cacheDir(): string | undefined {
  const base = process.env.XDG_CACHE_HOME || (os.homedir() ? path.join(os.homedir(), ".cache") : "");
  return base ? path.join(base, "featc") : undefined;
}

function entryFile(dir: string, filename: string, content: string): string {
  const stat = fs.statSync(filename, { throwIfNoEntry: false });
  const key = [filename, content.length, stat?.mtimeMs ?? 0, process.version, process.arch].join("\0");
  return path.join(dir, `${path.basename(filename, ".js")}-${crypto.createHash("sha256").update(key).digest("hex").slice(0, 24)}.bin`);
}

function writeAtomically(file: string, data: Buffer): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(temp, data, { mode: 0o600 });
    fs.renameSync(temp, file);
  } catch {
    fs.rmSync(temp, { force: true });
  }
}

let installed = false;

/**
 * Routes the compilation of large CommonJS modules loaded from now on through the cache.
 * `FEATC_COMPILE_CACHE=0` in the environment turns it off.
 */
export function enableCompileCache(): void {
  const root = cacheDir();
  if (installed || !root || process.env.FEATC_COMPILE_CACHE === "0") return;
  installed = true;
  // Node ≥ 22.1 caches the code of every module itself.
  const builtin = (Module as unknown as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  if (builtin) {
    builtin(path.join(root, "node-compile-cache"));
    return;
  }
  const dir = path.join(root, "v8-code");
  const proto = Module.prototype as unknown as { _compile: CompileFn };
  const compile = proto._compile;
  const toWrite: { file: string; script: vm.Script }[] = [];
  proto._compile = function (this: Module, content: string, filename: string, format?: string) {
    if (content.length < MIN_SIZE || format === "module" || !filename.endsWith(".js")) return compile.call(this, content, filename, format);
    const file = entryFile(dir, filename, content);
    let cachedData: Buffer | undefined;
    try {
      cachedData = fs.readFileSync(file);
    } catch {
      // Not cached yet (or unreadable): compiled from source, and written at exit.
    }
    const script = new vm.Script(Module.wrap(content), { filename, cachedData, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
    if (cachedData === undefined || script.cachedDataRejected) toWrite.push({ file, script });
    // Node's own `require` for this module, as its loader builds it: the body of a module that only returns it.
    const require = compile.call(this, "return require;", filename, format) as NodeJS.Require;
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, require, this, filename, path.dirname(filename));
  };
  process.once("exit", () => {
    for (const { file, script } of toWrite) writeAtomically(file, script.createCachedData());
  });
}
