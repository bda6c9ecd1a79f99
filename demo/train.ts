/**
 * Nightly training, the batch way: one run of the generated batch executor computes the model's
 * feature vector for every client together with the @fitted values (age_mean, age_stddev); the
 * labels are joined to the rows by client_id through a typed index; a logistic regression is
 * fitted; and two artifacts are saved for the online service:
 *
 * - `model.json`: the model (demo/model.ts format);
 * - `fitted.json`: the fitted values, stamped with the catalog's FITTED_HASH so that a service
 *   built from another catalog refuses them instead of silently skewing (runtime/fitted.ts).
 *
 *   npx tsx demo/train.ts [--db data/warehouse.duckdb] [--artifacts data/artifacts]
 *                         [--execution-time 2024-01-01T00:00:00Z] [--iterations 300]
 *
 * Deterministic: the same warehouse and execution time give the same model and values, bit for bit.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { FittedArtifactError, NumericKeyIndex, joinColumn, type FittedSchema } from "featc";
import { loadFitted, saveFitted, type ProgressStream } from "featc/node";
import type { FeatureVector, Model } from "../catalog/types.js";
import { FITTED_HASH, FITTED_OUTPUTS, FITTED_SCHEMA, TARGET, execute, type FittedValues } from "../generated/batch.js";
import { REFERENCE_TIME } from "./generate.js";
import {
  ModelFileError,
  featureCodeHashes,
  loadModel,
  logLoss,
  saveModel,
  stampMismatches,
  trainLogisticRegression,
  type TrainOptions,
} from "./model.js";
import { existingWarehouse, runCommand } from "./command.js";
import { withBatchProgress } from "./progress.js";
import { DEFAULT_WAREHOUSE_PATH, TABLES, openWarehouse, type DemoWarehouse } from "./warehouse.js";

/** Where training saves its artifacts unless told otherwise (under the git-ignored data/). */
export const DEFAULT_ARTIFACTS_DIR = "data/artifacts";

/** The graph manifest of the batch target, beside its executor: the code hashes training stamps into the model. */
export const GRAPH_MANIFEST = new URL("../generated/batch.graph.json", import.meta.url);

/** The artifact files inside an artifacts folder. */
export function artifactPaths(dir: string): { readonly model: string; readonly fitted: string } {
  return { model: path.join(dir, "model.json"), fitted: path.join(dir, "fitted.json") };
}

/**
 * The execution time of the demo's batch runs: the generated data's reference "now" (every login
 * lies in the 90 days before it). Fixed, so runs are reproducible; the online service is given
 * the same value by the parity demo so that both compute time_since_last_login alike.
 */
export const DEFAULT_EXECUTION_TIME = REFERENCE_TIME;

/** Table names a run reads and writes (defaults: the generator's). */
export interface TableNames {
  readonly survey?: string;
  readonly logins?: string;
  readonly labels?: string;
  readonly predictions?: string;
}

/** The warehouse to use: an open one (left open) or a database file (opened and closed). */
export type WarehouseSource = DemoWarehouse | string;

/** Runs `f` with an open warehouse; closes it afterwards only when it was opened here. */
export async function withWarehouse<T>(source: WarehouseSource, f: (warehouse: DemoWarehouse) => Promise<T>): Promise<T> {
  if (typeof source !== "string") return f(source);
  const warehouse = await openWarehouse(source);
  try {
    return await f(warehouse);
  } finally {
    warehouse.close();
  }
}

export interface TrainRunOptions {
  /** The warehouse (default: the file data/warehouse.duckdb). */
  readonly warehouse?: WarehouseSource;
  /** Folder for model.json and fitted.json (default data/artifacts; created if needed). */
  readonly artifacts?: string;
  /** execution_time of the features, epoch ms (default DEFAULT_EXECUTION_TIME). */
  readonly executionTime?: number;
  readonly tables?: TableNames;
  /** Gradient descent settings (demo/model.ts defaults). */
  readonly training?: TrainOptions;
  /** Where the progress bar goes (default stderr, drawn only on a terminal); false for none. */
  readonly progress?: ProgressStream | false;
}

