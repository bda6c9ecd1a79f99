/**
 * Measures the demo's moving parts by hand (not a test: timings depend on the machine):
 *
 *   npx tsx demo/measure.ts [--clients 100000] [--db .tmp/measure.duckdb] [--reps 9]
 *
 * - generating and writing the warehouse;
 * - reading the survey and login tables into columns (median of --reps), with the column reader
 *   of featc/duckdb (readTable) and, for comparison, with @duckdb/node-api's public per-item vector API;
 * - per-lookup latency of both online service strategies on the generated clients.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { DuckDBConnection } from "@duckdb/node-api";
import { generateData, generateWarehouse } from "./generate.js";
import { openOnlineServices, type OnlineServices, type ServiceKind } from "./services.js";
import { TABLES, openWarehouse } from "./warehouse.js";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function timed(reps: number, f: () => Promise<unknown>): Promise<{ median: number; min: number }> {
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    await f();
    times.push(performance.now() - t);
  }
  return { median: median(times), min: Math.min(...times) };
}

/** The public-API way: one getItem per value (validity is tested with BigInt arithmetic inside). */
async function readWithGetItem(connection: DuckDBConnection, sql: string, kinds: readonly ("number" | "string")[]): Promise<number> {
  const result = await connection.run(sql);
  const n = result.rowCount;
  const columns = kinds.map((k) => (k === "number" ? new Float64Array(n) : new Array<string>(n)));
  let offset = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    for (let k = 0; k < kinds.length; k++) {
      const vector = chunk.getColumnVector(k);
      const out = columns[k]!;
      if (kinds[k] === "number")
        for (let i = 0; i < chunk.rowCount; i++) (out as Float64Array)[offset + i] = Number(vector.getItem(i) ?? NaN);
      else for (let i = 0; i < chunk.rowCount; i++) (out as string[])[offset + i] = vector.getItem(i) as string;
    }
    offset += chunk.rowCount;
  }
  return offset;
}

async function lookupLatency(
  services: OnlineServices,
  ids: Float64Array,
  lookups: number,
): Promise<{ mean: number; p50: number; p99: number }> {
  const each = new Float64Array(lookups);
  // Warm up on other ids first.
  for (let i = 0; i < Math.min(200, lookups); i++) {
    const id = ids[(i * 7919 + 13) % ids.length]!;
    await services.survey_service.survey(id);
    await services.login_service.lastLoggedIn(id);
  }
  let total = 0;
  for (let i = 0; i < lookups; i++) {
    const id = ids[(i * 104729 + 1) % ids.length]!;
    const t = performance.now();
    await services.survey_service.survey(id);
    await services.login_service.lastLoggedIn(id);
    const dt = performance.now() - t;
    each[i] = dt;
    total += dt;
  }
  each.sort();
  // Two lookups (survey + login) per iteration: report per lookup.
  return { mean: (total / lookups / 2) * 1000, p50: (quantile(each, 0.5) / 2) * 1000, p99: (quantile(each, 0.99) / 2) * 1000 };
}

export async function measure(options: { clients: number; db: string; reps: number }): Promise<void> {
  const { clients, db, reps } = options;
  const t0 = performance.now();
  const data = generateData({ clients, seed: 1 });
  const genOnly = performance.now() - t0;
  const report = await generateWarehouse({ clients, seed: 1, db });
  console.log(`generate ${clients} clients: ${report.ms.toFixed(0)} ms total (of which in-memory generation ~${genOnly.toFixed(0)} ms)`);

  const warehouse = await openWarehouse(db);
  try {
    const survey = await timed(reps, () => warehouse.readSurvey(TABLES.survey));
    const logins = await timed(reps, () => warehouse.readLogins(TABLES.logins));
    console.log(`readSurvey (${clients} rows): median ${survey.median.toFixed(1)} ms, min ${survey.min.toFixed(1)} ms`);
    console.log(`readLogins (${report.rows.client_logins} rows): median ${logins.median.toFixed(1)} ms, min ${logins.min.toFixed(1)} ms`);
    const c = warehouse.connection;
    const publicSurvey = await timed(reps, () =>
      readWithGetItem(c, `SELECT client_id, budget, age, gender FROM ${TABLES.survey}`, ["number", "number", "number", "string"]),
    );
    console.log(
      `  same survey read with node-api getItem per value: median ${publicSurvey.median.toFixed(1)} ms, min ${publicSurvey.min.toFixed(1)} ms`,
    );

    for (const [kind, lookups] of [
      ["index", 20_000],
      ["query", 2_000],
    ] as [ServiceKind, number][]) {
      const t = performance.now();
      const services = await openOnlineServices(warehouse, { kind });
      const startup = performance.now() - t;
      try {
        const l = await lookupLatency(services, data.survey.client_id, lookups);
        console.log(
          `services '${kind}': start-up ${startup.toFixed(1)} ms; per lookup mean ${l.mean.toFixed(2)} µs, p50 ${l.p50.toFixed(2)} µs, p99 ${l.p99.toFixed(2)} µs (${lookups} clients, survey + login each)`,
        );
      } finally {
        services.close();
      }
    }
  } finally {
    warehouse.close();
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { clients: { type: "string" }, db: { type: "string" }, reps: { type: "string" } } });
  await measure({ clients: Number(values.clients ?? 100_000), db: values.db ?? ".tmp/measure.duckdb", reps: Number(values.reps ?? 9) });
}
