/**
 * FC1011 through the native TypeScript compiler (TypeScript 7's `tsc`), in a child process that
 * runs on another core while this process reads the catalog with ts-morph. ts-morph's bundled
 * checker then resolves only the types featc asks about instead of checking every function
 * body, which was the largest single cost of `featc check` on a large catalog.
 *
 * The child checks exactly the files and options the in-process program uses: a throw-away
 * tsconfig lists the catalog and inputs files and carries the compiler options (or extends the
 * catalog's own tsconfig). Its plain-text report (`--pretty false`) is read line by line. When
 * anything is off — no TypeScript ≥ 7 next to featc, the child fails to start or dies, a line
 * that is not a diagnostic, an error about the options themselves — the result is `undefined`
 * and the caller asks its in-process program instead: the answer is the same, only slower.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

/** One diagnostic as tsc printed it: 1-based line and column, the message with its chain. */
export interface NativeDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly code: number;
  readonly message: string;
}

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
}

/** The native compiler's entry script, when the installed `typescript` is version 7 or later. */
function nativeCompiler(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const manifest = require.resolve("typescript/package.json");
    const pkg = JSON.parse(fs.readFileSync(manifest, "utf8")) as { version?: string; bin?: Record<string, string> };
    const major = Number((pkg.version ?? "").split(".")[0]);
    const bin = pkg.bin?.tsc;
    if (!(major >= 7) || !bin) return undefined;
    const script = path.join(path.dirname(manifest), bin);
    return fs.existsSync(script) ? script : undefined;
  } catch {
    return undefined;
  }
}

export interface NativeCheck {
  /** Never rejects; undefined when the native answer cannot be used. */
  readonly result: Promise<NativeDiagnostic[] | undefined>;
  /** Stops the child (its answer is no longer wanted); `result` becomes undefined. */
  cancel(): void;
}

const UNAVAILABLE: NativeCheck = { result: Promise.resolve(undefined), cancel: () => {} };

/** Starts the check in a child process. `FEATC_TYPECHECK=builtin` in the environment turns it off. */
export function startNativeCheck(request: NativeCheckRequest): NativeCheck {
  if (process.env.FEATC_TYPECHECK === "builtin") return UNAVAILABLE;
  const compiler = nativeCompiler();
  if (!compiler || request.files.length === 0) return UNAVAILABLE;
  let dir: string;
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "featc-tsc-"));
  } catch {
    return UNAVAILABLE;
  }
  const project = path.join(dir, "tsconfig.json");
  const compilerOptions: Record<string, unknown> = { ...request.options };
  if (request.typeRootsFrom) compilerOptions.typeRoots = defaultTypeRoots(request.typeRootsFrom);
  const config = {
    ...(request.tsconfig ? { extends: request.tsconfig } : {}),
    compilerOptions,
    files: [...request.files, ...request.extraFiles],
    include: [],
  };
  fs.writeFileSync(project, JSON.stringify(config));
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });

  const child = spawn(process.execPath, [compiler, "--project", project, "--pretty", "false"], {
    stdio: ["ignore", "pipe", "pipe"],
    windowsHide: true,
  });
  const result = new Promise<NativeDiagnostic[] | undefined>((resolve) => {
    let settled = false;
    const finish = (value: NativeDiagnostic[] | undefined) => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve(value);
    };
    const out: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.resume();
    child.on("error", () => finish(undefined));
    child.on("close", (code, signal) => {
      // 0: no errors; 1 and 2: errors reported (2: and nothing emitted). Anything else is a failure.
      if (signal !== null || code === null || code > 2) return finish(undefined);
      finish(parseReport(Buffer.concat(out).toString("utf8"), new Set(request.files.map((f) => path.resolve(f))), project));
    });
  });
  return { result, cancel: () => child.kill() };
}

const LINE = /^(.+)\((\d+),(\d+)\): (error|warning|message) TS(\d+): (.*)$/;

/**
 * Reads tsc's `--pretty false` report: `file(line,col): error TSn: text`, then the message
 * chain as indented lines. Only diagnostics in `reported` files are kept. Undefined when the
 * report says something featc cannot place: a global error, or one about the options.
 */
export function parseReport(text: string, reported: ReadonlySet<string>, project: string): NativeDiagnostic[] | undefined {
  const found: { file: string; line: number; column: number; code: number; message: string }[] = [];
  let current: (typeof found)[number] | undefined;
  let keep = false;
  for (const raw of text.split(/\r?\n/)) {
    if (raw === "") continue;
    const m = LINE.exec(raw);
    if (m) {
      const file = path.resolve(m[1]!);
      if (file === path.resolve(project)) return undefined;
      current = { file, line: Number(m[2]), column: Number(m[3]), code: Number(m[5]), message: m[6]! };
      keep = m[4] === "error" && reported.has(file);
      if (keep) found.push(current);
    } else if (current && /^\s/.test(raw)) {
      // The chain, indented two spaces a level: joined as ts.flattenDiagnosticMessageText(…, " ") does.
      if (keep) current.message += ` ${raw}`;
    } else {
      return undefined;
    }
  }
  return found;
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
