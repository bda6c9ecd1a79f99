/**
 * `featc build`: analyse, emit one executor and one graph manifest per target, and hand them to
 * outputs/ to write only when the whole build succeeded. `--check` writes nothing and names the
 * files that are stale.
 */
import crypto from "node:crypto";
import path from "node:path";
import { analyze, type Analysis } from "./analyze.js";
import { diagnostics, hasErrors, type Diagnostic } from "./diagnostics.js";
import { emitBatchExecutor } from "./emit/batch.js";
import { buildManifest, fittedHashOf } from "./emit/manifest.js";
import { emitOnlineExecutor } from "./emit/online.js";
import { TargetPlan } from "./emit/plan.js";
import { updateOutputs } from "./outputs/outputs.js";

export interface BuildOptions {
  readonly targets?: readonly string[];
  /** Compare with what is on disk instead of writing. */
  readonly check?: boolean;
}

export interface BuildResult {
  readonly analysis: Analysis;
  readonly diagnostics: readonly Diagnostic[];
  /** Generated files, by path relative to the config's folder, in a stable order. */
  readonly files: ReadonlyMap<string, string>;
  /** Files written (build) or found stale (check), relative to the config's folder. */
  readonly changed: readonly string[];
  /** Generated files of targets that no longer exist: removed (build) or reported (check). */
  readonly removed: readonly string[];
}

export function sha256(parts: readonly string[]): string {
  const h = crypto.createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex").slice(0, 16);
}

/** Emits every requested target in memory (paths relative to outDir); no file is touched. */
export function emitAll(analysis: Analysis, fittedHash = fittedHashOf(analysis.catalog!, sha256)): Map<string, string> {
  const config = analysis.config!;
  const catalog = analysis.catalog!;
  const files = new Map<string, string>();
  for (const target of analysis.targets) {
    const plan = new TargetPlan({
      target,
      rootDir: config.rootDir,
      outDir: config.outDir,
      configFile: path.basename(config.configPath),
      fittedHash,
      validators: catalog.validators,
    });
    const code = target.shape === "online" ? emitOnlineExecutor(plan) : emitBatchExecutor(plan);
    files.set(`${target.name}.ts`, code);
    files.set(`${target.name}.graph.json`, JSON.stringify(buildManifest(target, config.rootDir, fittedHash), null, 2) + "\n");
  }
  return files;
}

export async function build(configPath: string, options: BuildOptions = {}): Promise<BuildResult> {
  const analysis = await analyze(configPath, { targets: options.targets });
  const empty = { analysis, files: new Map<string, string>(), changed: [], removed: [] };
  if (!analysis.config || !analysis.catalog || hasErrors(analysis.diagnostics)) return { ...empty, diagnostics: analysis.diagnostics };
  const config = analysis.config;
  let files: Map<string, string>;
  try {
    const fittedHash = fittedHashOf(analysis.catalog, sha256);
    // Emission needs only plain data: free the TypeScript program first (on a large catalog it
    // is most of the heap, and every garbage collection during emission would trace it).
    analysis.catalog.oracle.release();
    files = emitAll(analysis, fittedHash);
  } catch (e) {
    return { ...empty, diagnostics: [...analysis.diagnostics, diagnostics.output(`code generation failed: ${(e as Error).message}`)] };
  }
  const outputs = await updateOutputs(config, files, { complete: !options.targets || options.targets.length === 0, check: options.check ?? false });
  return { analysis, diagnostics: [...analysis.diagnostics, ...outputs.diagnostics], files: outputs.files, changed: outputs.changed, removed: outputs.removed };
}
