/**
 * Emitted code, fixture by fixture: the generated files match their goldens (UPDATE_SNAPSHOTS=1
 * refreshes them), and every target's executor, run on the fixture's inputs, gives bit-identical
 * results to a direct evaluation of the same catalog functions — for all outputs at once and for
 * each output alone (which also exercises pruning).
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BuildResult } from "../compiler/build.js";
import { evaluateDirectly, sameValue } from "./support/reference.js";
import { REPO, buildOk, importFrom, removeWorkspace, workspace } from "./support/workspace.js";

const FIXTURES = path.join(REPO, "test", "fixtures", "emit");
const UPDATE = process.env.UPDATE_SNAPSHOTS === "1";

interface Executor {
  OUTPUT_NAMES: readonly string[];
  FITTED_OUTPUTS?: readonly string[];
  execute(outputs: readonly string[], inputs: Record<string, unknown>, options?: object): unknown;
}

interface Scenario {
  cases(target: string): Record<string, unknown>[];
}

function expectSame(actual: Record<string, unknown>, expected: Record<string, unknown>, label: string): void {
  expect(Object.keys(actual).sort(), label).toEqual(Object.keys(expected).sort());
  for (const key of Object.keys(expected)) {
    if (!sameValue(actual[key], expected[key])) {
      expect.fail(
        `${label}: output '${key}' differs: ${JSON.stringify(Array.from((actual[key] as ArrayLike<unknown>) ?? []).slice(0, 5))} vs ${JSON.stringify(expected[key]).slice(0, 200)}`,
      );
    }
  }
}

for (const name of fs.readdirSync(FIXTURES).sort()) {
  const fixture = path.join(FIXTURES, name);
  describe(`emit fixture '${name}'`, () => {
    let dir: string;
    let result: BuildResult;
    beforeAll(async () => {
      dir = workspace(`emit-${name}`, fixture);
      result = await buildOk(dir);
    }, 60_000);
    afterAll(() => removeWorkspace(dir));

    it("matches the golden files", () => {
      const expectedDir = path.join(fixture, "_expected");
      for (const [rel, text] of result.files) {
        const golden = path.join(expectedDir, path.basename(rel));
        if (UPDATE || !fs.existsSync(golden)) {
          if (!UPDATE) expect.fail(`missing golden ${path.relative(REPO, golden)}: run with UPDATE_SNAPSHOTS=1`);
          fs.mkdirSync(expectedDir, { recursive: true });
          fs.writeFileSync(golden, text);
        }
        expect(text, `generated ${rel} differs from its golden (UPDATE_SNAPSHOTS=1 refreshes it)`).toBe(fs.readFileSync(golden, "utf8"));
      }
    });

    it("runs every target bit-identically to a direct evaluation", async () => {
      const scenario = await importFrom<Scenario>(dir, "scenario.ts");
      const targets = [...result.analysis.targets].sort((a, b) =>
        a.fitted === b.fitted ? a.name.localeCompare(b.name) : a.fitted === "compute" ? -1 : 1,
      );
      let fitted: Record<string, unknown> | undefined;
      for (const g of targets) {
        const executor = await importFrom<Executor>(dir, `generated/${g.name}.ts`);
        for (const [k, inputs0] of scenario.cases(g.name).entries()) {
          const inputs = g.fittedInputs.length > 0 ? { ...inputs0, fitted } : inputs0;
          const all = executor.OUTPUT_NAMES;
          const actual = (await executor.execute(all, inputs)) as Record<string, unknown>;
          const expected = await evaluateDirectly(g, all, inputs);
          expectSame(actual, expected, `${g.name} case ${k}`);
          if (executor.FITTED_OUTPUTS && k === 0) fitted = Object.fromEntries(executor.FITTED_OUTPUTS.map((o) => [o, actual[o]]));
          for (const output of all) {
            const alone = (await executor.execute([output], inputs)) as Record<string, unknown>;
            expectSame(alone, await evaluateDirectly(g, [output], inputs), `${g.name} case ${k} output ${output} alone`);
          }
        }
      }
    }, 60_000);
  });
}
