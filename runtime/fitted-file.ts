/**
 * @fitted artifact files (exported by "featc/node"): the artifact's text is made and checked by
 * fitted.ts; this module only reads and writes it, atomically, with Node's file system.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { FittedArtifactError } from "./errors.js";
import { parseFitted, serializeFitted, type FittedArtifact, type FittedSchema } from "./fitted.js";

/** Writes the artifact atomically: to a temporary file beside it, flushed to disk, then renamed over `file`. */
export function saveFitted(file: string, artifact: FittedArtifact, schema: FittedSchema): void {
  const text = serializeFitted(artifact, schema, file);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
  try {
    const fd = fs.openSync(temp, "w");
    try {
      fs.writeFileSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

/** Reads and validates an artifact file; refuses a missing, unreadable, stale or malformed one with FittedArtifactError. */
export function loadFitted<T extends object = Record<string, unknown>>(file: string, expectedHash: string, schema: FittedSchema): T {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FittedArtifactError(
      file,
      code === "ENOENT" ? "file not found; run the fitting target first and save its artifact here" : (e as Error).message,
    );
  }
  return parseFitted<T>(text, expectedHash, schema, file);
}
