/**
 * The @fitted artifact: values a fitting target (batch) computed, saved for targets that read
 * them (online). JSON with the catalog's fitted hash, validated on load, so that a stale or
 * malformed artifact is refused with a clear error instead of silently skewing predictions.
 *
 * Numbers round-trip bit for bit: finite numbers are written as JSON numbers (the shortest text
 * that parses back to the same double), while NaN, ±Infinity and -0, which JSON cannot hold, are
 * written as `{"$number": "NaN" | "Infinity" | "-Infinity" | "-0"}`. Object keys of "json"
 * values that start with `$` are written with one more `$`, so no user object is taken for a tag.
 *
 * This module is node-free (text in, text out); reading and writing artifact files is in
 * fitted-file.ts, exported by "featc/node".
 */
import { FittedArtifactError } from "./errors.js";

/** The `format` field of every artifact this runtime writes and the only one it reads. */
export const FITTED_FORMAT = "featc-fitted/1";

/** The run-time type of each fitted value, as generated executors export it (FITTED_SCHEMA). */
export type FittedSchema = Readonly<Record<string, "number" | "string" | "boolean" | "json">>;

/** What a fitting target saves: the catalog's fitted hash, the target that fitted, and the values. */
export interface FittedArtifact {
  readonly catalogHash: string;
  readonly target?: string;
  /** The fitted values by node name, exactly the schema's: a `FittedValues`, or a batch result of `FITTED_OUTPUTS`. */
  readonly values: object;
}

const NUMBER_TAG = "$number";

/** The text under which a number JSON cannot hold is tagged, or undefined for a finite non-negative-zero number. */
function specialNumberText(value: number): string | undefined {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "Infinity";
  if (value === -Infinity) return "-Infinity";
  if (Object.is(value, -0)) return "-0";
  return undefined;
}

/** The JSON-ready form of a value (`at` is its path); refuses what JSON cannot hold faithfully. */
function encode(value: unknown, at: string, where: string): unknown {
  switch (typeof value) {
    case "number": {
      const special = specialNumberText(value);
      return special === undefined ? value : { [NUMBER_TAG]: special };
    }
    case "string":
    case "boolean":
      return value;
    case "object": {
      if (value === null) return null;
      if (Array.isArray(value)) return value.map((item, i) => encode(item, `${at}[${i}]`, where));
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        const kind = (value as object).constructor?.name ?? "non-plain object";
        throw new FittedArtifactError(
          where,
          `${at} is a ${kind}, which JSON cannot hold faithfully; store plain objects, arrays, numbers, strings and booleans`,
        );
      }
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.startsWith("$") ? `$${k}` : k, encode(v, `${at}.${k}`, where)]));
    }
    default:
      throw new FittedArtifactError(where, `${at} is ${value === undefined ? "undefined" : `a ${typeof value}`}, which JSON cannot hold`);
  }
}

/** The value `encode` wrote: tags become numbers again, escaped `$` keys lose their extra `$`. */
function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0]![0] === NUMBER_TAG) {
    const text = entries[0]![1];
    if (text === "NaN") return NaN;
    if (text === "Infinity") return Infinity;
    if (text === "-Infinity") return -Infinity;
    if (text === "-0") return -0;
  }
  return Object.fromEntries(entries.map(([k, v]) => [k.startsWith("$$") ? k.slice(1) : k, decode(v)]));
}

/** How a value's type is named in messages. */
function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** Throws FittedArtifactError unless `values` holds exactly the schema's keys, each of its type. */
function checkValues(where: string, values: Readonly<Record<string, unknown>>, schema: FittedSchema): void {
  for (const [name, kind] of Object.entries(schema)) {
    if (!Object.hasOwn(values, name)) throw new FittedArtifactError(where, `value '${name}' is missing`);
    const value = values[name];
    if (kind === "json" ? value === undefined : typeof value !== kind) {
      throw new FittedArtifactError(
        where,
        `value '${name}' should be ${kind === "json" ? "a JSON value" : `a ${kind}`}, got ${value === undefined ? "undefined" : describeType(value)}`,
      );
    }
  }
  const unexpected = Object.keys(values).filter((name) => !Object.hasOwn(schema, name));
  if (unexpected.length > 0) {
    throw new FittedArtifactError(
      where,
      `unexpected value${unexpected.length > 1 ? "s" : ""} ${unexpected.map((name) => `'${name}'`).join(", ")}: the catalog fits no such value${unexpected.length > 1 ? "s" : ""}; re-run the fitting target instead of editing the artifact`,
    );
  }
}

/** The artifact's JSON text; the values are checked against the schema first (`where` names the artifact in errors). */
export function serializeFitted(artifact: FittedArtifact, schema: FittedSchema, where = "(new artifact)"): string {
  const given = artifact.values as Readonly<Record<string, unknown>>;
  checkValues(where, given, schema);
  const values = Object.fromEntries(Object.keys(schema).map((name) => [name, encode(given[name], `value '${name}'`, where)]));
  const body = {
    format: FITTED_FORMAT,
    catalogHash: artifact.catalogHash,
    ...(artifact.target !== undefined ? { target: artifact.target } : {}),
    createdAt: new Date().toISOString(),
    values,
  };
  return JSON.stringify(body, null, 2) + "\n";
}

/** Parses and validates an artifact's text; refuses a stale or malformed one with FittedArtifactError (`where` names it in errors). */
export function parseFitted<T extends object = Record<string, unknown>>(
  text: string,
  expectedHash: string,
  schema: FittedSchema,
  where = "(text)",
): T {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new FittedArtifactError(where, `not valid JSON (${(e as Error).message})`);
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new FittedArtifactError(where, "not a JSON object");
  const b = body as { format?: unknown; catalogHash?: unknown; target?: unknown; values?: unknown };
  if (b.format !== FITTED_FORMAT) {
    throw new FittedArtifactError(
      where,
      `unknown format ${JSON.stringify(b.format) ?? "(none)"} (expected "${FITTED_FORMAT}"); is this a featc fitted artifact?`,
    );
  }
  if (typeof b.catalogHash !== "string") throw new FittedArtifactError(where, "no catalogHash");
  if (b.catalogHash !== expectedHash) {
    const rerun = typeof b.target === "string" ? `re-run target '${b.target}'` : "re-run the fitting target";
    throw new FittedArtifactError(
      where,
      `stale: fitted by a different catalog (artifact ${b.catalogHash}, executor ${expectedHash}); ${rerun} and save the artifact again`,
    );
  }
  if (b.values === null || typeof b.values !== "object" || Array.isArray(b.values))
    throw new FittedArtifactError(where, "no values object");
  // Node names are kept as written: only the values under them were encoded.
  const values: Record<string, unknown> = Object.fromEntries(Object.entries(b.values).map(([name, value]) => [name, decode(value)]));
  checkValues(where, values, schema);
  return values as T;
}
