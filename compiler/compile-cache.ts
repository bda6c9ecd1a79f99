/**
 * A persistent cache of V8's compiled code for the large CommonJS modules the compiler loads
 * (TypeScript as bundled by ts-morph is 9 MB of JavaScript): Node 20 compiles them again in
 * every process, and compiles each of their functions again on its first call. Node ≥ 22.1 has
 * `module.enableCompileCache()` for this (used when present); on Node 20 the same is done with
 * `vm.Script`'s cached data.
 *
 * The first run of a command compiles as usual and, at exit, writes the code V8 produced by then
 * — the functions that ran included — to the cache folder; later runs start from it (a module
 * whose code would be larger than its text gets an entry without code, see the exit handler).
 * V8 itself rejects data made for another source text, V8 version or set of flags; each entry
 * also names the module's size and modification time and Node's version (see entryFor). A cache
 * that cannot be read or written only costs the time it would have saved.
 *
 * Every installation of featc is another module path and so another entry (a test suite that
 * installs featc into temporary projects makes hundreds): the folder is kept to MAX_ENTRIES
 * entries and MAX_BYTES, dropping those used least recently (see pruneCache). A run that reads an
 * entry marks it used by setting its access time (once a day); the folder is listed only by a run
 * that writes an entry.
 */
import { isAscii } from "node:buffer";
import crypto from "node:crypto";
import fs from "node:fs";
import Module from "node:module";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";

/**
 * `fs.readFileSync` as it was when this module loaded: a module featc loads is part of featc's
 * installation, not an input of the catalog a check is recording the reads of (file-reads.ts).
 */
const readFileUnobserved = fs.readFileSync;

/** Modules smaller than this compile faster than their cached code is read. */
const MIN_SIZE = 256 * 1024;

/** The most entries and bytes the folder keeps: those of a few installations of featc. */
export const MAX_ENTRIES = 24;
export const MAX_BYTES = 96 * 1024 * 1024;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

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

/** The entry's compiled code, when it was made for this module and this Node; marks the entry used. */
function readEntry(entry: Entry): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(entry.file, "r");
    const data = fs.readFileSync(fd);
    const header = Buffer.from(entry.header);
    if (!data.subarray(0, header.length).equals(header)) return undefined;
    // The access time orders entries for pruning (to the day, which is enough and spares a write
    // on most runs); the modification time stays when the code was written.
    const stat = fs.fstatSync(fd);
    if (Date.now() - stat.atimeMs > DAY) fs.futimesSync(fd, Date.now() / 1000, stat.mtimeMs / 1000);
    return data.subarray(header.length);
  } catch {
    // Not cached yet (or unreadable): compiled from source, and written at exit.
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Removes the entries used least recently (by access time) until the folder holds at most
 * `maxEntries` entries of at most `maxBytes` in all, and any temporary file a run left behind
 * more than an hour ago. Whatever cannot be listed or removed is left as it is.
 */
export function pruneCache(dir: string, maxEntries = MAX_ENTRIES, maxBytes = MAX_BYTES): void {
  const now = Date.now();
  const entries: { file: string; size: number; used: number }[] = [];
  try {
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      const stat = fs.statSync(file, { throwIfNoEntry: false });
      if (!stat?.isFile()) continue;
      if (name.endsWith(".tmp")) {
        if (now - stat.mtimeMs > HOUR) fs.rmSync(file, { force: true });
      } else if (name.endsWith(".bin")) entries.push({ file, size: stat.size, used: Math.max(stat.atimeMs, stat.mtimeMs) });
    }
    entries.sort((a, b) => b.used - a.used);
    let bytes = 0;
    for (const [index, { file, size }] of entries.entries()) {
      bytes += size;
      if (index >= maxEntries || bytes > maxBytes) fs.rmSync(file, { force: true });
    }
  } catch {
    // A folder that cannot be listed or an entry that cannot be removed is left for a later run.
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

/**
 * Loads a large CommonJS module as `require` would (the same module object, found by a later
 * `require` of the same file), compiled through the cache when it is on. Only its source is read
 * differently: Node's loader decodes a module as UTF-8 on its way in, which takes longer than
 * anything else in loading TypeScript (9 MB) when its code comes from the cache; a source that
 * is plain ASCII, as bundled JavaScript usually is, is the same text read byte for byte.
 */
export function requireLarge(filename: string): unknown {
  const loader = Module as unknown as {
    _cache: Record<string, Module | undefined>;
    _nodeModulePaths(dir: string): string[];
  };
  const loaded = loader._cache[filename];
  if (loaded) return loaded.exports;
  const module = new Module(filename);
  module.filename = filename;
  module.paths = loader._nodeModulePaths(path.dirname(filename));
  loader._cache[filename] = module;
  try {
    (module as Module & { _compile: CompileFn })._compile(readSource(filename), filename);
  } catch (error) {
    delete loader._cache[filename];
    throw error;
  }
  module.loaded = true;
  return module.exports;
}

/** A module's text: decoded as UTF-8, as Node's loader does, unless it is plain ASCII (the same text, copied). */
function readSource(filename: string): string {
  const bytes = readFileUnobserved(filename);
  return isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
}

let installed: string | undefined;

/** featc's cache folder while enableCompileCache has turned the cache on; undefined otherwise. */
export function enabledCacheDir(): string | undefined {
  return installed;
}

/**
 * Routes the compilation of large CommonJS modules loaded from now on through the cache.
 * `FEATC_COMPILE_CACHE=0` in the environment turns it off.
 */
export function enableCompileCache(): void {
  const root = cacheDir();
  if (installed || !root || process.env.FEATC_COMPILE_CACHE === "0") return;
  installed = root;
  // Node ≥ 22.1 caches the code of every module itself.
  const builtin = (Module as unknown as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  if (builtin) {
    builtin(path.join(root, "node-compile-cache"));
    return;
  }
  const dir = path.join(root, "v8-code");
  const proto = Module.prototype as unknown as { _compile: CompileFn };
  const compile = proto._compile;
  const toWrite: { entry: Entry; script: vm.Script; size: number }[] = [];
  proto._compile = function (this: Module, content: string, filename: string, format?: string) {
    if (content.length < MIN_SIZE || format === "module" || !filename.endsWith(".js")) return compile.call(this, content, filename, format);
    const entry = entryFor(dir, filename, content);
    const cachedData = readEntry(entry);
    // An entry without code: the module is not worth caching (see the exit handler below).
    if (cachedData?.length === 0) return compile.call(this, content, filename, format);
    const script = new vm.Script(Module.wrap(content), {
      filename,
      cachedData,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    if (cachedData === undefined || script.cachedDataRejected) toWrite.push({ entry, script, size: content.length });
    // Node's own `require` for this module, as its loader builds it: the body of a module that only returns it.
    const require = compile.call(this, "return require;", filename, format) as NodeJS.Require;
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, require, this, filename, path.dirname(filename));
  };
  process.once("exit", () => {
    for (const { entry, script, size } of toWrite) {
      // Code larger than the module's text is mostly the text's own string literals (ts-morph's
      // copy of the standard library's declarations, 3 MB of strings): read from the cache they
      // cost more than compiling the module. Such a module gets an entry without code, so that
      // it is neither read nor serialized again.
      const code = script.createCachedData();
      writeAtomically(entry.file, Buffer.concat([Buffer.from(entry.header), code.length < size ? code : Buffer.alloc(0)]));
    }
    if (toWrite.length > 0) pruneCache(dir);
  });
}
