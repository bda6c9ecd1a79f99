/**
 * The generated API at the call site, checked by the real `tsc --strict --noEmit`: every emitted
 * module type-checks with its catalog; an unknown output or a missing input is a type error
 * (`@ts-expect-error` lines fail the run if the error disappears); sync and async results are typed.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, buildOk, removeWorkspace, workspace, writeFiles } from "./support/workspace.js";

const TSC = path.join(REPO, "node_modules", "typescript", "bin", "tsc");

const CALL_SITE = `
import { execute as online, type InputsFor } from "./generated/online.js";
import { execute as batch, OUTPUT_NAMES } from "./generated/batch.js";
import { makeStore } from "./scenario.js";

const store = makeStore(10);
const fitted = { score_mean: 1.5 };

// A sync output: the result is a plain object.
const mean: number = online(["score_mean"], { fitted }).score_mean;

// An async output: the result is a Promise.
export async function run(): Promise<number> {
  const r = await online(["age_plus", "name_kind"], { store, id: 1 });
  const kind: "short" | "long" = r.name_kind;
  // @ts-expect-error 'total' was not requested, so it is not in the result
  r.total;
  return r.age_plus + mean + kind.length;
}

// @ts-expect-error a Promise has no field 'age_plus'
online(["age_plus"], { store, id: 1 }).age_plus;

// @ts-expect-error 'nope' is not an output
online(["nope"], { store, id: 1 });

// @ts-expect-error the input 'store' is missing
online(["age_plus"], { id: 1 });

// Only the inputs upstream of the outputs are required.
const needs: InputsFor<"score_mean"> = { fitted };
// @ts-expect-error 'store' is not an input of score_mean
const tooMany: InputsFor<"score_mean"> = { fitted, store };

export async function runBatch(): Promise<number> {
  const r = await batch(["weighted", "count_above", "name"], { store, rows: 10, threshold: 0.5, weights: new Float64Array(10) });
  const w: Float64Array = r.weighted;
  const c: number = r.count_above;
  return w.length + c + r.name.length + OUTPUT_NAMES.length;
}

// @ts-expect-error the row-level input 'weights' must be a column
batch(["weighted"], { store, rows: 10, weights: 3 });

export { needs, tooMany };
`;

describe("generated types", () => {
  let dir: string;
  beforeAll(async () => {
    dir = workspace("types", path.join(REPO, "test", "fixtures", "emit", "mixed"));
    await buildOk(dir);
    writeFiles(dir, {
      "callsite.ts": CALL_SITE,
      "tsconfig.json": JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ES2023"],
          types: ["node"],
          typeRoots: [path.join(REPO, "node_modules", "@types")],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          verbatimModuleSyntax: true,
        },
        include: ["catalog", "generated", "scenario.ts", "callsite.ts"],
      }),
    });
  }, 60_000);
  afterAll(() => removeWorkspace(dir));

  it("tsc --strict accepts the generated modules and rejects each bad call site", () => {
    let output = "";
    try {
      output = execFileSync(process.execPath, [TSC, "-p", path.join(dir, "tsconfig.json")], { encoding: "utf8", stdio: "pipe" });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      output = `${err.stdout ?? ""}${err.stderr ?? ""}`;
      expect.fail(`tsc reported errors:\n${output}`);
    }
    expect(output.trim()).toBe("");
  });
});
