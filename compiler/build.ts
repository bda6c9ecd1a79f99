/**
 * `featc build`: analyse, emit each target through its shape (the files the shape writes, and
 * the target's graph manifest), and hand them to outputs/ to write only when the whole build
 * succeeded. `--check` writes nothing and names the files that are stale.
 */
import path from "node:path";
import { analyze, type Analysis } from "./analyze.js";
import { diagnostics, hasErrors, type Diagnostic } from "./diagnostics.js";
import { buildManifest, fittedHashOf } from "./graph/manifest.js";
import { updateOutputs } from "./outputs/outputs.js";
import { shapeNamed } from "./shapes/registry.js";

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

/** Emits every requested target in memory (paths relative to outDir); no file is touched. */
function emitAll(analysis: Analysis, fittedHash: string): Map<string, string> {
  const config = analysis.config!;
  const catalog = analysis.catalog!;
  const files = new Map<string, string>();
  for (const target of analysis.targets) {
    const emitted = shapeNamed(target.shape)!.emit({
      target,
      rootDir: config.rootDir,
      outDir: config.outDir,
      configFile: path.basename(config.configPath),
      fittedHash,
      validators: catalog.validators,
    });
    for (const file of emitted) {
      // A shape names its files inside outDir; anything else is a fault of the shape, not of the catalog.
      if (file.name.split("/").some((part) => part === "" || part === "." || part === "..") || path.isAbsolute(file.name)) {
        throw new Error(`shape '${target.shape}' named a file outside outDir: '${file.name}'`);
      }
      files.set(file.name, file.text);
    }
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
    files = emitAll(analysis, fittedHashOf(analysis.catalog));
  } catch (e) {
    return { ...empty, diagnostics: [...analysis.diagnostics, diagnostics.codeGenerationFailed((e as Error).message)] };
  }
  const outputs = await updateOutputs(config, files, {
    complete: !options.targets || options.targets.length === 0,
    check: options.check ?? false,
  });
  return {
    analysis,
    diagnostics: [...analysis.diagnostics, ...outputs.diagnostics],
    files: outputs.files,
    changed: outputs.changed,
    removed: outputs.removed,
  };
}
