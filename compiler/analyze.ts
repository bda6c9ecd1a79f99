/**
 * The compiler's front half as one call: config → discover → graph → validate, for the
 * targets asked for. Returns plain data and every diagnostic; it never throws on bad input.
 */
import { loadConfig, type FeatcConfig } from "./config.js";
import { diagnostics, sortDiagnostics, type Diagnostic } from "./diagnostics.js";
import { discover } from "./discover/discover.js";
import { buildTargetGraph, selects, type BuiltTarget } from "./graph/build.js";
import { validateTarget } from "./validate/validate.js";
import type { Catalog } from "./model.js";

export interface Analysis {
  readonly config?: FeatcConfig;
  readonly catalog?: Catalog;
  readonly targets: readonly BuiltTarget[];
  readonly diagnostics: readonly Diagnostic[];
}

export interface AnalyzeOptions {
  /** Restrict to these targets (all by default). */
  readonly targets?: readonly string[];
}

export async function analyze(configPath: string, options: AnalyzeOptions = {}): Promise<Analysis> {
  const loaded = await loadConfig(configPath);
  if (!loaded.config) return { targets: [], diagnostics: sortDiagnostics(loaded.diagnostics) };
  const config = loaded.config;
  const unknown = (options.targets ?? []).filter((t) => !config.targets.some((c) => c.name === t));
  if (unknown.length > 0) {
    const known = config.targets.map((t) => t.name).join(", ");
    return { config, targets: [], diagnostics: unknown.map((t) => diagnostics.config(`unknown target '${t}' (the config declares ${known})`)) };
  }
  const wanted = config.targets.filter((t) => !options.targets || options.targets.length === 0 || options.targets.includes(t.name));
  const found = discover(config);
  const problems: Diagnostic[] = [...found.diagnostics];
  const catalog = found.catalog;
  const producedIn = (name: string): string[] =>
    config.targets.filter((t) => catalog.functions.some((f) => f.nodeName === name && selects(f.conditions, t.config))).map((t) => t.name);
  const targets: BuiltTarget[] = [];
  for (const target of wanted) {
    const targetProblems: Diagnostic[] = [];
    const graph = buildTargetGraph(target, catalog, targetProblems);
    targetProblems.push(...validateTarget(graph, target, catalog, { rootDir: config.rootDir, producedIn }));
    problems.push(...targetProblems);
    targets.push(graph);
  }
  return { config, catalog, targets, diagnostics: sortDiagnostics(problems) };
}
