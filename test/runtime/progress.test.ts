/** The progress bar, against a fake stream and a fake clock: what it draws, when, and where not. */
import { describe, expect, it } from "vitest";
import { createProgressBar, formatCount, formatDuration, type ProgressStream } from "../../runtime/node.js";

/** A stream that records what is written, and a clock the test moves by hand. */
function fakes(
  isTTY: boolean,
  columns = 80,
): { stream: ProgressStream & { writes: string[] }; clock: { now: number; read: () => number } } {
  const writes: string[] = [];
  const clock = { now: 1000, read: () => clock.now };
  return { stream: { isTTY, columns, writes, write: (text: string) => writes.push(text) }, clock };
}

describe("createProgressBar on a terminal", () => {
  it("redraws one line in place with percentage, rows/s and ETA", () => {
    const { stream, clock } = fakes(true);
    const bar = createProgressBar("batch", stream, clock.read);
    clock.now += 2000;
    bar.update(250_000, 1_000_000);
    expect(stream.writes).toHaveLength(1);
    const line = stream.writes[0]!;
    expect(line.startsWith("\rbatch [")).toBe(true);
    expect(line.endsWith("\x1b[K")).toBe(true);
    expect(line).not.toContain("\n");
    expect(line).toContain(" 25.0%");
    expect(line).toContain("125k rows/s");
    expect(line).toContain("ETA 6s");
    const bar40 = /\[([#-]+)\]/.exec(line)![1]!;
    expect(bar40.length).toBeGreaterThanOrEqual(10);
    expect(bar40.indexOf("-")).toBe(Math.round(bar40.length / 4));
  });

  it("redraws at most about 10 times a second", () => {
    const { stream, clock } = fakes(true);
    const bar = createProgressBar("batch", stream, clock.read);
    for (let step = 1; step <= 100; step++) {
      clock.now += 10; // 100 updates over one second
      bar.update(step, 100);
    }
    expect(stream.writes.length).toBeGreaterThanOrEqual(9);
    expect(stream.writes.length).toBeLessThanOrEqual(11);
  });

  it("finishes with the final state and a newline, once; later calls draw nothing", () => {
    const { stream, clock } = fakes(true);
    const bar = createProgressBar("fit", stream, clock.read);
    bar.update(10, 100);
    clock.now += 3000;
    bar.finish();
    const last = stream.writes.at(-1)!;
    expect(last).toMatch(/^\rfit \[#+-+\]/); // the bar shows the last update, not 100 %
    expect(last).toContain(" 10.0%");
    expect(last).toContain("in 3s");
    expect(last.endsWith("\n")).toBe(true);
    const count = stream.writes.length;
    bar.finish();
    clock.now += 1000;
    bar.update(100, 100);
    expect(stream.writes).toHaveLength(count);
  });

  it("fits the bar to a narrow terminal and copes with an empty run", () => {
    const { stream, clock } = fakes(true, 40);
    const bar = createProgressBar("x", stream, clock.read);
    bar.update(0, 0);
    expect(/\[([#-]+)\]/.exec(stream.writes[0]!)![1]).toHaveLength(10);
    expect(stream.writes[0]).toContain("100.0%");
    expect(stream.writes[0]).toContain("ETA --");
  });
});

describe("createProgressBar off a terminal", () => {
  it("draws nothing while running and prints one summary line at the end", () => {
    const { stream, clock } = fakes(false);
    const bar = createProgressBar("batch", stream, clock.read);
    for (let step = 1; step <= 50; step++) {
      clock.now += 200;
      bar.update(step * 1000, 50_000);
    }
    expect(stream.writes).toEqual([]);
    bar.finish();
    expect(stream.writes).toEqual(["batch: 50000 of 50000 rows in 10s (5.0k rows/s)\n"]);
  });
});

describe("formatCount and formatDuration", () => {
  it("shorten counts and durations", () => {
    expect([950, 12_345, 1_500_000, 250_000_000, 3e9, NaN].map(formatCount)).toEqual(["950", "12.3k", "1.5M", "250M", "3.0G", "--"]);
    expect([0, 7.4, 59.6, 185, 7440, -1, Infinity].map(formatDuration)).toEqual(["0s", "7s", "1m00s", "3m05s", "2h04m", "--", "--"]);
  });
});
