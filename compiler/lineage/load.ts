/**
 * The lineage tools' front door: analyse the catalog and turn each target into a lineage graph.
 * A catalog with errors yields its diagnostics instead: lineage drawn from a broken graph
 * would leave out exactly the edges the user is looking for.
 */
import path from "node:path";
import { analyze } from "../analyze.js";
import type { FeatcConfig } from "../config.js";
import { hasErrors, type Diagnostic } from "../diagnostics.js";
import { lineageOf, type LineageGraph } from "./graph.js";

export type LoadedLineage =
  | {
      readonly ok: true;
      readonly config: FeatcConfig;
      readonly rootDir: string;
      readonly graphs: readonly LineageGraph[];
      readonly diagnostics: readonly Diagnostic[];
    }
  | { readonly ok: false; readonly rootDir: string; readonly diagnostics: readonly Diagnostic[] };

/** Analyses the catalog of `configPath` and returns the lineage graph of each target asked for (all by default). */
export async function loadLineage(configPath: string, targets?: readonly string[]): Promise<LoadedLineage> {
  const analysis = await analyze(configPath, { targets });
  const rootDir = analysis.config?.rootDir ?? path.dirname(path.resolve(configPath));
  if (!analysis.config || hasErrors(analysis.diagnostics)) return { ok: false, rootDir, diagnostics: analysis.diagnostics };
  const config = analysis.config;
  return { ok: true, config, rootDir, graphs: analysis.targets.map((t) => lineageOf(t, config)), diagnostics: analysis.diagnostics };
}