export interface TrainReport {
  /** Surveyed clients (rows of the batch run). */
  readonly rows: number;
  /** Rows with a label, the ones trained on. */
  readonly labelled: number;
  readonly model: Model;
  readonly fitted: FittedValues;
  /** Mean log-loss of the model on its training rows. */
  readonly logLoss: number;
  readonly files: { readonly model: string; readonly fitted: string };
  /** Wall times in ms: the batch run (load + features), the fit, and everything. */
  readonly ms: { readonly features: number; readonly fit: number; readonly total: number };
}

/** Computes the features and fitted values of every client, trains the model, saves both artifacts. */
export async function train(options: TrainRunOptions = {}): Promise<TrainReport> {
  const started = performance.now();
  const tables = { ...TABLES, ...withoutUndefined(options.tables ?? {}) };
  const files = artifactPaths(options.artifacts ?? DEFAULT_ARTIFACTS_DIR);
  const execution_time = options.executionTime ?? DEFAULT_EXECUTION_TIME;
  return withWarehouse(options.warehouse ?? DEFAULT_WAREHOUSE_PATH, async (warehouse) => {
    const r = await withBatchProgress("features", options.progress ?? process.stderr, (progress) =>
      execute(
        ["client_id", "features", ...FITTED_OUTPUTS],
        { warehouse, survey_results_table: tables.survey, client_login_table: tables.logins, execution_time },
        progress,
      ),
    );
    const labels = await warehouse.readLabels(tables.labels);
    const featuresDone = performance.now();

    // Labels to rows: a typed index on the labels' client_id (no Map, no object per row).
    const y = joinColumn(r.client_id, new NumericKeyIndex(labels.columns.client_id), labels.columns.label, NaN);
    const { features, labels: trainLabels } = labelledRows(r.features, y);
    if (features.length === 0) throw new Error(`no surveyed client has a label in table '${tables.labels}': nothing to train on`);
    const model = trainLogisticRegression(features, trainLabels, options.training);
    const loss = logLoss(features, trainLabels, model);
    const fitDone = performance.now();

    const values: Record<string, unknown> = {};
    for (const name of FITTED_OUTPUTS) values[name] = r[name];
    saveModel(files.model, { model, stamp: { features: featureCodeHashes(GRAPH_MANIFEST), fitted: { hash: FITTED_HASH, values } } });
    saveFitted(files.fitted, { catalogHash: FITTED_HASH, target: TARGET, values }, FITTED_SCHEMA);
    return {
      rows: r.client_id.length,
      labelled: features.length,
      model,
      fitted: values as unknown as FittedValues,
      logLoss: loss,
      files,
      ms: { features: featuresDone - started, fit: fitDone - featuresDone, total: performance.now() - started },
    };
  });
}

/** The rows whose label is present (not NaN); the inputs themselves when every row has one. */
function labelledRows(features: readonly FeatureVector[], y: Float64Array): { features: readonly FeatureVector[]; labels: Float64Array } {
  let missing = 0;
  for (let i = 0; i < y.length; i++) if (y[i] !== y[i]) missing++;
  if (missing === 0) return { features, labels: y };
  const keptFeatures = new Array<FeatureVector>(y.length - missing);
  const keptLabels = new Float64Array(y.length - missing);
  let k = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== y[i]) continue;
    keptFeatures[k] = features[i]!;
    keptLabels[k++] = y[i]!;
  }
  return { features: keptFeatures, labels: keptLabels };
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** An artifacts folder that cannot be served: missing, stale or malformed files. */
export class ArtifactsError extends Error {
  readonly dir: string;
  constructor(dir: string, cause: Error) {
    super(
      `${cause.message}\n  (artifacts folder '${dir}': train first, e.g. \`npx tsx demo/train.ts --artifacts ${dir}\`, or run \`npm run demo\`)`,
      { cause },
    );
    this.name = "ArtifactsError";
    this.dir = dir;
  }
}

