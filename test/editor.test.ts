/**
 * featc's errors in the editor: .vscode/tasks.json runs `featc check` and `featc build --watch`
 * with a problem matcher. The matcher's patterns are read from that file and applied to what
 * the CLI really prints: every diagnostic line must parse into the file, position, severity and
 * code of the JSON output, and the watch task's begin/end lines must frame every rebuild.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO, removeWorkspace, workspace } from "./support/workspace.js";

interface Matcher {
  pattern: { regexp: string; file: number; line: number; column: number; severity: number; code: number; message: number };
  background?: { beginsPattern: string; endsPattern: string };
}
const tasks = JSON.parse(fs.readFileSync(path.join(REPO, ".vscode", "tasks.json"), "utf8")) as {
  tasks: { label: string; command: string; problemMatcher: Matcher }[];
};
const task = (label: string) => tasks.tasks.find((t) => t.label === label)!;
const FEATC = path.join(REPO, "bin", "featc.js");
const ENV = { ...process.env, NO_COLOR: "1" };

/** The problems an editor would list for this output. */
function problems(matcher: Matcher, output: string) {
  const re = new RegExp(matcher.pattern.regexp);
  const p = matcher.pattern;
  return output.split(/\r?\n/).flatMap((line) => {
    const m = re.exec(line);
    return m
      ? [
          {
            file: m[p.file]!,
            line: Number(m[p.line]),
            column: Number(m[p.column]),
            severity: m[p.severity]!,
            code: m[p.code]!,
            message: m[p.message]!,
          },
        ]
      : [];
  });
}

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeWorkspace));

describe("the editor's problem matcher", () => {
  it.each(["fc1004-types", "fc2001-unused-input", "fc1011-typescript"])("reads every diagnostic of featc check on %s", (fixture) => {
    const config = path.join(REPO, "test", "fixtures", "diagnostics", fixture, "featc.config.json");
    const human = spawnSync(process.execPath, [FEATC, "check", "--config", config], {
      encoding: "utf8",
      env: ENV,
      cwd: path.dirname(config),
    });
    const json = spawnSync(process.execPath, [FEATC, "check", "--config", config, "--format", "json"], {
      encoding: "utf8",
      env: ENV,
      cwd: path.dirname(config),
    });
    expect(task("featc: check").command).toBe("npx featc check");
    const found = problems(task("featc: check").problemMatcher, human.stderr);
    const expected = (
      JSON.parse(json.stdout) as { diagnostics: { file?: string; line?: number; column?: number; severity: string; code: string }[] }
    ).diagnostics
      .filter((d) => d.file !== undefined)
      .map((d) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code}`);
    expect(found.length).toBeGreaterThan(0);
    // Human output prints a finding shared by several targets once, JSON once per target: the
    // same places, each at most as often.
    const keys = found.map((d) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code}`);
    expect([...new Set(keys)].sort()).toEqual([...new Set(expected)].sort());
    expect(keys.length).toBeLessThanOrEqual(expected.length);
    for (const d of found) {
      expect(fs.existsSync(path.join(path.dirname(config), d.file)), d.file).toBe(true);
      expect(d.message.length).toBeGreaterThan(10);
    }
  });

  it("frames each rebuild of featc build --watch with its begin and end lines, problems in between", async () => {
    const dir = workspace("editor-watch", path.join(REPO, "test", "fixtures", "emit", "mixed"));
    dirs.push(dir);
    const matcher = task("featc: build --watch").problemMatcher;
    const begins = new RegExp(matcher.background!.beginsPattern);
    const ends = new RegExp(matcher.background!.endsPattern);
    const child = spawn(process.execPath, [FEATC, "build", "--watch"], { cwd: dir, env: ENV, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    /** The lines of the next completed rebuild after `from` characters of output. */
    const nextBuild = async (from: number): Promise<{ lines: string[]; end: number }> => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const lines = stderr.slice(from).split("\n");
        const b = lines.findIndex((l) => begins.test(l));
        const e = lines.findIndex((l, i) => i > b && b >= 0 && ends.test(l));
        if (b >= 0 && e >= 0) return { lines: lines.slice(b, e + 1), end: from + lines.slice(0, e + 1).join("\n").length };
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no complete rebuild in the watch output:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      const first = await nextBuild(0);
      expect(problems(matcher, first.lines.join("\n"))).toEqual([]);
      expect(first.lines.at(-1)).toContain("built;");

      const file = fs.readdirSync(path.join(dir, "catalog")).find((f) => f.endsWith(".ts") && !f.startsWith("inputs"))!;
      const source = fs.readFileSync(path.join(dir, "catalog", file), "utf8");
      fs.writeFileSync(
        path.join(dir, "catalog", file),
        `${source}\nexport function broken_feature(no_such_input: number): number {\n  return no_such_input;\n}\n`,
      );
      const broken = await nextBuild(first.end);
      const found = problems(matcher, broken.lines.join("\n"));
      expect(found.map((d) => [d.file, d.severity, d.code])).toContainEqual([`catalog/${file}`, "error", "FC1001"]);
      expect(broken.lines.at(-1)).toContain("build failed");

      fs.writeFileSync(path.join(dir, "catalog", file), source);
      const fixed = await nextBuild(broken.end);
      expect(problems(matcher, fixed.lines.join("\n"))).toEqual([]);
      expect(fixed.lines.at(-1)).toContain("built;");
    } finally {
      child.kill("SIGINT");
      await new Promise((r) => child.once("exit", r));
    }
    expect(child.exitCode).toBe(0);
  }, 120_000);
});
