/**
 * A progress bar for the demo's batch runs, fed by the executor's `onProgress`: drawn on stderr
 * when stderr is a terminal, nothing at all otherwise (logs, pipes, tests). The drawing itself
 * is the runtime's `createProgressBar`.
 */
import type { BatchProgress } from "featc";
import { createProgressBar, type ProgressStream } from "featc/node";

/** What a batch run passes to `execute` (`onProgress`, `chunkRows`) and calls once at the end. */
export interface BatchProgressBar {
  /** For the executor's options; undefined when nothing is drawn (so the executor runs in one chunk). */
  readonly onProgress: ((progress: BatchProgress) => void) | undefined;
  /** Rows per progress report, for the executor's options (undefined: the executor's default). */
  readonly chunkRows: number | undefined;
  /** Ends the bar's line; safe to call more than once, and when nothing was drawn. */
  finish(): void;
}

/** Rows between two reports: ~6 redraws over 100k rows, a few hundred over 10M. */
const CHUNK_ROWS = 16_384;

/**
 * A bar labelled `label` on `stream` (default stderr) when it is a terminal; `false` turns it off.
 * Fused loops after the first continue the same bar (loop k of n covers the k-th n-th of it).
 */
export function batchProgress(label: string, stream: ProgressStream | false = process.stderr): BatchProgressBar {
  if (stream === false || !stream.isTTY) return { onProgress: undefined, chunkRows: undefined, finish() {} };
  const bar = createProgressBar(label, stream);
  return {
    onProgress: (p) => bar.update(p.loop * p.total + p.rows, p.loops * p.total),
    chunkRows: CHUNK_ROWS,
    finish: () => bar.finish(),
  };
}

/** Runs a batch execution with a bar's options for the executor, and ends the bar however the run ends. */
export async function withBatchProgress<T>(
  label: string,
  stream: ProgressStream | false,
  run: (options: Pick<BatchProgressBar, "onProgress" | "chunkRows">) => Promise<T>,
): Promise<T> {
  const bar = batchProgress(label, stream);
  try {
    return await run({ onProgress: bar.onProgress, chunkRows: bar.chunkRows });
  } finally {
    bar.finish();
  }
}
