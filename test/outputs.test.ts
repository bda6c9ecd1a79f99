/**
 * Where and how `featc build` writes: outDirs that would destroy sources are refused with FC1010
 * at the config's "outDir"; an outDir outside the project is used and named; configs sharing an
 * outDir keep their own files; featc removes only files it wrote; and a failed or killed build
 * leaves the old files or a journal the next build completes — never a mix.
 */
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { build } from "../compiler/build.js";
import { main, type CliIo } from "../compiler/cli.js";
import { switchOutputs } from "../compiler/outputs/switch.js";
import { REPO, buildOk, removeWorkspace, workspace, writeFiles } from "./support/workspace.js";

const MIXED = path.join(REPO, "test", "fixtures", "emit", "mixed");
const FEATC = path.join(REPO, "bin", "featc.js");
const made: string[] = [];
afterAll(() => made.forEach(removeWorkspace));

function fresh(name: string): string {
  const dir = workspace(name, MIXED);
  made.push(dir);
  return dir;
}

/** Rewrites the workspace's config: `change` edits the parsed JSON. */
function editConfig(dir: string, change: (config: Record<string, unknown>) => void, name = "featc.config.json"): string {
  const file = path.join(dir, name);
  const config = JSON.parse(fs.readFileSync(path.join(dir, "featc.config.json"), "utf8")) as Record<string, unknown>;
  change(config);
  fs.writeFileSync(file, JSON.stringify(config, null, 2) + "\n");
  return file;
}

/** The CLI in this process, its streams captured. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIo = { out: (t) => void (out += t + "\n"), err: (t) => void (err += t + "\n"), color: false };
  const code = await main(["node", "featc", ...argv], io);
  return { code, out, err };
}

/** Every file under a folder (relative path → content), bookkeeping of featc's switch excluded. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  if (!fs.existsSync(dir)) return files;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const rel = path.relative(dir, path.join(entry.parentPath, entry.name));
    if (/\.(staging|journal\.json)\b/.test(rel)) continue;
    files.set(rel, fs.readFileSync(path.join(dir, rel), "utf8"));
  }
  return files;
}

function sameFiles(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

describe('outDir rules (FC1010 at the config\'s "outDir")', () => {
  const refused: [string, string, RegExp][] = [
    ["the catalog folder", "catalog", /holds 'catalog\/\w+\.ts', a file the build reads/],
    ["the config's own folder", ".", /holds the config's own folder/],
    ["a folder above the config", "..", /holds the config's own folder/],
    ["a folder in node_modules", "node_modules/generated", /inside node_modules/],
    ["a folder the catalog glob reaches", "catalog/generated", /reached by the catalog glob 'catalog\/\*\*\/\*\.ts'/],
    ["a folder Node reads as a URL query", "gen?*", /holds '\?', which Node reads in an import as the start of a query/],
    ["a folder Node reads as a URL fragment", "out/#gen", /holds '#', which Node reads in an import as the start of a fragment/],
  ];
  for (const [what, outDir, message] of refused) {
    it(`refuses ${what} ('${outDir}') and writes nothing`, async () => {
      const dir = fresh("outdir-refused");
      const configFile = editConfig(dir, (c) => (c.outDir = outDir));
      const before = snapshot(dir);
      const run = await cli("build", "--config", configFile, "--format", "json");
      expect(run.code).toBe(2);
      const [d, ...rest] = (
        JSON.parse(run.out) as { diagnostics: { code: string; file: string; line: number; column: number; message: string }[] }
      ).diagnostics;
      expect(rest).toEqual([]);
      const lines = fs.readFileSync(configFile, "utf8").split("\n");
      const line = lines.findIndex((l) => l.includes('"outDir"')) + 1;
      expect(d).toMatchObject({ code: "FC1010", file: "featc.config.json", line, column: lines[line - 1]!.indexOf(`"${outDir}"`) + 1 });
      expect(d!.message).toMatch(message);
      expect(d!.message).toContain('such as "generated"');
      expect(sameFiles(snapshot(dir), before)).toBe(true);
    });
  }

  it("refuses a default outDir that a catalog glob over the whole folder would read back", async () => {
    const dir = fresh("outdir-glob-all");
    const configFile = editConfig(dir, (c) => {
      c.catalog = ["**/*.ts"];
      delete c.outDir;
    });
    fs.rmSync(path.join(dir, "scenario.ts"));
    const result = await build(configFile);
    expect(result.diagnostics.map((d) => [d.code, d.span?.line])).toEqual([["FC1010", 1]]);
    expect(fs.existsSync(path.join(dir, "generated"))).toBe(false);
  });

  it("writes to an outDir outside the project, since the config states it, and says where the files went", async () => {
    const dir = fresh("outdir-outside");
    const outside = `${dir}-out`;
    made.push(outside);
    for (const outDir of [`../${path.basename(outside)}`, outside]) {
      fs.rmSync(outside, { recursive: true, force: true });
      const configFile = editConfig(dir, (c) => (c.outDir = outDir));
      const run = await cli("build", "--config", configFile);
      expect(run.code).toBe(0);
      expect(run.err).toContain(`warning FC2004: outDir is outside the config's folder: files were written to ${outside}`);
      expect(
        fs
          .readdirSync(outside)
          .filter((f) => !f.startsWith("."))
          .sort(),
      ).toEqual(["batch.graph.json", "batch.ts", "online.graph.json", "online.ts"]);
      expect(fs.existsSync(path.join(dir, "generated"))).toBe(false);
    }
  });
});

