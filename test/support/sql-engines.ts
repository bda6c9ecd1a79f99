/**
 * The three engines the SQL tests run on, started together: an embedded DuckDB, a PostgreSQL
 * server and a two-shard ClickHouse cluster, with a featc/sql connection to each (by dialect)
 * and one call that loads a table into all three.
 */
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import type pg from "pg";
import { clickhouseConnection, duckdbConnection, postgresConnection, type SqlConnection } from "../../runtime/sql/connection.js";
import type { SqlDialect } from "../../runtime/sql/identifiers.js";
import { startClickHouse, startPostgres, type ClickHouseCluster } from "./engines.js";
import { loadClickHouse, loadDuckDB, loadPostgres, type DataColumn } from "./sql-data.js";

export interface SqlEngines {
  readonly duckdb: DuckDBConnection;
  readonly postgres: pg.Client;
  readonly clickhouse: ClickHouseCluster;
  /** A connection per dialect that runs here. */
  connection(dialect: SqlDialect): SqlConnection;
  /** Creates `table` in every engine (a Distributed table over both shards in ClickHouse) and loads the rows. */
  load(table: string, columns: readonly DataColumn[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startSqlEngines(): Promise<SqlEngines> {
  const [postgres, clickhouse] = await Promise.all([startPostgres(), startClickHouse()]);
  const instance = await DuckDBInstance.create(":memory:");
  const duckdb = await instance.connect();
  const client = await postgres.connect();
  const connections = new Map<SqlDialect, SqlConnection>([
    ["duckdb", duckdbConnection(duckdb)],
    ["postgres", postgresConnection(client)],
    // A lookup of a Distributed table inside a query over a Distributed table is read whole once.
    [
      "clickhouse",
      clickhouseConnection({ url: `http://127.0.0.1:${clickhouse.httpPorts[0]}/`, settings: { distributed_product_mode: "global" } }),
    ],
  ]);
  return {
    duckdb,
    postgres: client,
    clickhouse,
    connection: (dialect) => {
      const c = connections.get(dialect);
      if (!c) throw new Error(`no ${dialect} engine runs in the tests`);
      return c;
    },
    load: async (table, columns) => {
      await loadDuckDB(duckdb, table, columns);
      await loadPostgres(client, table, columns);
      await loadClickHouse(clickhouse, table, columns);
    },
    stop: async () => {
      await client.end();
      await Promise.all([postgres.stop(), clickhouse.stop()]);
      instance.closeSync();
    },
  };
}
