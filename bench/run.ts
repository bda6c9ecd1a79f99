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
const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length).split(",");

const BENCHES: { name: string; script: string; args: string[]; quickArgs: string[] }[] = [
  // The generated executors, one process per part: catalog functions shared by the parts would
  // otherwise carry one part's type feedback into the next (the 1M-row DAG loop then deopted
  // on every call in a process that had run the online and map benchmarks first).
  { name: "online", script: "codegen.bench.ts", args: ["--only", "sync,async"], quickArgs: ["--quick", "--only", "sync,async"] },
  { name: "batch", script: "codegen.bench.ts", args: ["--only", "batch"], quickArgs: ["--quick", "--only", "batch"] },
  { name: "dag", script: "codegen.bench.ts", args: ["--only", "dag"], quickArgs: ["--quick", "--only", "dag"] },
  { name: "check", script: "check.bench.ts", args: ["--sizes", "1000,10000", "--runs", "3"], quickArgs: ["--sizes", "1000,10000", "--runs", "1"] },
  { name: "build", script: "check.bench.ts", args: ["--command", "build", "--sizes", "1000,10000,100000", "--runs", "1"], quickArgs: ["--command", "build", "--sizes", "1000,10000", "--runs", "1"] },
  { name: "http", script: "http.bench.ts", args: [], quickArgs: ["--quick"] },
  { name: "workers", script: "workers.bench.ts", args: [], quickArgs: ["--quick"] },
];

const all: Row[] = [];
const failed: string[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "featc-bench-"));
for (const bench of BENCHES.filter((b) => !only || only.includes(b.name))) {
  const script = path.join(here, bench.script);
  if (!fs.existsSync(script)) continue;
  const out = path.join(dir, `${bench.name}.json`);
  process.stderr.write(`bench: ${bench.name}…\n`);
  const run = spawnSync(process.execPath, ["--import", "tsx", script, ...(quick ? bench.quickArgs : bench.args), "--json", out], { stdio: ["ignore", "ignore", "inherit"] });
  if (run.status !== 0 || !fs.existsSync(out)) {
    failed.push(bench.name);
    continue;
  }
  all.push(...(JSON.parse(fs.readFileSync(out, "utf8")) as Row[]));
}
fs.rmSync(dir, { recursive: true, force: true });
console.log(`machine: ${machine()}; load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
console.log(table(all));
if (failed.length > 0) {
  console.error(`bench: ${failed.join(", ")} failed`);
  process.exitCode = 1;
}