/** What a loading executor expects of the artifacts: its fitted hash and schema, and its graph manifest. */
export interface ArtifactExpectations {
  readonly hash: string;
  readonly schema: FittedSchema;
  /** The target's `<target>.graph.json`, whose feature code hashes the model must have been trained with. */
  readonly graph: string | URL;
}

/**
 * Loads and validates the model and the fitted values saved by `train`, against the executor
 * that will use them: the fitted values' hash and schema, the model's digest, and the model's
 * stamp — the features' code and the fitted values it was trained with must be the ones that
 * will feed it. Throws ArtifactsError when a file is missing, stale, malformed or mismatched.
 */
export function loadArtifacts<F extends object>(dir: string, expected: ArtifactExpectations): { model: Model; fitted: F } {
  const files = artifactPaths(dir);
  try {
    const fitted = loadFitted<F>(files.fitted, expected.hash, expected.schema);
    const { model, stamp } = loadModel(files.model);
    const mismatches = stampMismatches(stamp, {
      features: featureCodeHashes(expected.graph),
      fitted: { hash: expected.hash, values: fitted as Readonly<Record<string, unknown>> },
    });
    if (mismatches.length > 0)
      throw new ModelFileError(files.model, `it does not belong with what would feed it: ${mismatches.join("; ")}`);
    return { model, fitted };
  } catch (e) {
    if (e instanceof FittedArtifactError || e instanceof ModelFileError) throw new ArtifactsError(dir, e);
    throw e;
  }
}

/** Parses an execution time: epoch milliseconds or an ISO 8601 date-time (with its zone). */
export function parseExecutionTime(text: string): number {
  const trimmed = text.trim();
  const value = /^-?\d+$/.test(trimmed) ? Number(trimmed) : /^\d{4}-\d{2}-\d{2}/.test(trimmed) ? Date.parse(trimmed) : NaN;
  if (!Number.isFinite(value))
    throw new Error(`execution time must be epoch milliseconds or an ISO date-time such as 2024-01-01T00:00:00Z, got '${text}'`);
  return value;
}

/** Shared by the demo's command lines: the path of this module when it is the one run. */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(moduleUrl);
}

const USAGE =
  "usage: npx tsx demo/train.ts [--db PATH (default data/warehouse.duckdb)] [--artifacts DIR (default data/artifacts)]\n" +
  "                             [--execution-time ISO|EPOCH_MS (default 2024-01-01T00:00:00Z)] [--iterations N (default 300)]";

/** The command line of `train`. Returns the exit code. */
export function main(argv: readonly string[]): Promise<number> {
  const options = {
    db: { type: "string" },
    artifacts: { type: "string" },
    "execution-time": { type: "string" },
    iterations: { type: "string" },
  } as const;
  return runCommand<{ db?: string; artifacts?: string; "execution-time"?: string; iterations?: string }>(
    { name: "train", usage: USAGE, options },
    argv,
    async (values) => {
      const db = existingWarehouse(values.db);
      const iterations = values.iterations === undefined ? undefined : Number(values.iterations);
      if (iterations !== undefined && !Number.isInteger(iterations))
        throw new Error(`--iterations must be an integer, got '${values.iterations}'`);
      const report = await train({
        warehouse: db,
        artifacts: values.artifacts,
        executionTime: values["execution-time"] === undefined ? undefined : parseExecutionTime(values["execution-time"]),
        training: iterations === undefined ? undefined : { iterations },
      });
      console.log(
        `trained on ${report.labelled} of ${report.rows} clients in ${report.ms.total.toFixed(0)} ms ` +
          `(features ${report.ms.features.toFixed(0)} ms, fit ${report.ms.fit.toFixed(0)} ms), log-loss ${report.logLoss.toFixed(4)}; ` +
          `saved ${report.files.model} and ${report.files.fitted}`,
      );
    },
  );
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
