/**
 * The @fitted artifact: values a fitting target (batch) computed, saved for targets that read
 * them (online). JSON with the catalog's fitted hash, validated on load, so that a stale or
 * malformed artifact is refused with a clear error instead of silently skewing predictions.
 */
import fs from "node:fs";
import path from "node:path";
import { FittedArtifactError } from "./errors.js";

export const FITTED_FORMAT = "featc-fitted/1";

/** The run-time type of each fitted value, as generated executors export it (FITTED_SCHEMA). */
export type FittedSchema = Readonly<Record<string, "number" | "string" | "boolean" | "json">>;

export interface FittedArtifact {
  readonly catalogHash: string;
  readonly target?: string;
  readonly values: Readonly<Record<string, unknown>>;
}

/** Numbers JSON cannot hold are tagged so they survive the round trip bit for bit. */
function encode(value: unknown): unknown {
  if (typeof value === "number") {
    if (Number.isNaN(value)) return { $number: "NaN" };
    if (value === Infinity) return { $number: "Infinity" };
    if (value === -Infinity) return { $number: "-Infinity" };
    if (Object.is(value, -0)) return { $number: "-0" };
    return value;
  }
  if (Array.isArray(value)) return value.map(encode);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v)]));
  return value;
}

function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (value !== null && typeof value === "object") {
    const tagged = (value as { $number?: unknown }).$number;
    if (Object.keys(value).length === 1 && typeof tagged === "string") {
      const n = tagged === "-0" ? -0 : Number(tagged);
      if (tagged === "NaN" || !Number.isNaN(n)) return n;
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]));
  }
  return value;
}

function checkValues(where: string, values: Readonly<Record<string, unknown>>, schema: FittedSchema): void {
  for (const [name, kind] of Object.entries(schema)) {
    if (!(name in values)) throw new FittedArtifactError(where, `value '${name}' is missing`);
    const v = values[name];
    if (kind !== "json" && typeof v !== kind) throw new FittedArtifactError(where, `value '${name}' should be a ${kind}, got ${v === null ? "null" : typeof v}`);
  }
  const unexpected = Object.keys(values).filter((k) => !(k in schema));
  if (unexpected.length > 0) throw new FittedArtifactError(where, `unexpected value${unexpected.length > 1 ? "s" : ""} ${unexpected.map((k) => `'${k}'`).join(", ")}: the artifact was fitted for another catalog`);
}

/** The artifact's JSON text; values are checked against the schema first. */
export function serializeFitted(artifact: FittedArtifact, schema: FittedSchema): string {
  checkValues("(new artifact)", artifact.values, schema);
  const body = {
    format: FITTED_FORMAT,
    catalogHash: artifact.catalogHash,
    ...(artifact.target ? { target: artifact.target } : {}),
    createdAt: new Date().toISOString(),
    values: encode(Object.fromEntries(Object.keys(schema).map((k) => [k, artifact.values[k]]))),
  };
  return JSON.stringify(body, null, 2) + "\n";
}

/** Writes the artifact atomically (temp file, then rename). */
export function saveFitted(file: string, artifact: FittedArtifact, schema: FittedSchema): void {
  const text = serializeFitted(artifact, schema);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text);
  fs.renameSync(temp, file);
}

/** Parses and validates an artifact's text; refuses a stale or malformed one with FittedArtifactError. */
export function parseFitted<T extends Record<string, unknown>>(text: string, expectedHash: string, schema: FittedSchema, where = "(text)"): T {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new FittedArtifactError(where, `not valid JSON (${(e as Error).message})`);
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new FittedArtifactError(where, "not a JSON object");
  const b = body as { format?: unknown; catalogHash?: unknown; values?: unknown };
  if (b.format !== FITTED_FORMAT) throw new FittedArtifactError(where, `unknown format ${JSON.stringify(b.format)} (expected "${FITTED_FORMAT}")`);
  if (typeof b.catalogHash !== "string") throw new FittedArtifactError(where, "no catalogHash");
  if (b.catalogHash !== expectedHash) {
    throw new FittedArtifactError(where, `stale: fitted by a different catalog (artifact ${b.catalogHash}, executor ${expectedHash}); re-run the fitting target and save the artifact again`);
  }
  if (b.values === null || typeof b.values !== "object" || Array.isArray(b.values)) throw new FittedArtifactError(where, "no values object");
  const values = decode(b.values) as Record<string, unknown>;
  checkValues(where, values, schema);
  return values as T;
}

/** Reads and validates an artifact file. */
export function loadFitted<T extends Record<string, unknown>>(file: string, expectedHash: string, schema: FittedSchema): T {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FittedArtifactError(file, code === "ENOENT" ? "file not found; run the fitting target first" : (e as Error).message);
  }
  return parseFitted<T>(text, expectedHash, schema, file);
}
