/** The content hashes featc writes (fitted-value hashes, graph versions). */
import crypto from "node:crypto";

/** A short SHA-256 (16 hex digits) of a list of strings, each ended by a NUL so that boundaries count. */
export function sha256(parts: readonly string[]): string {
  const h = crypto.createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex").slice(0, 16);
}
