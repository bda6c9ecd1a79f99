/**
 * The native type check is bounded and never outlives featc. A catalog whose types keep tsc busy
 * for minutes (a mapped type over a 10,000-member union, instantiated again and again) is checked
 * by the real command line: past the bound it is FC1011 "did not finish", and when featc ends —
 * by its bound, by SIGTERM or SIGINT, or by an uncaught error — no tsc process is left running.
 * Processes are found in /proc: the tsc children of featc's process, recorded while it runs. A
 * featc server bounds the checker it keeps the same way, and closes it at the bound.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { REPO, removeWorkspace, workspace, writeFiles } from "./support/workspace.js";

// Each test runs featc (and tsc) as processes: on a loaded machine that takes longer than the default bound.
vi.setConfig({ testTimeout: 240_000 });

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeWorkspace));

/** A catalog tsc needs minutes for: each mapped type over 10,000 keys is compared with another. */
function slowCatalog(): string {
  const dir = workspace("typecheck-bound");
  dirs.push(dir);
  const lines = ['type D = "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9";', "type U = `${D}${D}${D}${D}`;"];
  for (let i = 0; i < 30; i++)
    lines.push(`type O${i}<T> = { [K in U as \`k\${K}_${i}\`]: T };`, `const o${i}: O${i}<number> = {} as O${i}<${i}>;`);
  lines.push("export function older(age: number): number {\n  return age + 1;\n}");
  writeFiles(dir, {
    "featc.config.json": JSON.stringify({
      catalog: ["catalog/**/*.ts"],
      targets: { online: { shape: "online", inputs: "catalog/inputs.ts#Inputs" } },
    }),
    "catalog/inputs.ts": "export interface Inputs {\n  age: number;\n}\n",
    "catalog/slow.ts": lines.join("\n") + "\n",
  });
  return dir;
}

/** Process ids whose parent is `pid` and whose command is `name`. */
function childrenOf(pid: number, name: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid && comm === name) found.push(Number(entry));
    } catch {
      // The process ended while the folder was read.
    }
  }
  return found;
}

/** Running: its /proc entry exists and it is not a zombie waiting to be reaped. */
function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

