/**
 * Deterministic demo data for the reference catalog: the same seed gives the same bytes of data.
 *
 *   npx tsx demo/generate.ts [--clients 100000] [--seed 1] [--db data/warehouse.duckdb]
 *
 * Tables (created or replaced):
 * - `survey_results(client_id INTEGER, budget DOUBLE, age INTEGER, gender VARCHAR)`, one row per
 *   client, in shuffled order;
 * - `client_logins(client_id INTEGER, last_logged_in BIGINT)`, epoch ms within the 90 days before
 *   REFERENCE_TIME, one row per client plus ~2% clients who never answered the survey, in another
 *   shuffled order (so the batch join is a real one);
 * - `labels(client_id INTEGER, label INTEGER)`, sorted by client_id: 0/1 drawn from a hidden
 *   logistic rule on the features, so a logistic regression can learn it but not perfectly.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { writeTable } from "featc/duckdb";
import { DEFAULT_WAREHOUSE_PATH, TABLES, openWarehouse } from "./warehouse.js";

/** The fixed "now" of the generated data: every login is in the 90 days before it. Use it as execution_time. */
export const REFERENCE_TIME = Date.UTC(2024, 0, 1);

const DAY_MS = 86_400_000;
const LOGIN_WINDOW_MS = 90 * DAY_MS;
/** Share of extra clients who logged in but never answered the survey. */
const LOGIN_ONLY_SHARE = 0.02;

/** mulberry32: a small, fast 32-bit PRNG; returns a function of uniform numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedData {
  readonly survey: { client_id: Float64Array; budget: Float64Array; age: Float64Array; gender: string[] };
  readonly logins: { client_id: Float64Array; last_logged_in: Float64Array };
  readonly labels: { client_id: Float64Array; label: Float64Array };
}

export interface GenerateOptions {
  /** Number of surveyed clients (default 100,000). */
  readonly clients?: number;
  /** PRNG seed (default 1). */
  readonly seed?: number;
}

/** The hidden rule: log-odds of label 1 from the raw values (not visible to the catalog). */
function hiddenLogit(budget: number, age: number, gender: string, daysSinceLogin: number): number {
  return (
    -0.4 +
    1.6 * (budget > 100 ? 1 : 0) -
    0.035 * daysSinceLogin +
    0.7 * (gender === "female" ? 1 : 0) -
    0.3 * (gender === "male" ? 1 : 0) -
    0.6 * ((age - 45) / 15)
  );
}

function shuffledOrder(n: number, random: () => number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/** Generates the three tables in memory. Pure: the same options always give the same values. */
export function generateData(options: GenerateOptions = {}): GeneratedData {
  const clients = options.clients ?? 100_000;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(clients) || clients < 0 || clients > 100_000_000)
    throw new RangeError(`clients must be an integer in [0, 100000000], got ${clients}`);
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const random = mulberry32(seed);

  // Client ids are sparse and increasing: 1000 + 3i + r with r in {0, 1, 2}; login-only clients
  // take another free id in the same gap, so every id is unique.
  const ids = new Float64Array(clients);
  const budget = new Float64Array(clients);
  const age = new Float64Array(clients);
  const gender = new Array<string>(clients);
  const lastLogin = new Float64Array(clients);
  const label = new Float64Array(clients);
  const loginOnly: number[] = [];
  const loginOnlyTime: number[] = [];
  for (let i = 0; i < clients; i++) {
    const r = Math.floor(random() * 3);
    ids[i] = 1000 + 3 * i + r;
    // Budget: log-normal around $55, in cents.
    const u1 = 1 - random();
    const u2 = random();
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    budget[i] = Math.round(Math.exp(4 + 0.8 * z) * 100) / 100;
    age[i] = 18 + Math.floor(((random() + random()) / 2) * 63);
    const g = random();
    gender[i] = g < 0.47 ? "male" : g < 0.94 ? "female" : "other";
    lastLogin[i] = REFERENCE_TIME - 1 - Math.floor(random() * LOGIN_WINDOW_MS);
    const days = (REFERENCE_TIME - lastLogin[i]!) / DAY_MS;
    const p = 1 / (1 + Math.exp(-hiddenLogit(budget[i]!, age[i]!, gender[i]!, days)));
    label[i] = random() < p ? 1 : 0;
    if (random() < LOGIN_ONLY_SHARE) {
      loginOnly.push(1000 + 3 * i + ((r + 1) % 3));
      loginOnlyTime.push(REFERENCE_TIME - 1 - Math.floor(random() * LOGIN_WINDOW_MS));
    }
  }

  const surveyOrder = shuffledOrder(clients, random);
  const survey = {
    client_id: new Float64Array(clients),
    budget: new Float64Array(clients),
    age: new Float64Array(clients),
    gender: new Array<string>(clients),
  };
  for (let k = 0; k < clients; k++) {
    const i = surveyOrder[k]!;
    survey.client_id[k] = ids[i]!;
    survey.budget[k] = budget[i]!;
    survey.age[k] = age[i]!;
    survey.gender[k] = gender[i]!;
  }

  const loginRows = clients + loginOnly.length;
  const loginOrder = shuffledOrder(loginRows, random);
  const logins = { client_id: new Float64Array(loginRows), last_logged_in: new Float64Array(loginRows) };
  for (let k = 0; k < loginRows; k++) {
    const i = loginOrder[k]!;
    logins.client_id[k] = i < clients ? ids[i]! : loginOnly[i - clients]!;
    logins.last_logged_in[k] = i < clients ? lastLogin[i]! : loginOnlyTime[i - clients]!;
  }

  return { survey, logins, labels: { client_id: ids, label } };
}

