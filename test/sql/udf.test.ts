/**
 * `@udf`: nodes outside the translatable subset (a loop over Math.sin, a regular expression)
 * and one inside it (Math.exp, which SQL gives within 1 ulp) run inside DuckDB as scalar
 * functions of the catalog's own compiled code. The fixture is built with the real compiler; the
 * DuckDB target runs on real DuckDB over random rows with NaN, ±0, ±Infinity, subnormals and
 * hostile strings, and every column must be bit-identical to the batch executor of the same
 * catalog and to the functions called directly. BigQuery's and ClickHouse's copies of the
 * functions are compared with their goldens and executed too: BigQuery's function bodies in
 * V8, ClickHouse's scripts as processes on RowBinary rows that a ClickHouse server writes, their
 * results read back by the server.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { duckdbConnection, type SqlConnection } from "../../runtime/sql/connection.js";
import { quoteIdentifier } from "../../runtime/sql/identifiers.js";
import { startClickHouse } from "../support/engines.js";
import {
  loadClickHouse,
  loadDuckDB,
  random,
  randomNumber,
  randomString,
  SPECIAL_NUMBERS,
  SPECIAL_STRINGS,
  type DataColumn,
} from "../support/sql-data.js";
import { REPO, buildOk, importFrom, removeWorkspace, strictTypeCheck, workspace } from "../support/workspace.js";

const FIXTURE = path.join(REPO, "test", "fixtures", "sql", "udf");
const TABLE = `rows "udf"; -- x`;
const ROWS = 5_000;
const SEP = "-'; --";
const FACTOR = -0.1;

type Fn = (...args: unknown[]) => unknown;
interface Result {
  length: number;
  columns: Record<string, ArrayLike<unknown>>;
}
interface SqlTarget {
  execute(connection: SqlConnection, inputs: Record<string, unknown>): Promise<Result>;
  NODES: Record<string, { udf?: string; boundUlps: number }>;
}
interface BatchTarget {
  execute(outputs: readonly string[], inputs: Record<string, unknown>): Result["columns"];
}

const next = random(12);
const x = Array.from({ length: ROWS }, (_, i) => (i < SPECIAL_NUMBERS.length ? SPECIAL_NUMBERS[i]! : randomNumber(next)));
const y = Array.from({ length: ROWS }, (_, i) => SPECIAL_NUMBERS[(i * 7) % SPECIAL_NUMBERS.length]! * (next() < 0.5 ? 1 : next()));
const name = Array.from({ length: ROWS }, (_, i) =>
  i < SPECIAL_STRINGS.length ? SPECIAL_STRINGS[i]! : `${randomString(next)}${next() < 0.3 ? Math.floor(next() * 10) : ""}`,
);
const flag = Array.from({ length: ROWS }, () => next() < 0.5);
const columns: DataColumn[] = [
  { name: "x", type: "number", values: x },
  { name: "y", type: "number", values: y },
  { name: "name", type: "string", values: name },
  { name: "flag", type: "boolean", values: flag },
];
const OUTPUTS = ["has_digit", "slug", "soft", "wave", "wave_scaled"] as const;

let dir: string;
let catalog: Record<string, Fn>;
let duck: DuckDBInstance;
let raw: DuckDBConnection;
let connection: SqlConnection;

beforeAll(async () => {
  dir = workspace("sql-udf", FIXTURE);
  await buildOk(dir);
  catalog = await importFrom<Record<string, Fn>>(dir, "catalog/features.ts");
  duck = await DuckDBInstance.create(":memory:");
  raw = await duck.connect();
  await loadDuckDB(raw, TABLE, columns);
  connection = duckdbConnection(raw);
}, 120_000);

afterAll(() => {
  raw?.closeSync();
  duck?.closeSync();
  if (dir) removeWorkspace(dir);
});

/** The catalog functions called directly, row by row. */
function direct(): Record<(typeof OUTPUTS)[number], unknown[]> {
  const wave = x.map((v, i) => catalog.wave!(v, y[i]));
  return {
    has_digit: name.map((n, i) => catalog.has_digit!(n, flag[i])),
    slug: name.map((n) => catalog.slug!(n, SEP)),
    soft: x.map((v) => catalog.soft!(v)),
    wave,
    wave_scaled: wave.map((w) => (w as number) * FACTOR),
  };
}

