/**
 * Writing a build's files: the one place featc touches an outDir. It checks the outDir, finishes
 * or discards what an interrupted build left, refuses to overwrite a file this config did not
 * write, and switches the config's whole set of files at once (see switch.ts), removing only
 * files its record says it wrote and that are unchanged since. `check` does all of this in
 * thought and reports what a build would change, remove or recover.
 */
import fs from "node:fs";
import path from "node:path";
import type { FeatcConfig } from "../config.js";
import { diagnostics, type Diagnostic } from "../diagnostics.js";
import { isWithin, outDirProblems, staysInside } from "./outdir.js";
import {
  bookkeepingPrefix,
  claimsOfOtherConfigs,
  digest,
  readRecord,
  recordName,
  recordText,
  slashRelative,
  writtenByEarlierFeatc,
} from "./record.js";
import { findLeftovers, recover, switchOutputs, type Leftovers } from "./switch.js";

export interface OutputsOptions {
  /** Every target was built, so files of targets that are gone may be removed. */
  readonly complete: boolean;
  /** Compare with what is on disk instead of writing. */
  readonly check: boolean;
}

export interface OutputsOutcome {
  readonly diagnostics: readonly Diagnostic[];
  /** The files of the build (without the config's record), relative to the config's folder. */
  readonly files: ReadonlyMap<string, string>;
  /** Files written (build) or found stale (check), relative to the config's folder. */
  readonly changed: readonly string[];
  /** Files removed (build) or that a build would remove (check), leftovers included. */
  readonly removed: readonly string[];
}

/**
 * Writes `emitted` (path relative to outDir → content) into the config's outDir, or with
 * `check` reports how the outDir differs from it. Problems come back as diagnostics.
 */
export async function updateOutputs(
  config: FeatcConfig,
  emitted: ReadonlyMap<string, string>,
  options: OutputsOptions,
): Promise<OutputsOutcome> {
  const { outDir, rootDir } = config;
  const fromRoot = (rel: string) => shownPath(config, rel);
  const failed = (list: Diagnostic[]): OutputsOutcome => ({ diagnostics: list, files: new Map(), changed: [], removed: [] });
  const refused = outDirProblems(config);
  if (refused.length > 0) return failed(refused);

  const prefix = bookkeepingPrefix(config);
  const notes: Diagnostic[] = [];
  let leftovers: Leftovers;
  try {
    leftovers = options.check ? findLeftovers(outDir, prefix) : recover(outDir, prefix);
  } catch (e) {
    return failed([diagnostics.unfinishedInterruptedBuild(fromRoot("."), (e as Error).message)]);
  }
  if (leftovers.busyWith !== undefined)
    return failed([diagnostics.outDirBusy(path.basename(config.configPath), fromRoot("."), leftovers.busyWith)]);
  if (leftovers.names.length > 0) {
    notes.push(
      diagnostics.interruptedBuildCleaned({
        folder: fromRoot("."),
        names: leftovers.names,
        committed: leftovers.committed,
        check: options.check,
      }),
    );
  }

  const recordFile = recordName(config);
  const previous = readRecord(path.join(outDir, recordFile));
  // A record is data: entries that would reach outside outDir or into featc's own files are ignored.
  const owned = Object.fromEntries(Object.entries(previous?.files ?? {}).filter(([rel]) => staysInside(rel) && !rel.startsWith(".featc-")));
  const conflicts = conflictsOf(config, emitted, owned, previous !== undefined);
  if (conflicts.length > 0) return failed([...notes, ...conflicts]);

  // Files of targets that are gone: removed only when every target was built, and only if still as written.
  const removes: string[] = [];
  if (options.complete) {
    for (const [rel, sha] of Object.entries(owned)) {
      if (emitted.has(rel)) continue;
      const text = readOrUndefined(path.join(outDir, rel));
      if (text === undefined) continue;
      if (digest(text) === sha) removes.push(rel);
      else notes.push(diagnostics.editedOutputLeft(fromRoot(rel)));
    }
  }
  const kept = options.complete ? {} : Object.fromEntries(Object.entries(owned).filter(([rel]) => !emitted.has(rel)));
  const all = new Map(emitted);
  all.set(recordFile, recordText(config, emitted, kept));
  const writes = new Map([...all].filter(([rel, text]) => !sameContent(path.join(outDir, rel), text)));
  const outcome = {
    files: new Map([...emitted].map(([rel, text]) => [fromRoot(rel), text])),
    changed: [...writes.keys()].map(fromRoot),
    removed: [...removes, ...(options.check ? leftovers.names : [])].map(fromRoot),
  };
  if (options.check || (writes.size === 0 && removes.length === 0)) return { diagnostics: notes, ...outcome };
  try {
    await switchOutputs(outDir, prefix, writes, removes);
  } catch (e) {
    return failed([...notes, diagnostics.cannotWriteOutputs((e as Error).message)]);
  }
  if (!isWithin(outDir, rootDir)) notes.push(diagnostics.outDirOutsideRoot(outDir));
  return { diagnostics: notes, ...outcome };
}

/** A path relative to outDir as messages show it: relative to the config's folder (a folder keeps its '/'). */
function shownPath(config: FeatcConfig, rel: string): string {
  return slashRelative(config.rootDir, path.join(config.outDir, rel)) + (rel.endsWith("/") ? "/" : "");
}

/**
 * The files this build would overwrite without owning them: a folder or other non-file where a
 * generated file goes, a file another config wrote, or a file no featc wrote. A config without a
 * record yet takes over what an earlier featc wrote at the same paths.
 */
function conflictsOf(
  config: FeatcConfig,
  emitted: ReadonlyMap<string, string>,
  owned: Readonly<Record<string, string>>,
  hasRecord: boolean,
): Diagnostic[] {
  const claims = claimsOfOtherConfigs(config);
  const problems: Diagnostic[] = [];
  for (const rel of emitted.keys()) {
    const file = path.join(config.outDir, rel);
    if (!staysInside(rel) || rel.startsWith(".featc-")) {
      problems.push(diagnostics.outputOutsideOutDir(rel));
      continue;
    }
    const other = claims.get(rel);
    let stat: fs.Stats | undefined;
    try {
      stat = fs.lstatSync(file);
    } catch {
      stat = undefined;
    }
    if (other !== undefined) problems.push(diagnostics.outputOfOtherConfig(shownPath(config, rel), other));
    else if (stat && !stat.isFile()) problems.push(diagnostics.outputNotAFile(shownPath(config, rel), stat.isDirectory()));
    else if (stat && !(rel in owned) && (hasRecord || !writtenByEarlierFeatc(readOrUndefined(file) ?? ""))) {
      problems.push(diagnostics.outputNotWrittenByFeatc(shownPath(config, rel)));
    }
  }
  return problems;
}

/** Whether a file holds exactly `text` (its size is checked first, so a changed file is rarely read). */
function sameContent(file: string, text: string): boolean {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return false;
  }
  return size === Buffer.byteLength(text) && readOrUndefined(file) === text;
}

function readOrUndefined(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}
