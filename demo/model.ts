/**
 * Training and persistence of the catalog's model (a logistic regression).
 *
 * Training is plain batch gradient descent with a fixed number of iterations and no randomness,
 * so the same data gives the same weights, bit for bit. It runs on standardised features (each
 * feature centred and scaled by its standard deviation, which makes one learning rate fit all
 * of them) and folds the scaling back into the weights, so the saved model applies to the raw
 * feature vector exactly as catalog/model.ts `predictions` computes it.
 *
 * The saved file carries what the model was trained on (each feature's code hash and the @fitted
 * values of the training run) and a digest of its content: a model edited by hand, or loaded
 * beside features or fitted values it did not learn from, is refused (`stampMismatches`).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Column } from "featc";
import type { FeatureName, FeatureVector, Model } from "../catalog/types.js";

/** The model's features, in the order training and the JSON file list them. */
export const FEATURE_NAMES = [
  "time_since_last_login",
  "is_male",
  "is_female",
  "is_high_roller",
  "age_normalized",
] as const satisfies readonly FeatureName[];

// Every feature of FeatureVector is in FEATURE_NAMES (a compile error otherwise).
type _Missing = Exclude<FeatureName, (typeof FEATURE_NAMES)[number]>;
const _allFeatures: [_Missing] extends [never] ? true : { missing: _Missing } = true;
void _allFeatures;

export interface TrainOptions {
  /** Gradient steps over the whole data set (default 300). */
  readonly iterations?: number;
  /** Step size on the standardised features (default 0.5). */
  readonly learningRate?: number;
  /** L2 penalty on the standardised weights, not the bias (default 0). */
  readonly l2?: number;
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Mean log-loss of a model on labelled feature vectors (probabilities clamped away from 0 and 1). */
export function logLoss(features: Column<FeatureVector>, labels: Column<number>, model: Model): number {
  checkLengths(features, labels);
  const eps = 1e-15;
  let sum = 0;
  for (let i = 0; i < features.length; i++) {
    const f = features[i]!;
    let z = model.bias;
    for (const name of FEATURE_NAMES) z += model.weights[name] * f[name];
    const p = Math.min(1 - eps, Math.max(eps, sigmoid(z)));
    sum += labels[i] === 1 ? -Math.log(p) : -Math.log(1 - p);
  }
  return sum / features.length;
}

function checkLengths(features: Column<FeatureVector>, labels: Column<number>): void {
  if (features.length !== labels.length) throw new RangeError(`${features.length} feature vectors but ${labels.length} labels`);
}

/**
 * Fits a logistic regression by batch gradient descent: `iterations` full passes, each computing
 * the mean gradient over all rows in row order and stepping every weight at once. Labels must be
 * 0 or 1. Deterministic: no randomness, a fixed order of every floating-point operation.
 */
export function trainLogisticRegression(features: Column<FeatureVector>, labels: Column<number>, options: TrainOptions = {}): Model {
  checkLengths(features, labels);
  const iterations = options.iterations ?? 300;
  const learningRate = options.learningRate ?? 0.5;
  const l2 = options.l2 ?? 0;
  if (!Number.isInteger(iterations) || iterations < 0) throw new RangeError(`iterations must be a non-negative integer, got ${iterations}`);
  if (!(learningRate > 0) || !Number.isFinite(learningRate))
    throw new RangeError(`learningRate must be a positive number, got ${learningRate}`);
  if (!(l2 >= 0) || !Number.isFinite(l2)) throw new RangeError(`l2 must be a non-negative number, got ${l2}`);
  const n = features.length;
  const k = FEATURE_NAMES.length;
  if (n === 0) throw new RangeError("cannot train on zero rows");

  // Columns of standardised features, one Float64Array per feature.
  const x: Float64Array[] = [];
  const mean = new Float64Array(k);
  const scale = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const name = FEATURE_NAMES[j]!;
    const col = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const v = features[i]![name];
      if (!Number.isFinite(v)) throw new RangeError(`feature '${name}' of row ${i} is ${v}: training needs finite features`);
      col[i] = v;
      sum += v;
    }
    const m = sum / n;
    let squares = 0;
    for (let i = 0; i < n; i++) squares += (col[i]! - m) * (col[i]! - m);
    const sd = Math.sqrt(squares / n);
    const s = sd > 0 ? sd : 1;
    for (let i = 0; i < n; i++) col[i] = (col[i]! - m) / s;
    mean[j] = m;
    scale[j] = s;
    x.push(col);
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const label = labels[i];
    if (label !== 0 && label !== 1) throw new RangeError(`label of row ${i} is ${label}: labels must be 0 or 1`);
    y[i] = label;
  }

  const w = new Float64Array(k);
  let b = 0;
  const grad = new Float64Array(k);
  const residual = new Float64Array(n);
  for (let it = 0; it < iterations; it++) {
    let gradB = 0;
    for (let i = 0; i < n; i++) {
      let z = b;
      for (let j = 0; j < k; j++) z += w[j]! * x[j]![i]!;
      const r = sigmoid(z) - y[i]!;
      residual[i] = r;
      gradB += r;
    }
    for (let j = 0; j < k; j++) {
      const col = x[j]!;
      let g = 0;
      for (let i = 0; i < n; i++) g += residual[i]! * col[i]!;
      grad[j] = g / n + l2 * w[j]!;
    }
    b -= learningRate * (gradB / n);
    for (let j = 0; j < k; j++) w[j] = w[j]! - learningRate * grad[j]!;
  }

  // Back to raw features: w·(f - mean)/scale + b = (w/scale)·f + (b - Σ w·mean/scale).
  const weights = {} as Record<FeatureName, number>;
  let bias = b;
  for (let j = 0; j < k; j++) {
    weights[FEATURE_NAMES[j]!] = w[j]! / scale[j]!;
    bias -= (w[j]! * mean[j]!) / scale[j]!;
  }
  return { weights, bias };
}