describe("ownership: featc touches only files it wrote", () => {
  it("keeps another config's executors in a shared outDir, and refuses a target that would overwrite them", async () => {
    const dir = fresh("shared");
    editConfig(dir, (c) => (c.targets = { serving: (c.targets as Record<string, unknown>).online }), "serving.config.json");
    await buildOk(dir);
    await buildOk(dir, "serving.config.json");
    const serving = fs.readFileSync(path.join(dir, "generated", "serving.ts"), "utf8");
    // Rebuilding the first config (every target, so it removes files of targets that are gone) keeps them.
    const again = await buildOk(dir);
    expect(again.removed).toEqual([]);
    expect(fs.readFileSync(path.join(dir, "generated", "serving.ts"), "utf8")).toBe(serving);
    expect((await cli("build", "--check", "--config", path.join(dir, "serving.config.json"))).code).toBe(0);

    // A second config whose target has the same name as one of the first's is refused.
    const clash = editConfig(dir, (c) => (c.targets = { online: (c.targets as Record<string, unknown>).online }), "clash.config.json");
    const online = fs.readFileSync(path.join(dir, "generated", "online.ts"), "utf8");
    const result = await build(clash);
    const errors = result.diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => d.message)).toEqual([
      'generated/online.ts belongs to the config featc.config.json, which shares this outDir; rename the target or give one config another "outDir"',
      'generated/online.graph.json belongs to the config featc.config.json, which shares this outDir; rename the target or give one config another "outDir"',
    ]);
    expect(errors.every((d) => d.code === "FC1012")).toBe(true);
    expect(fs.readFileSync(path.join(dir, "generated", "online.ts"), "utf8")).toBe(online);
  });

  it("removes only files it wrote, says which, and leaves foreign files — even with a copied header — alone", async () => {
    const dir = fresh("foreign");
    editConfig(dir, (c) => ((c.targets as Record<string, unknown>).serving = (c.targets as Record<string, unknown>).online));
    await buildOk(dir);
    const foreign = {
      "generated/other.graph.json": fs
        .readFileSync(path.join(dir, "generated", "online.graph.json"), "utf8")
        .replace('"target": "online"', '"target": "other"'),
      "generated/notes.ts": fs.readFileSync(path.join(dir, "generated", "online.ts"), "utf8") + "// kept by hand\n",
      "generated/README.md": "what is in this folder\n",
    };
    writeFiles(dir, foreign);
    editConfig(dir, (c) => delete (c.targets as Record<string, unknown>).serving);
    const check = await cli("build", "--check", "--config", dir);
    expect(check.code).toBe(1);
    expect(check.err).toMatch(/stale[^]*generated\/serving\.ts/);
    const run = await cli("build", "--config", dir);
    expect(run.code).toBe(0);
    expect(run.err).toMatch(/removed 2:?[^]*generated\/serving\.graph\.json\n\s+generated\/serving\.ts/);
    expect(fs.existsSync(path.join(dir, "generated", "serving.ts"))).toBe(false);
    for (const [rel, text] of Object.entries(foreign)) expect(fs.readFileSync(path.join(dir, rel), "utf8")).toBe(text);
  });

  it("does not overwrite a file it did not write, and leaves a hand-edited file of a gone target in place", async () => {
    const dir = fresh("overwrite");
    editConfig(dir, (c) => ((c.targets as Record<string, unknown>).serving = (c.targets as Record<string, unknown>).online));
    await buildOk(dir);
    fs.appendFileSync(path.join(dir, "generated", "serving.ts"), "// my change\n");
    editConfig(dir, (c) => {
      const targets = c.targets as Record<string, unknown>;
      delete targets.serving;
      targets.mine = targets.online;
    });
    writeFiles(dir, { "generated/mine.ts": "export const mine = 1;\n" });
    const refused = await build(path.join(dir, "featc.config.json"));
    expect(refused.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["FC1012", expect.stringContaining("generated/mine.ts exists and featc did not write it")],
    ]);
    expect(fs.readFileSync(path.join(dir, "generated", "mine.ts"), "utf8")).toBe("export const mine = 1;\n");
    fs.rmSync(path.join(dir, "generated", "mine.ts"));
    const result = await buildOk(dir);
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      expect.stringContaining("generated/serving.ts was edited since featc wrote it"),
    ]);
    expect(result.removed).toEqual(["generated/serving.graph.json"]);
    expect(fs.readFileSync(path.join(dir, "generated", "serving.ts"), "utf8")).toContain("// my change");
  });

  it("reads its record as data: an entry outside outDir is neither removed nor kept", async () => {
    const dir = fresh("record-outside");
    await buildOk(dir);
    const victim = path.join(dir, "catalog", "types.ts");
    const recordFile = path.join(
      dir,
      "generated",
      fs.readdirSync(path.join(dir, "generated")).find((f) => f.endsWith(".outputs.json"))!,
    );
    const record = JSON.parse(fs.readFileSync(recordFile, "utf8")) as { files: Record<string, string> };
    record.files["../catalog/types.ts"] = crypto.createHash("sha256").update(fs.readFileSync(victim, "utf8")).digest("hex");
    fs.writeFileSync(recordFile, JSON.stringify(record));
    const result = await buildOk(dir);
    expect(result.removed).toEqual([]);
    expect(fs.existsSync(victim)).toBe(true);
    expect(fs.readFileSync(recordFile, "utf8")).not.toContain("../catalog");
  });

  it("takes over, once, the files an earlier featc wrote without a record", async () => {
    const dir = fresh("legacy");
    await buildOk(dir);
    for (const name of fs.readdirSync(path.join(dir, "generated")))
      if (name.startsWith(".featc-")) fs.rmSync(path.join(dir, "generated", name));
    fs.appendFileSync(path.join(dir, "generated", "online.ts"), "// stale\n");
    const result = await buildOk(dir);
    expect(result.changed).toContain("generated/online.ts");
    expect(fs.readFileSync(path.join(dir, "generated", "online.ts"), "utf8")).not.toContain("// stale");
  });
});

