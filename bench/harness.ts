/**
 * Benchmark harness: interleaved rounds (A, B, C, A, B, C, …) so that a noisy shared machine
 * slows every contender alike, medians and p99 per contender, ratios against a reference
 * measured in the same process, and a table headed by the machine it ran on.
 */
import fs from "node:fs";
import os from "node:os";

export interface Contender {
  readonly name: string;
  /** One sample: runs the work `inner` times (or once for long work) and returns nothing. */
  readonly run: () => void | Promise<void>;
}

export interface Stats {
  readonly name: string;
  readonly median: number;
  readonly p99: number;
  readonly samples: number;
}

/** The machine line every benchmark prints first. */
export function machine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.replace(/\s+/g, " ").trim() ?? "unknown CPU";
  return `${model}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`;
}

/**
 * Runs every contender `rounds` times, interleaved; returns per-sample times in ms divided by
 * `perSample`. The time is this process's CPU time (user + system) over the sample, not wall
 * time: on a shared 2-core machine another process's load then slows a sample much less.
 * (Awaited work that waits on no I/O, like these benchmarks, is all on-CPU.)
 */
export async function measure(contenders: readonly Contender[], rounds: number, perSample = 1, warmup = 3): Promise<Stats[]> {
  const times = contenders.map(() => [] as number[]);
  for (let r = -warmup; r < rounds; r++) {
    // Rotate the order each round so no contender always runs first.
    for (let k = 0; k < contenders.length; k++) {
      const i = (k + Math.max(r, 0)) % contenders.length;
      const start = process.cpuUsage();
      await contenders[i]!.run();
      const used = process.cpuUsage(start);
      const ms = (used.user + used.system) / 1e3;
      if (r >= 0) times[i]!.push(ms / perSample);
    }
  }
  return contenders.map((c, i) => {
    const sorted = times[i]!.sort((a, b) => a - b);
    return {
      name: c.name,
      median: sorted[Math.floor(sorted.length / 2)]!,
      p99: sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!,
      samples: sorted.length,
    };
  });
}

export interface Row {
  readonly bench: string;
  readonly contender: string;
  readonly median: string;
  readonly p99: string;
  readonly ratio: string;
  readonly note?: string;
}

/** Rows for one benchmark: each contender's median and p99 in `unit`, and its ratio to the reference (first). */
export function rows(bench: string, stats: readonly Stats[], unit: "ns" | "µs" | "ms", note = ""): Row[] {
  const scale = unit === "ns" ? 1e6 : unit === "µs" ? 1e3 : 1;
  const reference = stats[0]!.median;
  return stats.map((s, i) => ({
    bench,
    contender: s.name,
    median: `${(s.median * scale).toFixed(unit === "ms" ? 1 : 0)} ${unit}`,
    p99: `${(s.p99 * scale).toFixed(unit === "ms" ? 1 : 0)} ${unit}`,
    ratio: i === 0 ? "1.00 (ref)" : `${(s.median / reference).toFixed(2)}×`,
    note: i === 0 ? note : "",
  }));
}

/** A plain-text table. */
export function table(all: readonly Row[]): string {
  const header: Row = { bench: "benchmark", contender: "contender", median: "median", p99: "p99", ratio: "vs ref", note: "note" };
  const list = [header, ...all];
  const cols = ["bench", "contender", "median", "p99", "ratio", "note"] as const;
  const width = cols.map((c) => Math.max(...list.map((r) => String(r[c] ?? "").length)));
  const line = (r: Row) =>
    cols
      .map((c, i) => String(r[c] ?? "").padEnd(width[i]!))
      .join("  ")
      .trimEnd();
  return [line(header), width.map((w) => "-".repeat(w)).join("  "), ...all.map(line)].join("\n");
}

/** The value after the command-line option `name` (`--rows 1000` → "1000"); undefined without it. */
export function argument(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** With `--json FILE`, writes the rows there for `npm run bench` to gather into one table. */
export function writeRows(all: readonly Row[]): void {
  const file = argument("--json");
  if (file) fs.writeFileSync(file, JSON.stringify(all));
}

/** Peak resident memory of this process so far, in MiB. */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Keeps a value alive so the optimiser cannot drop the work that made it. */
export let sink: unknown;
export function consume(value: unknown): void {
  sink = value;
}
