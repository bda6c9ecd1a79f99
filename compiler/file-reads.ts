/**
 * What a run of the compiler learnt from the file system, recorded so that a later run can tell,
 * without redoing the work, whether it would learn the same: every file it read (by a hash of
 * its bytes), every path it looked at (whether it is a file, of what size, a folder, or nothing),
 * every folder it listed and every real path it asked for — also the paths that did not exist,
 * since a file that appears where module resolution looked changes the program.
 *
 * The compiler and TypeScript read the file system through `node:fs`'s synchronous calls; while
 * a recording runs, those calls are observed (the calls themselves are unchanged). Files read by
 * another process for the same run (the native type checker) are added with `noteFilesRead`.
 * What the run writes itself (the native checker's temporary tsconfig) is its output, not
 * recorded. A read that cannot be attributed to a path (through a file descriptor) makes the recording
 * incomplete, and so does a path seen in two different states during the run (a file edited
 * while the compiler read it): such a recording must not be trusted later.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** How a fact about one path was learnt: the call whose answer it records. */
export type Probe = "read" | "stat" | "lstat" | "exists" | "list" | "realpath";

/** One fact: the probe, the path, and its answer in a comparable form. */
export type Observation = readonly [probe: Probe, file: string, state: string];

export interface Recording {
  /** Ends the recording; undefined when it is incomplete (see the module's comment). */
  stop(): Observation[] | undefined;
}

interface Sink {
  readonly seen: Map<string, string>;
  /** Files and folders the run made itself (a temporary folder): its output, not its input. */
  readonly made: Set<string>;
  complete: boolean;
}

const active = new Set<Sink>();

const original = {
  readFileSync: fs.readFileSync,
  statSync: fs.statSync,
  lstatSync: fs.lstatSync,
  existsSync: fs.existsSync,
  readdirSync: fs.readdirSync,
  realpathSync: fs.realpathSync,
  realpathSyncNative: fs.realpathSync.native,
  mkdtempSync: fs.mkdtempSync,
  mkdirSync: fs.mkdirSync,
  writeFileSync: fs.writeFileSync,
};

const hash = (data: Buffer | string): string => crypto.createHash("sha256").update(data).digest("base64url");

/** A failed call's answer; a path that is not there reads the same whichever call found out. */
function errorState(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === "ENOENT" ? "missing" : `error:${code ?? "unknown"}`;
}

function statState(stat: fs.Stats | undefined): string {
  if (!stat) return "missing";
  if (stat.isFile()) return `file:${stat.size}`;
  if (stat.isDirectory()) return "folder";
  return "other";
}

function listState(names: readonly (string | Buffer | fs.Dirent)[]): string {
  return hash(
    names
      .map((n) => (typeof n === "string" ? n : Buffer.isBuffer(n) ? n.toString("utf8") : n.name))
      .sort()
      .join("\0"),
  );
}

/** The state of `file` as `probe` sees it now (the same calls, made afresh). */
export function observe(probe: Probe, file: string): string {
  try {
    switch (probe) {
      case "read":
        return hash(original.readFileSync(file));
      case "stat":
        return statState(original.statSync(file, { throwIfNoEntry: false }));
      case "lstat":
        return statState(original.lstatSync(file, { throwIfNoEntry: false }));
      case "exists":
        return String(original.existsSync(file));
      case "list":
        return listState(original.readdirSync(file));
      case "realpath":
        return original.realpathSyncNative(file);
    }
  } catch (e) {
    return errorState(e);
  }
}

/** Whether every observation still holds. */
export function stillHolds(observations: readonly Observation[]): boolean {
  return observations.every(([probe, file, state]) => observe(probe, file) === state);
}

function pathOf(file: unknown): string | undefined {
  if (typeof file === "string") return file;
  if (file instanceof URL) return fileURLToPath(file);
  if (Buffer.isBuffer(file)) return file.toString("utf8");
  return undefined;
}

function note(probe: Probe, file: unknown, state: () => string): void {
  if (active.size === 0) return;
  const at = pathOf(file);
  for (const sink of active) {
    if (at === undefined) {
      sink.complete = false;
      continue;
    }
    const key = `${probe}\0${at}`;
    const now = state();
    const before = sink.seen.get(key);
    if (before === undefined) sink.seen.set(key, now);
    else if (before !== now) sink.complete = false;
  }
}

