/**
 * The demo service under load on loopback: a generated warehouse, a trained model, the server
 * (demo/server.ts) in a child process of its own, and autocannon in this process, bounded in
 * time. Reports requests/s, p50/p99 latency, errors (must be 0) and the server's peak memory.
 * Target on 2 cores: ≥ 20,000 requests/s with p99 ≤ 10 ms.
 * Run: npx tsx bench/http.bench.ts [--quick] [--clients N] [--seconds S] [--connections C]
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { generateWarehouse } from "../demo/generate.js";
import { DEFAULT_EXECUTION_TIME, train } from "../demo/train.js";
import { TABLES, openWarehouse } from "../demo/warehouse.js";
import { machine, table, writeRows, type Row } from "./harness.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes("--quick");
const option = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const clients = option("--clients", quick ? 20_000 : 100_000);
const seconds = option("--seconds", quick ? 3 : 10);
const connections = option("--connections", 32);

/** Peak resident memory of a process (Linux /proc), in MiB. */
function peakRss(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "featc-http-"));
  const db = path.join(dir, "warehouse.duckdb");
  const artifacts = path.join(dir, "artifacts");
  try {
    await generateWarehouse({ clients, seed: 7, db });
    await train({ warehouse: db, artifacts, progress: false });
    // Clients the service knows (a few clients have logins but no survey: those answer 404).
    const warehouse = await openWarehouse(db, { readOnly: true });
    const known = (await warehouse.readSurvey(TABLES.survey)).columns.client_id;
    warehouse.close();
    const server = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        path.join(here, "..", "demo", "server.ts"),
        "--port",
        "0",
        "--host",
        "127.0.0.1",
        "--db",
        db,
        "--artifacts",
        artifacts,
        "--execution-time",
        String(DEFAULT_EXECUTION_TIME),
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const address = await new Promise<string>((resolve, reject) => {
      let out = "";
      server.stdout!.on("data", (d: Buffer) => {
        out += d;
        const m = /on (http:\/\/[\d.]+:\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      server.on("exit", (code) => reject(new Error(`server exited (${code}) before listening`)));
    });
    const ids = Array.from({ length: 1000 }, (_, k) => known[(k * 7919) % known.length]!);
    const requests = ids.map((id) => ({ method: "GET" as const, path: `/predict?client_id=${id}` }));
    // Warm up the server's JIT, then measure.
    await autocannon({ url: address, connections, duration: 1, requests });
    const result = await autocannon({ url: address, connections, duration: seconds, requests });
    // The framework's floor on this machine: the same server answering /health.
    const health = await autocannon({
      url: address,
      connections,
      duration: Math.max(2, Math.floor(seconds / 2)),
      requests: [{ method: "GET", path: "/health" }],
    });
    const rss = peakRss(server.pid!);
    server.kill("SIGTERM");
    await new Promise((r) => server.on("exit", r));
    const errors = result.errors + result.timeouts + result.non2xx;
    const rows: Row[] = [
      {
        bench: `HTTP GET /predict, ${connections} connections, ${seconds} s`,
        contender: "requests/s (mean)",
        median: result.requests.average.toFixed(0),
        p99: "",
        ratio: "",
        note: "target ≥ 20,000",
      },
      {
        bench: "",
        contender: "latency",
        median: `p50 ${result.latency.p50} ms`,
        p99: `${result.latency.p99} ms`,
        ratio: "",
        note: "target p99 ≤ 10 ms",
      },
      {
        bench: "",
        contender: "GET /health on the same server",
        median: `${health.requests.average.toFixed(0)} req/s`,
        p99: `${health.latency.p99} ms`,
        ratio: `${(result.requests.average / health.requests.average).toFixed(2)}× of it`,
        note: "Fastify + loopback floor, no features",
      },
      { bench: "", contender: "errors + timeouts + non-2xx", median: String(errors), p99: "", ratio: "", note: "must be 0" },
      {
        bench: "",
        contender: "server peak RSS",
        median: rss === undefined ? "n/a" : `${rss.toFixed(0)} MiB`,
        p99: "",
        ratio: "",
        note: `${clients.toLocaleString("en")} clients indexed in memory`,
      },
    ];
    writeRows(rows);
    console.log(`machine: ${machine()}`);
    console.log(table(rows));
    if (errors > 0) process.exitCode = 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
