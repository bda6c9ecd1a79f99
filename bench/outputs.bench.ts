/**
 * What writing a build's files as one switch costs: featc's journaled switch (staged files
 * flushed to disk, a journal committed, then moved in place) against a plain temp-file-and-rename
 * per file, which is not atomic across files and survives no power loss. Wall time, not CPU
 * time: the cost is waiting for the disk. 40 files of 20 kB (20 targets), rewritten each round.
 * Run: npx tsx bench/outputs.bench.ts [--quick]
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { switchOutputs } from "../compiler/outputs/switch.js";
import { machine, table, writeRows, type Row } from "./harness.js";

const quick = process.argv.includes("--quick");
const rounds = quick ? 5 : 21;
const here = path.dirname(fileURLToPath(import.meta.url));
fs.mkdirSync(path.join(here, "out"), { recursive: true });
const dir = fs.mkdtempSync(path.join(here, "out", "outputs-"));

function filesOfRound(round: number): Map<string, string> {
  return new Map(
    Array.from({ length: 40 }, (_, i) => [`t${i}.${i % 2 ? "ts" : "graph.json"}`, `// round ${round}\n${"x".repeat(20_000)}\n`]),
  );
}

function renameEach(files: ReadonlyMap<string, string>): void {
  for (const [rel, text] of files) {
    const temp = path.join(dir, `.${rel}.tmp`);
    fs.writeFileSync(temp, text);
    fs.renameSync(temp, path.join(dir, rel));
  }
}

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p99 = (xs: number[]) => xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.99) - 1)]!;
const journaled: number[] = [];
const plain: number[] = [];
try {
  for (let round = -2; round < rounds; round++) {
    const files = filesOfRound(round);
    let start = performance.now();
    await switchOutputs(dir, ".featc-bench", files, []);
    if (round >= 0) journaled.push(performance.now() - start);
    start = performance.now();
    renameEach(filesOfRound(round + 0.5));
    if (round >= 0) plain.push(performance.now() - start);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
const all: Row[] = [
  {
    bench: "write 40 files",
    contender: "temp + rename each",
    median: `${median(plain).toFixed(1)} ms`,
    p99: `${p99(plain).toFixed(1)} ms`,
    ratio: "1.00 (ref)",
    note: "wall time",
  },
  {
    bench: "write 40 files",
    contender: "journaled switch",
    median: `${median(journaled).toFixed(1)} ms`,
    p99: `${p99(journaled).toFixed(1)} ms`,
    ratio: `${(median(journaled) / median(plain)).toFixed(2)}×`,
    note: "",
  },
];
console.log(machine());
console.log(table(all));
writeRows(all);
