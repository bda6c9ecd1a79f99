/**
 * `npm run bench`: every benchmark, each in its own process (so one cannot warm up or disturb
 * another), gathered into one table headed by the machine. `--quick` for a short run.
 * Benchmarks measure and print; none asserts a time.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { machine, table, type Row } from "./harness.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes("--quick");
const only = process.argv
  .find((a) => a.startsWith("--only="))
  ?.slice("--only=".length)
  .split(",");

/** `full`: only in the full run, not with --quick. */
const BENCHES: { name: string; script: string; args: string[]; quickArgs: string[]; processes?: number; full?: boolean }[] = [
  // The command line as a whole process: start-up, and check and build of the reference catalog beside tsc.
  { name: "cli", script: "cli.bench.ts", args: [], quickArgs: ["--quick"] },
  // The generated executors, one process per part, so one part's type feedback in the shared
  // catalog functions does not shape the next part's code.
  { name: "online", script: "codegen.bench.ts", args: ["--only", "sync,async"], quickArgs: ["--quick", "--only", "sync,async"] },
  { name: "batch", script: "codegen.bench.ts", args: ["--only", "batch"], quickArgs: ["--quick", "--only", "batch"] },
  // The whole 1M-row DAG is bimodal per process for featc and hand-written code alike (≈ 55 or
  // ≈ 105 ms, as V8's compilation of the big loop turns out): the median of five processes.
  { name: "dag", script: "codegen.bench.ts", args: ["--only", "dag"], quickArgs: ["--quick", "--only", "dag"], processes: 5 },
  {
    name: "check",
    script: "check.bench.ts",
    args: ["--sizes", "1000,10000", "--runs", "3"],
    quickArgs: ["--sizes", "1000,10000", "--runs", "1"],
  },
  {
    name: "build",
    script: "check.bench.ts",
    args: ["--command", "build", "--sizes", "1000,10000,100000", "--runs", "1"],
    quickArgs: ["--command", "build", "--sizes", "1000,10000", "--runs", "1"],
  },
  // Synthetic targets of 1,000 and 10,000 features: executors type-checked by native tsc, then run.
  { name: "large", script: "large.bench.ts", args: ["--sizes", "1000,10000"], quickArgs: ["--quick"] },
  // 100,000 features: the build alone takes minutes and tsc far longer; a row of its own, so that `--only large` stays short.
  { name: "large-100k", script: "large.bench.ts", args: ["--sizes", "100000"], quickArgs: [], full: true },
  { name: "http", script: "http.bench.ts", args: [], quickArgs: ["--quick"] },
  // What the opt-in input validation adds to one online request.
  { name: "validate", script: "validate.bench.ts", args: [], quickArgs: ["--quick"] },
  { name: "workers", script: "workers.bench.ts", args: [], quickArgs: ["--quick"] },
  { name: "window", script: "window.bench.ts", args: [], quickArgs: ["--quick"] },
  // The SQL targets: DuckDB against the batch executor (10M rows only in the full run), ClickHouse on one server vs two shards.
  { name: "sql", script: "sql.bench.ts", args: [], quickArgs: ["--quick"] },
  { name: "sql-10m", script: "sql.bench.ts", args: ["--rows", "10000000"], quickArgs: [], full: true },
  { name: "clickhouse", script: "sql.bench.ts", args: ["--engine", "clickhouse"], quickArgs: ["--engine", "clickhouse", "--quick"] },
  // A @udf node inside DuckDB (the catalog's own function over DuckDB's vectors) against the same function in the batch executor.
  { name: "udf", script: "udf.bench.ts", args: [], quickArgs: ["--quick"] },
];

const all: Row[] = [];
const failed: string[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "featc-bench-"));
for (const bench of BENCHES.filter((b) => (!only || only.includes(b.name)) && !(quick && b.full))) {
  const script = path.join(here, bench.script);
  if (!fs.existsSync(script)) continue;
  const processes = quick ? 1 : (bench.processes ?? 1);
  const results: Row[][] = [];
  for (let k = 0; k < processes; k++) {
    const out = path.join(dir, `${bench.name}-${k}.json`);
    process.stderr.write(`bench: ${bench.name}${processes > 1 ? ` (process ${k + 1} of ${processes})` : ""}…\n`);
    const run = spawnSync(process.execPath, ["--import", "tsx", script, ...(quick ? bench.quickArgs : bench.args), "--json", out], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    if (run.status !== 0 || !fs.existsSync(out)) break;
    results.push(JSON.parse(fs.readFileSync(out, "utf8")) as Row[]);
  }
  if (results.length < processes) {
    failed.push(bench.name);
    continue;
  }
  all.push(...(processes === 1 ? results[0]! : medianOfProcesses(results)));
}
fs.rmSync(dir, { recursive: true, force: true });
console.log(
  `machine: ${machine()}; load average at the end ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
console.log(table(all));
if (failed.length > 0) {
  console.error(`bench: ${failed.join(", ")} failed`);
  process.exitCode = 1;
}

/**
 * Rows of several processes of one benchmark, merged: for each contender the median over the
 * processes of its median and of its p99, and the ratio recomputed against the benchmark's
 * reference (its first contender). Rows that are not times (memory) keep the last process's.
 */
function medianOfProcesses(runs: readonly Row[][]): Row[] {
  const parse = (text: string) => /^([\d.]+) (ns|µs|ms)$/.exec(text);
  const middle = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1]!;
  const merged = runs[0]!.map((row, i) => {
    const m = parse(row.median);
    if (!m) return { ...runs.at(-1)![i]! };
    const unit = m[2]!;
    const digits = unit === "ms" ? 1 : 0;
    const median = middle(runs.map((r) => Number(parse(r[i]!.median)?.[1])));
    const p99 = middle(runs.map((r) => Number(parse(r[i]!.p99)?.[1])));
    return { ...row, median: `${median.toFixed(digits)} ${unit}`, p99: `${p99.toFixed(digits)} ${unit}` };
  });
  let reference = NaN;
  return merged.map((row, i) => {
    if (!parse(row.median)) return row;
    const value = Number(parse(row.median)![1]);
    if (row.ratio.includes("ref")) reference = value;
    const note =
      i === 0 || row.ratio.includes("ref") ? `${row.note ?? ""}${row.note ? "; " : ""}median of ${runs.length} processes` : row.note;
    return { ...row, ratio: row.ratio.includes("ref") ? row.ratio : `${(value / reference).toFixed(2)}×`, note };
  });
}