/** The file format's identifier and version. */
export const MODEL_FORMAT = "featc-demo/logistic-regression@2";

/**
 * What a model was trained on, stamped into its file and compared, wherever the model is loaded,
 * with what will feed it: the code of each feature function and the @fitted values its features
 * were computed with. A model meets only the features and fitted values it learned from.
 */
export interface ModelStamp {
  /** Code hash of each feature's function, as the target's graph manifest records it. */
  readonly features: { readonly [K in FeatureName]: string };
  /** The catalog's fitted hash and the @fitted values of the training run. */
  readonly fitted: { readonly hash: string; readonly values: Readonly<Record<string, unknown>> };
}

/** A model file: the model and what it was trained on. */
export interface ModelFile {
  readonly model: Model;
  readonly stamp: ModelStamp;
}

/** A model file that cannot be used. */
export class ModelFileError extends Error {
  readonly file: string;
  constructor(file: string, reason: string) {
    super(`model file '${file}' is not a usable model: ${reason}`);
    this.name = "ModelFileError";
    this.file = file;
  }
}

/** The file's content in a fixed key order, without its digest. */
function body({ model, stamp }: ModelFile): object {
  const values = stamp.fitted.values;
  return {
    format: MODEL_FORMAT,
    features: Object.fromEntries(FEATURE_NAMES.map((name) => [name, stamp.features[name]])),
    fitted: {
      hash: stamp.fitted.hash,
      values: Object.fromEntries(
        Object.keys(values)
          .sort()
          .map((name) => [name, values[name]]),
      ),
    },
    weights: Object.fromEntries(FEATURE_NAMES.map((name) => [name, model.weights[name]])),
    bias: model.bias,
  };
}

function digestOf(content: object): string {
  return crypto.createHash("sha256").update(JSON.stringify(content)).digest("hex");
}

/** The JSON text of a model file, with a digest of its content (numbers round-trip exactly through JSON). */
export function modelToJson(file: ModelFile): string {
  const fail = (reason: string): never => {
    throw new RangeError(`invalid model: ${reason}`);
  };
  const checked = { model: validateModel(file.model, fail), stamp: validateStamp(file.stamp, fail) };
  const content = body(checked);
  return `${JSON.stringify({ ...content, digest: digestOf(content) }, null, 2)}\n`;
}

/** Parses and validates the JSON text of a model file, its digest included; `file` names it in errors. */
export function modelFromJson(text: string, file = "<json>"): ModelFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ModelFileError(file, `invalid JSON (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new ModelFileError(file, "expected a JSON object");
  const o = parsed as Record<string, unknown>;
  if (o.format !== MODEL_FORMAT)
    throw new ModelFileError(
      file,
      `"format" must be "${MODEL_FORMAT}", got ${JSON.stringify(o.format) ?? "nothing"}; train again to write this format`,
    );
  const known = ["format", "features", "fitted", "weights", "bias", "digest"];
  const unknown = Object.keys(o).filter((key) => !known.includes(key));
  if (unknown.length > 0) throw new ModelFileError(file, `unexpected key ${unknown.map((u) => `"${u}"`).join(", ")}`);
  const fail = (reason: string): never => {
    throw new ModelFileError(file, reason);
  };
  const loaded = {
    model: validateModel({ weights: o.weights, bias: o.bias }, fail),
    stamp: validateStamp({ features: o.features, fitted: o.fitted }, fail),
  };
  if (typeof o.digest !== "string") fail(`"digest" must be the sha256 of the file's content, got ${JSON.stringify(o.digest) ?? "nothing"}`);
  if (o.digest !== digestOf(body(loaded)))
    fail("its content does not match its digest: the file was changed after training; train again instead of editing it");
  return loaded;
}

