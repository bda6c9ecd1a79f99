/**
 * `@check` in the SQL targets: a catalog with a range, a notNull, a oneOf, a `warn` check, a
 * check of a @fitted value and a validator-function check is built for batch and for DuckDB,
 * PostgreSQL and two-shard ClickHouse. On data that passes and on data that fails each check, the
 * SQL target does what the batch executor does on the same rows: the same CheckFailedError (node,
 * check, rows failed of how many; the first rows too where the engine keeps the table's order),
 * the same warnings, nothing when all pass. The validator check has no translation: FC2005 at the
 * check, listed in UNCHECKED and in the .sql header.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BuildResult } from "../../compiler/build.js";
import { CheckFailedError, MissingInputError, type CheckWarning } from "../../runtime/errors.js";
import type { SqlConnection } from "../../runtime/sql/connection.js";
import type { MaterializeOptions } from "../../runtime/sql/statement.js";
import type { DataColumn } from "../support/sql-data.js";
import { startSqlEngines, type SqlEngines } from "../support/sql-engines.js";
import { REPO, buildOk, importFrom, removeWorkspace, strictTypeCheck, workspace } from "../support/workspace.js";

interface Options {
  onWarning?: (w: CheckWarning) => void;
}
interface SqlTarget {
  execute(connection: SqlConnection, inputs: { events_table: string }, options?: Options): Promise<{ length: number }>;
  materialize(connection: SqlConnection, inputs: { events_table: string }, options: MaterializeOptions): Promise<void>;
  UNCHECKED: readonly { node: string; check: string; reason: string }[];
}
interface BatchTarget {
  OUTPUT_NAMES: readonly string[];
  execute(outputs: readonly string[], inputs: unknown, options?: Options): unknown;
}

/** The rows of each case: `x` and `y` per row (ids count from 0). */
const small = (n: number) => Array.from({ length: n }, (_, i) => 1 + (i % 40));
// Each failing case fails one check that throws (the `warn` check may fail beside it).
const CASES: Record<string, { x: number[]; y?: number[]; fails?: string }> = {
  pass: { x: small(30) },
  warn: { x: [...small(30), 150, 320] },
  range: { x: [...small(30), 1050, 2, 1200], fails: "scaled" },
  notNull: { x: [...small(20), 0, 5, 0], y: [...small(20), 0, 1, 0], fails: "ratio" },
  oneOf: { x: [...small(30), -5, 3, -7], fails: "band" },
  fitted: { x: Array.from({ length: 12 }, () => 130), fails: "x_mean" },
};
const table = (name: string) => `events ${name}`;

let dir: string;
let build: BuildResult;
let batch: BatchTarget;
const targets: Record<string, SqlTarget> = {};
let engines: SqlEngines;
const DIALECT = { duck: "duckdb", pg: "postgres", house: "clickhouse" } as const;

function rowsOf(name: string): { id: number[]; x: number[]; y: number[] } {
  const c = CASES[name]!;
  return { id: c.x.map((_, i) => i), x: c.x, y: c.y ?? c.x.map(() => 1) };
}

/** What a run ends with: the error it throws, if any, and the warnings it reports. */
async function outcome(run: (options: Options) => unknown): Promise<{ error?: unknown; warnings: CheckWarning[] }> {
  const warnings: CheckWarning[] = [];
  try {
    await run({ onWarning: (w) => warnings.push(w) });
    return { warnings };
  } catch (error) {
    return { error, warnings };
  }
}

function batchOutcome(name: string) {
  const rows = rowsOf(name);
  const events_data = { length: rows.id.length, columns: { id: rows.id, x: rows.x, y: rows.y } };
  return outcome((options) => batch.execute(batch.OUTPUT_NAMES, { events_data }, options));
}

beforeAll(async () => {
  dir = workspace("sql-checks", path.join(REPO, "test", "fixtures", "sql", "checks"));
  build = await buildOk(dir);
  batch = await importFrom<BatchTarget>(dir, "generated/batch.ts");
  for (const t of Object.keys(DIALECT)) targets[t] = await importFrom<SqlTarget>(dir, `generated/${t}.ts`);
  engines = await startSqlEngines();
  for (const name of Object.keys(CASES)) {
    const rows = rowsOf(name);
    const columns: DataColumn[] = [
      { name: "id", type: "number", values: rows.id },
      { name: "x", type: "number", values: rows.x },
      { name: "y", type: "number", values: rows.y },
    ];
    await engines.load(table(name), columns);
  }
}, 180_000);

afterAll(async () => {
  await engines?.stop();
  if (dir) removeWorkspace(dir);
}, 30_000);

