/**
 * FC1011 through the native TypeScript compiler (TypeScript 7's `tsc`), in a child process that
 * runs on another core while this process reads the catalog with ts-morph. ts-morph's bundled
 * checker then resolves only the types featc asks about instead of checking every function
 * body, which was the largest single cost of `featc check` on a large catalog.
 *
 * The child checks exactly the files and options the in-process program uses: a throw-away
 * tsconfig lists the catalog and inputs files and carries the compiler options (or extends the
 * catalog's own tsconfig). Its plain-text report (`--pretty false`) is read line by line. When
 * anything is off — no TypeScript ≥ 7 next to featc, the child fails to start, dies or writes
 * to stderr, a line that is not a diagnostic, an error about the options — the result is
 * `undefined` and the caller asks its in-process program instead: the same errors at the same
 * positions, only slower.
 *
 * The child is bounded: after the request's timeout it is killed and the result says so (the
 * in-process checker would take as long on the same types). It never outlives featc: it is
 * killed when featc exits for any reason it can see — a normal exit, an uncaught error, SIGINT,
 * SIGTERM or SIGHUP.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { noteFilesRead } from "../file-reads.js";
import { tempFolder, type NativeDiagnostic, type NativeTimeout } from "./native-report.js";
import { keptCheck, nativeCheckersKept } from "./native-session.js";

export interface NativeCheckRequest {
  /** Files to check and report on (absolute). */
  readonly files: readonly string[];
  /** Further files of the program (the inputs interfaces), checked but not reported on. */
  readonly extraFiles: readonly string[];
  /** The catalog's own tsconfig, extended; or undefined to use `options` alone. */
  readonly tsconfig?: string;
  /** Compiler options as tsconfig.json spells them, written over the extended tsconfig's. */
  readonly options: Readonly<Record<string, unknown>>;
  /**
   * The folder of the extended tsconfig when it sets no `typeRoots`: tsc finds the default
   * type roots from the tsconfig being compiled, and the throw-away one lives elsewhere.
   */
  readonly typeRootsFrom?: string;
  /** Seconds the child may run before it is killed and the check reported as unfinished. */
  readonly timeoutSeconds: number;
  /**
   * The catalog's compiler options as featc resolved them (JSON), extended tsconfigs included: a
   * kept checker whose project was set up with other options starts again (native-session.ts).
   */
  readonly resolvedOptions: string;
}

/**
 * The native compiler's executable, when the installed `typescript` is version 7 or later: the
 * binary of its platform package, run directly (through `typescript/bin/tsc`, a Node wrapper,
 * killing the wrapper would leave the binary running on Node < 22.15).
 */
export function nativeCompiler(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve("typescript/package.json");
    const pkg = JSON.parse(fs.readFileSync(manifest, "utf8")) as { version?: string };
    if (!(Number((pkg.version ?? "").split(".")[0]) >= 7)) return undefined;
    const platformManifest = createRequire(manifest).resolve(`@typescript/typescript-${process.platform}-${process.arch}/package.json`);
    const exe = path.join(path.dirname(platformManifest), "lib", process.platform === "win32" ? "tsc.exe" : "tsc");
    return fs.existsSync(exe) ? exe : undefined;
  } catch {
    return undefined;
  }
}

export interface NativeCheck {
  /** Never rejects; undefined when the native answer cannot be used. */
  readonly result: Promise<NativeDiagnostic[] | NativeTimeout | undefined>;
  /** Whether a child was started (its answer may still turn out unusable). */
  readonly started: boolean;
  /** Stops the child (its answer is no longer wanted); `result` becomes undefined. */
  cancel(): void;
}

const UNAVAILABLE: NativeCheck = { result: Promise.resolve(undefined), started: false, cancel: () => {} };

/** The children still running, each with its temporary folder: killed and removed when this process ends. */
const running = new Map<ReturnType<typeof spawn>, string>();
const EXIT_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

function killRunning(): void {
  for (const [child, dir] of running) {
    child.kill("SIGKILL");
    removeQuietly(dir);
  }
  running.clear();
}

/**
 * On a signal, the children go first; then, when nobody else listens for the signal (the watch
 * loop listens for SIGINT), it is raised again so that featc ends as it would have without this
 * handler.
 */
