/**
 * Parity between two runs of the same catalog (a SQL target and the batch executor, say): per
 * node, whether the values are equal, bit-identical, or within N ulp, and the worst row.
 */
import type { SqlConnection } from "./connection.js";

export type ParityVerdict = "bit-identical" | "equal" | "within-ulps" | "different";

export interface NodeParity {
  readonly node: string;
  readonly verdict: ParityVerdict;
  /** The largest distance in ulps between two numbers of one row (0 for bit-identical; Infinity when NaN meets a number). */
  readonly maxUlps: number;
  /** Rows whose values are not bit-identical. */
  readonly rowsDiffering: number;
  /** The row with the largest difference, when there is one. */
  readonly worstRow?: { readonly index: number; readonly left: unknown; readonly right: unknown };
  /** The bound the node was checked against (0: exact). */
  readonly boundUlps: number;
  readonly ok: boolean;
}

const scratch = new DataView(new ArrayBuffer(8));

function orderedBits(x: number): bigint {
  scratch.setFloat64(0, x);
  const bits = scratch.getBigInt64(0);
  // Negative doubles count down from -0 (at -1), so that neighbours differ by one and -0 sits just below 0.
  return bits < 0n ? -(bits & 0x7fffffffffffffffn) - 1n : bits;
}

/** How many doubles lie between a and b (0 for the same bits; NaN equals NaN; -0 and 0 are one apart). */
export function ulpDistance(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (Object.is(a, b)) return 0;
  const d = orderedBits(a) - orderedBits(b);
  return Number(d < 0n ? -d : d);
}

/** Whether two values have the same bits (numbers: NaN equals NaN, -0 differs from 0) or are equal (others). */
export function sameValue(a: unknown, b: unknown): boolean {
  return Object.is(a, b) || (typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b));
}

/**
 * Compares one node's values from two runs. Numbers must be bit-identical unless `boundUlps`
 * allows a distance; other values must be equal.
 */
export function compareNode(node: string, left: ArrayLike<unknown>, right: ArrayLike<unknown>, boundUlps = 0): NodeParity {
  if (left.length !== right.length)
    throw new RangeError(`featc: '${node}' has ${left.length} rows on one side and ${right.length} on the other`);
  let maxUlps = 0;
  let rowsDiffering = 0;
  let worst: number | undefined;
  let allNumbers = true;
  for (let i = 0; i < left.length; i++) {
    const a = left[i];
    const b = right[i];
    if (typeof a !== "number" || typeof b !== "number") allNumbers = false;
    if (sameValue(a, b)) continue;
    rowsDiffering++;
    const distance = typeof a === "number" && typeof b === "number" ? ulpDistance(a, b) : Infinity;
    if (worst === undefined || distance > maxUlps) {
      maxUlps = distance;
      worst = i;
    }
  }
  const verdict: ParityVerdict =
    rowsDiffering === 0 ? (allNumbers ? "bit-identical" : "equal") : maxUlps <= boundUlps ? "within-ulps" : "different";
  return {
    node,
    verdict,
    maxUlps,
    rowsDiffering,
    worstRow: worst === undefined ? undefined : { index: worst, left: left[worst], right: right[worst] },
    boundUlps,
    ok: verdict !== "different",
  };
}

export interface CompareRunsOptions {
  /** The column that identifies a row in both runs (rows may come back in any order). */
  readonly key: string;
  /** Allowed distance in ulps per node; a column `node.field` uses the bound of `node`. Default 0. */
  readonly bounds?: Readonly<Record<string, { readonly boundUlps: number }>>;
}

/**
 * Compares every column the right run has with the same column of the left run, rows matched
 * on `key`: one verdict per column. Throws when a key is missing, repeated or unmatched.
 */
export function compareRuns<
  L extends { readonly [K in keyof L]: ArrayLike<unknown> },
  R extends { readonly [K in keyof R]: ArrayLike<unknown> },
>(leftRun: L, rightRun: R, options: CompareRunsOptions): NodeParity[] {
  const left = leftRun as Readonly<Record<string, ArrayLike<unknown> | undefined>>;
  const right = rightRun as Readonly<Record<string, ArrayLike<unknown> | undefined>>;
  const leftKeys = left[options.key];
  const rightKeys = right[options.key];
  if (!leftKeys || !rightKeys) throw new RangeError(`featc: both runs need the key column '${options.key}'`);
  const rowOf = new Map<unknown, number>();
  for (let i = 0; i < leftKeys.length; i++) rowOf.set(leftKeys[i], i);
  if (rowOf.size !== leftKeys.length || rightKeys.length !== leftKeys.length)
    throw new RangeError(`featc: the key '${options.key}' must name each row of both runs exactly once`);
  const order = Array.from(rightKeys, (k) => {
    const row = rowOf.get(k);
    if (row === undefined) throw new RangeError(`featc: key ${String(k)} of one run is not in the other`);
    return row;
  });
  return Object.keys(right).map((column) => {
    const values = left[column];
    if (!values) throw new RangeError(`featc: the column '${column}' is missing from one run`);
    const bound = options.bounds?.[column.split(".")[0]!]?.boundUlps ?? 0;
    return compareNode(
      column,
      order.map((i) => values[i]),
      Array.from(right[column]!),
      bound,
    );
  });
}

/** A target `featc parity` is about to run: its name, its shape (`batch` or `sql`) and, for SQL, its dialect. */
export interface ParityTarget {
  readonly name: string;
  readonly shape: string;
  readonly dialect?: string;
}

/**
 * What a `featc parity` setup module gives each target: its inputs (the batch executor's, or a
 * SQL module's), a connection for a SQL target, and what to close once it has run.
 */
export interface ParitySetup {
  readonly inputs: object;
  readonly connection?: SqlConnection;
  close?(): void | Promise<void>;
}