describe("the SQL modules", () => {
  it("pass tsc --strict with the catalog", () => {
    expect(strictTypeCheck(Object.keys(DIALECT).map((t) => path.join(dir, "generated", `${t}.ts`)))).toBe("");
  });

  it("say no inputs object is a MissingInputError before the fit runs", async () => {
    for (const t of Object.keys(DIALECT)) {
      const run = await outcome(() => targets[t]!.execute(engines.connection(DIALECT[t as keyof typeof DIALECT]), null as never));
      expect(run.error).toBeInstanceOf(MissingInputError);
    }
  });
});

describe("a check with no SQL translation", () => {
  it("is FC2005 at the check in each SQL target, listed in UNCHECKED and in the .sql header", () => {
    const warnings = build.diagnostics.filter((d) => d.code === "FC2005");
    expect(warnings.map((d) => d.severity)).toEqual(["warning", "warning", "warning"]);
    for (const d of warnings) {
      expect(path.relative(dir, d.span!.file)).toBe(path.join("catalog", "features.ts"));
      expect([d.span!.line, d.span!.column]).toEqual([70, 6]);
      expect(d.message).toContain("@check isEven on 'twice' has no SQL translation");
    }
    for (const t of Object.keys(DIALECT)) {
      expect(targets[t]!.UNCHECKED).toEqual([
        { node: "twice", check: "isEven", reason: "the validator function 'isEven' runs only in JavaScript" },
      ]);
      expect(fs.readFileSync(path.join(dir, "generated", `${t}.sql`), "utf8")).toContain(
        "-- not checked here: @check isEven on twice (the validator function 'isEven' runs only in JavaScript)",
      );
    }
  });
});

describe.each(Object.keys(DIALECT))("the %s target", (t) => {
  // ClickHouse reads the two shards' rows in any order, so the first failing rows are compared by count only.
  const ordered = t !== "house";
  const comparable = (w: { node: string; check: string; failed: number; total: number; firstIndices: readonly number[] }) => ({
    node: w.node,
    check: w.check,
    failed: w.failed,
    total: w.total,
    ...(ordered ? { firstIndices: w.firstIndices } : { first: w.firstIndices.length }),
  });
  const byNode = (ws: CheckWarning[]) => ws.map(comparable).sort((a, b) => (a.node < b.node ? -1 : 1));

  it.each(Object.keys(CASES))("runs the checks as the batch executor does on the %s data", async (name) => {
    const want = await batchOutcome(name);
    const got = await outcome((options) =>
      targets[t]!.execute(engines.connection(DIALECT[t as keyof typeof DIALECT]), { events_table: table(name) }, options),
    );
    const expected = CASES[name]!;
    if (expected.fails) {
      expect(want.error).toBeInstanceOf(CheckFailedError);
      expect(got.error).toBeInstanceOf(CheckFailedError);
      const [a, b] = [want.error as CheckFailedError, got.error as CheckFailedError];
      expect(b.node).toBe(expected.fails);
      expect(comparable(b)).toEqual(comparable(a));
      if (ordered) expect(b.message).toBe(a.message);
    } else {
      expect(want.error).toBeUndefined();
      expect(got.error).toBeUndefined();
    }
    // A run that throws stops at its failure, so which warnings came before it depends on each executor's order.
    if (!expected.fails) expect(byNode(got.warnings)).toEqual(byNode(want.warnings));
    else for (const w of got.warnings) expect(w.message).toMatch(/^check 'range\(0, 1\)' failed on node 'share'/);
  });

  it("checks before materializing: a failure creates nothing, data that passes is created without the check columns", async () => {
    const connection = engines.connection(DIALECT[t as keyof typeof DIALECT]);
    const made = `checked_${t}`;
    const failed = await outcome((options) =>
      targets[t]!.materialize(connection, { events_table: table("notNull") }, { as: "table", name: `${made}_no`, ...options }),
    );
    const want = await batchOutcome("notNull");
    expect(failed.error).toBeInstanceOf(CheckFailedError);
    const e = failed.error as CheckFailedError;
    const a = want.error as CheckFailedError;
    expect([e.node, e.check, e.failed, e.total, e.firstIndices]).toEqual([a.node, a.check, a.failed, a.total, []]);
    await targets[t]!.materialize(connection, { events_table: table("pass") }, { as: "view", name: `${made}_yes` });
    const result = await connection.query(`SELECT * FROM ${made}_yes`, [], [{ name: "ratio", type: "number" }]);
    expect(result.length).toBe(30);
    const gone = await outcome(() => connection.query(`SELECT * FROM ${made}_no`, [], [{ name: "ratio", type: "number" }]));
    expect(gone.error).toBeDefined();
    const columns = await connection
      .query(`SELECT featc_check1 FROM ${made}_yes`, [], [{ name: "featc_check1", type: "boolean" }])
      .catch((error: unknown) => error);
    expect(columns).toBeInstanceOf(Error);
  });
});
