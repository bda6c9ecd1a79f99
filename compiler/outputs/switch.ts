/**
 * Switching a config's outputs as one. The new files are written into a staging folder beside
 * them (`<prefix>.staging/new/…`, flushed to disk); then a journal naming every move and removal
 * is renamed into place — the commit point — and the moves run, each replaced file kept under
 * `<prefix>.staging/old/…` until the end. A failure before the commit leaves the old files; a
 * failure after it is undone from the kept files; a process killed after it leaves the journal,
 * and the next build completes the switch before anything else. So the files a reader sees are
 * all old or all new, or a journal says which set they are becoming.
 */
import fs from "node:fs";
import path from "node:path";
import { staysInside } from "./outdir.js";

const JOURNAL_FORMAT = "featc-journal/1";

interface Journal {
  readonly format: typeof JOURNAL_FORMAT;
  /** Files to put in place (relative to outDir), and whether one was there before. */
  readonly moves: readonly { readonly path: string; readonly existed: boolean }[];
  /** Files to remove, relative to outDir. */
  readonly removes: readonly string[];
  /** Set when a failed switch is being undone. */
  readonly undo?: true;
}

interface Places {
  readonly outDir: string;
  readonly staging: string;
  readonly journal: string;
}

function placesOf(outDir: string, prefix: string): Places {
  return { outDir, staging: path.join(outDir, `${prefix}.staging`), journal: path.join(outDir, `${prefix}.journal.json`) };
}

/** What an interrupted build left: found, and finished or discarded by `recover`. */
export interface Leftovers {
  /** Names relative to outDir (a folder ends with '/'). */
  readonly names: readonly string[];
  /** A journal was committed: the next build completes that switch. */
  readonly committed: boolean;
  /** Another live process is building this config (its pid). */
  readonly busyWith?: number;
}

/** Leftovers of this config's interrupted builds in outDir, and temp files of earlier featc versions. */
export function findLeftovers(outDir: string, prefix: string): Leftovers {
  const p = placesOf(outDir, prefix);
  const owner = ownerOf(p.staging);
  if (owner !== undefined && owner.pid !== process.pid && isAlive(owner.pid) && Date.now() - owner.since < ABANDONED_AFTER_MS)
    return { names: [], committed: false, busyWith: owner.pid };
  const names: string[] = [];
  const committed = fs.existsSync(p.journal);
  if (committed) names.push(path.basename(p.journal));
  if (fs.existsSync(p.staging)) names.push(`${path.basename(p.staging)}/`);
  names.push(...earlierTempFiles(outDir));
  return { names, committed };
}

/** Completes a committed switch (or finishes undoing a failed one) and removes every leftover. */
export function recover(outDir: string, prefix: string): Leftovers {
  const found = findLeftovers(outDir, prefix);
  if (found.busyWith !== undefined) return found;
  const p = placesOf(outDir, prefix);
  const journal = readJournal(p.journal);
  if (journal) {
    if (journal.undo) undoSwitch(p, journal);
    else redoSwitch(p, journal);
  }
  fs.rmSync(p.journal, { force: true });
  fs.rmSync(p.staging, { recursive: true, force: true });
  for (const name of earlierTempFiles(outDir)) fs.rmSync(path.join(outDir, name), { force: true });
  return found;
}

/**
 * Puts `writes` (relative to outDir → content) in place and removes `removes`, all or nothing.
 * Throws after restoring the previous files when a step fails.
 */
export async function switchOutputs(
  outDir: string,
  prefix: string,
  writes: ReadonlyMap<string, string>,
  removes: readonly string[],
): Promise<void> {
  const p = placesOf(outDir, prefix);
  fs.mkdirSync(outDir, { recursive: true });
  fs.mkdirSync(p.staging); // fails if another build of this config is staging now
  const journal: Journal = {
    format: JOURNAL_FORMAT,
    moves: [...writes.keys()].map((rel) => ({ path: rel, existed: fs.existsSync(path.join(outDir, rel)) })),
    removes,
  };
  try {
    fs.writeFileSync(path.join(p.staging, "owner"), String(process.pid));
    await writeAllDurably([...writes].map(([rel, text]) => [path.join(p.staging, "new", rel), text]));
    commitJournal(p, journal);
  } catch (e) {
    fs.rmSync(p.staging, { recursive: true, force: true });
    throw e;
  }
  try {
    redoSwitch(p, journal);
  } catch (e) {
    commitJournal(p, { ...journal, undo: true });
    undoSwitch(p, journal);
    fs.rmSync(p.journal, { force: true });
    fs.rmSync(p.staging, { recursive: true, force: true });
    throw e;
  }
  fs.rmSync(p.journal, { force: true });
  fs.rmSync(p.staging, { recursive: true, force: true });
}

