/**
 * The compiler's front half as one call: config → discover → graph → validate, for the
 * targets asked for. Returns plain data and every diagnostic; it never throws on bad input.
 */
import { loadConfig, type FeatcConfig, type TargetConfig } from "./config.js";
import { diagnostics, nearestName, sortDiagnostics, type Diagnostic, type UnmatchedCondition } from "./diagnostics.js";
import { discover } from "./discover/discover.js";
import { buildTargetGraph, selects } from "./graph/build.js";
import { executorModuleProblems } from "./module-format.js";
import { shapeNamed } from "./shapes/registry.js";
import { checkCatalogFileNames, validateTarget } from "./validate/validate.js";
import type { BuiltTarget, Catalog, FunctionFact } from "./model.js";

export interface Analysis {
  readonly config?: FeatcConfig;
  readonly catalog?: Catalog;
  readonly targets: readonly BuiltTarget[];
  readonly diagnostics: readonly Diagnostic[];
  /** Which checker reported TypeScript's own errors (FC1011); absent when the catalog was not read. */
  readonly typeCheckedBy?: "native" | "builtin";
  /** Whether the catalog's types were read from a program without the `types` packages and the DOM's libraries (not needed). */
  readonly lean?: boolean;
}

export interface AnalyzeOptions {
  /** Restrict to these targets (all by default). */
  readonly targets?: readonly string[];
  /** Compute code hashes (default true); a check that emits nothing can skip them. */
  readonly codeHashes?: boolean;
  /** Where TypeScript's own errors (FC1011) come from; see DiscoverOptions. */
  readonly typeCheck?: "native" | "builtin";
}

export async function analyze(configPath: string, options: AnalyzeOptions = {}): Promise<Analysis> {
  const loaded = await loadConfig(configPath);
  if (!loaded.config) return { targets: [], diagnostics: sortDiagnostics(loaded.diagnostics) };
  const config = loaded.config;
  const unknown = (options.targets ?? []).filter((t) => !config.targets.some((c) => c.name === t));
  if (unknown.length > 0) {
    const known = config.targets.map((t) => t.name);
    return { config, targets: [], diagnostics: unknown.map((t) => diagnostics.unknownTarget(t, known)) };
  }
  // A file name an import cannot spell is a config error found before the catalog is read.
  const unspellable = checkCatalogFileNames(config.catalogFiles, config.rootDir);
  if (unspellable.length > 0) return { config, targets: [], diagnostics: sortDiagnostics(unspellable) };
  const wanted = config.targets.filter((t) => !options.targets || options.targets.length === 0 || options.targets.includes(t.name));
  const lowerBodies = wanted.some((t) => shapeNamed(t.shape)?.lowersBodies);
  const found = discover(config, { codeHashes: options.codeHashes, typeCheck: options.typeCheck, lowerBodies });
  const problems: Diagnostic[] = [...found.diagnostics, ...executorModuleProblems(config)];
  const catalog = found.catalog;
  problems.push(...conditionsOnUnknownKeys(catalog.functions, config.targets));
  problems.push(...unselectedVariants(catalog.functions, config.targets));
  const producedIn = (name: string): string[] =>
    config.targets.filter((t) => catalog.functions.some((f) => f.nodeName === name && selects(f.conditions, t.config))).map((t) => t.name);
  const targets: BuiltTarget[] = [];
  // A target whose inputs interface could not be read is not analysed further: its unknown
  // dependencies and unused inputs would only repeat that one problem.
  const brokenTargets = new Set(problems.filter((d) => d.code === "FC1010").flatMap((d) => d.targets));
  for (const target of wanted) {
    if (brokenTargets.has(target.name)) continue;
    const targetProblems: Diagnostic[] = [];
    const shape = shapeNamed(target.shape)!;
    const graph = buildTargetGraph(target, shape.levels, catalog, targetProblems);
    targetProblems.push(...validateTarget(graph, target, catalog, { rootDir: config.rootDir, producedIn, oracle: found.oracle }));
    if (shape.validate) targetProblems.push(...shape.validate(graph, catalog));
    problems.push(...targetProblems);
    targets.push(graph);
  }
  const typeErrors = await found.typeErrors;
  problems.push(...typeErrors.diagnostics);
  // A parameter without a type is FC1005; TypeScript's own "implicitly any" on it says the same.
  const signatureErrors = new Set(
    problems.filter((d) => d.code === "FC1005" && d.span).map((d) => `${d.span!.file}:${d.span!.line}:${d.span!.column}`),
  );
  const reported = problems.filter(
    (d) => !(d.code === "FC1011" && d.span && signatureErrors.has(`${d.span.file}:${d.span.line}:${d.span.column}`)),
  );
  return { config, catalog, targets, diagnostics: sortDiagnostics(reported), typeCheckedBy: typeErrors.checkedBy, lean: found.lean };
}

/**
 * `@when`/`@whenIn` on a key that no target's config has selects its function in no target:
 * almost always a typo (`@when mdoe=batch`) that would otherwise surface far away, as an
 * unknown dependency in another function. `@whenNot` on such a key is always true: harmless.
 */
function conditionsOnUnknownKeys(functions: readonly FunctionFact[], targets: readonly TargetConfig[]): Diagnostic[] {
  const keys = new Set(targets.flatMap((t) => Object.keys(t.config)));
  const out: Diagnostic[] = [];
  for (const fn of functions) {
    for (const c of fn.conditions) {
      if (c.kind === "whenNot" || keys.has(c.key)) continue;
      const tag = c.kind === "when" ? `@when ${c.key}=${c.value}` : `@whenIn ${c.key}=${c.values.join(",")}`;
      out.push(diagnostics.conditionOnUnknownKey(tag, fn.exportName, c.key, nearestName(c.key, keys), [...keys].sort(), fn.span));
    }
  }
  return out;
}

/**
 * A function whose tags use only known keys but match no target is dead code — or a misspelt
 * value (`@when mode=bacth`). A warning, since it may be meant for a target not configured yet.
 */
function unselectedVariants(functions: readonly FunctionFact[], targets: readonly TargetConfig[]): Diagnostic[] {
  const keys = new Set(targets.flatMap((t) => Object.keys(t.config)));
  const out: Diagnostic[] = [];
  for (const fn of functions) {
    if (fn.conditions.length === 0 || fn.conditions.some((c) => c.kind !== "whenNot" && !keys.has(c.key))) continue;
    if (targets.some((t) => selects(fn.conditions, t.config))) continue;
    const tags = fn.conditions
      .map((c) => (c.kind === "whenIn" ? `@whenIn ${c.key}=${c.values.join(",")}` : `@${c.kind} ${c.key}=${c.value}`))
      .join(", ");
    const unmatched: UnmatchedCondition[] = [];
    for (const c of fn.conditions) {
      if (c.kind !== "when") continue;
      const values = [
        ...new Set(
          targets
            .map((t) => t.config[c.key])
            .filter((v) => v !== undefined)
            .map(String),
        ),
      ].sort();
      if (values.includes(c.value)) continue;
      unmatched.push({ key: c.key, values, near: nearestName(c.value, values) });
    }
    out.push(diagnostics.unselectedVariant(fn.exportName, tags, unmatched, fn.span));
  }
  return out;
}
