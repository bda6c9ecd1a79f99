/**
 * `@window` end to end on the 'timeseries' fixture catalog (lags, rolling mean/std/max/sum over
 * rows and over day ranges, a reducer of two frames, label encoders by @parameterize, sales read
 * from a CSV file with featc/duckdb): the generated batch executor against a naive evaluation —
 * each row's frame built from the definition and the catalog's own function called on it — and
 * the generated online executor, given each row's history, against the batch run, bit for bit;
 * the DuckDB and PostgreSQL targets' window functions, run on their engines, against the batch run
 * (exactly where the manifest says exact, within a stated tolerance where it says the engine sums
 * in its own order).
 * The data is random with a seed: ties and gaps in the days, NULL (NaN) units and prices, items
 * with fewer rows than any frame, tables in day order and shuffled.
 */
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyze } from "../compiler/analyze.js";
import type { Manifest } from "../compiler/graph/manifest.js";
import { duckdbConnection, postgresConnection, type SqlConnection } from "../runtime/sql/connection.js";
import type { Sale } from "./fixtures/timeseries/catalog/loaders.js";
import { featc } from "./lineage/cli.js";
import { startPostgres } from "./support/engines.js";
import { loadPostgres } from "./support/sql-data.js";
import { REPO, buildOk, importFrom, removeWorkspace, workspace, strictTypeCheck } from "./support/workspace.js";

const FIXTURE = path.join(REPO, "test", "fixtures", "timeseries");

type Frame = Float64Array;
interface Catalog {
  units_lag_1(units: Frame): number;
  units_lag_7(units: Frame): number;
  units_mean_7(units: Frame): number;
  units_std_7(units: Frame): number;
  units_max_7(units: Frame): number;
  units_sum_28d(units: Frame): number;
  price_mean_14d(price: Frame): number;
  price_min_7d(price: Frame): number;
  units_trend_7(units: Frame): number;
  revenue_7d(units: Frame, price: Frame, discount: number): number;
  sales_28d(store_id: string[]): number;
  store_last(store_id: string[]): string | undefined;
  store_first_7(store_id: string[]): string | undefined;
  store_moves_7(store_id: string[]): number;
  promo_last(promo: boolean[]): boolean | undefined;
  promo_days_14d(promo: boolean[]): number;
  discount(): number;
  label_encode(value: string, vocab: readonly string[]): number;
}
type Execute = (
  outputs: readonly string[],
  inputs: Record<string, unknown>,
) => Record<string, ArrayLike<unknown>> | Promise<Record<string, ArrayLike<unknown>>>;
interface Executor {
  execute: Execute;
  OUTPUT_NAMES: readonly string[];
}

/** A row's frames, built by definition: each column's values in the frame, oldest first. */
interface Frames {
  units: Frame;
  price: Frame;
  store_id: string[];
  promo: boolean[];
}

