/**
 * `featc build` as a user relies on it: deterministic bytes whatever the file order, nothing
 * written when the build fails, `--check` catching hand edits and catalog changes, escaping of
 * catalog text, and the CLI's exit codes.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { build } from "../compiler/build.js";
import { REPO, buildOk, removeWorkspace, workspace, writeFiles } from "./support/workspace.js";

const MIXED = path.join(REPO, "test", "fixtures", "emit", "mixed");
const FEATC = path.join(REPO, "bin", "featc.js");
const made: string[] = [];
afterAll(() => made.forEach(removeWorkspace));

function fresh(name: string, from = MIXED): string {
  const dir = workspace(name, from);
  made.push(dir);
  return dir;
}

function featc(dir: string, ...args: string[]) {
  return spawnSync(process.execPath, [FEATC, ...args, "--config", path.join(dir, "featc.config.json")], { encoding: "utf8" });
}

describe("featc build", () => {
  it("writes the same bytes whatever the order of catalog files and declarations", async () => {
    const a = fresh("det-a");
    const b = fresh("det-b");
    // Same catalog, other file names (so another glob order) and functions in reverse order.
    const features = fs.readFileSync(path.join(b, "catalog", "features.ts"), "utf8");
    const chunks = features.split("\n\n");
    const header = chunks.shift()!;
    expect(chunks.length).toBeGreaterThan(5);
    fs.rmSync(path.join(b, "catalog", "features.ts"));
    writeFiles(b, { "catalog/a_features.ts": [header, ...chunks.reverse()].join("\n\n") });
    fs.renameSync(path.join(b, "catalog", "loaders.ts"), path.join(b, "catalog", "z_loaders.ts"));
    const ra = await buildOk(a);
    const rb = await buildOk(b);
    for (const [rel, text] of ra.files) {
      const other = rb.files.get(rel)!;
      const normalise = (t: string) =>
        t
          .replace(/a_features|features/g, "F")
          .replace(/z_loaders|loaders/g, "L")
          .replace(/"line": \d+/g, "")
          .replace(/\.ts:\d+/g, ".ts")
          .replace(/"codeHash": "\w+"/g, "");
      expect(normalise(other), rel).toBe(normalise(text));
    }
    // And building twice gives identical bytes.
    const again = await build(path.join(a, "featc.config.json"));
    expect([...again.files.entries()]).toEqual([...ra.files.entries()]);
    expect(again.changed).toEqual([]);
  });

  it("leaves the previous generated files untouched when the build fails", async () => {
    const dir = fresh("atomic");
    await buildOk(dir);
    const before = fs.readFileSync(path.join(dir, "generated", "online.ts"), "utf8");
    const file = path.join(dir, "catalog", "features.ts");
    fs.appendFileSync(file, "\nexport function broken(no_such_feature: number): number { return no_such_feature; }\n");
    const result = await build(path.join(dir, "featc.config.json"));
    expect(result.diagnostics.map((d) => d.code)).toContain("FC1001");
    expect(fs.readFileSync(path.join(dir, "generated", "online.ts"), "utf8")).toBe(before);
    expect(fs.readdirSync(path.join(dir, "generated")).filter((f) => f.includes("featc-tmp"))).toEqual([]);
  });

  it("--check passes when fresh and fails, naming the file, after a hand edit or a catalog change", async () => {
    const dir = fresh("check");
    await buildOk(dir);
    expect(featc(dir, "build", "--check").status).toBe(0);
    const online = path.join(dir, "generated", "online.ts");
    fs.appendFileSync(online, "// edited by hand\n");
    let run = featc(dir, "build", "--check");
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("generated/online.ts");
    expect(fs.readFileSync(online, "utf8")).toContain("edited by hand");
    expect(featc(dir, "build").status).toBe(0);
    expect(featc(dir, "build", "--check").status).toBe(0);
    const features = path.join(dir, "catalog", "features.ts");
    fs.writeFileSync(features, fs.readFileSync(features, "utf8").replace("return age + bonus;", "return age + bonus * 2;"));
    run = featc(dir, "build", "--check", "--format", "json");
    expect(run.status).toBe(1);
    const json = JSON.parse(run.stdout) as { stale: string[] };
    expect(json.stale).toContain("generated/batch.graph.json");
  });

  it("removes the files of a target that no longer exists", async () => {
    const dir = fresh("removed");
    await buildOk(dir);
    const configFile = path.join(dir, "featc.config.json");
    const config = JSON.parse(fs.readFileSync(configFile, "utf8"));
    config.targets.serving = { ...config.targets.online };
    fs.writeFileSync(configFile, JSON.stringify(config));
    await buildOk(dir);
    expect(fs.existsSync(path.join(dir, "generated", "serving.ts"))).toBe(true);
    delete config.targets.serving;
    fs.writeFileSync(configFile, JSON.stringify(config));
    expect(featc(dir, "build", "--check").status).toBe(1);
    await buildOk(dir);
    expect(fs.existsSync(path.join(dir, "generated", "serving.ts"))).toBe(false);
  });

  it("escapes catalog text: a JSDoc that tries to close the comment stays a comment", async () => {
    const dir = fresh("escape", path.join(REPO, "test", "fixtures", "emit", "mixed"));
    const file = path.join(dir, "catalog", "features.ts");
    fs.writeFileSync(
      file,
      fs.readFileSync(file, "utf8").replace("/** Age plus bonus.", '/** Age plus bonus *\\/ process.exit(1); /* \u2028 `${x}` "q" .'),
    );
    const result = await buildOk(dir);
    const online = result.files.get("generated/online.ts")!;
    expect(online).not.toMatch(/\*\/ process\.exit/);
    // The module still type-checks and runs: import it and call a sync output.
    const tsc = spawnSync(
      process.execPath,
      [
        path.join(REPO, "node_modules", "typescript", "bin", "tsc"),
        "--ignoreConfig",
        "--noEmit",
        "--strict",
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--target",
        "es2022",
        "--skipLibCheck",
        "--types",
        "node",
        path.join(dir, "generated", "online.ts"),
      ],
      { encoding: "utf8" },
    );
    expect(tsc.stdout + tsc.stderr).toBe("");
  });

  it("reports diagnostics without a stack trace and exits 1 on a broken catalog", () => {
    const dir = fresh("cli-broken");
    fs.appendFileSync(
      path.join(dir, "catalog", "features.ts"),
      "\nexport function oops(age_pluss: number): number { return age_pluss; }\n",
    );
    const run = featc(dir, "build");
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/catalog\/features\.ts:\d+:\d+ - error FC1001: 'age_pluss' .* Did you mean 'age_plus'\?/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
