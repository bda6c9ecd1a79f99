/**
 * Large targets: synthetic catalogs (bench/synthetic.ts) of 1,000, 10,000 and 100,000 features
 * (not 100,000 with --quick) built with `featc build` as a user runs it, their executors
 * type-checked by native `tsc --strict` (the benchmark fails when tsc reports an error), then run:
 *  - batch: every output over a block of rows (rows/s in the note);
 *  - online: one request for every output, and one for a single output (its fast path).
 * `--baseline <featc bin>` builds the same catalogs with another featc too (an older checkout's
 * `bin/featc.js`) and measures both in this process, interleaved, after checking they agree;
 * the baseline is then the reference of each ratio.
 * Run: npx tsx bench/large.bench.ts [--sizes 1000,10000] [--baseline ../main/bin/featc.js] [--keep] [--quick]
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { argument, consume, machine, measure, rows, table, writeRows, type Contender, type Row } from "./harness.js";
import { writeSyntheticCatalog } from "./synthetic.js";
import { STRICT_COMPILER_OPTIONS } from "../test/support/workspace.js";

const REPO = path.resolve(fileURLToPath(new URL("..", import.meta.url)));
const TSC = path.join(REPO, "node_modules", "typescript", "bin", "tsc");

const quick = process.argv.includes("--quick");
const keep = process.argv.includes("--keep");
/** The sizes bench/run.ts builds; 100,000 (several minutes of tsc) only in a full run. */
const sizes = (argument("--sizes") ?? (quick ? "1000,10000" : "1000,10000,100000")).split(",").map(Number);
const baseline = argument("--baseline");
/** Rows per batch call: about ten million node values per call at every size. */
const rowsFor = (features: number) => Math.max(1_000, Math.round(10_000_000 / features));

interface Executor {
  readonly OUTPUT_NAMES: readonly string[];
  /** The batch target's @fitted values, which the online target reads. */
  readonly FITTED_OUTPUTS?: readonly string[];
  execute(outputs: readonly string[], inputs: object): Record<string, unknown>;
}

/** What one native tsc run cost: wall time, and (where /usr/bin/time exists) CPU time and peak memory. */
interface TscCost {
  readonly errors: string[];
  readonly wallMs: number;
  readonly cpuMs?: number;
  readonly peakMiB?: number;
}

/** GNU time, which reports a child's CPU time and peak resident memory. */
const TIME = fs.existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

/** `featc build` with `cli`, then native tsc --strict over the catalog and its executors; returns tsc's error lines and cost. */
function buildAndCheck(dir: string, cli: string): TscCost {
  // The catalog's own type check takes minutes at 100,000 features on a busy machine: past featc's default bound.
  const env = { ...process.env, FEATC_TYPECHECK_TIMEOUT: "3600" };
  execFileSync(process.execPath, [cli, "build", "--config", path.join(dir, "featc.config.json")], { stdio: "pipe", env });
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));
  fs.writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: STRICT_COMPILER_OPTIONS, include: ["catalog/**/*.ts", "generated/**/*.ts"] }),
  );
  const usage = path.join(dir, "tsc-usage.txt");
  const tsc = [TSC, "-p", path.join(dir, "tsconfig.json"), "--pretty", "false"];
  const start = performance.now();
  let output = "";
  try {
    if (TIME) execFileSync(TIME, ["-f", "%U %S %M", "-o", usage, process.execPath, ...tsc], { encoding: "utf8", maxBuffer: 64 << 20 });
    else execFileSync(process.execPath, tsc, { encoding: "utf8", maxBuffer: 64 << 20 });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? error);
  }
  const wallMs = performance.now() - start;
  const errors = output.split("\n").filter((l) => l.includes("error TS"));
  if (!TIME) return { errors, wallMs };
  // The last line: an exit status other than 0 adds a line of its own before it.
  const [user, system, peakKiB] = fs.readFileSync(usage, "utf8").trim().split("\n").at(-1)!.split(" ").map(Number);
  return { errors, wallMs, cpuMs: (user! + system!) * 1000, peakMiB: peakKiB! / 1024 };
}

/** A table row for one tsc run. */
function tscRow(features: number, contender: string, cost: TscCost): Row {
  const usage = cost.cpuMs === undefined ? "" : `, CPU ${(cost.cpuMs / 1000).toFixed(1)} s, peak RSS ${cost.peakMiB!.toFixed(0)} MiB`;
  return {
    bench: `${features.toLocaleString("en")} features`,
    contender,
    median: `${(cost.wallMs / 1000).toFixed(1)} s`,
    p99: "",
    ratio: "",
    note: `${cost.errors.length} error(s)${usage}`,
  };
}

async function load(dir: string): Promise<{ batch: Executor; online: Executor }> {
  const at = (name: string) => pathToFileURL(path.join(dir, "generated", `${name}.ts`)).href;
  return { batch: (await import(at("batch"))) as Executor, online: (await import(at("online"))) as Executor };
}

