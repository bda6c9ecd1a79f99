/**
 * `featc check` on synthetic catalogs (bench/synthetic.ts) of 1,000 and 10,000 features, as a
 * user runs it: `node bin/featc.js check` in a child process, wall time from spawn to exit, and
 * the child's peak resident memory and CPU time (user + system), read inside the child by a
 * preloaded module (`process.resourceUsage()` at exit), which needs nothing but node. Each
 * size runs `--runs` times (2 by default); the table shows the median. The check must be
 * clean. `--command build` times `featc build` instead (which also emits every target).
 * Target (issue): 10,000 features checked in ≤ 3 s.
 * Run: npx tsx bench/check.bench.ts [--sizes 1000,10000] [--runs 2] [--command check|build] [--keep]
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { argument, machine, writeRows } from "./harness.js";
import { writeSyntheticCatalog } from "./synthetic.js";

const REPO = path.resolve(fileURLToPath(new URL("..", import.meta.url)));
const CLI = path.join(REPO, "bin", "featc.js");
const TARGET_FEATURES = 10_000;
const TARGET_MS = 3_000;

const sizes = (argument("--sizes") ?? "1000,10000").split(",").map((s) => Number(s.replace(/_/g, "")));
const runs = Number(argument("--runs") ?? 2);
const keep = process.argv.includes("--keep");
/** `check` (default) or `build`: the same catalogs through `featc build`, which also emits and writes every target. */
const command = argument("--command") ?? "check";
if (
  sizes.some((n) => !Number.isInteger(n) || n < 20) ||
  !Number.isInteger(runs) ||
  runs < 1 ||
  (command !== "check" && command !== "build")
) {
  console.error("usage: npx tsx bench/check.bench.ts [--sizes 1000,10000] [--runs 2] [--command check|build] [--keep]");
  process.exit(2);
}

interface Run {
  readonly ms: number;
  readonly rssMiB: number;
  /** User + system CPU time of the child: less sensitive than wall time to a busy machine. */
  readonly cpuMs: number;
  readonly code: number | null;
  readonly stderr: string;
  readonly stdout: string;
}

/** One `featc check` in a child process; the preload writes the child's peak RSS and CPU time to a file. */
function checkOnce(configPath: string, preload: string, usageFile: string): Promise<Run> {
  fs.rmSync(usageFile, { force: true });
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, ["--import", preload, CLI, command, "--config", configPath], {
      env: { ...process.env, FEATC_BENCH_USAGE_FILE: usageFile, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const usage = fs.existsSync(usageFile)
        ? (JSON.parse(fs.readFileSync(usageFile, "utf8")) as { maxRSS: number; userCPUTime: number; systemCPUTime: number })
        : undefined;
      const rssMiB = usage ? usage.maxRSS / 1024 : NaN;
      const cpuMs = usage ? (usage.userCPUTime + usage.systemCPUTime) / 1000 : NaN;
      resolve({ ms, rssMiB, cpuMs, code, stderr, stdout });
    });
  });
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "featc-check-bench-"));
const preload = path.join(work, "resource-usage.mjs");
fs.writeFileSync(
  preload,
  `import fs from "node:fs";\nprocess.on("exit", () => fs.writeFileSync(process.env.FEATC_BENCH_USAGE_FILE, JSON.stringify(process.resourceUsage())));\n`,
);

const rows: string[][] = [];
let failed = false;
let targetMs: number | undefined;
try {
  for (const features of sizes) {
    const dir = path.join(work, `n${features}`);
    const files = Math.max(4, Math.round(features / 100));
    const generateStart = process.hrtime.bigint();
    const synthetic = writeSyntheticCatalog(dir, { features, files, seed: 42 });
    const generateMs = Number(process.hrtime.bigint() - generateStart) / 1e6;
    const results: Run[] = [];
    for (let r = 0; r < runs; r++) {
      const run = await checkOnce(synthetic.configPath, preload, path.join(work, "usage.json"));
      if (run.code !== 0) {
        failed = true;
        console.error(
          `featc ${command} on ${features} features exited ${run.code}:\n${run.stderr.slice(0, 4000)}${run.stdout.slice(0, 4000)}`,
        );
        break;
      }
      // The run did the whole job: check counted every node, build wrote the executors.
      const done =
        command === "build"
          ? fs.existsSync(path.join(path.dirname(synthetic.configPath), "generated", "batch.ts"))
          : Number(/batch: (\d+) nodes/.exec(run.stderr)?.[1]) === synthetic.nodes;
      if (!done) {
        failed = true;
        console.error(
          `featc ${command} on ${features} features: ${command === "build" ? "no generated/batch.ts" : `expected 'batch: ${synthetic.nodes} nodes' in its output`}; got:\n${run.stderr}`,
        );
        break;
      }
      results.push(run);
    }
    if (failed) break;
    const ms = median(results.map((r) => r.ms));
    if (features === TARGET_FEATURES) targetMs = ms;
    rows.push([
      features.toLocaleString("en-US"),
      String(files + 2),
      `${(ms / 1000).toFixed(2)} s`,
      results.map((r) => `${(r.ms / 1000).toFixed(2)}`).join(" / "),
      `${(median(results.map((r) => r.cpuMs)) / 1000).toFixed(2)} s`,
      `${median(results.map((r) => r.rssMiB)).toFixed(0)} MiB`,
      `${(generateMs / 1000).toFixed(2)} s`,
    ]);
  }
} finally {
  if (!keep) fs.rmSync(work, { recursive: true, force: true });
  else console.error(`catalogs kept in ${work}`);
}

const header = ["features", "files", `${command} (median)`, "runs (s)", "CPU (median)", "peak RSS", "generate"];
const width = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: readonly string[]) => r.map((c, i) => (i === 0 || i >= 2 ? c.padStart(width[i]!) : c.padEnd(width[i]!))).join("  ");
writeRows(
  rows.map((r) => ({
    bench: `featc ${command}, ${r[0]} features`,
    contender: `${r[1]} files`,
    median: r[2]!,
    p99: "",
    ratio: "",
    note: `CPU ${r[4]}, peak RSS ${r[5]}`,
  })),
);
console.log(
  `featc ${command}, wall time of \`node bin/featc.js ${command}\` from spawn to exit (${runs} run${runs === 1 ? "" : "s"} per size)`,
);
console.log(
  `machine: ${machine()}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
console.log("");
console.log(line(header));
console.log(width.map((w) => "-".repeat(w)).join("  "));
for (const r of rows) console.log(line(r));
if (targetMs !== undefined && command === "check") {
  console.log("");
  console.log(
    `target: ${TARGET_FEATURES.toLocaleString("en-US")} features in ≤ ${TARGET_MS / 1000} s — ${targetMs <= TARGET_MS ? "met" : "MISSED"} (${(targetMs / 1000).toFixed(2)} s)`,
  );
}
if (failed) process.exitCode = 1;