/** Runs `call`; notes its answer (or the error it threw) as `probe` of `file`, and passes it on. */
function observed<T>(probe: Probe, file: unknown, call: () => T, state: (value: T) => string): T {
  let value: T;
  try {
    value = call();
  } catch (e) {
    note(probe, file, () => errorState(e));
    throw e;
  }
  note(probe, file, () => state(value));
  return value;
}

function made(file: unknown): void {
  const at = pathOf(file);
  if (at !== undefined) for (const sink of active) sink.made.add(path.resolve(at));
}

type Encoding = BufferEncoding | { encoding?: BufferEncoding | null; flag?: string } | null | undefined;

function install(): void {
  const fsw = fs as unknown as Record<string, unknown>;
  fsw.readFileSync = (file: fs.PathOrFileDescriptor, options?: Encoding) => {
    // Read as bytes (hashed as they are on disk), then decoded as asked.
    const encoding = typeof options === "string" ? options : (options?.encoding ?? undefined);
    const flag = typeof options === "object" && options ? options.flag : undefined;
    const bytes = observed(
      "read",
      file,
      () => original.readFileSync(file, { flag }),
      (b) => hash(b),
    );
    return encoding ? bytes.toString(encoding) : bytes;
  };
  const stat = (probe: "stat" | "lstat", call: typeof fs.statSync) => (file: fs.PathLike, options?: fs.StatSyncOptions) =>
    observed(
      probe,
      file,
      () => call(file, options),
      (s) => statState(s as fs.Stats | undefined),
    );
  fsw.statSync = stat("stat", original.statSync);
  fsw.lstatSync = stat("lstat", original.lstatSync);
  fsw.existsSync = (file: fs.PathLike) => observed("exists", file, () => original.existsSync(file), String);
  fsw.readdirSync = (file: fs.PathLike, options?: unknown) =>
    observed(
      "list",
      file,
      () => (original.readdirSync as (f: fs.PathLike, o?: unknown) => (string | Buffer | fs.Dirent)[])(file, options),
      listState,
    );
  const realpath =
    (resolve: (file: fs.PathLike, options?: fs.EncodingOption) => string | Buffer) => (file: fs.PathLike, options?: fs.EncodingOption) =>
      observed("realpath", file, () => resolve(file, options), String);
  fsw.realpathSync = Object.assign(realpath(original.realpathSync), { native: realpath(original.realpathSyncNative) });
  fsw.mkdtempSync = (prefix: string, options?: fs.EncodingOption) => {
    const dir = original.mkdtempSync(prefix, options);
    made(dir);
    return dir;
  };
  fsw.mkdirSync = (dir: fs.PathLike, options?: fs.MakeDirectoryOptions) => {
    made(dir);
    return original.mkdirSync(dir, options);
  };
  fsw.writeFileSync = (file: fs.PathOrFileDescriptor, data: string | NodeJS.ArrayBufferView, options?: fs.WriteFileOptions) => {
    made(file);
    original.writeFileSync(file, data, options);
  };
}

function uninstall(): void {
  const fsw = fs as unknown as Record<string, unknown>;
  fsw.readFileSync = original.readFileSync;
  fsw.statSync = original.statSync;
  fsw.lstatSync = original.lstatSync;
  fsw.existsSync = original.existsSync;
  fsw.readdirSync = original.readdirSync;
  fsw.realpathSync = original.realpathSync;
  fsw.mkdtempSync = original.mkdtempSync;
  fsw.mkdirSync = original.mkdirSync;
  fsw.writeFileSync = original.writeFileSync;
}

/** Whether `file` is one the run made, or inside a folder it made (a real path of one included). */
function isMade(sink: Sink, file: string): boolean {
  for (let at = path.resolve(file); ; at = path.dirname(at)) {
    if (sink.made.has(at)) return true;
    if (path.dirname(at) === at) return false;
  }
}

/** Starts recording what this process learns from the file system (recordings may overlap). */
export function recordFileReads(): Recording {
  const sink: Sink = { seen: new Map(), made: new Set(), complete: true };
  if (active.size === 0) install();
  active.add(sink);
  return {
    stop() {
      if (active.delete(sink) && active.size === 0) uninstall();
      if (!sink.complete) return undefined;
      return [...sink.seen].flatMap(([key, state]) => {
        const [probe, file] = key.split("\0") as [Probe, string];
        return isMade(sink, file) ? [] : [[probe, file, state] as const];
      });
    },
  };
}

/** Files another process read for the running recordings (their contents as they are now). */
export function noteFilesRead(files: readonly string[]): void {
  for (const file of files) note("read", file, () => observe("read", file));
}