/** Batch columns x0…x7, and 64 requests (the first rows, with the fitted values the batch target computes from them). */
function inputs(rowCount: number, batchExecutor: Executor) {
  const batch: Record<string, Float64Array> = {};
  for (let k = 0; k < 8; k++) batch[`x${k}`] = Float64Array.from({ length: rowCount }, (_, i) => ((i * (k + 3)) % 97) / 10 - 4);
  const stats = { get: (name: string) => name.length };
  const fitted = batchExecutor.execute(batchExecutor.FITTED_OUTPUTS ?? [], batch);
  const requests = Array.from({ length: 64 }, (_, i) => ({
    ...Object.fromEntries(Object.entries(batch).map(([k, col]) => [k, col[i]!])),
    stats,
    fitted,
  }));
  return { batch, requests };
}

/** The same outputs, value for value. */
function assertSame(a: Record<string, unknown>, b: Record<string, unknown>, what: string): void {
  for (const key of Object.keys(b))
    if (!isDeepStrictEqual(a[key], b[key])) throw new Error(`${what}: output ${key} differs from the baseline's`);
}

const all: Row[] = [];
const work = fs.mkdtempSync(path.join(os.tmpdir(), "featc-large-bench-"));
let failed = false;
for (const features of sizes) {
  const dir = path.join(work, `features-${features}`);
  writeSyntheticCatalog(dir, { features, files: Math.ceil(features / 100), seed: 1 });
  const base = baseline ? path.join(work, `features-${features}-baseline`) : undefined;
  if (base) fs.cpSync(dir, base, { recursive: true, verbatimSymlinks: true });
  const checked = buildAndCheck(dir, path.join(REPO, "bin", "featc.js"));
  all.push(tscRow(features, "native tsc --strict", checked));
  if (checked.errors.length > 0) {
    console.error(`${features} features: tsc reports ${checked.errors.length} error(s):\n${checked.errors.slice(0, 5).join("\n")}`);
    failed = true;
  }
  if (base) {
    all.push(tscRow(features, "native tsc --strict (baseline)", buildAndCheck(base, path.resolve(baseline!))));
  }
  const ours = await load(dir);
  const theirs = base ? await load(base) : undefined;
  const rowCount = quick ? Math.round(rowsFor(features) / 4) : rowsFor(features);
  const { batch, requests } = inputs(rowCount, ours.batch);
  const outputs = ours.batch.OUTPUT_NAMES;
  const single = [ours.online.OUTPUT_NAMES.at(-1)!];
  if (theirs) {
    assertSame(ours.batch.execute(outputs, batch), theirs.batch.execute(outputs, batch), "batch");
    assertSame(
      ours.online.execute(ours.online.OUTPUT_NAMES, requests[0]!),
      theirs.online.execute(ours.online.OUTPUT_NAMES, requests[0]!),
      "online",
    );
  }
  // The baseline first, so each ratio reads as this featc's time over the baseline's.
  const contenders = (make: (e: { batch: Executor; online: Executor }) => () => void): Contender[] => [
    ...(theirs ? [{ name: "baseline featc", run: make(theirs) }] : []),
    { name: "featc", run: make(ours) },
  ];
  const rounds = quick ? 3 : 9;
  // Enough warm-up rounds for V8 to optimise the executors (a 10,000-feature body takes a while).
  const warmup = 5;
  const batchStats = await measure(
    contenders((e) => () => consume(e.batch.execute(outputs, batch))),
    rounds,
    1,
    warmup,
  );
  const batchRows = rows(
    `${features.toLocaleString("en")} features, batch ${rowCount.toLocaleString("en")} rows, every output`,
    batchStats,
    "ms",
  );
  all.push(
    ...batchRows.map((r, i) => ({ ...r, note: `${Math.round(rowCount / (batchStats[i]!.median / 1000)).toLocaleString("en")} rows/s` })),
  );
  const calls = Math.max(5, Math.round((quick ? 50_000 : 200_000) / features));
  const request = (e: Executor, names: readonly string[]) => () => {
    for (let k = 0; k < calls; k++) consume(e.execute(names, requests[k & 63]!));
  };
  all.push(
    ...rows(
      `${features.toLocaleString("en")} features, online, every output`,
      await measure(
        contenders((e) => request(e.online, e.online.OUTPUT_NAMES)),
        rounds,
        calls,
        warmup,
      ),
      "µs",
    ),
  );
  all.push(
    ...rows(
      `${features.toLocaleString("en")} features, online, one output (${single[0]})`,
      await measure(
        contenders((e) => request(e.online, single)),
        rounds,
        calls,
        warmup,
      ),
      "µs",
    ),
  );
}
if (!keep) fs.rmSync(work, { recursive: true, force: true });
else console.error(`kept ${work}`);
writeRows(all);
console.log(`machine: ${machine()}`);
console.log(table(all));
if (failed) process.exitCode = 1;
