/**
 * Parity of the reference catalog: the batch executor and the SQL targets run on the same
 * generated clients — DuckDB embedded, PostgreSQL, and ClickHouse over a Distributed table on
 * two shards — and every node is compared row by row (matched on client_id). Nodes the
 * translation marks exact must be bit-identical; approximate ones (predictions: exp) must stay
 * within the bound the target states. The table names contain quotes, a semicolon and a comment
 * opener: they reach the engines as quoted identifiers.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateData } from "../../demo/generate.js";
import { FITTED_HASH as BATCH_FITTED_HASH, execute as executeBatch } from "../../generated/batch.js";
import { FITTED_HASH as ONLINE_FITTED_HASH, FITTED_SCHEMA as ONLINE_FITTED_SCHEMA } from "../../generated/online.js";
import { loadFitted, saveFitted } from "../../runtime/fitted-file.js";
import * as clickhouseTarget from "../../generated/clickhouse.js";
import * as duckdbTarget from "../../generated/duckdb.js";
import * as postgresTarget from "../../generated/postgres.js";
import type { Model } from "../../catalog/types.js";
import { clickhouseConnection, duckdbConnection, postgresConnection, type SqlConnection } from "../../runtime/sql/connection.js";
import { compareNode, compareRuns, type NodeParity } from "../../runtime/sql/parity.js";
import { startClickHouse, startPostgres, type ClickHouseCluster, type PostgresServer } from "../support/engines.js";
import { loadClickHouse, loadDuckDB, loadPostgres, referenceColumns } from "../support/sql-data.js";

const SURVEY_TABLE = `survey "results"; -- drop`;
const LOGIN_TABLE = "logins /* all */ 'x'";
const EXECUTION_TIME = Date.UTC(2024, 0, 1);
const MODEL: Model = {
  bias: -0.4,
  weights: { time_since_last_login: -0.035, is_male: -0.3, is_female: 0.7, is_high_roller: 1.6, age_normalized: -0.6 },
};

const data = generateData({ clients: 20_000, seed: 11 });
const { survey: surveyColumns, logins: loginColumns } = referenceColumns(data);

type Target = typeof duckdbTarget;
const TARGETS: Record<string, Target> = {
  duckdb: duckdbTarget,
  postgres: postgresTarget as unknown as Target,
  clickhouse: clickhouseTarget as unknown as Target,
};

let batch: Record<string, ArrayLike<unknown>>;
let fitted: { age_mean: number; age_stddev: number };
let duck: DuckDBInstance;
let postgres: PostgresServer;
let pgClient: pg.Client;
let clickhouse: ClickHouseCluster;
const connections = new Map<string, SqlConnection>();
const parity = new Map<string, NodeParity[]>();

beforeAll(async () => {
  const result = executeBatch(
    [
      "age_mean",
      "age_stddev",
      "client_id",
      "age",
      "budget",
      "gender",
      "last_logged_in",
      "age_normalized",
      "is_male",
      "is_female",
      "is_high_roller",
      "time_since_last_login",
      "features",
      "predictions",
    ],
    {
      warehouse: {
        readSurvey: async (name) => (expect(name).toBe(SURVEY_TABLE), { length: data.survey.client_id.length, columns: data.survey }),
        readLogins: async (name) => (expect(name).toBe(LOGIN_TABLE), { length: data.logins.client_id.length, columns: data.logins }),
      },
      survey_results_table: SURVEY_TABLE,
      client_login_table: LOGIN_TABLE,
      execution_time: EXECUTION_TIME,
      model: MODEL,
    },
  );
  const out = await result;
  fitted = { age_mean: out.age_mean, age_stddev: out.age_stddev };
  const features = Array.from(out.features);
  batch = { ...(out as unknown as Record<string, ArrayLike<unknown>>) };
  for (const field of Object.keys(MODEL.weights)) batch[`features.${field}`] = features.map((f) => f[field as keyof typeof f]);

  [postgres, clickhouse] = await Promise.all([startPostgres(), startClickHouse()]);
  duck = await DuckDBInstance.create(":memory:");
  const duckConnection = await duck.connect();
  pgClient = await postgres.connect();
  await loadDuckDB(duckConnection, SURVEY_TABLE, surveyColumns);
  await loadDuckDB(duckConnection, LOGIN_TABLE, loginColumns);
  await loadPostgres(pgClient, SURVEY_TABLE, surveyColumns);
  await loadPostgres(pgClient, LOGIN_TABLE, loginColumns);
  await loadClickHouse(clickhouse, SURVEY_TABLE, surveyColumns);
  await loadClickHouse(clickhouse, LOGIN_TABLE, loginColumns);
  connections.set("duckdb", duckdbConnection(duckConnection));
  connections.set("postgres", postgresConnection(pgClient));
  connections.set(
    "clickhouse",
    clickhouseConnection({ url: `http://127.0.0.1:${clickhouse.httpPorts[0]}/`, settings: { distributed_product_mode: "global" } }),
  );
}, 120_000);

