/**
 * What the native compiler answers about a catalog, whether a `tsc` process (native-check.ts) or
 * a kept checker (native-session.ts) was asked.
 */

/** One diagnostic as tsc printed it: 1-based line and column, the message with its chain. */
export interface NativeDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly code: number;
  readonly message: string;
}

/** The check did not finish in time: `timedOut` is the bound, in seconds, it exceeded. */
export interface NativeTimeout {
  readonly timedOut: number;
}
