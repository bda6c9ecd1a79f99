/**
 * Every file featc reads as text — the config, a tsconfig and what it extends, catalog and
 * inputs files, the modules they import — is read through here: only regular files, and only
 * up to a size no source or config file reaches. A device (`/dev/zero`), a FIFO or a socket
 * would block the read or never end; a file of gigabytes would exhaust memory. Each is a
 * reason featc reports, never a hang.
 */
import fs from "node:fs";

/** Larger than any catalog file featc's benchmarks write (100,000 features), smaller than a mistake. */
export const MAX_TEXT_FILE_BYTES = 32 * 1024 * 1024;

export type TextFile = { readonly text: string } | { readonly problem: string };

/**
 * The text of a regular file, without a byte-order mark (as tsc reads files), or why it cannot
 * be read: it does not exist, is no regular file, is too large, or holds NUL bytes (binary).
 */
export function readTextFile(file: string): TextFile {
  const problem = fileProblem(file);
  if (problem) return { problem };
  let buffer: Buffer;
  try {
    buffer = fs.readFileSync(file);
  } catch (e) {
    return { problem: `cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})` };
  }
  if (buffer.length > MAX_TEXT_FILE_BYTES) return { problem: `is larger than ${MAX_TEXT_FILE_BYTES / 1024 / 1024} MiB` };
  if (buffer.includes(0)) return { problem: "is not a readable text file (it holds NUL bytes)" };
  return { text: buffer.toString("utf8").replace(/^\uFEFF/, "") };
}

/** Why featc would not read `file` as text: it does not exist, is no regular file, or is too large. */
export function fileProblem(file: string): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ENOENT"
      ? "not found"
      : `cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})`;
  }
  if (!stat.isFile()) return `is not a regular file (${kindOf(stat)})`;
  if (stat.size > MAX_TEXT_FILE_BYTES) return `is larger than ${MAX_TEXT_FILE_BYTES / 1024 / 1024} MiB (${stat.size} bytes)`;
  return undefined;
}

/** Whether `file` is a regular file featc may read (exists, not a device, FIFO or folder). */
export function isRegularFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return "a folder";
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isCharacterDevice()) return "a character device";
  if (stat.isBlockDevice()) return "a block device";
  if (stat.isSocket()) return "a socket";
  return "not a file";
}
