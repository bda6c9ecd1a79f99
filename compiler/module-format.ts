/**
 * Whether the project's TypeScript settings can compile the executors featc writes. An executor
 * imports the ES module "featc". In a CommonJS project (no `"type": "module"` in the
 * package.json above outDir) TypeScript compiles that import to `require("featc")`, which Node
 * ≥ 20.19 runs (require of an ES module); two settings make `tsc` refuse it instead:
 *  - "module": "node16" or "node18", which model Nodes that cannot require an ES module (TS1479);
 *  - "verbatimModuleSyntax", which forbids `import` syntax in a CommonJS file (TS1295/TS1287).
 * Each is reported at the setting, in the tsconfig that makes it, so that `featc check` is never
 * clean before a `tsc` that fails on the generated files.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { ts } from "./typescript.js";
import type { FeatcConfig } from "./config.js";
import { diagnostics, type Diagnostic, type Span } from "./diagnostics.js";
import { readTextFile } from "./discover/files.js";

/** The `"module"` values whose model of Node cannot require() an ES module. */
const REFUSING_REQUIRE_OF_ESM = new Set(["node16", "node18"]);

/** A compiler option as written: its value and where, in the tsconfig that sets it. */
interface WrittenOption {
  readonly value: ts.Expression;
  readonly span: Span;
}

/** "module" or "commonjs": what Node takes a .ts file's output in `dir` for. */
export function packageModuleType(dir: string): "module" | "commonjs" {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    const manifest = readTextFile(path.join(at, "package.json"));
    if ("text" in manifest || manifest.problem !== "not found") {
      try {
        return "text" in manifest && (JSON.parse(manifest.text) as { type?: unknown }).type === "module" ? "module" : "commonjs";
      } catch {
        return "commonjs";
      }
    }
    if (path.dirname(at) === at) return "commonjs";
  }
}

/** The option `name` of `tsconfig`'s compilerOptions, or of the first tsconfig it extends that sets it. */
function writtenOption(tsconfig: string, name: string, seen = new Set<string>()): WrittenOption | undefined {
  if (seen.has(tsconfig)) return undefined;
  seen.add(tsconfig);
  const read = readTextFile(tsconfig);
  if (!("text" in read)) return undefined;
  const json = ts.parseJsonText(tsconfig, read.text);
  const root = json.statements[0]?.expression;
  if (!root || !ts.isObjectLiteralExpression(root)) return undefined;
  const property = (object: ts.ObjectLiteralExpression, key: string) =>
    object.properties.find(
      (p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && ts.isStringLiteral(p.name) && p.name.text === key,
    )?.initializer;
  const options = property(root, "compilerOptions");
  const value = options && ts.isObjectLiteralExpression(options) ? property(options, name) : undefined;
  if (value) {
    const start = value.getStart(json);
    const { line, character } = json.getLineAndCharacterOfPosition(start);
    return { value, span: { file: tsconfig, line: line + 1, column: character + 1, length: value.getEnd() - start } };
  }
  const extended = property(root, "extends");
  const bases = extended && ts.isArrayLiteralExpression(extended) ? [...extended.elements].reverse() : extended ? [extended] : [];
  for (const base of bases) {
    if (!ts.isStringLiteral(base)) continue;
    const file = resolveExtends(base.text, path.dirname(tsconfig));
    const found = file && writtenOption(file, name, seen);
    if (found) return found;
  }
  return undefined;
}

/** The file an `extends` entry names: a path, or a package's tsconfig. */
function resolveExtends(spec: string, dir: string): string | undefined {
  if (spec.startsWith(".") || path.isAbsolute(spec)) {
    const file = path.resolve(dir, spec);
    return fs.existsSync(file) ? file : fs.existsSync(`${file}.json`) ? `${file}.json` : undefined;
  }
  const require = createRequire(path.join(dir, "tsconfig.json"));
  for (const candidate of [spec, `${spec}.json`, `${spec}/tsconfig.json`]) {
    try {
      return require.resolve(candidate);
    } catch {
      // Try the next spelling, as tsc does.
    }
  }
  return undefined;
}

/** The settings of the catalog's tsconfig that make `tsc` refuse featc's executors, as FC1010 at each setting. */
export function executorModuleProblems(config: FeatcConfig): Diagnostic[] {
  if (!config.tsconfig || packageModuleType(config.outDir) === "module") return [];
  const outDir = path.relative(config.rootDir, config.outDir).split(path.sep).join("/") || ".";
  const problems: Diagnostic[] = [];
  const module = writtenOption(config.tsconfig, "module");
  if (module && ts.isStringLiteral(module.value) && REFUSING_REQUIRE_OF_ESM.has(module.value.text.toLowerCase())) {
    problems.push(diagnostics.commonJsRequireOfEsm(outDir, module.value.text, module.span));
  }
  const verbatim = writtenOption(config.tsconfig, "verbatimModuleSyntax");
  if (verbatim && verbatim.value.kind === ts.SyntaxKind.TrueKeyword) {
    problems.push(diagnostics.commonJsVerbatim(outDir, verbatim.span));
  }
  return problems;
}