function validateModel(candidate: { weights: unknown; bias: unknown }, fail: (reason: string) => never): Model {
  const { weights, bias } = candidate;
  if (weights === null || typeof weights !== "object" || Array.isArray(weights))
    fail(`"weights" must be an object with one number per feature (${FEATURE_NAMES.join(", ")})`);
  const w = weights as Record<string, unknown>;
  const out = {} as Record<FeatureName, number>;
  for (const name of FEATURE_NAMES) {
    const v = w[name];
    if (typeof v !== "number" || !Number.isFinite(v))
      fail(`weight "${name}" must be a finite number, got ${v === undefined ? "nothing" : JSON.stringify(v)}`);
    out[name] = v;
  }
  const extra = Object.keys(w).filter((key) => !(FEATURE_NAMES as readonly string[]).includes(key));
  if (extra.length > 0)
    fail(`unknown feature ${extra.map((e) => `"${e}"`).join(", ")} in "weights" (the model knows ${FEATURE_NAMES.join(", ")})`);
  if (typeof bias !== "number" || !Number.isFinite(bias))
    fail(`"bias" must be a finite number, got ${bias === undefined ? "nothing" : JSON.stringify(bias)}`);
  return { weights: out, bias };
}

function validateStamp(candidate: { features: unknown; fitted: unknown }, fail: (reason: string) => never): ModelStamp {
  const { features, fitted } = candidate;
  if (features === null || typeof features !== "object" || Array.isArray(features))
    fail(`"features" must map each feature the model was trained on to its code hash`);
  const f = features as Record<string, unknown>;
  const trained = Object.keys(f);
  const missing = FEATURE_NAMES.filter((name) => typeof f[name] !== "string");
  const extra = trained.filter((name) => !(FEATURE_NAMES as readonly string[]).includes(name));
  if (missing.length > 0 || extra.length > 0) {
    fail(
      `trained on another feature set (${trained.join(", ") || "none"}; this catalog's model takes ${FEATURE_NAMES.join(", ")}); train again`,
    );
  }
  if (fitted === null || typeof fitted !== "object" || Array.isArray(fitted))
    fail(`"fitted" must hold the catalog's fitted hash and the fitted values of the training run`);
  const { hash, values } = fitted as { hash?: unknown; values?: unknown };
  if (typeof hash !== "string") fail(`"fitted.hash" must be the catalog's fitted hash, got ${JSON.stringify(hash) ?? "nothing"}`);
  if (values === null || typeof values !== "object" || Array.isArray(values))
    fail(`"fitted.values" must be an object of the fitted values`);
  return { features: f as ModelStamp["features"], fitted: { hash: hash as string, values: values as Record<string, unknown> } };
}

/**
 * What differs between the stamp a model was trained with and the one of the code and fitted
 * values that would feed it now: one line per difference, none when the model may be used.
 */
export function stampMismatches(trained: ModelStamp, now: ModelStamp): string[] {
  const problems: string[] = [];
  for (const name of FEATURE_NAMES) {
    if (trained.features[name] !== now.features[name])
      problems.push(
        `feature '${name}' changed since the model was trained (code hash ${trained.features[name]}, now ${now.features[name]})`,
      );
  }
  if (trained.fitted.hash !== now.fitted.hash)
    problems.push(
      `the model was trained with fitted values of another catalog (fitted hash ${trained.fitted.hash}, now ${now.fitted.hash})`,
    );
  for (const name of new Set([...Object.keys(trained.fitted.values), ...Object.keys(now.fitted.values)])) {
    const a = trained.fitted.values[name];
    const b = now.fitted.values[name];
    if (!(Object.is(a, b) || (typeof a === "object" && JSON.stringify(a) === JSON.stringify(b)))) {
      problems.push(
        `fitted value '${name}' is ${JSON.stringify(b) ?? "missing"}, but the model was trained with ${JSON.stringify(a) ?? "none"}`,
      );
    }
  }
  return problems;
}

/** The code hash of each model feature in a target's graph manifest (`<target>.graph.json`). */
export function featureCodeHashes(graphManifest: string | URL): ModelStamp["features"] {
  const graph = JSON.parse(fs.readFileSync(graphManifest, "utf8")) as { nodes: readonly { name: string; codeHash?: string }[] };
  const hashes = {} as Record<FeatureName, string>;
  for (const name of FEATURE_NAMES) {
    const hash = graph.nodes.find((n) => n.name === name)?.codeHash;
    if (hash === undefined) throw new Error(`graph manifest '${String(graphManifest)}' has no feature '${name}' with a code hash`);
    hashes[name] = hash;
  }
  return hashes;
}

/** Writes a model file as JSON (atomically: a temporary file renamed over the target). */
export function saveModel(file: string, model: ModelFile): void {
  const text = modelToJson(model);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, file);
}

/** Reads and validates a model file; throws ModelFileError with the reason when it is unusable. */
export function loadModel(file: string): ModelFile {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ModelFileError(file, code === "ENOENT" ? "the file does not exist" : (e as Error).message);
  }
  return modelFromJson(text, file);
}
