/**
 * Where a build may write. An `outDir` that holds the config's folder, catalog files or
 * `node_modules`, or that a catalog glob reaches, would overwrite sources or feed the next build
 * its own output, and one whose path holds `#`, `?`, `%` or `\` cannot be imported from Node: it is
 * refused (FC1010 at the config's "outDir"). An `outDir` outside the config's
 * folder is allowed — the config states it — and every build that writes there says where.
 */
import fs from "node:fs";
import path from "node:path";
import type { FeatcConfig } from "../config.js";
import { diagnostics, type Diagnostic, type OutDirRefusal, type Span } from "../diagnostics.js";

/** Whether `inner` is `outer` or lies below it. */
export function isWithin(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** Whether a path relative to outDir stays inside it: not empty, not absolute, no `..` segment. */
export function staysInside(rel: string): boolean {
  return rel !== "" && !path.isAbsolute(rel) && !rel.split(/[\\/]/).includes("..");
}

/** The problems of the configured outDir; none means the build may write there. */
export function outDirProblems(config: FeatcConfig): Diagnostic[] {
  const { outDir, rootDir } = config;
  const span: Span = config.outDirSpan ?? { file: config.configPath, line: 1, column: 1, length: 1 };
  const shown = path.relative(rootDir, outDir).split(path.sep).join("/") || ".";
  const refuse = (refusal: OutDirRefusal) => [diagnostics.outDirRefused(shown, refusal, span)];
  if (!isDirectoryOrMissing(outDir)) return refuse({ kind: "file" });
  // The app imports the executors by a relative path, which Node reads as a URL (as for catalog files).
  const unimportable = /[#?%\\]/.exec(shown);
  if (unimportable) return refuse({ kind: "unimportable", char: unimportable[0] });
  if (isWithin(rootDir, outDir)) return refuse({ kind: "holdsConfig" });
  if (outDir.split(path.sep).includes("node_modules")) return refuse({ kind: "inNodeModules" });
  if (fs.existsSync(path.join(outDir, "node_modules"))) return refuse({ kind: "holdsNodeModules" });
  const inputsFiles = config.targets.flatMap((t) => (t.inputs ? [t.inputs.file] : []));
  const source = [...config.catalogFiles, ...inputsFiles, ...(config.tsconfig ? [config.tsconfig] : [])].find((f) => isWithin(f, outDir));
  if (source) return refuse({ kind: "holdsSource", file: path.relative(rootDir, source).split(path.sep).join("/") });
  const glob = config.catalogPatterns.find((p) => globReaches(p, rootDir, outDir));
  if (glob) return refuse({ kind: "globReaches", glob });
  return [];
}

/**
 * Whether files written in `outDir` could match a catalog glob: `outDir` lies under the glob's
 * literal leading folders and the rest of the glob descends any depth (`**`) or names `outDir`'s
 * own level. Conservative: a glob such as `src/**\/features.ts` with `outDir` `src/gen` counts.
 */
function globReaches(pattern: string, rootDir: string, outDir: string): boolean {
  if (pattern.startsWith("!")) return false;
  const segments = pattern.split("/");
  const literal: string[] = [];
  for (const s of segments) {
    if (/[*?[\]{}()!]/.test(s)) break;
    literal.push(s);
  }
  if (literal.length === segments.length) return false; // a plain file name
  const base = path.resolve(rootDir, ...literal);
  if (!isWithin(outDir, base)) return false;
  const rest = segments.slice(literal.length);
  if (rest.includes("**")) return true;
  // Without `**` the glob reaches exactly rest.length - 1 folders below its base.
  return path.relative(base, outDir).split(path.sep).filter(Boolean).length === rest.length - 1;
}

function isDirectoryOrMissing(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return true;
  }
}
