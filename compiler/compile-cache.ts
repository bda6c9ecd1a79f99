/**
 * A persistent cache of V8's compiled code for the large CommonJS modules the compiler loads
 * (TypeScript as bundled by ts-morph is 9 MB of JavaScript): Node 20 compiles them again in
 * every process, and compiles each of their functions again on its first call. Node ≥ 22.1 has
 * `module.enableCompileCache()` for this (used when present); on Node 20 the same is done with
 * `vm.Script`'s cached data.
 *
 * The first run of a command compiles as usual and, at exit, writes the code V8 produced by then
 * — the functions that ran included — to the cache folder; later runs start from it. V8 itself
 * rejects data made for another source text, V8 version or set of flags; each entry also names
 * the module's size and modification time and Node's version (see entryFor). A cache that cannot
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
export function cacheDir(): string | undefined {
  const base = process.env.XDG_CACHE_HOME || (os.homedir() ? path.join(os.homedir(), ".cache") : "");
  return base ? path.join(base, "featc") : undefined;
}

/**
 * One entry per module file: named by the module's path, it starts with a line that identifies
 * the module's text (its size and modification time) and the Node that compiled it. An entry for
 * another version of the module (a reinstall, an upgrade) is rejected and overwritten, so the
 * folder holds one entry per module however often the modules change.
 */
interface Entry {
  readonly file: string;
  readonly header: string;
}

function entryFor(dir: string, filename: string, content: string): Entry {
  const stat = fs.statSync(filename, { throwIfNoEntry: false });
  const name = `${path.basename(filename, ".js")}-${crypto.createHash("sha256").update(filename).digest("hex").slice(0, 24)}.bin`;
  return { file: path.join(dir, name), header: `${JSON.stringify([content.length, stat?.mtimeMs ?? 0, process.version, process.arch])}\n` };
}

/** The entry's compiled code, when it was made for this module and this Node. */
function readEntry(entry: Entry): Buffer | undefined {
  try {
    const data = fs.readFileSync(entry.file);
    const header = Buffer.from(entry.header);
    return data.subarray(0, header.length).equals(header) ? data.subarray(header.length) : undefined;
  } catch {
    // Not cached yet (or unreadable): compiled from source, and written at exit.
    return undefined;
  }
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
  const toWrite: { entry: Entry; script: vm.Script }[] = [];
  proto._compile = function (this: Module, content: string, filename: string, format?: string) {
    if (content.length < MIN_SIZE || format === "module" || !filename.endsWith(".js")) return compile.call(this, content, filename, format);
    const entry = entryFor(dir, filename, content);
    const cachedData = readEntry(entry);
    const script = new vm.Script(Module.wrap(content), {
      filename,
      cachedData,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    if (cachedData === undefined || script.cachedDataRejected) toWrite.push({ entry, script });
    // Node's own `require` for this module, as its loader builds it: the body of a module that only returns it.
    const require = compile.call(this, "return require;", filename, format) as NodeJS.Require;
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, require, this, filename, path.dirname(filename));
  };
  process.once("exit", () => {
    for (const { entry, script } of toWrite)
      writeAtomically(entry.file, Buffer.concat([Buffer.from(entry.header), script.createCachedData()]));
  });
}