/** Each window node: its frame and how the naive evaluation calls the catalog's function on it. */
const WINDOWS: Record<string, { kind: "rows" | "range"; size: number; lag: number; call: (f: Catalog, w: Frames) => unknown }> = {
  units_lag_1: { kind: "rows", size: 1, lag: 1, call: (f, w) => f.units_lag_1(w.units) },
  units_lag_7: { kind: "rows", size: 1, lag: 7, call: (f, w) => f.units_lag_7(w.units) },
  units_mean_7: { kind: "rows", size: 7, lag: 1, call: (f, w) => f.units_mean_7(w.units) },
  units_std_7: { kind: "rows", size: 7, lag: 1, call: (f, w) => f.units_std_7(w.units) },
  units_max_7: { kind: "rows", size: 7, lag: 1, call: (f, w) => f.units_max_7(w.units) },
  units_trend_7: { kind: "rows", size: 7, lag: 1, call: (f, w) => f.units_trend_7(w.units) },
  units_sum_28d: { kind: "range", size: 28, lag: 1, call: (f, w) => f.units_sum_28d(w.units) },
  price_mean_14d: { kind: "range", size: 14, lag: 1, call: (f, w) => f.price_mean_14d(w.price) },
  price_min_7d: { kind: "range", size: 7, lag: 1, call: (f, w) => f.price_min_7d(w.price) },
  revenue_7d: { kind: "range", size: 7, lag: 1, call: (f, w) => f.revenue_7d(w.units, w.price, f.discount()) },
  sales_28d: { kind: "range", size: 28, lag: 1, call: (f, w) => f.sales_28d(w.store_id) },
  store_last: { kind: "rows", size: 1, lag: 1, call: (f, w) => f.store_last(w.store_id) },
  store_first_7: { kind: "rows", size: 7, lag: 1, call: (f, w) => f.store_first_7(w.store_id) },
  store_moves_7: { kind: "rows", size: 7, lag: 1, call: (f, w) => f.store_moves_7(w.store_id) },
  promo_last: { kind: "rows", size: 1, lag: 1, call: (f, w) => f.promo_last(w.promo) },
  promo_days_14d: { kind: "range", size: 14, lag: 1, call: (f, w) => f.promo_days_14d(w.promo) },
};
const STORES = ["CA_1", "TX_2", "WI_3", "NY_9"];
const STORE_VOCAB = ["CA_1", "TX_2", "WI_3"];
const DEPTS = ["FOODS", "HOBBIES", "TOYS"];
const DEPT_VOCAB = ["FOODS", "TOYS"];

/** Sales of a few items: runs of days with gaps, the same day twice (ties), NULL units and prices, items with one or two rows. */
const sales: fc.Arbitrary<{ rows: Sale[]; inDayOrder: boolean }> = fc
  .record({
    items: fc.array(
      fc.record({
        steps: fc.array(
          fc.oneof(
            { weight: 6, arbitrary: fc.constant(1) },
            { weight: 2, arbitrary: fc.constant(0) },
            { weight: 2, arbitrary: fc.integer({ min: 2, max: 20 }) },
          ),
          { minLength: 1, maxLength: 60 },
        ),
        start: fc.integer({ min: 0, max: 30 }),
        dept: fc.constantFrom(...DEPTS),
      }),
      { minLength: 1, maxLength: 8 },
    ),
    units: fc.array(fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 40 }) }, { weight: 1, arbitrary: fc.constant(NaN) }), {
      minLength: 500,
      maxLength: 500,
    }),
    cents: fc.array(fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 99_999 }) }, { weight: 1, arbitrary: fc.constant(NaN) }), {
      minLength: 500,
      maxLength: 500,
    }),
    // An item sells in one store or another from day to day, on promotion or not.
    stores: fc.array(fc.constantFrom(...STORES), { minLength: 500, maxLength: 500 }),
    promos: fc.array(fc.boolean(), { minLength: 500, maxLength: 500 }),
    inDayOrder: fc.boolean(),
    shuffle: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .map(({ items, units, cents, stores, promos, inDayOrder, shuffle }) => {
    const rows: Sale[] = [];
    items.forEach((item, id) => {
      let day = item.start;
      for (const step of item.steps) {
        day += step;
        const k = rows.length % units.length;
        rows.push({
          item_id: id * 7 + 3,
          day,
          units: units[k]!,
          price: cents[k]! / 100,
          store_id: stores[k]!,
          dept_id: item.dept,
          promo: promos[k]!,
        });
      }
    });
    // In day order (ties in their order) — the streamed path — or shuffled, which the kernels sort.
    let state = shuffle;
    const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    const keyed = rows.map((r, i) => ({ r, i, k: inDayOrder ? r.day : random() }));
    keyed.sort((a, b) => a.k - b.k || a.i - b.i);
    return { rows: keyed.map((x) => x.r), inDayOrder };
  });

let dir: string;
let batch: Executor;
let online: Executor;
let f: Catalog;
let db: DuckDBConnection;
let loaders: { SALE_COLUMNS: string };
interface SqlTarget {
  execute(
    connection: SqlConnection,
    inputs: { sales_table: string },
  ): Promise<{ length: number; columns: Record<string, ArrayLike<unknown>> }>;
  NODES: Record<string, { approximate: readonly string[] }>;
}
let sql: SqlTarget;
let pgSql: SqlTarget;