/** Runs (or resumes) the moves and removals of a committed journal; each step is idempotent. */
function redoSwitch(p: Places, journal: Journal): void {
  for (const move of journal.moves) {
    const staged = path.join(p.staging, "new", move.path);
    if (!fs.existsSync(staged)) continue; // already in place
    const dest = path.join(p.outDir, move.path);
    keepOld(p, move.path);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.renameSync(staged, dest);
  }
  for (const rel of journal.removes) keepOld(p, rel);
}

/** Puts back every kept file and removes the files the switch added. */
function undoSwitch(p: Places, journal: Journal): void {
  for (const move of journal.moves) {
    const dest = path.join(p.outDir, move.path);
    const kept = path.join(p.staging, "old", move.path);
    if (fs.existsSync(kept)) fs.renameSync(kept, dest);
    else if (!move.existed) fs.rmSync(dest, { force: true });
  }
  for (const rel of journal.removes) {
    const kept = path.join(p.staging, "old", rel);
    if (fs.existsSync(kept)) fs.renameSync(kept, path.join(p.outDir, rel));
  }
}

/** Moves the file at `rel` (if any) under staging/old, where an undo finds it; anything but a file stops the switch. */
function keepOld(p: Places, rel: string): void {
  const dest = path.join(p.outDir, rel);
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(dest);
  } catch {
    return;
  }
  if (!stat.isFile()) throw new Error(`${rel} is not a file`);
  const kept = path.join(p.staging, "old", rel);
  fs.mkdirSync(path.dirname(kept), { recursive: true });
  fs.renameSync(dest, kept);
}

/** Writes the journal beside the staged files, flushes it, and renames it into place. */
function commitJournal(p: Places, journal: Journal): void {
  const temp = path.join(p.staging, "journal.json");
  writeDurably(temp, JSON.stringify(journal));
  fs.renameSync(temp, p.journal);
}

function readJournal(file: string): Journal | undefined {
  try {
    const value = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<Journal>;
    if (value.format !== JOURNAL_FORMAT || !Array.isArray(value.moves) || !Array.isArray(value.removes)) return undefined;
    // A journal is data: one that names a path outside outDir is not acted on.
    const paths = [...value.moves.map((m) => m.path), ...value.removes];
    return paths.every((rel) => typeof rel === "string" && staysInside(rel)) ? (value as Journal) : undefined;
  } catch {
    return undefined;
  }
}

/** How many staged files are written and flushed at once: overlapping flushes share the disk's commits. */
const PARALLEL_WRITES = 32;

/** Writes every file and flushes it to disk, several at a time (one at a time costs about 5 ms a file). */
async function writeAllDurably(files: readonly (readonly [string, string])[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const [file, text] = files[next++]!;
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      const handle = await fs.promises.open(file, "w");
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_WRITES, files.length) }, worker));
}

/** Writes a file and flushes it to disk before returning. */
function writeDurably(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, "w");
  try {
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A staging folder older than this is abandoned even if a process with its owner's pid is alive
 * (pids are reused; staging takes seconds).
 */
const ABANDONED_AFTER_MS = 10 * 60_000;

/** The process staging into `staging` and since when, if it wrote its pid. */
function ownerOf(staging: string): { pid: number; since: number } | undefined {
  try {
    const file = path.join(staging, "owner");
    const pid = Number(fs.readFileSync(file, "utf8"));
    return Number.isInteger(pid) && pid > 0 ? { pid, since: fs.statSync(file).mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** `.<name>.<pid>.featc-tmp` files an earlier featc left when it was killed (their process is gone). */
function earlierTempFiles(outDir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(outDir);
  } catch {
    return [];
  }
  return names
    .filter((n) => {
      const m = /^\..+\.(\d+)\.featc-tmp$/.exec(n);
      return m !== null && !isAlive(Number(m[1]));
    })
    .sort();
}
