/**
 * Connection adapters for SQL targets: each wraps the user's own client (a DuckDB connection, a
 * PostgreSQL client, a ClickHouse HTTP endpoint) behind one small interface that runs a
 * statement with bound scalar parameters and returns typed columns. Doubles travel with their
 * exact bits both ways (text in PostgreSQL's shortest round-trip form, binary for ClickHouse);
 * run-time values are never spliced into SQL text.
 */
import type { DuckDBConnection, DuckDBValue } from "@duckdb/node-api";
import { SqlInputError, type SqlDialect } from "./identifiers.js";

export type SqlValueType = "number" | "boolean" | "string";
export type SqlValue = number | boolean | string;

/** A scalar bound to the statement's `index`-th placeholder (1-based, in the order the statement declares). */
export interface SqlParameter {
  readonly name: string;
  readonly type: SqlValueType;
  readonly value: SqlValue;
  /** The path of the input the value was read from (`model.weights.bias`), which messages name. */
  readonly input?: string;
}

export interface SqlColumnSpec {
  readonly name: string;
  readonly type: SqlValueType;
}

/** The columns of a result, as featc's batch containers hold them. */
export interface SqlResult {
  readonly length: number;
  readonly columns: Readonly<Record<string, Float64Array | boolean[] | string[]>>;
}

export interface SqlConnection {
  readonly dialect: SqlDialect;
  /** Runs a query and reads the named columns with the given types. */
  query(sql: string, parameters: readonly SqlParameter[], columns: readonly SqlColumnSpec[]): Promise<SqlResult>;
  /** Runs a statement that returns no rows (CREATE TABLE … AS, CREATE VIEW, INSERT). */
  execute(sql: string, parameters: readonly SqlParameter[]): Promise<void>;
}

function emptyColumn(type: SqlValueType, length: number): Float64Array | boolean[] | string[] {
  return type === "number" ? new Float64Array(length) : [];
}

/** A SQL NULL has no JavaScript counterpart in a feature's value (NaN stands for a missing number): it is an error. */
function notNull<T>(value: T | null, column: string, row: number): T {
  if (value === null)
    throw new SqlInputError(
      `the result column '${column}' is NULL in row ${row}: SQL targets read inputs without NULLs (NaN for a missing number)`,
    );
  return value;
}

function checkValue(p: SqlParameter): void {
  const ok =
    p.type === "number" ? typeof p.value === "number" : p.type === "boolean" ? typeof p.value === "boolean" : typeof p.value === "string";
  if (!ok) throw new SqlInputError(`parameter '${p.name}' must be a ${p.type}, got ${typeof p.value}`);
  if (p.type === "string" && (p.value as string).includes("\0"))
    throw new SqlInputError(`parameter '${p.name}' contains a NUL character, which SQL text values cannot hold`);
}

/** Adapts a connection of `@duckdb/node-api`. Placeholders are `$1`, `$2`, … */
export function duckdbConnection(connection: DuckDBConnection): SqlConnection {
  const values = (parameters: readonly SqlParameter[]): DuckDBValue[] =>
    parameters.map((p) => {
      checkValue(p);
      return p.value;
    });
  return {
    dialect: "duckdb",
    async query(sql, parameters, columns) {
      // Straight from DuckDB's vectors into typed arrays (featc/duckdb's reader); a NULL is an error there too.
      // Imported here, so that featc/sql loads without @duckdb/node-api for the other engines.
      const { readTable } = await import("../duckdb/read.js");
      const schema = Object.fromEntries(
        columns.map((c) => [c.name, ({ number: "f64", boolean: "bool", string: "string" } as const)[c.type]]),
      );
      const { length, columns: read } = await readTable(connection, { query: sql, params: values(parameters) }, schema);
      return { length, columns: read as Record<string, Float64Array | boolean[] | string[]> };
    },
    async execute(sql, parameters) {
      await connection.run(sql, values(parameters));
    },
  };
}

/** The part of a `pg` client (Client or Pool) the adapter uses. */
export interface PostgresClientLike {
  query(config: { text: string; values: unknown[]; rowMode: "array" }): Promise<{ rows: unknown[][]; fields: { name: string }[] }>;
}

/** A double as PostgreSQL's float8 input reads it back to the same bits ('-0', 'NaN', 'Infinity' included). */
export function float8Text(value: number): string {
  return Object.is(value, -0) ? "-0" : String(value);
}

