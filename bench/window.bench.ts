/**
 * A rolling mean over 1M rows in 1,000 groups (28 rows, lag 1: the 28 days before each row's
 * day, per item; rows in day order as a daily table holds them): featc's sliding kernel against
 * a hand-written incremental loop that knows the layout and keeps a plain running sum, and
 * against calling `mean` on each row's frame.
 *
 *   npx tsx bench/window.bench.ts [--quick] [--rows N] [--json FILE]
 */
import { mean, rollingAggregate, rollingReduce, windowGroups } from "featc";
import { consume, machine, measure, rows, table, writeRows, type Row } from "./harness.js";

const quick = process.argv.includes("--quick");
const rowsArg = process.argv.indexOf("--rows");
const n = rowsArg >= 0 ? Number(process.argv[rowsArg + 1]) : 1_000_000;
const GROUPS = 1000;
const SIZE = 28;
const LAG = 1;

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

/** What a person writes for this one table: groups are `i % GROUPS`, already in day order. */
function handWritten(values: Float64Array): Float64Array {
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

const all: Row[] = [];
// Integer units (a plain running sum is exact, and featc uses one) and decimal prices (featc sums
// exactly, so that an online request summing its frame gets the same bits).
for (const [label, values] of [["units (integers)", units], ["prices (decimals)", prices]] as const) {
  const stats = await measure(
    [
      { name: "hand-written running sum", run: () => consume(handWritten(values)) },
      { name: "featc rollingAggregate mean", run: () => consume(rollingAggregate(windowGroups(item, day), values, frame, "mean")) },
      { name: "mean per row (rollingReduce)", run: () => consume(rollingReduce(windowGroups(item, day), [values], frame, ([w]) => mean(w!))) },
    ],
    quick ? 3 : 9,
    1,
    quick ? 1 : 2,
  );
  all.push(...rows(`window mean, ${label}`, stats, "ms", `${n} rows, ${GROUPS} groups, rows frame of ${SIZE}, lag ${LAG}`));
}
writeRows(all);
console.log(machine());
console.log(table(all));
