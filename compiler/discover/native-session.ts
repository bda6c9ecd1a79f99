/**
 * FC1011 from the native compiler kept running between checks, for a process that checks many
 * times (`featc server`): one TypeScript 7 process per project, asked through TypeScript's API
 * (`typescript/unstable/async`), instead of one `tsc` process per check. A `tsc` process pays
 * its start-up and parses every file of the program on every check (≈ 0.4 s for the reference
 * catalog); the kept one re-reads the files and checks again (≈ 0.1 s).
 *
 * The project is the throw-away tsconfig a `tsc` process would be given (native-check.ts): a
 * project is kept per distinct tsconfig, so a changed file list is another project. Before each
 * check the kept process is told that every source file may have changed (TypeScript's
 * `invalidateAll`), so an edit of a catalog file or of any module the program reads is seen.
 * What `invalidateAll` does not reload is the project's setup: the options of the tsconfigs it
 * extends, and the package.json files that set each file's module format and a package's
 * exports. Those are compared instead (the catalog's compiler options as featc resolved them,
 * and the text of the package.json above every file of the last program): when one differs,
 * the kept process is closed and the project opened afresh, as a new `tsc` would read it.
 * The answer is tsc's report, as `parseReport` reads it: the errors in the catalog's files,
 * each with its message chain joined on one line; `undefined` wherever tsc's report would not
 * be trusted (an error about the options or a tsconfig, a global error), on a failure of the API,
 * and when the installed TypeScript has no such API (it is TypeScript's unstable one): the
 * caller then asks a `tsc` process, as without a kept checker.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { noteFilesRead } from "../file-reads.js";
import { sweepTempFolders, tempFolder, type NativeDiagnostic, type NativeTimeout } from "./native-report.js";

/** What featc uses of TypeScript's API; checked when it loads (the API is unstable). */
interface ApiDiagnostic {
  readonly fileName?: string;
  readonly pos: number;
  readonly code: number;
  readonly category: number;
  readonly text: string;
  readonly messageChain?: readonly ApiDiagnostic[];
}
interface ApiProgram {
  getSourceFileNames(): Promise<readonly string[]>;
  getSyntacticDiagnostics(file: string): Promise<readonly ApiDiagnostic[]>;
  getSemanticDiagnostics(file: string): Promise<readonly ApiDiagnostic[]>;
  getDeclarationDiagnostics(file: string): Promise<readonly ApiDiagnostic[]>;
  getConfigFileParsingDiagnostics(): Promise<readonly ApiDiagnostic[]>;
  getProgramDiagnostics(): Promise<readonly ApiDiagnostic[]>;
  getGlobalDiagnostics(): Promise<readonly ApiDiagnostic[]>;
  getCompilerOptions(): { readonly declaration?: boolean };
}
interface ApiSnapshot {
  getProject(configFileName: string): { readonly program: ApiProgram } | undefined;
}
interface Api {
  updateSnapshot(params: { openProjects?: string[]; fileChanges?: { invalidateAll: true } }): Promise<ApiSnapshot>;
  close(): Promise<void>;
}
type ApiConstructor = new (options: { cwd: string }) => Api;

/** TypeScript's `DiagnosticCategory.Error`. */
const ERROR = 1;

/** The most projects kept at once; the least recently used one is closed first. */
const MAX_KEPT = 4;

interface Kept {
  readonly dir: string;
  readonly project: string;
  readonly api: Api;
  opened: boolean;
  /** The files of the last program it checked, and what decided its setup then (see setupOf). */
  files: readonly string[];
  setup: string;
  /** Settles when the check it runs has ended (also a cancelled one, whose caller left). */
  busy: Promise<void>;
  closed: boolean;
}

let enabled = false;
const kept = new Map<string, Kept>();
/** Every checker started and not yet closed, kept or not. */
const opened = new Set<Kept>();
let answers = 0;

/** How many checks kept checkers have answered in this process (the others went to `tsc` processes). */
export function keptCheckAnswers(): number {
  return answers;
}
let apiClass: Promise<ApiConstructor | undefined> | undefined;

/** Keeps a native checker per project from now on (`featc server`); see the module's comment. */
export function keepNativeCheckers(): void {
  enabled = true;
  // A process that keeps checkers lives long and may end by SIGKILL: it clears what such ends left.
  sweepTempFolders();
}

/** Whether checks go to kept native checkers. */
export function nativeCheckersKept(): boolean {
  return enabled;
}

/** Closes every kept checker and checks with `tsc` processes again. */
export async function closeNativeCheckers(): Promise<void> {
  enabled = false;
  kept.clear();
  await Promise.all([...opened].map((checker) => close(checker)));
}