/** Adapts a `pg` Client or Pool. Placeholders are `$1`, `$2`, … cast to their type in the SQL. */
export function postgresConnection(client: PostgresClientLike): SqlConnection {
  const values = (parameters: readonly SqlParameter[]) =>
    parameters.map((p) => {
      checkValue(p);
      return p.type === "number" ? float8Text(p.value as number) : p.value;
    });
  return {
    dialect: "postgres",
    async query(sql, parameters, columns) {
      const result = await client.query({ text: sql, values: values(parameters), rowMode: "array" });
      const names = result.fields.map((f) => f.name);
      const length = result.rows.length;
      const out: Record<string, Float64Array | boolean[] | string[]> = {};
      for (const spec of columns) {
        const index = names.indexOf(spec.name);
        if (index < 0) throw new Error(`featc: the result has no column '${spec.name}' (it has ${names.join(", ")})`);
        const column = emptyColumn(spec.type, length);
        for (let i = 0; i < length; i++) {
          const v = notNull(result.rows[i]![index], spec.name, i);
          (column as unknown[])[i] = spec.type === "number" && typeof v !== "number" ? Number(v) : v;
        }
        out[spec.name] = column;
      }
      return { length, columns: out };
    },
    async execute(sql, parameters) {
      await client.query({ text: sql, values: values(parameters), rowMode: "array" });
    },
  };
}

export interface ClickHouseOptions {
  /** The server's HTTP interface, e.g. `http://127.0.0.1:8123/`. */
  readonly url: string;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  /**
   * How `{name:Type}` placeholders are bound: `server` sends them as query parameters
   * (ClickHouse ≥ 19.15); `inline` (for older servers) replaces each with its exact value,
   * hex-encoded (`reinterpretAsFloat64(unhex('…'))`, `unhex('…')`), so no value is ever read as SQL.
   */
  readonly parameters?: "server" | "inline";
  /**
   * Query settings sent with every statement, e.g. `{ distributed_product_mode: "global" }` so a
   * lookup of a Distributed table inside a query over a Distributed table is read whole once.
   */
  readonly settings?: Readonly<Record<string, string>>;
}

/** Adapts ClickHouse's HTTP interface; results are read in RowBinary, so doubles keep their bits. */
export function clickhouseConnection(options: ClickHouseOptions): SqlConnection {
  const post = async (sql: string, parameters: readonly SqlParameter[]): Promise<Uint8Array> => {
    parameters.forEach(checkValue);
    const url = new URL(options.url);
    if (options.database) url.searchParams.set("database", options.database);
    for (const [name, value] of Object.entries(options.settings ?? {})) url.searchParams.set(name, value);
    let text = sql;
    if (options.parameters === "server") {
      for (const p of parameters) url.searchParams.set(`param_${p.name}`, p.type === "boolean" ? (p.value ? "1" : "0") : String(p.value));
    } else {
      text = inlineParameters("clickhouse", sql, parameters);
    }
    const headers: Record<string, string> = {};
    if (options.user !== undefined) headers["X-ClickHouse-User"] = options.user;
    if (options.password !== undefined) headers["X-ClickHouse-Key"] = options.password;
    const res = await fetch(url, { method: "POST", body: text, headers });
    const body = new Uint8Array(await res.arrayBuffer());
    if (!res.ok) throw new Error(`ClickHouse: ${new TextDecoder().decode(body).trim()}`);
    return body;
  };
  return {
    dialect: "clickhouse",
    async query(sql, parameters, columns) {
      const wrapped = `SELECT ${columns.map((c) => quoteClickHouse(c.name)).join(", ")} FROM (${sql}) FORMAT RowBinary`;
      return decodeRowBinary(await post(wrapped, parameters), columns);
    },
    async execute(sql, parameters) {
      await post(sql, parameters);
    },
  };
}