function onExitSignal(signal: NodeJS.Signals): void {
  killRunning();
  untrack();
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/**
 * Installed before the child is spawned: a signal that arrives while spawn() runs is then handled
 * on the event loop, after the child is in `running`, instead of ending featc at once.
 */
function guardExits(): void {
  if (running.size > 0) return;
  process.off("exit", killRunning);
  process.on("exit", killRunning);
  for (const signal of EXIT_SIGNALS) {
    process.off(signal, onExitSignal);
    process.on(signal, onExitSignal);
  }
}

function untrack(child?: ReturnType<typeof spawn>): void {
  if (child) running.delete(child);
  if (running.size > 0) return;
  process.off("exit", killRunning);
  for (const signal of EXIT_SIGNALS) process.off(signal, onExitSignal);
}

function removeQuietly(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch {
    // A temp folder left behind is not worth failing the check for.
  }
}

/**
 * Starts the check in a child process, or with the project's kept checker in a process that keeps
 * them (native-session.ts). `FEATC_TYPECHECK=builtin` in the environment turns it off.
 */
export function startNativeCheck(request: NativeCheckRequest): NativeCheck {
  if (process.env.FEATC_TYPECHECK === "builtin") return UNAVAILABLE;
  const compiler = nativeCompiler();
  if (!compiler || request.files.length === 0) return UNAVAILABLE;
  const compilerOptions: Record<string, unknown> = { ...request.options };
  if (request.typeRootsFrom) compilerOptions.typeRoots = defaultTypeRoots(request.typeRootsFrom);
  const config = {
    ...(request.tsconfig ? { extends: request.tsconfig } : {}),
    compilerOptions,
    files: [...request.files, ...request.extraFiles],
    include: [],
  };
  if (!nativeCheckersKept()) return childCheck(compiler, config, request);
  // A kept checker that cannot answer (no API in this TypeScript, a failure, a report it does not
  // trust) leaves the check to a tsc process, as without one.
  const kept = keptCheck(config, request.files, request.resolvedOptions, request.timeoutSeconds);
  let child: NativeCheck | undefined;
  let cancelled = false;
  return {
    result: kept.result.then((found) => {
      if (found !== undefined || cancelled) return found;
      child = childCheck(compiler, config, request);
      return child.result;
    }),
    started: true,
    cancel: () => {
      cancelled = true;
      kept.cancel();
      child?.cancel();
    },
  };
}

/** The check in a `tsc` process of its own. */
function childCheck(compiler: string, config: object, request: NativeCheckRequest): NativeCheck {
  let dir: string;
  try {
    // The child runs in this folder: tsc prints paths relative to its working folder, read back from here.
    dir = tempFolder();
  } catch {
    return UNAVAILABLE;
  }
  const project = path.join(dir, "tsconfig.json");
  let child: ReturnType<typeof spawn>;
  try {
    fs.writeFileSync(project, JSON.stringify(config));
    guardExits();
    child = spawn(compiler, ["--project", project, "--pretty", "false", "--listFiles"], {
      cwd: dir,
      env: { ...process.env, PWD: dir },
      stdio: ["ignore", "pipe", "pipe"],
      windowsHide: true,
    });
  } catch {
    untrack();
    removeQuietly(dir);
    return UNAVAILABLE;
  }
  running.set(child, dir);
  const result = new Promise<NativeDiagnostic[] | NativeTimeout | undefined>((resolve) => {
    let settled = false;
    const finish = (value: NativeDiagnostic[] | NativeTimeout | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      untrack(child);
      resolve(value);
      removeQuietly(dir);
    };
    const timer = setTimeout(() => finish({ timedOut: request.timeoutSeconds }), request.timeoutSeconds * 1000);
    const out: Buffer[] = [];
    let stderr = 0;
    child.stdout!.on("data", (d: Buffer) => out.push(d));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.length));
    child.on("error", () => finish(undefined));
    child.on("close", (code, signal) => {
      // 0: no errors; 1: errors reported (with noEmit). Anything else — a crash, a signal, a
      // word on stderr — and the report cannot be trusted to be complete.
      if (signal !== null || (code !== 0 && code !== 1) || stderr > 0) return finish(undefined);
      const report = parseReport(Buffer.concat(out).toString("utf8"), new Set(request.files.map((f) => path.resolve(f))), dir);
      if (report && code === 1 && report.errors === 0) return finish(undefined);
      if (report && code === 0 && report.errors > 0) return finish(undefined);
      if (report) noteFilesRead(report.files);
      finish(report?.diagnostics);
    });
  });
  return { result, started: true, cancel: () => child.kill("SIGKILL") };
}

const LINE = /^(.+?)\((\d+),(\d+)\): (error|warning|message) TS(\d+): (.*)$/;
const SOURCE = /\.(?:[cm]?tsx?|[cm]?jsx?)$/;

/**
 * Reads tsc's `--pretty false --listFiles` report: `file(line,col): error TSn: text`, then the
 * message chain as indented lines, paths relative to `cwd`; then every file of the program, one
 * absolute path a line (`files`). Only diagnostics in `reported` files are kept; `errors` counts
 * them all. Undefined when the report says something featc cannot place
 * or trust: a global error, an error about the options or in a tsconfig, a path that is no
 * source file on disk. Errors in other files (a module the catalog imports) are counted, not
 * kept; that none of them is a syntax error, after which tsc checks no types, the caller knows
 * from its own parse.
 */
export function parseReport(
  text: string,
  reported: ReadonlySet<string>,
  cwd: string,
  exists: (file: string) => boolean = fs.existsSync,
): { diagnostics: NativeDiagnostic[]; errors: number; files: string[] } | undefined {
  const found: { file: string; line: number; column: number; code: number; message: string }[] = [];
  const files: string[] = [];
  let current: (typeof found)[number] | undefined;
  let keep = false;
  let errors = 0;
  for (const raw of text.split(/\r?\n/)) {
    if (raw === "") continue;
    const m = LINE.exec(raw);
    if (m) {
      const file = path.resolve(cwd, m[1]!);
      const code = Number(m[5]);
      if (!SOURCE.test(file) || (code >= 5000 && code < 7000)) return undefined;
      const isError = m[4] === "error";
      if (isError) errors++;
      current = { file, line: Number(m[2]), column: Number(m[3]), code, message: m[6]! };
      keep = isError && reported.has(file);
      if (keep) found.push(current);
    } else if (current && /^\s/.test(raw)) {
      // The chain, indented two spaces a level: joined as ts.flattenDiagnosticMessageText(…, " ") does.
      if (keep) current.message += ` ${raw}`;
    } else if (path.isAbsolute(raw)) {
      files.push(raw);
      current = undefined;
    } else {
      return undefined;
    }
  }
  if (found.some((d) => !exists(d.file))) return undefined;
  return { diagnostics: found, errors, files };
}

/** `node_modules/@types` of `from` and of every folder above it, as tsc looks for them. */
function defaultTypeRoots(from: string): string[] {
  const roots: string[] = [];
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", "@types");
    if (fs.existsSync(candidate)) roots.push(candidate);
    if (path.dirname(dir) === dir) return roots;
  }
}