/** Row indices where two columns differ (numbers by Object.is: NaN equals NaN, 0 differs from -0). */
function differences(actual: ArrayLike<unknown>, expected: ArrayLike<unknown>): number[] {
  const out: number[] = [];
  for (let i = 0; i < expected.length; i++) if (!Object.is(actual[i], expected[i])) out.push(i);
  return out;
}

describe("DuckDB", () => {
  it("runs each @udf node as the catalog's own function: bit-identical to the batch executor and to direct calls", async () => {
    const duckTarget = await importFrom<SqlTarget>(dir, "generated/duck.ts");
    const batch = await importFrom<BatchTarget>(dir, "generated/batch.ts");
    const sql = await duckTarget.execute(connection, { rows_table: TABLE, sep: SEP, factor: FACTOR });
    const fromBatch = batch.execute(OUTPUTS, {
      x: Float64Array.from(x),
      y: Float64Array.from(y),
      name,
      flag,
      sep: SEP,
      factor: FACTOR,
    });
    const expected = direct();
    expect(sql.length).toBe(ROWS);
    for (const output of OUTPUTS) {
      expect(differences(sql.columns[output]!, fromBatch[output]!), `${output} vs batch`).toEqual([]);
      expect(differences(sql.columns[output]!, expected[output]), `${output} vs direct calls`).toEqual([]);
    }
    // The data does reach the edges: NaN, both zeros and infinities come out of the UDFs.
    const wave = sql.columns.wave as Float64Array;
    expect(wave.some((v) => Number.isNaN(v))).toBe(true);
    expect(wave.some((v) => v === Infinity) && wave.some((v) => v === -Infinity)).toBe(true);
    const soft = sql.columns.soft as Float64Array;
    expect(soft.some((v) => Object.is(v, 0)) && soft.some((v) => v === 1)).toBe(true);
    expect((sql.columns.slug as string[]).some((s) => s.includes(SEP))).toBe(true);
  });

  it("states the @udf nodes in NODES and the .sql file, and calls them in the fused SELECT", async () => {
    const duckTarget = await importFrom<SqlTarget>(dir, "generated/duck.ts");
    for (const n of ["has_digit", "slug", "soft", "wave"])
      expect(duckTarget.NODES[n]).toMatchObject({ udf: "same JavaScript", boundUlps: 0 });
    expect(duckTarget.NODES.wave_scaled!.udf).toBeUndefined();
    const text = fs.readFileSync(path.join(dir, "generated", "duck.sql"), "utf8");
    expect(text).toContain("-- udf (same JavaScript): wave is featc_udf_wave()");
    expect(text).toContain('featc_udf_wave("x", "y") AS "wave"');
    // The module imports the catalog's function: no copy of its source.
    const module = fs.readFileSync(path.join(dir, "generated", "duck.ts"), "utf8");
    expect(module).toContain(
      'import { has_digit as $has_digit, slug as $slug, soft as $soft, wave as $wave } from "../catalog/features.js";',
    );
    expect(module).not.toContain("Math.sin");
  });

  it("materializes the result as a table inside DuckDB, the UDFs registered first", async () => {
    const duckTarget = await importFrom<SqlTarget & { materialize: (c: SqlConnection, i: object, o: object) => Promise<void> }>(
      dir,
      "generated/duck.ts",
    );
    const fresh = await duck.connect();
    try {
      await duckTarget.materialize(
        duckdbConnection(fresh),
        { rows_table: TABLE, sep: SEP, factor: FACTOR },
        { as: "table", name: "udf out" },
      );
      const reader = await fresh.runAndReadAll('SELECT wave, slug FROM "udf out"');
      const expected = direct();
      const rows = reader.getRows();
      expect(rows.length).toBe(ROWS);
      expect(
        differences(
          rows.map((r) => r[0]),
          expected.wave,
        ),
      ).toEqual([]);
      expect(
        differences(
          rows.map((r) => r[1]),
          expected.slug,
        ),
      ).toEqual([]);
    } finally {
      fresh.closeSync();
    }
  });

  it("gives NULL for a row with a NULL argument (as a translated expression does) and keeps the other rows", async () => {
    const reader = await raw.runAndReadAll(
      "SELECT featc_udf_soft(v) IS NULL, featc_udf_slug(s, '-') FROM (VALUES (NULL::DOUBLE, 'A b'), (0.0, NULL), (-0.0, 'x1 Y')) AS t(v, s)",
    );
    expect(reader.getRows()).toEqual([
      [true, "a-b"],
      [false, null],
      [false, "x1-y"],
    ]);
  });

  it("reports a function that throws as a query error naming the UDF", async () => {
    const { registerDuckdbFunctions } = await import("../../runtime/sql/udf.js");
    registerDuckdbFunctions(raw, [
      {
        name: "featc_udf_throws",
        parameters: ["number"],
        returns: "number",
        run: () => {
          throw new Error("no such row");
        },
      },
    ]);
    await expect(raw.run("SELECT featc_udf_throws(1.0)")).rejects.toThrow("featc: featc_udf_throws: no such row");
  });

  it("writes a module that passes tsc --strict", () => {
    expect(strictTypeCheck([path.join(dir, "generated", "duck.ts"), path.join(dir, "generated", "batch.ts")])).toBe("");
  });
});

