/**
 * Connection adapters for SQL targets: each wraps the user's own client (a DuckDB connection, a
 * PostgreSQL client, a ClickHouse HTTP endpoint) behind one small interface that runs a
 * statement with bound scalar parameters and returns typed columns. Doubles travel with their
 * exact bits both ways (text in PostgreSQL's shortest round-trip form, binary for ClickHouse);
 * run-time values are never spliced into SQL text.
 */
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

/** A chunk's column as a UDF's loop reads it or writes it. */
export type UdfColumn = Float64Array | boolean[] | string[];

/** A scalar function of a `@udf` node, as a generated module declares it. */
export interface SqlScalarFunction {
  /** The engine's name: letters, digits and underscores only. */
  readonly name: string;
  readonly parameters: readonly SqlValueType[];
  readonly returns: SqlValueType;
  /** Computes `out[0 … rows - 1]` from the argument columns: one call of the catalog function per row. */
  readonly run: (args: readonly UdfColumn[], out: UdfColumn, rows: number) => void;
}

export interface SqlConnection {
  readonly dialect: SqlDialect;
  /**
   * Whether the engine runs this connection's queries side by side (ClickHouse: each is an HTTP
   * request of its own). A statement's key checks then run beside it instead of before it.
   */
  readonly concurrent?: boolean;
  /** Makes `@udf` functions known to the engine, for the engines that call featc's JavaScript in process (DuckDB). */
  registerFunctions?(functions: readonly SqlScalarFunction[]): Promise<void>;
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

/**
 * What the adapter uses of a `@duckdb/node-api` connection (a `DuckDBConnection`), by its shape:
 * featc/sql's types do not reach DuckDB's declarations, which every program that imports
 * featc/sql (a catalog, for `sqlTable` or `lookup`) would otherwise read.
 */
export interface DuckDBConnectionLike {
  run(sql: string, values?: SqlValue[]): Promise<unknown>;
}

/** Adapts a connection of `@duckdb/node-api`. Placeholders are `$1`, `$2`, … */
export function duckdbConnection(connection: DuckDBConnectionLike): SqlConnection {
  const values = (parameters: readonly SqlParameter[]): SqlValue[] =>
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
      const duckdb = connection as Parameters<typeof readTable>[0];
      const { length, columns: read } = await readTable(duckdb, { query: sql, params: values(parameters) }, schema);
      return { length, columns: read as Record<string, Float64Array | boolean[] | string[]> };
    },
    async execute(sql, parameters) {
      await connection.run(sql, values(parameters));
    },
    async registerFunctions(functions) {
      const { registerDuckdbFunctions } = await import("./udf.js");
      registerDuckdbFunctions(connection as Parameters<typeof registerDuckdbFunctions>[0], functions);
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

/**
 * Adapts ClickHouse's HTTP interface; results are read in the Native format, so doubles keep
 * their bits. A query (a read, safe to repeat) is sent again once when the connection fails
 * before a response arrives, as when the server closed an idle keep-alive connection just as
 * the request went out; a statement that writes is never repeated.
 */
export function clickhouseConnection(options: ClickHouseOptions): SqlConnection {
  const post = async (sql: string, parameters: readonly SqlParameter[], idempotent = false): Promise<Uint8Array> => {
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
    const send = () => fetch(url, { method: "POST", body: text, headers });
    const res = await send().catch((e: unknown) => {
      if (idempotent && connectionLost(e)) return send();
      throw e;
    });
    const body = new Uint8Array(await res.arrayBuffer());
    if (!res.ok) throw new Error(`ClickHouse: ${new TextDecoder().decode(body).trim()}`);
    return body;
  };
  return {
    dialect: "clickhouse",
    concurrent: true,
    async query(sql, parameters, columns) {
      const wrapped = `SELECT ${columns.map((c) => quoteClickHouse(c.name)).join(", ")} FROM (${sql}) FORMAT Native`;
      return decodeNative(await post(wrapped, parameters, true), columns);
    },
    async execute(sql, parameters) {
      await post(sql, parameters);
    },
  };
}

/** Whether `fetch` failed because the connection closed or reset before a response (not a refused or timed-out one). */
function connectionLost(e: unknown): boolean {
  const cause = (e as { cause?: { code?: string } } | undefined)?.cause;
  return ["UND_ERR_SOCKET", "ECONNRESET", "EPIPE"].includes(cause?.code ?? "");
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

/** The ClickHouse column type each featc value type is read from. */
const CLICKHOUSE_TYPE: Readonly<Record<SqlValueType, string>> = { number: "Float64", boolean: "UInt8", string: "String" };

/** One column of one block of a Native result: where its values are in the body. */
interface NativeColumn {
  readonly start: number;
  /** For String columns, where each value's bytes start and end, in pairs (varint lengths read once). */
  readonly strings?: Uint32Array;
}

/**
 * Decodes a result in ClickHouse's Native format (columnar: blocks, each with its row count and,
 * per column, its name, its type and its values one after another). Float64 values are copied a
 * block at a time into the Float64Array (their bits as sent), UInt8 into booleans, and short
 * strings are decoded once per distinct value. Each column's name and type are checked against
 * what the statement declares.
 */
function decodeNative(bytes: Uint8Array, columns: readonly SqlColumnSpec[]): SqlResult {
  let offset = 0;
  const truncated = () => new Error("featc: the ClickHouse result ends inside a block");
  const varint = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (offset >= bytes.length) throw truncated();
      const b = bytes[offset++]!;
      value += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) return value;
    }
  };
  const utf8 = new TextDecoder();
  const text = (): string => {
    const length = varint();
    if (offset + length > bytes.length) throw truncated();
    offset += length;
    return utf8.decode(bytes.subarray(offset - length, offset));
  };
  const blocks: { rows: number; columns: NativeColumn[] }[] = [];
  let total = 0;
  while (offset < bytes.length) {
    const count = varint();
    const rows = varint();
    if (count !== columns.length)
      throw new Error(`featc: the ClickHouse result has ${count} columns where the statement declares ${columns.length}`);
    const block: NativeColumn[] = [];
    for (const spec of columns) {
      const name = text();
      const type = text();
      if (name !== spec.name || type !== CLICKHOUSE_TYPE[spec.type])
        throw new Error(
          `featc: the ClickHouse result column '${name}' is ${type}, where the statement declares '${spec.name}' ${CLICKHOUSE_TYPE[spec.type]}`,
        );
      const start = offset;
      if (spec.type === "string") {
        const strings = new Uint32Array(2 * rows);
        for (let i = 0; i < rows; i++) {
          const length = varint();
          strings[2 * i] = offset;
          offset += length;
          strings[2 * i + 1] = offset;
        }
        block.push({ start, strings });
      } else {
        offset += rows * (spec.type === "number" ? 8 : 1);
        block.push({ start });
      }
      if (offset > bytes.length) throw truncated();
    }
    blocks.push({ rows, columns: block });
    total += rows;
  }
  const out: Record<string, Float64Array | boolean[] | string[]> = {};
  columns.forEach((spec, c) => {
    if (spec.type === "number") {
      const values = new Float64Array(total);
      const target = new Uint8Array(values.buffer);
      let row = 0;
      for (const { rows, columns: block } of blocks) {
        const start = block[c]!.start;
        target.set(bytes.subarray(start, start + rows * 8), row * 8);
        row += rows;
      }
      out[spec.name] = values;
    } else if (spec.type === "boolean") {
      const flags = new Uint8Array(total);
      let row = 0;
      for (const { rows, columns: block } of blocks) {
        const start = block[c]!.start;
        flags.set(bytes.subarray(start, start + rows), row);
        row += rows;
      }
      out[spec.name] = Array.from({ length: total }, (_, i) => flags[i] !== 0);
    } else {
      const strings = new ByteStrings(bytes, utf8);
      const values: string[] = Array.from({ length: total }, () => "");
      let row = 0;
      for (const { rows, columns: block } of blocks) {
        const bounds = block[c]!.strings!;
        for (let i = 0; i < rows; i++) values[row + i] = strings.get(bounds[2 * i]!, bounds[2 * i + 1]!);
        row += rows;
      }
      out[spec.name] = values;
    }
  });
  return { length: total, columns: out };
}

/** Strings of one column decoded from UTF-8 once per distinct value of up to 32 bytes (at most 4096 of them). */
class ByteStrings {
  private readonly table = new Map<number, { readonly start: number; readonly end: number; readonly text: string }[]>();
  private size = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly utf8: { decode(bytes: Uint8Array): string },
  ) {}

  get(start: number, end: number): string {
    const bytes = this.bytes;
    if (end - start > 32) return this.utf8.decode(bytes.subarray(start, end));
    let hash = 0x811c9dc5 ^ (end - start);
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
    const chain = this.table.get(hash);
    if (chain)
      for (const entry of chain) {
        if (entry.end - entry.start !== end - start) continue;
        let same = true;
        for (let i = 0; same && i < end - start; i++) same = bytes[entry.start + i] === bytes[start + i];
        if (same) return entry.text;
      }
    const text = this.utf8.decode(bytes.subarray(start, end));
    if (this.size < 4096) {
      this.size++;
      const entry = { start, end, text };
      if (chain) chain.push(entry);
      else this.table.set(hash, [entry]);
    }
    return text;
  }
}
