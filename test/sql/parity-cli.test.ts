/**
 * `featc parity` through the command line: the batch executor and the DuckDB target of the
 * reference catalog run on the same clients (test/fixtures/sql/parity/setup.ts feeds both), and
 * the report gives each column its verdict, the distance in ulps and the worst row. A setup that
 * skews one input makes the command fail with exit code 1 and name the column and the row; a
 * target parity cannot run is a usage error (exit code 2).
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../support/workspace.js";

const SETUP = path.join("test", "fixtures", "sql", "parity", "setup.ts");

function featc(args: readonly string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [path.join(REPO, "bin", "featc.js"), ...args], {
    cwd: REPO,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface JsonNode {
  node: string;
  verdict: string;
  maxUlps: number | string;
  boundUlps: number;
  rowsDiffering: number;
  ok: boolean;
  worstRow?: Record<string, unknown>;
}

describe("featc parity", () => {
  it("reports every column of batch vs duckdb as JSON: exact ones bit-identical, predictions within its stated bound", () => {
    const r = featc(["parity", "batch", "duckdb", "--setup", SETUP, "--key", "client_id", "--format", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { ok: boolean; rows: number; nodes: JsonNode[]; onlyIn: Record<string, string[]> };
    expect(report.ok).toBe(true);
    expect(report.rows).toBe(3000);
    const byNode = new Map(report.nodes.map((n) => [n.node, n]));
    expect(byNode.get("predictions")).toMatchObject({ verdict: "within-ulps", boundUlps: 2, ok: true });
    expect(byNode.get("predictions")!.worstRow).toHaveProperty("client_id");
    for (const node of ["age_normalized", "time_since_last_login", "features.age_normalized", "last_logged_in"])
      expect(byNode.get(node)?.verdict, node).toBe("bit-identical");
    for (const node of ["gender", "is_male", "is_high_roller"]) expect(byNode.get(node)?.verdict, node).toBe("equal");
    expect(report.onlyIn.duckdb).toEqual([]);
  }, 120_000);

  it("prints a table for people and fails with the column and its worst row when the runs differ", () => {
    const human = featc(["parity", "batch", "duckdb", "-s", SETUP, "-k", "client_id"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^featc parity: batch vs duckdb, 3000 rows matched on client_id$/m);
    expect(human.stdout).toMatch(/^predictions +within 2 ulp +[12] +\d+ +client_id=\d+: /m);
    expect(human.stderr).toMatch(/parity holds for 16 columns \(1 within their bound\)/);

    const skewed = featc(["parity", "batch", "duckdb", "-s", SETUP, "-k", "client_id"], { PARITY_SKEW: "1" });
    expect(skewed.code).toBe(1);
    expect(skewed.stdout).toMatch(/^time_since_last_login +DIFFERENT +\d+ +3000 +client_id=\d+: /m);
    expect(skewed.stderr).toMatch(/column\(s\) differ: time_since_last_login, /);
  }, 120_000);

  it("refuses what it cannot run with a usage error", () => {
    const online = featc(["parity", "batch", "online", "-s", SETUP, "-k", "client_id"]);
    expect(online.code).toBe(2);
    expect(online.stderr).toMatch(/target 'online' has shape 'online'; parity runs targets of shape batch or sql/);
    const unknown = featc(["parity", "batch", "nope", "-s", SETUP, "-k", "client_id", "--format", "json"]);
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout).error).toMatch(/no target 'nope'/);
    const missingKey = featc(["parity", "batch", "duckdb", "-s", SETUP, "-k", "no_such_column"]);
    expect(missingKey.code).toBe(2);
    expect(missingKey.stderr).toMatch(/has no column 'no_such_column'/);
    expect(featc(["parity", "batch", "duckdb", "-k", "client_id"]).code).toBe(2);
  }, 120_000);
});