/** The generated files a golden holds, compared byte for byte (refresh with UPDATE_SNAPSHOTS=1). */
function golden(file: string): string {
  const text = fs.readFileSync(path.join(dir, "generated", file), "utf8");
  const expected = path.join(FIXTURE, "_expected", file);
  if (process.env.UPDATE_SNAPSHOTS === "1") {
    fs.mkdirSync(path.dirname(expected), { recursive: true });
    fs.writeFileSync(expected, text);
  }
  expect(text).toBe(fs.readFileSync(expected, "utf8"));
  return text;
}

/** The body of each `CREATE TEMP FUNCTION name(…) … LANGUAGE js AS r"""body"""` of a BigQuery script. */
function bigqueryBodies(sql: string): Map<string, { params: string[]; body: string }> {
  const out = new Map<string, { params: string[]; body: string }>();
  for (const m of sql.matchAll(/CREATE TEMP FUNCTION (\w+)\(([^)]*)\)\nRETURNS \w+\nLANGUAGE js AS r"""\n([\s\S]*?)\n""";/g))
    out.set(m[1]!, { params: m[2]!.split(", ").map((p) => p.split(" ")[0]!), body: m[3]! });
  return out;
}

describe("BigQuery", () => {
  it("emits a temporary JavaScript function per @udf node, the function's own code with its helpers and constants", () => {
    const sql = golden("bq.sql");
    const bodies = bigqueryBodies(sql);
    expect([...bodies.keys()]).toEqual(["featc_udf_has_digit", "featc_udf_slug", "featc_udf_soft", "featc_udf_wave"]);
    expect(sql).toContain("featc_udf_slug(`name`, @p1) AS `slug`");
  });

  it("computes in V8 what the catalog functions compute, bit for bit", () => {
    const bodies = bigqueryBodies(fs.readFileSync(path.join(dir, "generated", "bq.sql"), "utf8"));
    // What BigQuery does with a body: a function of the declared parameters (test code, not featc's).
    const compile = (udf: string) => {
      const { params, body } = bodies.get(udf)!;
      return new Function(...params, body) as Fn;
    };
    const expected = direct();
    const cases: [string, (i: number) => unknown[], keyof typeof expected][] = [
      ["featc_udf_wave", (i) => [x[i], y[i]], "wave"],
      ["featc_udf_slug", (i) => [name[i], SEP], "slug"],
      ["featc_udf_has_digit", (i) => [name[i], flag[i]], "has_digit"],
      ["featc_udf_soft", (i) => [x[i]], "soft"],
    ];
    for (const [udf, args, node] of cases) {
      const f = compile(udf);
      const got = x.map((_, i) => f(...args(i)));
      expect(differences(got, expected[node]), udf).toEqual([]);
    }
  });
});