/** How long a closing checker's request in flight is waited for before its process is closed anyway. */
const CLOSE_WAIT_MS = 5_000;

/**
 * Closes a checker. Its request in flight, if any, is answered first (its check sends no other,
 * and closing the connection under it would leave TypeScript's client writing to a closed pipe),
 * unless `now`: a checker past its bound or failed is closed at once, and TypeScript's process
 * ends when its input closes.
 */
async function close(checker: Kept, now = false): Promise<void> {
  if (checker.closed) return;
  checker.closed = true;
  opened.delete(checker);
  let timer: NodeJS.Timeout | undefined;
  if (!now) await Promise.race([checker.busy, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
  clearTimeout(timer);
  try {
    await checker.api.close();
  } catch {
    // Already gone.
  }
  fs.rmSync(checker.dir, { recursive: true, force: true });
}

/** TypeScript's API class from the `typescript` featc runs the native compiler of; undefined without one. */
function loadApi(): Promise<ApiConstructor | undefined> {
  apiClass ??= (async () => {
    try {
      const module = (await import(pathToFileURL(createRequire(import.meta.url).resolve("typescript/unstable/async")).href)) as {
        API?: unknown;
      };
      return typeof module.API === "function" ? (module.API as ApiConstructor) : undefined;
    } catch {
      return undefined;
    }
  })();
  return apiClass;
}

/**
 * Read as featc's installation reads (file-reads.ts): what a kept checker compares is how it
 * decides whether to start again, not an input of the check being recorded.
 */
const { readFileSync, statSync } = fs;

/**
 * What decides a project's setup besides its tsconfig's text: `options` (the catalog's compiler
 * options as featc resolved them, extended tsconfigs included) and the text of the nearest
 * package.json above each of `files`.
 */
function setupOf(options: string, files: readonly string[]): string {
  const manifests = new Map<string, string | null>();
  const nearest = new Map<string, string | undefined>();
  const manifestOf = (dir: string): string | undefined => {
    if (nearest.has(dir)) return nearest.get(dir);
    const candidate = path.join(dir, "package.json");
    const found = statSync(candidate, { throwIfNoEntry: false })?.isFile()
      ? candidate
      : path.dirname(dir) === dir
        ? undefined
        : manifestOf(path.dirname(dir));
    nearest.set(dir, found);
    return found;
  };
  for (const file of files) {
    const manifest = manifestOf(path.dirname(path.resolve(file)));
    if (manifest === undefined || manifests.has(manifest)) continue;
    try {
      manifests.set(manifest, readFileSync(manifest, "utf8"));
    } catch {
      manifests.set(manifest, null);
    }
  }
  return JSON.stringify([options, [...manifests].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
}

/**
 * Checks the project of `config` (a tsconfig, as native-check.ts writes it) with its kept
 * checker; resolves to the errors in `files`, to a timeout, or to undefined as described above.
 * `options` is the catalog's compiler options as featc resolved them (see setupOf). A cancelled
 * check's answer is dropped, and records no file it read; the checker answers the next check
 * once it is done with this one.
 */
export function keptCheck(
  config: object,
  files: readonly string[],
  options: string,
  timeoutSeconds: number,
): { readonly result: Promise<NativeDiagnostic[] | NativeTimeout | undefined>; cancel(): void } {
  const asked = { cancelled: false };
  const result = (async () => {
    const API = await loadApi();
    // Closed while the API loaded (the server stopping): nothing is started.
    if (!API || !enabled) return undefined;
    const key = JSON.stringify(config);
    let checker = kept.get(key);
    if (checker) {
      kept.delete(key);
      await checker.busy;
      // Closed or replaced meanwhile.
      if (checker.closed) checker = undefined;
    }
    // A setup that changed since the last check: the project is read afresh.
    const setup = checker && setupOf(options, [...files, ...checker.files]);
    if (checker && setup !== checker.setup) {
      void close(checker);
      checker = undefined;
    }
    if (!checker) {
      try {
        const dir = tempFolder();
        fs.writeFileSync(path.join(dir, "tsconfig.json"), key);
        checker = {
          dir,
          project: path.join(dir, "tsconfig.json"),
          api: new API({ cwd: dir }),
          opened: false,
          files: [],
          setup: "",
          busy: Promise.resolve(),
          closed: false,
        };
      } catch {
        return undefined;
      }
      opened.add(checker);
    }
    if (!enabled) {
      void close(checker);
      return undefined;
    }
    // Most recently used last: the first one is the one to close.
    kept.set(key, checker);
    for (const [oldKey, old] of kept) {
      if (kept.size <= MAX_KEPT) break;
      kept.delete(oldKey);
      void close(old);
    }
    const current = checker;
    const answer = ask(current, files, asked);
    current.busy = answer.then(
      () => undefined,
      () => undefined,
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<NativeTimeout>(
      (resolve) => (timer = setTimeout(() => resolve({ timedOut: timeoutSeconds }), timeoutSeconds * 1000)),
    );
    try {
      const found = await Promise.race([answer, timeout]);
      if (found === undefined || "timedOut" in found) throw found;
      // Read again only when the program's files are others than those the setup was read for.
      const sameFiles =
        setup !== undefined && found.files.length === current.files.length && found.files.every((f, i) => f === current.files[i]);
      current.setup = sameFiles ? setup : setupOf(options, [...files, ...found.files]);
      current.files = found.files;
      if (asked.cancelled) return undefined;
      answers++;
      return found.diagnostics;
    } catch (failure) {
      // A cancelled check stopped asking: its checker stays, for the next check to bring up to date.
      if (asked.cancelled && !current.closed) return undefined;
      // A checker that failed or is still busy past the bound is not asked again.
      if (kept.get(key) === current) kept.delete(key);
      void close(current, true);
      return failure !== null && typeof failure === "object" && "timedOut" in failure ? (failure as NativeTimeout) : undefined;
    } finally {
      clearTimeout(timer);
    }
  })();
  return { result, cancel: () => (asked.cancelled = true) };
}

async function ask(
  checker: Kept,
  files: readonly string[],
  asked: { readonly cancelled: boolean },
): Promise<{ diagnostics: NativeDiagnostic[]; files: readonly string[] } | undefined> {
  // One request at a time, none once the checker is closing or the check was cancelled: a request
  // sent after the close would start TypeScript's process again.
  const call = async <T>(request: () => Promise<T>): Promise<T> => {
    if (checker.closed || asked.cancelled) throw new Error("the check was cancelled or its checker closed");
    return request();
  };
  const snapshot = await call(() =>
    checker.api.updateSnapshot(checker.opened ? { fileChanges: { invalidateAll: true } } : { openProjects: [checker.project] }),
  );
  checker.opened = true;
  const program = snapshot.getProject(checker.project)?.program;
  if (!program) return undefined;
  const general = [
    ...(await call(() => program.getConfigFileParsingDiagnostics())),
    ...(await call(() => program.getProgramDiagnostics())),
    ...(await call(() => program.getGlobalDiagnostics())),
  ];
  if (general.some((d) => d.category === ERROR)) return undefined;
  const declarations = program.getCompilerOptions().declaration === true;
  const found: NativeDiagnostic[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const own = [
      ...(await call(() => program.getSyntacticDiagnostics(file))),
      ...(await call(() => program.getSemanticDiagnostics(file))),
      ...(declarations ? await call(() => program.getDeclarationDiagnostics(file)) : []),
    ];
    if (own.length === 0) continue;
    const text = readFileSync(file, "utf8");
    const starts = lineStarts(text);
    for (const d of own) {
      if (d.category !== ERROR) continue;
      // tsc reports no error about the options against a source file; one here is not understood.
      if (d.code >= 5000 && d.code < 7000) return undefined;
      if (d.fileName !== undefined && path.resolve(d.fileName) !== path.resolve(file)) return undefined;
      const line = lineOf(starts, d.pos);
      const diagnostic = { file, line: line + 1, column: d.pos - starts[line]! + 1, code: d.code, message: flatten(d) };
      // tsc prints a diagnostic that two passes find once.
      const id = JSON.stringify(diagnostic);
      if (!seen.has(id)) found.push(diagnostic);
      seen.add(id);
    }
  }
  const programFiles = await call(() => program.getSourceFileNames());
  noteFilesRead(programFiles);
  return { diagnostics: found, files: programFiles };
}

/** The message as `tsc --pretty false` prints it and parseReport joins it: each link of the chain on the same line, indented two spaces a level. */
function flatten(d: ApiDiagnostic, depth = 0): string {
  return (depth === 0 ? "" : ` ${"  ".repeat(depth)}`) + d.text + (d.messageChain ?? []).map((link) => flatten(link, depth + 1)).join("");
}

/** Where each line starts, by TypeScript's line breaks (`\r\n`, `\n`, `\r`, U+2028, U+2029). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) starts.push(i + 1);
  }
  return starts;
}

function lineOf(starts: readonly number[], pos: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= pos) low = mid;
    else high = mid - 1;
  }
  return low;
}
