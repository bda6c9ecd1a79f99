/**
 * Batch inference: one run of the generated batch executor scores every client with the trained
 * model, and the predictions go back to the warehouse as a table `predictions(client_id,
 * prediction)` (created or replaced).
 *
 *   npx tsx demo/score.ts [--db data/warehouse.duckdb] [--artifacts data/artifacts] [--table predictions]
 *                         [--execution-time 2024-01-01T00:00:00Z]
 *
 * The batch target computes its @fitted values (age_mean, age_stddev) over the rows it scores.
 * When those rows are the training population, as in the demo, they are the very values the
 * online service reads from the saved artifact; when they are not, batch and online predictions
 * would differ, so the run compares them and reports every value that moved (`fittedDrift`).
 */
import type { ProgressStream } from "featc/node";
import type { Model } from "../catalog/types.js";
import { FITTED_HASH, FITTED_OUTPUTS, FITTED_SCHEMA, checkFitted, execute, type FittedValues } from "../generated/batch.js";
import { existingWarehouse, runCommand } from "./command.js";
import { withBatchProgress } from "./progress.js";
import {
  DEFAULT_ARTIFACTS_DIR,
  DEFAULT_EXECUTION_TIME,
  GRAPH_MANIFEST,
  isMain,
  loadArtifacts,
  parseExecutionTime,
  withWarehouse,
  type TableNames,
  type WarehouseSource,
} from "./train.js";
import { DEFAULT_WAREHOUSE_PATH, TABLES } from "./warehouse.js";

export interface ScoreRunOptions {
  /** The warehouse (default: the file data/warehouse.duckdb). */
  readonly warehouse?: WarehouseSource;
  /**
   * The trained model and the fitted values it was trained with; default: loaded from
   * `artifacts` (which must then hold a model.json and a fresh fitted.json).
   */
  readonly model?: Model;
  readonly fitted?: FittedValues;
  /** Folder of the saved artifacts, when `model` is not given (default data/artifacts). */
  readonly artifacts?: string;
  /** execution_time of the features, epoch ms (default DEFAULT_EXECUTION_TIME, like training). */
  readonly executionTime?: number;
  readonly tables?: TableNames;
  /** Where the progress bar goes (default stderr, drawn only on a terminal); false for none. */
  readonly progress?: ProgressStream | false;
}

/** A fitted value that the scoring run recomputed differently from the saved one. */
export interface FittedDrift {
  readonly name: string;
  readonly saved: unknown;
  readonly scored: unknown;
}

export interface ScoreReport {
  readonly rows: number;
  /** The table the predictions were written to. */
  readonly table: string;
  /** The fitted values as this run recomputed them. */
  readonly fitted: FittedValues;
  /** Values that differ from the saved ones (empty when none do; undefined when none were given). */
  readonly fittedDrift: readonly FittedDrift[] | undefined;
  /** Wall times in ms: the batch run (load + features + predictions), writing the table, everything. */
  readonly ms: { readonly execute: number; readonly write: number; readonly total: number };
}

/** Scores every client and writes `predictions(client_id, prediction)` into the warehouse. */
export async function score(options: ScoreRunOptions = {}): Promise<ScoreReport> {
  const started = performance.now();
  let model = options.model;
  let saved = options.fitted;
  if (model === undefined) {
    const dir = options.artifacts ?? DEFAULT_ARTIFACTS_DIR;
    const loaded = loadArtifacts<FittedValues>(dir, { hash: FITTED_HASH, schema: FITTED_SCHEMA, graph: GRAPH_MANIFEST });
    model = loaded.model;
    if (saved === undefined) {
      // The same @check rules the executors run on fitted values, before the artifact is trusted.
      try {
        checkFitted(loaded.fitted);
      } catch (e) {
        throw new Error(`the fitted values in '${dir}' fail their checks: ${(e as Error).message}; train again`, { cause: e });
      }
      saved = loaded.fitted;
    }
  }
  const table = options.tables?.predictions ?? TABLES.predictions;
  const execution_time = options.executionTime ?? DEFAULT_EXECUTION_TIME;
  return withWarehouse(options.warehouse ?? DEFAULT_WAREHOUSE_PATH, async (warehouse) => {
    const inputs = {
      warehouse,
      survey_results_table: options.tables?.survey ?? TABLES.survey,
      client_login_table: options.tables?.logins ?? TABLES.logins,
      execution_time,
      model: model!,
    };
    const r = await withBatchProgress("scoring", options.progress ?? process.stderr, (progress) =>
      execute(["predictions", "client_id", ...FITTED_OUTPUTS], inputs, progress),
    );
    const executed = performance.now();
    await warehouse.writePredictions(table, r.client_id, r.predictions);
    const written = performance.now();

    const fitted: Record<string, unknown> = {};
    for (const name of FITTED_OUTPUTS) fitted[name] = r[name];
    let fittedDrift: FittedDrift[] | undefined;
    if (saved !== undefined) {
      fittedDrift = [];
      for (const name of FITTED_OUTPUTS)
        if (!Object.is(saved[name], fitted[name])) fittedDrift.push({ name, saved: saved[name], scored: fitted[name] });
    }
    return {
      rows: r.predictions.length,
      table,
      fitted: fitted as unknown as FittedValues,
      fittedDrift,
      ms: { execute: executed - started, write: written - executed, total: performance.now() - started },
    };
  });
}

/** One line per drifted value, for people. */
export function describeDrift(drift: readonly FittedDrift[]): string {
  return drift.map((d) => `${d.name}: trained ${String(d.saved)}, recomputed over the scored rows ${String(d.scored)}`).join("; ");
}

const USAGE =
  "usage: npx tsx demo/score.ts [--db PATH (default data/warehouse.duckdb)] [--artifacts DIR (default data/artifacts)]\n" +
  "                             [--table NAME (default predictions)] [--execution-time ISO|EPOCH_MS (default 2024-01-01T00:00:00Z)]";

/** The command line of `score`. Returns the exit code. */
export function main(argv: readonly string[]): Promise<number> {
  const options = {
    db: { type: "string" },
    artifacts: { type: "string" },
    table: { type: "string" },
    "execution-time": { type: "string" },
  } as const;
  return runCommand<{ db?: string; artifacts?: string; table?: string; "execution-time"?: string }>(
    { name: "score", usage: USAGE, options },
    argv,
    async (values) => {
      const db = existingWarehouse(values.db);
      const report = await score({
        warehouse: db,
        artifacts: values.artifacts,
        executionTime: values["execution-time"] === undefined ? undefined : parseExecutionTime(values["execution-time"]),
        tables: { predictions: values.table },
      });
      console.log(
        `scored ${report.rows} clients in ${report.ms.total.toFixed(0)} ms (batch run ${report.ms.execute.toFixed(0)} ms, write ${report.ms.write.toFixed(0)} ms) into table '${report.table}' of ${db}`,
      );
      if (report.fittedDrift && report.fittedDrift.length > 0) {
        console.error(
          `score: warning: the scored rows are not the training population, so batch and online predictions will differ (${describeDrift(report.fittedDrift)})`,
        );
      }
    },
  );
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
