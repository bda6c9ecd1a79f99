/**
 * What generated executors call at run time: the row axis, check reporting and the helper
 * types that name a catalog function's value. Kept tiny: executors do the work inline.
 */
import type { Column, Table } from "./containers.js";
import { CheckFailedError, RowAxisError, checkWarning, type CheckWarning } from "./errors.js";

/** The value a catalog function produces: its return type with a Promise unwrapped. */
export type Value<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;

/** The row type of a Table. */
export type TableRow<T> = T extends Table<infer R> ? R : never;

/** The element type of a Column. */
export type ColumnElement<C> = C extends Column<infer T> ? T : never;

/** Progress of a batch run, reported between chunks of rows. */
export interface BatchProgress {
  readonly target: string;
  /** Which fused loop of the executor is running (0-based) and how many there are. */
  readonly loop: number;
  readonly loops: number;
  readonly rows: number;
  readonly total: number;
}

/** Options every generated executor accepts. */
export interface ExecuteOptions {
  /** Receives failed checks tagged `warn`; without it they are ignored. */
  readonly onWarning?: (warning: CheckWarning) => void;
  /**
   * Checks every given input against its declared type before anything runs, and throws
   * InvalidInputError naming the first that is not (the path to it, the type, what was given).
   * For callers the type checker does not see: JavaScript, or data parsed from JSON.
   */
  readonly validate?: boolean;
}

/** Options of batch executors. */
export interface BatchExecuteOptions extends ExecuteOptions {
  /** Called after every chunk of rows of every fused loop. */
  readonly onProgress?: (progress: BatchProgress) => void;
  /** Rows per chunk between progress reports (default: 65,536 when onProgress is set, else all rows). */
  readonly chunkRows?: number;
}

/** Tracks the one row axis of a batch run: every row-level value must have its length. */
export class RowAxis {
  private length = -1;
  private first = "";

  /** Registers a row-level value; throws RowAxisError when its length differs from the axis. */
  add(name: string, length: number): void {
    if (this.length < 0) {
      this.length = length;
      this.first = name;
    } else if (length !== this.length) {
      throw new RowAxisError(this.first, this.length, name, length);
    }
  }

  /** The number of rows (0 before any row-level value arrived). */
  get rows(): number {
    return this.length < 0 ? 0 : this.length;
  }
}

/** The chunk size a batch loop uses for the given options. */
export function chunkRowsFor(options: BatchExecuteOptions | undefined, rows: number): number {
  const requested = options?.chunkRows;
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1) throw new RangeError(`chunkRows must be a positive integer, got ${requested}`);
    return requested;
  }
  return options?.onProgress ? 65536 : Math.max(rows, 1);
}

/** A check that failed in a run: which node and check, how many rows of how many, the first few row indices. */
export interface CheckFailure {
  readonly node: string;
  /** The check as written after `@check`. */
  readonly check: string;
  /** A `warn` check reports and does not throw. */
  readonly warn: boolean;
  readonly failed: number;
  readonly total: number;
  /** The first rows (at most five) that failed; `[0]` for one value. */
  readonly first: readonly number[];
}

/** Reports a failed check: throws CheckFailedError, or hands a warning to `onWarning` for `warn` checks. */
export function reportCheck(options: ExecuteOptions | undefined, failure: CheckFailure): void {
  const { node, check, failed, total, first } = failure;
  if (!failure.warn) throw new CheckFailedError(node, check, failed, total, [...first]);
  options?.onWarning?.(checkWarning(node, check, failed, total, [...first]));
}

/** A rejection handler that does nothing: the executor still awaits the promise and sees the rejection. */
const ignore = (): void => {};

/**
 * Marks a started async call as handled, so that a rejection while the executor awaits another
 * call is not reported as unhandled; the executor still awaits it and sees the rejection.
 */
export function handled<P>(promise: P): P {
  if (promise !== null && typeof promise === "object" && typeof (promise as { catch?: unknown }).catch === "function") {
    (promise as unknown as Promise<unknown>).catch(ignore);
  }
  return promise;
}