beforeAll(async () => {
  dir = workspace("window", FIXTURE);
  await buildOk(dir);
  batch = await importFrom(dir, "generated/batch.ts");
  online = await importFrom(dir, "generated/online.ts");
  sql = await importFrom(dir, "generated/duckdb.ts");
  pgSql = await importFrom(dir, "generated/postgres.ts");
  f = await importFrom<Catalog>(dir, "catalog/features.ts");
  loaders = await importFrom(dir, "catalog/loaders.ts");
  db = await (await DuckDBInstance.create(":memory:")).connect();
}, 60_000);
afterAll(() => {
  db?.closeSync();
  removeWorkspace(dir);
});

function csv(rows: readonly Sale[]): string {
  const field = (x: number) => (Number.isNaN(x) ? "" : String(x));
  return (
    [
      "item_id,day,units,price,store_id,dept_id,promo",
      ...rows.map((r) => [r.item_id, r.day, field(r.units), field(r.price), r.store_id, r.dept_id, r.promo].join(",")),
    ].join("\n") + "\n"
  );
}

/** The rows of row i's item, in (day, row) order, and where row i is among them: the definition of the grouping. */
function groupOf(rows: readonly Sale[], i: number): { members: number[]; p: number } {
  const members = rows.map((_, j) => j).filter((j) => rows[j]!.item_id === rows[i]!.item_id);
  members.sort((a, b) => rows[a]!.day - rows[b]!.day || a - b);
  return { members, p: members.indexOf(i) };
}

/** Row i's frame, by definition: the rows `lag` to `lag + size − 1` back, or those with day in (t − lag − size, t − lag]. */
function naiveFrame(rows: readonly Sale[], i: number, w: { kind: "rows" | "range"; size: number; lag: number }): number[] {
  const { members, p } = groupOf(rows, i);
  const t = rows[i]!.day;
  return members.filter((j, q) =>
    w.kind === "rows" ? q <= p - w.lag && q > p - w.lag - w.size : rows[j]!.day <= t - w.lag && rows[j]!.day > t - w.lag - w.size,
  );
}

const same = (a: unknown, b: unknown) => Object.is(a, b);

async function runBatch(rows: readonly Sale[]): Promise<Record<string, ArrayLike<unknown>>> {
  const file = path.join(dir, "sales.csv");
  fs.writeFileSync(file, csv(rows));
  return await batch.execute(batch.OUTPUT_NAMES, { db, sales_csv: file, store_vocab: STORE_VOCAB, dept_vocab: DEPT_VOCAB });
}

/** The windows a SQL engine sums in its own order: compared with batch within rounding, the others exactly. */
const SUMMED = new Set(["units_mean_7", "units_std_7", "units_sum_28d", "price_mean_14d"]);

/**
 * A SQL target's rows against the batch run's. The statement's rows come in the engine's order:
 * matched by (item, day). A rows frame is compared only for items without ties: the engine orders
 * rows of the same day as it sorts them (PostgreSQL's sort is not stable), featc in table order.
 * Returns how many values of rows frames it compared.
 */
function expectLikeBatch(
  engine: string,
  rows: readonly Sale[],
  out: Record<string, ArrayLike<unknown>>,
  got: { length: number; columns: Record<string, ArrayLike<unknown>> },
): number {
  expect(got.length).toBe(rows.length);
  const byKey = new Map<string, number[]>();
  rows.forEach((r, i) => byKey.set(`${r.item_id}/${r.day}`, [...(byKey.get(`${r.item_id}/${r.day}`) ?? []), i]));
  let compared = 0;
  const tied = new Set([...byKey.values()].filter((same) => same.length > 1).map((same) => rows[same[0]!]!.item_id));
  for (let k = 0; k < got.length; k++) {
    const i = byKey.get(`${got.columns.item_id![k]}/${got.columns.day![k]}`)![0]!;
    for (const [name, w] of Object.entries(WINDOWS)) {
      if (!(name in got.columns) || (w.kind === "rows" && tied.has(rows[i]!.item_id))) continue;
      const want = out[name]![i] as number;
      const have = got.columns[name]![k] as number;
      const close = SUMMED.has(name) ? Math.abs(have - want) <= 1e-9 * Math.max(1, Math.abs(want)) : Object.is(have, want);
      if (!(close || (Number.isNaN(have) && Number.isNaN(want))))
        throw new Error(`${engine} ${name} for item ${rows[i]!.item_id} day ${rows[i]!.day}: ${have}, batch ${want}`);
      if (w.kind === "rows") compared++;
    }
  }
  return compared;
}