afterAll(async () => {
  await pgClient?.end();
  await Promise.all([postgres?.stop(), clickhouse?.stop()]);
  duck?.closeSync();
  const nodes = [...new Set([...parity.values()].flatMap((list) => list.map((p) => p.node)))];
  if (nodes.length > 0) {
    const engines = [...parity.keys()];
    const cell = (p: NodeParity | undefined) =>
      p ? (p.verdict === "within-ulps" ? `within ${p.boundUlps} ulp (max ${p.maxUlps}, ${p.rowsDiffering} rows)` : p.verdict) : "-";
    const lines = [`| node | ${engines.join(" | ")} |`, `|---|${engines.map(() => "---").join("|")}|`];
    for (const node of nodes)
      lines.push(`| ${node} | ${engines.map((e) => cell(parity.get(e)!.find((p) => p.node === node))).join(" | ")} |`);
    console.log(`parity with the batch executor, ${data.survey.client_id.length} clients:\n${lines.join("\n")}`);
  }
}, 30_000);

describe.each(Object.keys(TARGETS))("the %s target", (dialect) => {
  it("matches the batch executor: exact nodes bit for bit, approximate ones within their bound", async () => {
    const target = TARGETS[dialect]!;
    const result = await target.execute(connections.get(dialect)!, {
      survey_results_table: SURVEY_TABLE,
      client_login_table: LOGIN_TABLE,
      execution_time: EXECUTION_TIME,
      model: MODEL,
      fitted,
    });
    expect(result.length).toBe(data.survey.client_id.length);
    // Rows come back in the engine's order: compareRuns matches them to the batch rows by client_id.
    const found = compareRuns(batch, result.columns, { key: "client_id", bounds: target.NODES });
    parity.set(dialect, [...found, ...(parity.get(dialect) ?? [])]);
    expect(found.filter((p) => !p.ok)).toEqual([]);
    // Everything but predictions is exact.
    expect(found.filter((p) => p.verdict !== "bit-identical" && p.verdict !== "equal").map((p) => p.node)).toEqual(
      found.filter((p) => p.node === "predictions" && p.verdict === "within-ulps").map((p) => p.node),
    );
  }, 60_000);

  it("fits the @fitted values in the engine, within the stated bound of the batch loop, as an artifact the online target loads", async () => {
    const target = TARGETS[dialect]!;
    const artifact = await target.fit(connections.get(dialect)!, { survey_results_table: SURVEY_TABLE });
    expect(artifact.catalogHash).toBe(BATCH_FITTED_HASH);
    expect(artifact.rows).toBe(data.survey.client_id.length);
    const found = (["age_mean", "age_stddev"] as const).map((name) => {
      const node = target.NODES[name];
      expect(node.fittedBy).toBe("engine");
      expect(node.perRow).toBe(true);
      return compareNode(name, [fitted[name]], [artifact.values[name]], node.boundUlps * artifact.rows);
    });
    parity.set(dialect, [...(parity.get(dialect) ?? []), ...found]);
    expect(found.filter((p) => !p.ok)).toEqual([]);
    // Saved and loaded as any fitted artifact: the online target's hash and schema accept it, bit for bit.
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "featc-fit-")), "fitted.json");
    saveFitted(file, artifact, target.FITTED_SCHEMA);
    const loaded = loadFitted<typeof artifact.values>(file, ONLINE_FITTED_HASH, ONLINE_FITTED_SCHEMA);
    expect(Object.is(loaded.age_mean, artifact.values.age_mean) && Object.is(loaded.age_stddev, artifact.values.age_stddev)).toBe(true);
    fs.rmSync(path.dirname(file), { recursive: true });
  }, 60_000);
});