function quoteClickHouse(name: string): string {
  return "`" + name.replace(/\\/g, "\\\\").replace(/`/g, "\\`") + "`";
}

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0").toUpperCase();
  return out;
}

/** The exact, injection-free ClickHouse spelling of a value: only hex digits come from the value. */
function clickhouseLiteral(p: SqlParameter): string {
  if (p.type === "number") return `reinterpretAsFloat64(unhex('${hex(new Uint8Array(new Float64Array([p.value as number]).buffer))}'))`;
  if (p.type === "boolean") return p.value ? "toUInt8(1)" : "toUInt8(0)";
  return `unhex('${hex(new TextEncoder().encode(p.value as string))}')`;
}

/** A value as an exact literal of DuckDB or PostgreSQL: a double by its shortest round-trip text, a string quoted. */
function standardLiteral(dialect: "duckdb" | "postgres", p: SqlParameter): string {
  if (p.type === "number") return `'${float8Text(p.value as number)}'::${dialect === "duckdb" ? "DOUBLE" : "float8"}`;
  if (p.type === "boolean") return p.value ? "TRUE" : "FALSE";
  // Doubling the quote is the only escape in a standard string of both engines.
  return `'${(p.value as string).replace(/'/g, "''")}'`;
}

/**
 * Replaces the placeholders of a featc statement (`{name:Type}` in ClickHouse, `$1`, `$2`, … in
 * DuckDB and PostgreSQL) outside string literals, quoted names and comments with each value's
 * exact literal; a placeholder with no parameter is an error.
 */
export function inlineParameters(dialect: SqlDialect, sql: string, parameters: readonly SqlParameter[]): string {
  parameters.forEach(checkValue);
  if (dialect === "clickhouse")
    return scanPlaceholders(sql, /^\{([A-Za-z_][A-Za-z0-9_]*):[A-Za-z0-9()]+\}/, "\\", (name) =>
      clickhouseLiteral(parameterNamed(parameters, name)),
    );
  if (dialect !== "duckdb" && dialect !== "postgres") throw new SqlInputError(`featc has no connection for the ${dialect} dialect`);
  return scanPlaceholders(sql, /^\$([0-9]+)/, undefined, (index) => {
    const p = parameters[Number(index) - 1];
    if (!p) throw new SqlInputError(`no value for the parameter $${index}`);
    return standardLiteral(dialect, p);
  });
}

function parameterNamed(parameters: readonly SqlParameter[], name: string): SqlParameter {
  const p = parameters.find((x) => x.name === name);
  if (!p) throw new SqlInputError(`no value for the parameter '${name}'`);
  return p;
}

/** Walks SQL text, copying quoted text and comments as they are and replacing each placeholder `pattern` matches. */
function scanPlaceholders(sql: string, pattern: RegExp, escape: string | undefined, literal: (name: string) => string): string {
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === "`" || c === '"') {
      let j = i + 1;
      while (j < sql.length && sql[j] !== c) j += sql[j] === escape ? 2 : 1;
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (sql.startsWith("--", i)) {
      const j = sql.indexOf("\n", i);
      const end = j < 0 ? sql.length : j;
      out += sql.slice(i, end);
      i = end;
    } else if (sql.startsWith("/*", i)) {
      const j = sql.indexOf("*/", i + 2);
      const end = j < 0 ? sql.length : j + 2;
      out += sql.slice(i, end);
      i = end;
    } else {
      const m = c === "{" || c === "$" ? pattern.exec(sql.slice(i, i + 200)) : null;
      if (m) {
        out += literal(m[1]!);
        i += m[0].length;
      } else {
        out += c;
        i++;
      }
    }
  }
  return out;
}

function decodeRowBinary(bytes: Uint8Array, columns: readonly SqlColumnSpec[]): SqlResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder();
  const numbers: number[][] = columns.map(() => []);
  const others: (boolean | string)[][] = columns.map(() => []);
  let offset = 0;
  let rows = 0;
  while (offset < bytes.length) {
    columns.forEach((spec, c) => {
      if (spec.type === "number") {
        numbers[c]!.push(view.getFloat64(offset, true));
        offset += 8;
      } else if (spec.type === "boolean") {
        others[c]!.push(bytes[offset] !== 0);
        offset += 1;
      } else {
        let length = 0;
        let shift = 0;
        for (;;) {
          const b = bytes[offset++]!;
          length += (b & 0x7f) * 2 ** shift;
          shift += 7;
          if (b < 0x80) break;
        }
        others[c]!.push(decoder.decode(bytes.subarray(offset, offset + length)));
        offset += length;
      }
    });
    rows++;
  }
  if (offset !== bytes.length) throw new Error("featc: the ClickHouse result does not match the expected column types");
  const out: Record<string, Float64Array | boolean[] | string[]> = {};
  columns.forEach(
    (spec, c) => (out[spec.name] = spec.type === "number" ? Float64Array.from(numbers[c]!) : (others[c] as boolean[] | string[])),
  );
  return { length: rows, columns: out };
}