describe("the set of outputs switches as one", () => {
  it("a folder where a generated file goes: FC1012 naming it, every old file untouched, nothing left behind", async () => {
    const dir = fresh("folder-in-the-way");
    await buildOk(dir);
    const features = path.join(dir, "catalog", "features.ts");
    fs.writeFileSync(features, fs.readFileSync(features, "utf8").replace("return age + bonus;", "return age + bonus * 2;"));
    fs.rmSync(path.join(dir, "generated", "online.graph.json"));
    fs.mkdirSync(path.join(dir, "generated", "online.graph.json", "inside"), { recursive: true });
    const before = snapshot(path.join(dir, "generated"));
    const run = await cli("build", "--config", dir);
    expect(run.code).toBe(1);
    expect(run.err).toContain("error FC1012: generated/online.graph.json is a folder where a generated file goes");
    expect(sameFiles(snapshot(path.join(dir, "generated")), before)).toBe(true);
    expect(fs.readdirSync(path.join(dir, "generated")).filter((f) => f.startsWith("."))).toEqual([
      expect.stringMatching(/\.outputs\.json$/),
    ]);
  });

  it("a step that fails after the commit is undone: every old file comes back, and no new one stays", async () => {
    const dir = workspace("switch-undo");
    made.push(dir);
    writeFiles(dir, { "a.ts": "old a", "b.ts": "old b", "d.ts": "old d", "c.ts/inside": "a folder in the way" });
    const before = snapshot(dir);
    const writes = new Map([
      ["a.ts", "new a"],
      ["e.ts", "new e"],
      ["c.ts", "new c"],
      ["b.ts", "new b"],
    ]);
    await expect(switchOutputs(dir, ".featc-t", writes, ["d.ts"])).rejects.toThrow("c.ts is not a file");
    expect(snapshot(dir)).toEqual(before);
    expect(fs.readdirSync(dir).sort()).toEqual(["a.ts", "b.ts", "c.ts", "d.ts"]);
  });

  it("--check reports what a killed build left, and the next build removes it", async () => {
    const dir = fresh("leftovers");
    await buildOk(dir);
    const generated = path.join(dir, "generated");
    const deadPid = 2 ** 22 + 1; // above Linux's pid_max
    writeFiles(generated, { [`.online.ts.${deadPid}.featc-tmp`]: "partial", ".featc-featc.config-00000000.staging/new/online.ts": "x" });
    const prefix = fs
      .readdirSync(generated)
      .find((f) => f.endsWith(".outputs.json"))!
      .replace(/\.outputs\.json$/, "");
    writeFiles(generated, { [`${prefix}.staging/new/online.ts`]: "partial", [`${prefix}.staging/owner`]: String(deadPid) });
    const check = await cli("build", "--check", "--config", dir, "--format", "json");
    expect(check.code).toBe(1);
    expect((JSON.parse(check.out) as { stale: string[] }).stale.sort()).toEqual(
      [`generated/${prefix}.staging/`, `generated/.online.ts.${deadPid}.featc-tmp`].sort(),
    );
    const run = await cli("build", "--config", dir);
    expect(run.code).toBe(0);
    expect(run.err).toContain("warning FC2004: an interrupted build left temporary files in generated");
    expect(
      fs
        .readdirSync(generated)
        .filter((f) => f.startsWith("."))
        .sort(),
    ).toEqual([".featc-featc.config-00000000.staging", `${prefix}.outputs.json`]);
    expect((await cli("build", "--check", "--config", dir)).code).toBe(0);
  });

  it("refuses to build while another live build of the config is staging, and takes over a staging folder abandoned long ago", async () => {
    const dir = fresh("busy");
    await buildOk(dir);
    const generated = path.join(dir, "generated");
    const prefix = fs
      .readdirSync(generated)
      .find((f) => f.endsWith(".outputs.json"))!
      .replace(/\.outputs\.json$/, "");
    const owner = path.join(generated, `${prefix}.staging`, "owner");
    writeFiles(generated, { [`${prefix}.staging/owner`]: String(process.ppid) }); // a live process that is not this one
    const busy = await build(path.join(dir, "featc.config.json"));
    expect(busy.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["FC1012", `another featc build of featc.config.json is writing generated (process ${process.ppid}); try again when it ends`],
    ]);
    expect(fs.existsSync(owner)).toBe(true);
    const longAgo = new Date(Date.now() - 3_600_000);
    fs.utimesSync(owner, longAgo, longAgo);
    const result = await buildOk(dir);
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      `an interrupted build left temporary files in generated (${prefix}.staging/); removed them`,
    ]);
    expect(fs.existsSync(path.dirname(owner))).toBe(false);
  });

  it("SIGKILL at random moments of the write: the files are all old or all new, or a journal the next build completes", async () => {
    // Many targets make the write long enough to be hit; the catalog change alters every file.
    const dir = fresh("sigkill");
    const manyTargets = (c: Record<string, unknown>) => {
      const targets = c.targets as Record<string, unknown>;
      for (let i = 0; i < 16; i++) targets[`t${i}`] = i % 2 ? targets.online : targets.batch;
    };
    editConfig(dir, manyTargets);
    const generated = path.join(dir, "generated");
    await buildOk(dir);
    const old = snapshot(generated);
    const features = path.join(dir, "catalog", "features.ts");
    fs.writeFileSync(features, fs.readFileSync(features, "utf8").replace("/** Age plus bonus.", "/** Age plus the bonus."));
    const next = fresh("sigkill-new");
    fs.cpSync(dir, next, { recursive: true });
    await buildOk(next);
    const updated = snapshot(path.join(next, "generated"));
    expect(sameFiles(old, updated)).toBe(false);

    const seed = Number(process.env.FEATC_TEST_SEED ?? Date.now()) >>> 0;
    let state = seed || 1;
    const random = () => (state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const outcomes = { old: 0, new: 0, journal: 0 };
    // Bounded: stop once kills have landed both before and after the commit (or after 12 rounds).
    const rounds = 12;
    for (let round = 0; round < rounds && (outcomes.old < 2 || outcomes.journal < 1 || round < 4); round++) {
      fs.rmSync(generated, { recursive: true });
      writeFiles(generated, Object.fromEntries(old));
      const child = spawn(process.execPath, [FEATC, "build", "--config", dir], { stdio: "ignore" });
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      // Kill a random few milliseconds after the staging folder appears (even rounds: while the new
      // files are written), or as soon as the journal appears (odd rounds: while they move in place).
      const trigger = round % 2 === 0 ? ".staging" : ".journal.json";
      const delay = round % 2 === 0 ? Math.floor(random() * 12) : 0;
      const watcher = fs.watch(generated, (_event, name) => {
        if (!String(name).endsWith(trigger)) return;
        watcher.close();
        if (delay === 0) child.kill("SIGKILL");
        else setTimeout(() => child.kill("SIGKILL"), delay);
      });
      await exited;
      watcher.close();
      const journal = fs.readdirSync(generated).some((f) => f.endsWith(".journal.json"));
      const now = snapshot(generated);
      const label = `seed ${seed} round ${round}`;
      if (journal) {
        outcomes.journal++;
        const check = await cli("build", "--check", "--config", dir);
        expect(check.code, label).toBe(1);
        expect(check.err, label).toContain("an interrupted build left its switch half done");
      } else if (sameFiles(now, old)) outcomes.old++;
      else {
        expect(sameFiles(now, updated), `${label}: a mixed set of files without a journal`).toBe(true);
        outcomes.new++;
      }
      // The next build completes a committed switch, or discards an uncommitted one.
      if (journal || round === 0) {
        const run = await cli("build", "--config", dir);
        expect(run.code, label).toBe(0);
        expect(sameFiles(snapshot(generated), updated), label).toBe(true);
        expect(
          fs.readdirSync(generated).filter((f) => /\.(staging|journal\.json)$|featc-tmp$/.test(f)),
          label,
        ).toEqual([]);
      }
    }
    // Kills must have landed inside the write, before and after the commit, or the test proved little.
    console.log(`SIGKILL during the write, seed ${seed}: ${JSON.stringify(outcomes)}`);
    expect(outcomes.old, `seed ${seed}: ${JSON.stringify(outcomes)}`).toBeGreaterThan(0);
    expect(outcomes.journal, `seed ${seed}: ${JSON.stringify(outcomes)}`).toBeGreaterThan(0);
  }, 300_000);
});