describe("@window on the timeseries catalog", () => {
  it("builds executors that tsc --strict accepts, with the history input typed", () => {
    expect(strictTypeCheck([path.join(dir, "generated", "batch.ts"), path.join(dir, "generated", "online.ts")])).toBe("");
    const text = fs.readFileSync(path.join(dir, "generated", "online.ts"), "utf8");
    expect(text).toContain(
      "item_id_history: { readonly day: Column<number>; readonly price: Column<number>; readonly promo: Column<boolean>; readonly units: Column<number>; readonly store_id: Column<string> };",
    );
    expect(text).toContain("- units_lag_7: the last 7 rows (size 1, lag 7);");
    expect(text).toContain("- units_sum_28d: every row with day in (day − 29, day − 1] (range 28, lag 1);");
  });

  it("batch equals the catalog's functions called on each row's frame built by definition; online, given each row's history, has the same bits", async () => {
    await fc.assert(
      fc.asyncProperty(sales, async ({ rows }) => {
        const out = await runBatch(rows);
        const units = Float64Array.from(rows, (r) => r.units);
        const price = Float64Array.from(rows, (r) => r.price);
        // What was loaded is what was written (NULL read as NaN).
        for (let i = 0; i < rows.length; i++) {
          if (!same(out.units![i], units[i]) || !same(out.price![i], price[i]) || out.day![i] !== rows[i]!.day)
            throw new Error(`row ${i} was not read back as written`);
        }
        for (let i = 0; i < rows.length; i++) {
          for (const [name, w] of Object.entries(WINDOWS)) {
            const frame = naiveFrame(rows, i, w);
            const want = w.call(f, {
              units: Float64Array.from(frame, (j) => units[j]!),
              price: Float64Array.from(frame, (j) => price[j]!),
              store_id: frame.map((j) => rows[j]!.store_id),
              promo: frame.map((j) => rows[j]!.promo),
            });
            if (!same(out[name]![i], want))
              throw new Error(
                `batch ${name} row ${i}: ${String(out[name]![i])}, the frame [${frame.map((j) => `${units[j]}/${price[j]}/${rows[j]!.store_id}/${rows[j]!.promo}`).join(", ")}] gives ${String(want)}`,
              );
          }
          if (
            out.store_code![i] !== f.label_encode(rows[i]!.store_id, STORE_VOCAB) ||
            out.dept_code![i] !== f.label_encode(rows[i]!.dept_id, DEPT_VOCAB)
          )
            throw new Error(`label codes of row ${i}`);
        }
        for (let i = 0; i < rows.length; i++) {
          const { members, p } = groupOf(rows, i);
          const before = members.slice(0, p);
          const t = rows[i]!.day;
          // The whole history, and only the rows the generated InputsFor documents: the last 7 (rows frames) and those within 29 days (range frames).
          const needed = before.filter((j, q) => q >= before.length - 7 || rows[j]!.day > t - 29);
          for (const history of [before, needed]) {
            const request = {
              item_id: rows[i]!.item_id,
              day: t,
              store_id: rows[i]!.store_id,
              dept_id: rows[i]!.dept_id,
              store_vocab: STORE_VOCAB,
              dept_vocab: DEPT_VOCAB,
              item_id_history: {
                day: history.map((j) => rows[j]!.day),
                units: history.map((j) => units[j]!),
                price: Float64Array.from(history, (j) => price[j]!),
                store_id: history.map((j) => rows[j]!.store_id),
                promo: history.map((j) => rows[j]!.promo),
              },
            };
            const one = await online.execute(online.OUTPUT_NAMES, request);
            for (const name of Object.keys(WINDOWS)) {
              const got = (one as unknown as Record<string, unknown>)[name];
              if (!same(got, out[name]![i]))
                throw new Error(
                  `online ${name} row ${i} with ${history.length} rows of history: ${String(got)}, batch ${String(out[name]![i])}`,
                );
            }
          }
        }
      }),
      { seed: 20261130, numRuns: 12 },
    );
  }, 120_000);

  it("the DuckDB target's window functions agree with batch: exactly for lags, min and max; within rounding where the engine sums", async () => {
    for (const target of [sql, pgSql]) {
      for (const name of SUMMED)
        expect(target.NODES[name]!.approximate).toContain("the engine sums the frame in its own order with rounding; featc sums exactly");
      expect(target.NODES.units_lag_1!.approximate).toEqual([
        "a rows frame orders ties of the order key as the engine sorts them; featc keeps the table's order",
      ]);
    }
    let rowsFrames = 0;
    await fc.assert(
      fc.asyncProperty(sales, async ({ rows }) => {
        const out = await runBatch(rows);
        // SQL targets read NaN for a missing number (never NULL).
        await db.run(
          `CREATE OR REPLACE TABLE sales AS SELECT item_id, day, coalesce(units, 'NaN'::DOUBLE) AS units, coalesce(price, 'NaN'::DOUBLE) AS price, store_id, dept_id, promo FROM read_csv($1, header = true, columns = ${loaders.SALE_COLUMNS})`,
          [path.join(dir, "sales.csv")],
        );
        rowsFrames += expectLikeBatch("duckdb", rows, out, await sql.execute(duckdbConnection(db), { sales_table: "sales" }));
      }),
      { seed: 20261201, numRuns: 8, endOnFailure: true },
    );
    expect(rowsFrames).toBeGreaterThan(50);
  }, 120_000);

  it("the PostgreSQL target's window functions, run on PostgreSQL, agree with batch as the DuckDB target's do", async () => {
    const server = await startPostgres();
    const client = await server.connect();
    let rowsFrames = 0;
    try {
      await fc.assert(
        fc.asyncProperty(sales, async ({ rows }) => {
          const out = await runBatch(rows);
          await loadPostgres(client, "sales", [
            ...(["item_id", "day", "units", "price"] as const).map((name) => ({
              name,
              type: "number" as const,
              values: rows.map((r) => r[name]),
            })),
            ...(["store_id", "dept_id"] as const).map((name) => ({ name, type: "string" as const, values: rows.map((r) => r[name]) })),
            { name: "promo", type: "boolean" as const, values: rows.map((r) => r.promo) },
          ]);
          rowsFrames += expectLikeBatch("postgres", rows, out, await pgSql.execute(postgresConnection(client), { sales_table: "sales" }));
        }),
        { seed: 20261201, numRuns: 8, endOnFailure: true },
      );
      expect(rowsFrames).toBeGreaterThan(50);
    } finally {
      await client.end();
      await server.stop();
    }
  }, 180_000);

  it("in a SQL target, count translates for a frame of strings; first and last of one get FC1013 at the tag", async () => {
    // The catalog as written gives store_last no SQL variant (@whenNot mode=sql); here it is offered one.
    const copy = workspace("window-sql-strings", FIXTURE);
    try {
      const file = path.join(copy, "catalog", "features.ts");
      const text = fs.readFileSync(file, "utf8");
      const tags = " * @window by=item_id order=day size=1 lag=1\n * @whenNot mode=sql\n */\nexport function store_last(";
      expect(text).toContain(tags);
      fs.writeFileSync(file, text.replace(tags, tags.replace(" * @whenNot mode=sql\n", "")));
      const found = (await analyze(path.join(copy, "featc.config.json"))).diagnostics.filter((d) => d.severity === "error");
      expect(found.map((d) => `${d.code} ${d.targets.join()} ${d.span!.line}:${d.span!.column}`).sort()).toEqual([
        "FC1013 duckdb 104:4",
        "FC1013 postgres 104:4",
      ]);
      for (const d of found) expect(d.message).toContain("last of a frame of strings gives undefined for an empty frame");
      expect(sql.NODES.sales_28d!.approximate).toEqual([
        "a range frame is open at its older end, (t − lag − range, t − lag]; SQL's RANGE is closed, written lag + range − 1 PRECEDING: exact for integer order keys",
      ]);
    } finally {
      removeWorkspace(copy);
    }
  });

  it("a ClickHouse target, which has no window functions, gets FC1013 at each window's tag", async () => {
    const config = path.join(dir, "clickhouse.config.json");
    const target = { shape: "sql", dialect: "clickhouse", config: { mode: "sql" }, inputs: "catalog/inputs.ts#SqlInputs" };
    fs.writeFileSync(
      config,
      JSON.stringify({ catalog: ["catalog/**/*.ts"], outDir: "generated-clickhouse", targets: { clickhouse: target } }),
    );
    const found = (await analyze(config)).diagnostics.filter((d) => d.severity === "error");
    expect(found.map((d) => `${d.code} ${d.span!.line}:${d.span!.column}`)).toEqual(
      [10, 18, 26, 34, 42, 50, 58, 66, 95].map((line) => `FC1013 ${line}:4`),
    );
    for (const d of found) expect(d.message).toContain("ClickHouse (version 18, the one featc supports) has no window functions");
  });

  it("refuses a history out of order or reaching past the request, naming the rows", async () => {
    const request = { item_id: 3, day: 10, store_id: "CA_1", dept_id: "FOODS", store_vocab: STORE_VOCAB, dept_vocab: DEPT_VOCAB };
    expect(() => online.execute(["units_mean_7"], { ...request, item_id_history: { day: [4, 2], units: [1, 2], price: [1, 1] } })).toThrow(
      /rows 0 and 1 are out of order \(4 then 2\)/,
    );
    expect(() => online.execute(["units_mean_7"], { ...request, item_id_history: { day: [4, 12], units: [1, 2], price: [1, 1] } })).toThrow(
      /row 1 has order key 12, after the request's 10/,
    );
  });

  it("featc explain shows the frame in every target, and the history input online", async () => {
    const run = await featc("explain", "units_mean_7", "--config", path.join(dir, "featc.config.json"));
    expect(run.code, run.err).toBe(0);
    expect(run.out.split("tags: @window by=item_id order=day size=7 lag=1").length - 1).toBe(4);
    expect(run.out).toContain("depends on: item_id (input), day (input), item_id_history (input)");
    const graph = await featc("graph", "--target", "online", "--format", "json", "--config", path.join(dir, "featc.config.json"));
    expect(graph.code, graph.err).toBe(0);
    expect(graph.out).toContain("The request's item_id's rows before it, oldest first by day: day, price, promo, units, store_id");
  });

  it("the manifest shows the frame, the keys as edges and the history input", () => {
    const batchGraph = JSON.parse(fs.readFileSync(path.join(dir, "generated", "batch.graph.json"), "utf8")) as Manifest;
    const node = batchGraph.nodes.find((n) => n.name === "units_mean_7")!;
    expect(node.level).toBe("row");
    expect(node.tags).toContainEqual({ name: "window", text: "by=item_id order=day size=7 lag=1" });
    expect(node.deps.map((d) => `${d.param}:${d.source}:${d.passing}`)).toEqual([
      "item_id:item_id:whole",
      "day:day:whole",
      "units:units:whole",
    ]);
    const onlineGraph = JSON.parse(fs.readFileSync(path.join(dir, "generated", "online.graph.json"), "utf8")) as Manifest;
    expect(onlineGraph.inputs.map((i) => i.name)).toContain("item_id_history");
    expect(onlineGraph.nodes.find((n) => n.name === "revenue_7d")!.deps.map((d) => `${d.param}:${d.source}:${d.kind}`)).toEqual([
      "item_id:item_id:input",
      "day:day:input",
      "units:item_id_history:input",
      "price:item_id_history:input",
      "discount:discount:node",
    ]);
  });
});