describe("ClickHouse (21 and later)", () => {
  const SCRIPTS = ["has_digit", "slug", "soft", "wave"].map((n) => `house.featc_udf_${n}.mjs`);

  it("emits the executable UDF config, one script per @udf node and the one RowBinary module they share", () => {
    golden("house_function.xml");
    expect(golden("house.featc_rowbinary.mjs")).toContain("input.readDoubleLE");
    for (const script of SCRIPTS) {
      const text = golden(script);
      expect(text).toContain('import * as featc_rows from "./house.featc_rowbinary.mjs";');
      expect(text).not.toContain("readDoubleLE");
    }
    expect(golden("house.sql")).toContain("featc_udf_wave(`x`, `y`) AS `wave`");
  });

  it("runs each script on RowBinary rows a ClickHouse server writes, and the server reads its results back with their bits", async () => {
    const cluster = await startClickHouse();
    /** A statement's result in RowBinary, as bytes (the cluster helper decodes text). */
    const binary = async (sql: string) => {
      const res = await fetch(`http://127.0.0.1:${cluster.httpPorts[0]}/`, { method: "POST", body: `${sql} FORMAT RowBinary` });
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (!res.ok) throw new Error(new TextDecoder().decode(bytes));
      return bytes;
    };
    try {
      await loadClickHouse(cluster, "udf_rows", columns, 1);
      const decode = {
        Float64: (b: Uint8Array) => Array.from(new Float64Array(b.slice().buffer)),
        UInt8: (b: Uint8Array) => Array.from(b, (v) => v !== 0),
        String: (b: Uint8Array) => {
          const out: string[] = [];
          for (let at = 0; at < b.length;) {
            let length = 0;
            for (let shift = 0, byte = 0x80; byte >= 0x80; shift += 7) length += ((byte = b[at++]!) & 0x7f) * 2 ** shift;
            out.push(new TextDecoder().decode(b.subarray(at, (at += length))));
          }
          return out;
        },
      };
      const expected = direct();
      const sep = `'${SEP.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
      const cases: [string, string, keyof typeof decode, keyof typeof expected][] = [
        ["house.featc_udf_wave.mjs", "x, y", "Float64", "wave"],
        ["house.featc_udf_soft.mjs", "x", "Float64", "soft"],
        ["house.featc_udf_slug.mjs", `name, ${sep}`, "String", "slug"],
        ["house.featc_udf_has_digit.mjs", "name, flag", "UInt8", "has_digit"],
      ];
      for (const [script, select, type, node] of cases) {
        const input = await binary(`SELECT ${select} FROM udf_rows ORDER BY row_id`);
        const child = spawnSync(process.execPath, [path.join(dir, "generated", script)], { input, maxBuffer: 1 << 26 });
        expect(child.status, child.stderr.toString()).toBe(0);
        const table = script.replace(/\W/g, "_");
        await cluster.query(`CREATE TABLE ${table} (v ${type}) ENGINE = Memory`);
        await cluster.insert(`INSERT INTO ${table} FORMAT RowBinary`, child.stdout, 0);
        const back = decode[type](await binary(`SELECT v FROM ${table} SETTINGS max_threads = 1`));
        expect(differences(back, expected[node]), script).toEqual([]);
      }
    } finally {
      await cluster.stop();
    }
  }, 120_000);
});
