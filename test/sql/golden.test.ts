/**
 * The SQL of every construct in every dialect, as a reviewer reads it: the translation fixture's
 * functions rendered for DuckDB, PostgreSQL, ClickHouse, Spark and BigQuery, compared with
 * `test/fixtures/sql/translate/_expected/<dialect>.sql` (refresh with UPDATE_SNAPSHOTS=1). Spark
 * and BigQuery run nowhere here, so this is where their SQL is checked.
 */
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../compiler/config.js";
import { discover } from "../../compiler/discover/discover.js";
import type { FunctionFact } from "../../compiler/model.js";
import { renderExpr } from "../../compiler/shapes/sql/render.js";
import { SQL_DIALECTS, quoteIdentifier } from "../../runtime/sql/identifiers.js";
import { REPO } from "../support/workspace.js";

const FIXTURE = path.join(REPO, "test", "fixtures", "sql", "translate");
let functions: FunctionFact[];

beforeAll(async () => {
  const { config } = await loadConfig(FIXTURE);
  functions = [...discover(config!, { lowerBodies: true, typeCheck: "builtin", codeHashes: false }).catalog.functions].sort((a, b) =>
    a.exportName < b.exportName ? -1 : 1,
  );
}, 60_000);

describe.each(SQL_DIALECTS)("%s", (dialect) => {
  it("renders every function of the fixture as expected", () => {
    const lines: string[] = [];
    for (const fn of functions) {
      const lowered = fn.lowered!;
      if (!lowered.ok || lowered.value.kind === "relation") throw new Error(`${fn.exportName} did not lower`);
      const fields = lowered.value.kind === "scalar" ? [{ name: "", expr: lowered.value.expr }] : lowered.value.fields;
      for (const field of fields) {
        const r = renderExpr(field.expr, dialect, (ref) => quoteIdentifier(dialect, ref.param));
        const name = field.name ? `${fn.exportName}.${field.name}` : fn.exportName;
        lines.push(
          r.ok
            ? `-- ${name}${r.approximate.length ? ` (approximate: ${r.approximate.join("; ")})` : ""}\n${r.sql}`
            : `-- ${name}: no translation: ${r.problem.reason}`,
        );
      }
    }
    const text = lines.join("\n\n") + "\n";
    const file = path.join(FIXTURE, "_expected", `${dialect}.sql`);
    if (process.env.UPDATE_SNAPSHOTS === "1") {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
    expect(text).toBe(fs.readFileSync(file, "utf8"));
  });
});
