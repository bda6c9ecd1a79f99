/** Code hashes: blind to whitespace and comments, sensitive to the code a feature runs, helpers included. */
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { analyze } from "../compiler/analyze.js";
import { removeWorkspace, workspace, writeFiles } from "./support/workspace.js";

const made: string[] = [];
afterAll(() => made.forEach(removeWorkspace));

async function hashes(features: string): Promise<Record<string, string>> {
  const dir = workspace("hash");
  made.push(dir);
  writeFiles(dir, {
    "featc.config.json": JSON.stringify({
      catalog: ["catalog/**/*.ts"],
      targets: { online: { shape: "online", inputs: "catalog/inputs.ts#In" } },
    }),
    "catalog/inputs.ts": "export interface In { x: number }\n",
    "catalog/helpers.ts": "export const _SCALE = 2;\nexport function _double(v: number): number { return v * _SCALE; }\n",
    "catalog/f.ts": features,
  });
  const a = await analyze(path.join(dir, "featc.config.json"));
  expect(a.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return Object.fromEntries(a.catalog!.functions.map((f) => [f.exportName, f.codeHash]));
}

const BASE = `import { _double } from "./helpers.js";
const K = 2;
function _helper(v: number): number { return v * K; }
export function f(x: number): number { return _helper(x) + 1; }
export function g(x: number): number { return _double(x); }
export function h(x: number): number { return x; }
`;

describe("code hashes", () => {
  it("ignore whitespace and comments", async () => {
    const before = await hashes(BASE);
    const after = await hashes(
      BASE.replace("return x; }", "\n  // just x\n  return x;\n}").replace("const K = 2;", "/** two */ const   K = 2;"),
    );
    expect(after).toEqual(before);
  });

  it("change with the feature's own code", async () => {
    const before = await hashes(BASE);
    const after = await hashes(BASE.replace("return x; }", "return -x; }"));
    expect(after.h).not.toBe(before.h);
    expect(after.f).toBe(before.f);
  });

  it("change with a private helper or constant it calls, also across files", async () => {
    const before = await hashes(BASE);
    const after = await hashes(BASE.replace("const K = 2;", "const K = 3;"));
    expect(after.f).not.toBe(before.f);
    expect(after.g).toBe(before.g);
    expect(after.h).toBe(before.h);
  });
});
