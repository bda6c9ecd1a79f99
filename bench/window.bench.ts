/**
 * A rolling mean over 1M rows in 1,000 groups (7 rows, lag 1: each item's previous 7 sales; rows
 * in day order, as a daily table holds them), computed by the batch executor featc generates for
 * the timeseries fixture catalog (`units_mean_7`, built here into bench/out/window), against:
 * - a hand-written incremental loop that knows the layout (groups are `i % 1000`, every item sells
 *   every day, so the row leaving the frame is `8 × 1000` rows back) and keeps a plain running sum;
 * - a hand-written incremental loop that does not (item ids index the state, each item's last
 *   rows in a ring, plain running sum): what the same loop takes for a table with gaps;
 * - the catalog's function called on each row's frame (the runtime's per-row path, no copying).
 * On integer units and on decimal prices, which featc sums exactly (two-double running sums) so
 * that an online request summing its frame gets the same bits; the hand loops sum plainly.
 *
 * Every contender allocates its 8 MB output column per run. glibc hands a freed block that large
 * back to the system, so the next allocation page-faults on each of its pages — in some samples
 * and not others, which made medians bimodal (≈ 6 or ≈ 40 ms for the same loop). The benchmark
 * runs itself with glibc told to keep freed memory for reuse, so that no contender pays for
 * faults another did not.
 *
 *   npx tsx bench/window.bench.ts [--quick] [--rows N] [--json FILE]
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { mean, rollingReduce, windowGroups, type Column } from "featc";
import { build } from "../compiler/build.js";
import { consume, machine, measure, rows, table, writeRows, type Row } from "./harness.js";

if (process.env.MALLOC_MMAP_THRESHOLD_ === undefined) {
  const env = { ...process.env, MALLOC_MMAP_THRESHOLD_: String(32 * 2 ** 20), MALLOC_TRIM_THRESHOLD_: String(2 ** 31) };
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit", env });
  process.exit(child.status ?? 1);
}

const here = path.dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes("--quick");
const rowsArg = process.argv.indexOf("--rows");
const n = rowsArg >= 0 ? Number(process.argv[rowsArg + 1]) : 1_000_000;
const GROUPS = 1000;
const SIZE = 7;
const LAG = 1;

const built = await build(path.join(here, "window", "featc.config.json"));
const errors = built.diagnostics.filter((d) => d.severity === "error");
if (errors.length > 0)
  throw new Error(`the window benchmark's catalog did not build:\n${errors.map((d) => `${d.code} ${d.message}`).join("\n")}`);
type Execute = (
  outputs: readonly ["units_mean_7"],
  inputs: { item_id: Column<number>; day: Column<number>; units: Column<number> },
) => { units_mean_7: Column<number> };
const generated = (await import(pathToFileURL(path.join(here, "out", "window", "batch.ts")).href)) as { execute: Execute };
const { units_mean_7 } = (await import(
  pathToFileURL(path.join(here, "..", "test", "fixtures", "timeseries", "catalog", "features.ts")).href
)) as { units_mean_7: (units: Float64Array) => number };

const item = new Float64Array(n);
const day = new Float64Array(n);
const units = new Float64Array(n);
const prices = new Float64Array(n);
let seed = 7;
for (let i = 0; i < n; i++) {
  item[i] = i % GROUPS;
  day[i] = Math.floor(i / GROUPS);
  seed = (seed * 1103515245 + 12345) % 2147483648;
  units[i] = seed % 40;
  prices[i] = (seed % 100_000) / 100;
}
const frame = { kind: "rows", size: SIZE, lag: LAG } as const;

/** What a person writes knowing this table's layout: groups are `i % GROUPS`, one row per item and day. */
function handWrittenForLayout(values: Float64Array): Float64Array {
  const out = new Float64Array(n);
  const sums = new Float64Array(GROUPS);
  const seen = new Int32Array(GROUPS);
  for (let i = 0; i < n; i++) {
    const g = i % GROUPS;
    const k = seen[g]!;
    const inFrame = Math.min(k - LAG + 1, SIZE);
    if (k - LAG >= 0) sums[g]! += values[i - LAG * GROUPS]!;
    if (k - LAG - SIZE >= 0) sums[g]! -= values[i - (LAG + SIZE) * GROUPS]!;
    out[i] = inFrame > 0 ? sums[g]! / inFrame : NaN;
    seen[g] = k + 1;
  }
  return out;
}

/** What a person writes for a day-ordered table with gaps: item ids (0 … GROUPS − 1) index the state, each item's last rows in a ring. */
function handWrittenGeneral(values: Float64Array): Float64Array {
  const cap = 16; // ≥ SIZE + LAG + 1, a power of two
  const out = new Float64Array(n);
  const ring = new Float64Array(GROUPS * cap);
  const sums = new Float64Array(GROUPS);
  const seen = new Int32Array(GROUPS);
  for (let i = 0; i < n; i++) {
    const g = item[i]!;
    const base = g * cap;
    const k = seen[g]!;
    seen[g] = k + 1;
    ring[base + (k & (cap - 1))] = values[i]!;
    const q = k - LAG;
    if (q >= 0) sums[g]! += ring[base + (q & (cap - 1))]!;
    if (q >= SIZE) sums[g]! -= ring[base + ((q - SIZE) & (cap - 1))]!;
    const inFrame = q < 0 ? 0 : Math.min(q + 1, SIZE);
    out[i] = inFrame > 0 ? sums[g]! / inFrame : NaN;
  }
  return out;
}

const all: Row[] = [];
for (const [label, values] of [
  ["units (integers)", units],
  ["prices (decimals)", prices],
] as const) {
  const stats = await measure(
    [
      { name: "hand-written, knows the layout", run: () => consume(handWrittenForLayout(values)) },
      { name: "hand-written, ring per item", run: () => consume(handWrittenGeneral(values)) },
      {
        name: "featc generated batch executor",
        run: () => consume(generated.execute(["units_mean_7"], { item_id: item, day, units: values })),
      },
      {
        name: "function per row's frame",
        run: () => consume(rollingReduce(windowGroups(item, day), [values], frame, ([w]) => units_mean_7(w as Float64Array))),
      },
    ],
    quick ? 3 : 15,
    1,
    quick ? 1 : 3,
  );
  all.push(...rows(`window mean, ${label}`, stats, "ms", `${n} rows, ${GROUPS} groups, rows frame of ${SIZE}, lag ${LAG}`));
}
// The generated executor agrees with the per-row function, bit for bit (a benchmark of wrong results measures nothing).
const check = generated.execute(["units_mean_7"], { item_id: item, day, units: prices }).units_mean_7;
const direct = rollingReduce(windowGroups(item, day), [prices], frame, ([w]) => mean(w!));
for (let i = 0; i < n; i++)
  if (!Object.is(check[i], direct[i])) throw new Error(`row ${i}: the generated executor gives ${check[i]}, the function ${direct[i]}`);
writeRows(all);
console.log(machine());
console.log(table(all));
