/**
 * A one-line progress bar for long batch runs (for `onProgress`): percentage, rows per second
 * and time left, redrawn in place at most ~10 times a second, and only on a terminal. Logs and
 * pipes get a single summary line from `finish()` instead of a stream of carriage returns.
 */

/** The part of a writable stream the bar uses (process.stderr fits; tests pass a fake). */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

/** A progress bar: report rows done out of a total, then finish once. */
export interface ProgressBar {
  /** Records that `done` of `total` rows are done; redraws if the last redraw is 100 ms old. */
  update(done: number, total: number): void;
  /** Draws the final state and ends the line (a summary line when not on a terminal); later calls do nothing. */
  finish(): void;
}

/** Milliseconds between redraws: about 10 a second. */
const REDRAW_INTERVAL_MS = 100;

/** A count with a k/M/G suffix: 950, 12.3k, 1.5M. */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return "--";
  const units: [number, string][] = [
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "k"],
  ];
  for (const [size, suffix] of units) {
    if (Math.abs(value) >= size) return `${(value / size).toFixed(value / size < 100 ? 1 : 0)}${suffix}`;
  }
  return value.toFixed(0);
}

/** A duration in seconds as 7s, 3m05s or 2h04m. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/**
 * A progress bar labelled `label` writing to `stream` (default: stderr). `clock` returns
 * milliseconds and is there for tests; it defaults to `performance.now`.
 */
export function createProgressBar(
  label: string,
  stream: ProgressStream = process.stderr,
  clock: () => number = () => performance.now(),
): ProgressBar {
  const started = clock();
  let lastDraw = -Infinity;
  let done = 0;
  let total = 0;
  let finished = false;

  /** The line for the current state: label, bar, percentage, rows/s and ETA (or elapsed time at the end). */
  const line = (now: number, final: boolean): string => {
    const seconds = (now - started) / 1000;
    const fraction = total > 0 ? Math.min(Math.max(done / total, 0), 1) : 1;
    const rate = seconds > 0 ? done / seconds : NaN;
    const timing = final ? `in ${formatDuration(seconds)}` : `ETA ${rate > 0 ? formatDuration((total - done) / rate) : "--"}`;
    const stats = `${(fraction * 100).toFixed(1).padStart(5)}%  ${formatCount(rate)} rows/s  ${timing}`;
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - stats.length - 6));
    const filled = Math.round(fraction * width);
    return `${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${stats}`;
  };

  return {
    update(doneRows: number, totalRows: number): void {
      if (finished) return;
      done = doneRows;
      total = totalRows;
      if (!stream.isTTY) return;
      const now = clock();
      if (now - lastDraw < REDRAW_INTERVAL_MS) return;
      lastDraw = now;
      stream.write(`\r${line(now, false)}\x1b[K`);
    },
    finish(): void {
      if (finished) return;
      finished = true;
      const now = clock();
      if (stream.isTTY) {
        stream.write(`\r${line(now, true)}\x1b[K\n`);
      } else {
        const seconds = (now - started) / 1000;
        stream.write(
          `${label}: ${done} of ${total} rows in ${formatDuration(seconds)} (${formatCount(seconds > 0 ? done / seconds : NaN)} rows/s)\n`,
        );
      }
    },
  };
}
