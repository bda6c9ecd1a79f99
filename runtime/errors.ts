/**
 * The errors featc's runtime and generated executors throw. Each has a stable `code` and
 * structured fields, and a message that says what to do.
 */

/** Base class of every error featc throws at run time. */
export class FeatcError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Row indices as a readable list: 4, 17, 99. */
function rowList(indices: readonly number[]): string {
  return indices.join(", ");
}

/** The message of a failed check; online (one entity, one failure) it names no rows. */
function checkMessage(node: string, check: string, failed: number, total: number, firstIndices: readonly number[]): string {
  if (total === 1 && failed === 1) return `check '${check}' failed on node '${node}'`;
  const first = firstIndices.length > 0 ? ` (first at row${firstIndices.length > 1 ? "s" : ""} ${rowList(firstIndices)})` : "";
  return `check '${check}' failed on node '${node}' for ${failed} of ${total} rows${first}`;
}

/** A `@check` without `warn` failed on a node's output. */
export class CheckFailedError extends FeatcError {
  constructor(
    readonly node: string,
    readonly check: string,
    readonly failed: number,
    readonly total: number,
    readonly firstIndices: readonly number[],
  ) {
    super("FEATC_CHECK_FAILED", checkMessage(node, check, failed, total, firstIndices));
  }
}

/** What `options.onWarning` receives for a failed `@check … warn`. */
export interface CheckWarning {
  readonly node: string;
  readonly check: string;
  readonly failed: number;
  readonly total: number;
  readonly firstIndices: readonly number[];
  readonly message: string;
}

/** Makes the warning for a failed `warn` check. */
export function checkWarning(node: string, check: string, failed: number, total: number, firstIndices: readonly number[]): CheckWarning {
  return { node, check, failed, total, firstIndices, message: checkMessage(node, check, failed, total, firstIndices) };
}

/** Two row-level values of a batch run have different lengths: a batch target has one row axis. */
export class RowAxisError extends FeatcError {
  constructor(
    readonly firstName: string,
    readonly firstLength: number,
    readonly otherName: string,
    readonly otherLength: number,
  ) {
    super(
      "FEATC_ROW_AXIS",
      `row-level values must have one length: '${firstName}' has ${firstLength} rows but '${otherName}' has ${otherLength}`,
    );
  }
}

/**
 * An input that the requested outputs need was not given — or no inputs object at all (`input`
 * is then "", and `given` says what came instead: null or undefined).
 */
export class MissingInputError extends FeatcError {
  constructor(
    readonly input: string,
    readonly target: string,
    given?: null,
  ) {
    super(
      "FEATC_MISSING_INPUT",
      input === ""
        ? `target '${target}' needs an inputs object, got ${given === null ? "null" : "undefined"}`
        : `input '${input}' of target '${target}' is needed by the requested outputs but was not given`,
    );
  }
}

/** Longest piece of a given string quoted in a message. */
const MAX_SHOWN = 40;

/** What a value is, for a message: `string "2024-01-01"`, `number NaN`, `null`, `array (3 items)`, `Float32Array (3 items)`. */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case "string": {
      const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
      return `string ${JSON.stringify(shown)}${value.length > MAX_SHOWN ? ` (${value.length} characters)` : ""}`;
    }
    case "number":
    case "boolean":
      return `${typeof value} ${String(Object.is(value, -0) ? "-0" : value)}`;
    case "bigint":
      return `bigint ${value}n`;
    case "undefined":
      return "undefined";
    case "function":
    case "symbol":
      return `a ${typeof value}`;
    default: {
      if (value === null) return "null";
      if (Array.isArray(value)) return `array (${value.length} item${value.length === 1 ? "" : "s"})`;
      const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
      const kind = typeof name === "string" && name !== "" && name !== "Object" ? name : "object";
      const length = ArrayBuffer.isView(value) && "length" in value ? ` (${String(value.length)} items)` : "";
      return `${kind}${length}`;
    }
  }
}

/**
 * An input's value is not of its declared type (found by the opt-in validation of a generated
 * executor: `execute(…, { validate: true })` or `validateInputs`). `input` is the path to the
 * bad value (`model.weights.bias`, `age[3]`); `expected` names the type, `given` what came.
 */
export class InvalidInputError extends FeatcError {
  readonly given: string;
  constructor(
    readonly target: string,
    readonly input: string,
    readonly expected: string,
    value: unknown,
  ) {
    const given = describeValue(value);
    super(
      "FEATC_INVALID_INPUT",
      input === ""
        ? `the inputs of target '${target}' must be an object, got ${given}`
        : `input '${input}': expected ${expected}, got ${given} (target '${target}')`,
    );
    this.given = given;
  }
}

/** The known name closest to `name` by edit distance, if close enough to be a likely typo. */
function nearest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const k of known) {
    const d = distance(name, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein edit distance between two strings. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(up + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}

/** An output that the target does not have was requested (possible only around the types). */
export class UnknownOutputError extends FeatcError {
  constructor(
    readonly output: string,
    readonly target: string,
    readonly known: readonly string[],
  ) {
    const near = nearest(output, known);
    super("FEATC_UNKNOWN_OUTPUT", `'${output}' is not an output of target '${target}'${near ? `. Did you mean '${near}'?` : ""}`);
  }
}

/** A saved @fitted artifact cannot be used. */
export class FittedArtifactError extends FeatcError {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super("FEATC_FITTED_ARTIFACT", `fitted artifact '${path}' refused: ${reason}`);
  }
}

/**
 * A lookup table holds a key twice (or more): a keyed lookup must find one row per key, so a
 * duplicate is refused when the index is built (or, in a SQL target, before the statement runs)
 * rather than resolved differently by each target. `key` is the least duplicated key (numbers
 * in numeric order, -0 as 0; strings by code point), `count` how many rows hold it, `rows` the
 * first two of them where the table has a row order (featc's in-process index; empty from a
 * SQL engine), `where` the column and table when they are known.
 */
export class DuplicateKeyError extends FeatcError {
  constructor(
    readonly lookup: string,
    readonly key: number | string,
    readonly count: number,
    readonly rows: readonly number[],
    readonly where = "",
  ) {
    const at = rows.length > 0 ? ` (rows ${rows.join(" and ")})` : "";
    super(
      "FEATC_DUPLICATE_KEY",
      `duplicate key ${describeValue(key)} in lookup '${lookup}'${where ? ` (${where})` : ""}: ${count} rows hold it${at}; ` +
        "a lookup's keys must be unique (deduplicate the table, or aggregate it per key first)",
    );
  }
}
