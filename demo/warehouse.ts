/**
 * The embedded warehouse behind the reference catalog: a DuckDB database in a local file
 * (default `data/warehouse.duckdb`). It implements the catalog's `Warehouse` by reading whole
 * tables column by column into typed arrays (featc/duckdb's typed loaders: no per-row objects), and
 * writes predictions back through the appender.
 */
import fs from "node:fs";
import path from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import type { Column, Table } from "featc";
import { readTable, writeTable } from "featc/duckdb";
import type { Login, Survey, Warehouse } from "../catalog/types.js";

/** Where the demo keeps its database unless told otherwise (git-ignored). */
export const DEFAULT_WAREHOUSE_PATH = "data/warehouse.duckdb";

/** Default table names, as the generator writes them. */
export const TABLES = {
  survey: "survey_results",
  logins: "client_logins",
  labels: "labels",
  predictions: "predictions",
} as const;

/** A training label per client. */
export interface Label {
  client_id: number;
  label: number;
}

/** The catalog's Warehouse, plus what the demo needs around it. */
export interface DemoWarehouse extends Warehouse {
  /** The database file (or ":memory:"). */
  readonly path: string;
  /** The open connection, for queries the interface does not cover. */
  readonly connection: DuckDBConnection;
  /** A further connection to the same database (for work that must not share the main one); close it yourself. */
  connect(): Promise<DuckDBConnection>;
  /** Every row of a labels table (client_id, label). */
  readLabels(table: string): Promise<Table<Label>>;
  /** Creates or replaces `table` (client_id, prediction) with one row per client. */
  writePredictions(table: string, client_id: Column<number>, predictions: Column<number>): Promise<void>;
  /** Closes the connection and the database; the object is unusable afterwards. */
  close(): void;
}

export interface OpenOptions {
  /** Open the file read-only (several processes may then read it at once). */
  readonly readOnly?: boolean;
}

/** Opens (creating if needed, unless read-only) the warehouse database at `file`. */
export async function openWarehouse(file: string = DEFAULT_WAREHOUSE_PATH, options: OpenOptions = {}): Promise<DemoWarehouse> {
  if (file !== ":memory:") {
    if (options.readOnly && !fs.existsSync(file))
      throw new Error(`warehouse '${file}' does not exist: run \`npx tsx demo/generate.ts --db ${file}\` first`);
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  }
  const instance = await DuckDBInstance.create(file, options.readOnly ? { access_mode: "READ_ONLY" } : {});
  let connection: DuckDBConnection;
  try {
    connection = await instance.connect();
  } catch (e) {
    instance.closeSync();
    throw e;
  }
  let closed = false;
  const open = (): DuckDBConnection => {
    if (closed) throw new Error(`warehouse '${file}' is closed`);
    return connection;
  };
  return {
    path: file,
    connection,
    async connect(): Promise<DuckDBConnection> {
      open();
      return instance.connect();
    },
    // A missing budget, age or login time is NaN, as the online services read it.
    async readSurvey(table: string): Promise<Table<Survey>> {
      return readTable(open(), { table: table.split(".") }, { client_id: "f64", budget: "f64?", age: "f64?", gender: "string" });
    },
    async readLogins(table: string): Promise<Table<Login>> {
      return readTable(open(), { table: table.split(".") }, { client_id: "f64", last_logged_in: "f64?" });
    },
    async readLabels(table: string): Promise<Table<Label>> {
      return readTable(open(), { table: table.split(".") }, { client_id: "f64", label: "f64" });
    },
    async writePredictions(table: string, client_id: Column<number>, predictions: Column<number>): Promise<void> {
      if (client_id.length !== predictions.length)
        throw new RangeError(`writePredictions: ${client_id.length} client ids but ${predictions.length} predictions`);
      let int32 = true;
      for (let i = 0; i < client_id.length; i++)
        if ((client_id[i]! | 0) !== client_id[i]) {
          int32 = false;
          break;
        }
      await writeTable(open(), table.split("."), [
        { name: "client_id", type: int32 ? "INTEGER" : "DOUBLE", values: client_id },
        { name: "prediction", type: "DOUBLE", values: predictions },
      ]);
    },
    close(): void {
      if (closed) return;
      closed = true;
      connection.closeSync();
      instance.closeSync();
    },
  };
}