export interface GenerateWarehouseOptions extends GenerateOptions {
  /** Database file (default data/warehouse.duckdb); its other tables are left alone. */
  readonly db?: string;
}

export interface GenerateReport {
  readonly clients: number;
  readonly seed: number;
  readonly db: string;
  readonly rows: { readonly survey_results: number; readonly client_logins: number; readonly labels: number };
  /** Wall time of generating and writing, in milliseconds. */
  readonly ms: number;
}

/** Generates the data and writes the three tables into the warehouse file, in one transaction. */
export async function generateWarehouse(options: GenerateWarehouseOptions = {}): Promise<GenerateReport> {
  const started = performance.now();
  const db = options.db ?? DEFAULT_WAREHOUSE_PATH;
  const data = generateData(options);
  const warehouse = await openWarehouse(db);
  try {
    const c = warehouse.connection;
    await c.run("BEGIN TRANSACTION");
    try {
      await writeTable(c, TABLES.survey, [
        { name: "client_id", type: "INTEGER", values: data.survey.client_id },
        { name: "budget", type: "DOUBLE", values: data.survey.budget },
        { name: "age", type: "INTEGER", values: data.survey.age },
        { name: "gender", type: "VARCHAR", values: data.survey.gender },
      ]);
      await writeTable(c, TABLES.logins, [
        { name: "client_id", type: "INTEGER", values: data.logins.client_id },
        { name: "last_logged_in", type: "BIGINT", values: data.logins.last_logged_in },
      ]);
      await writeTable(c, TABLES.labels, [
        { name: "client_id", type: "INTEGER", values: data.labels.client_id },
        { name: "label", type: "INTEGER", values: data.labels.label },
      ]);
      await c.run("COMMIT");
    } catch (e) {
      await c.run("ROLLBACK").catch(() => {});
      throw e;
    }
    await c.run("CHECKPOINT");
  } finally {
    warehouse.close();
  }
  return {
    clients: data.survey.client_id.length,
    seed: options.seed ?? 1,
    db,
    rows: {
      survey_results: data.survey.client_id.length,
      client_logins: data.logins.client_id.length,
      labels: data.labels.client_id.length,
    },
    ms: performance.now() - started,
  };
}

const USAGE =
  "usage: npx tsx demo/generate.ts [--clients N (default 100000)] [--seed S (default 1)] [--db PATH (default data/warehouse.duckdb)]";

function integerOption(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === "" || !Number.isInteger(value)) throw new Error(`--${name} must be an integer, got '${text}'`);
  return value;
}

/** The command line: parses arguments, generates, prints one line. Returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let values: { clients?: string; seed?: string; db?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { clients: { type: "string" }, seed: { type: "string" }, db: { type: "string" }, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    const report = await generateWarehouse({
      clients: integerOption("clients", values.clients, 100_000),
      seed: integerOption("seed", values.seed, 1),
      db: values.db ?? DEFAULT_WAREHOUSE_PATH,
    });
    console.log(
      `generated ${report.clients} clients (seed ${report.seed}) into ${report.db}: ` +
        `survey_results ${report.rows.survey_results}, client_logins ${report.rows.client_logins}, labels ${report.rows.labels} rows in ${report.ms.toFixed(0)} ms`,
    );
    return 0;
  } catch (e) {
    console.error(`generate: ${(e as Error).message}`);
    return 1;
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