interface Run {
  readonly child: ChildProcess;
  /** tsc processes seen as children of featc while it ran. */
  readonly seen: Set<number>;
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function start(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, args, { cwd: REPO, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const seen = new Set<number>();
  const poll = setInterval(() => childrenOf(child.pid!, "tsc").forEach((pid) => seen.add(pid)), 25);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d));
  child.stderr!.on("data", (d: Buffer) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => {
      clearInterval(poll);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { child, seen, done };
}

function featc(dir: string, env: Record<string, string> = {}): Run {
  return start([path.join(REPO, "bin", "featc.js"), "check", "--format", "json", "--config", path.join(dir, "featc.config.json")], env);
}

async function until(condition: () => boolean, seconds: number): Promise<void> {
  for (const end = Date.now() + seconds * 1000; !condition();) {
    if (Date.now() > end) throw new Error(`not within ${seconds} s`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function expectAllGone(pids: Iterable<number>): Promise<void> {
  const list = [...pids];
  await until(() => list.every((pid) => !running(pid)), 30).catch(() => undefined);
  expect(list.filter(running)).toEqual([]);
}

describe("the native type check's bound", () => {
  it("past its bound: FC1011 'did not finish in N s', one JSON document, exit 1, and tsc is gone", async () => {
    const dir = slowCatalog();
    const run = featc(dir, { FEATC_TYPECHECK_TIMEOUT: "1" });
    const result = await run.done;
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout) as { diagnostics: { code: string; message: string; file: string | null }[] };
    expect(report.diagnostics).toEqual([
      expect.objectContaining({ code: "FC1011", file: null, message: expect.stringContaining("the type check did not finish in 1 s") }),
    ]);
    expect(report.diagnostics[0]!.message).toContain("typeCheckTimeout");
    expect(run.seen.size).toBe(1);
    await expectAllGone(run.seen);
  });

  it("through featc server: the same FC1011 past the bound, and the checker the server kept is closed", async () => {
    const dir = slowCatalog();
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), "featc-bound-cache-"));
    dirs.push(cache);
    const env = { XDG_CACHE_HOME: cache, FEATC_SERVER: "" };
    const server = start([path.join(REPO, "bin", "featc.js"), "server", "--idle", "5"], env);
    try {
      await until(
        () => fs.existsSync(path.join(cache, "featc", "server")) && fs.readdirSync(path.join(cache, "featc", "server")).length > 0,
        60,
      );
      const result = await featc(dir, { ...env, FEATC_TYPECHECK_TIMEOUT: "1" }).done;
      expect(result.code, result.stderr).toBe(1);
      const report = JSON.parse(result.stdout) as { diagnostics: { code: string; message: string; file: string | null }[] };
      expect(report.diagnostics).toEqual([
        expect.objectContaining({ code: "FC1011", file: null, message: expect.stringContaining("the type check did not finish in 1 s") }),
      ]);
      // The server ran it, with a checker of its own that it closed at the bound.
      expect(server.seen.size).toBe(1);
      await expectAllGone(server.seen);
    } finally {
      server.child.kill("SIGTERM");
      await server.done;
    }
  });

  it('"typeCheckTimeout" in the config sets the bound; a bad value is FC1010 at it', async () => {
    const dir = slowCatalog();
    const config = JSON.parse(fs.readFileSync(path.join(dir, "featc.config.json"), "utf8")) as Record<string, unknown>;
    fs.writeFileSync(path.join(dir, "featc.config.json"), JSON.stringify({ ...config, typeCheckTimeout: 1.5 }, null, 2));
    const run = featc(dir);
    const result = await run.done;
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain("did not finish in 1.5 s");
    await expectAllGone(run.seen);
    const badText = JSON.stringify({ ...config, typeCheckTimeout: "soon" }, null, 2);
    fs.writeFileSync(path.join(dir, "featc.config.json"), badText);
    const bad = await featc(dir).done;
    expect(bad.code).toBe(2);
    const line = badText.slice(0, badText.indexOf('"soon"')).split("\n").length;
    expect(JSON.parse(bad.stdout)).toEqual({
      diagnostics: [
        expect.objectContaining({
          code: "FC1010",
          line,
          message: expect.stringContaining('"typeCheckTimeout" must be a number of seconds'),
        }),
      ],
    });
  });

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`featc ended by ${signal} while tsc runs leaves no tsc behind, nor its temporary folder`, async () => {
      const dir = slowCatalog();
      const tmp = path.join(dir, "tmp");
      fs.mkdirSync(tmp);
      const run = featc(dir, { TMPDIR: tmp });
      await until(() => run.seen.size > 0, 120);
      // (featc run through tsx, from sources newer than dist/, has tsx keep a cache folder there.)
      const featcFolders = () => fs.readdirSync(tmp).filter((name) => name.startsWith("featc-"));
      expect(featcFolders()).toEqual([expect.stringMatching(/^featc-tsc-/)]);
      run.child.kill(signal);
      const result = await run.done;
      expect(result.signal).toBe(signal);
      await expectAllGone(run.seen);
      expect(featcFolders()).toEqual([]);
    });
  }

  it("an uncaught error in featc's process while tsc runs leaves no tsc behind", async () => {
    const dir = slowCatalog();
    const script = [
      `import { startNativeCheck } from ${JSON.stringify(path.join(REPO, "compiler", "discover", "native-check.ts"))};`,
      `startNativeCheck({ files: [${JSON.stringify(path.join(dir, "catalog", "slow.ts"))}], extraFiles: [], options: { strict: true, noEmit: true, module: "nodenext", target: "es2022", types: [] }, timeoutSeconds: 300, resolvedOptions: "{}" });`,
      `setTimeout(() => { throw new Error("boom"); }, 1500);`,
    ].join("\n");
    const tmp = path.join(dir, "tmp");
    fs.mkdirSync(tmp);
    const run = start(["--import", "tsx", "--input-type=module", "-e", script], { TMPDIR: tmp });
    const result = await run.done;
    expect(result.stderr).toContain("boom");
    expect(result.code).not.toBe(0);
    expect(run.seen.size).toBe(1);
    await expectAllGone(run.seen);
    // (tsx keeps a cache folder of its own there.)
    expect(fs.readdirSync(tmp).filter((name) => name.startsWith("featc-"))).toEqual([]);
  });
});
