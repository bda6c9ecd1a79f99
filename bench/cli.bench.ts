/**
 * The command line as a user meets it, each command a whole process (spawn to exit, wall time),
 * beside the floors it is measured against:
 *  - start-up: `featc --help` and `featc --version` against `node -e 0`;
 *  - the reference catalog (catalog/, featc.config.json): `featc check` and `featc build`
 *    against the native `tsc --noEmit` on the same files with the same options (the files and
 *    tsconfig featc hands its own native check), and against loading TypeScript 6 (the module
 *    featc loads, ts-morph's dependency's `typescript.js`, with a plain `require`) into Node,
 *    which every command that reads a catalog pays. `featc check` runs warm (its result cache
 *    holds the unchanged catalog's result), cold (`--no-cache`: the catalog read and checked
 *    again), and cold with its cache folder turned off too (FEATC_COMPILE_CACHE=0: no compiled
 *    code, no copy of the standard library's declarations), as on the first run after an install;
 *  - `featc check --no-cache` and `featc build` of the reference catalog again while a `featc
 *    server` runs (started once, before the rounds; its own cache folder): the command's process
 *    hands the command to the server, which has TypeScript loaded and the standard library parsed.
 *    Their CPU time is the client's, the server's and its children's (its native checkers) while it
 *    ran the command;
 *  - `featc check --no-cache` of the catalog `featc init` writes, in a project of its own (featc
 *    and `@types` linked from this repository).
 * The contenders run in interleaved rounds (each round in a rotated order) so that a busy machine
 * slows all of them alike; the table shows wall-time medians and p99, CPU-time medians (user +
 * system, the process and its children, from Linux's accounting), and each command's ratios to
 * both floors. Every run must succeed: `check` must report the catalog clean, `build` must find its
 * files up to date or write them.
 * Run: npx tsx bench/cli.bench.ts [--rounds 10] [--quick]
 */
import { execFileSync, spawn } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../compiler/config.js";
import { nativeCompiler } from "../compiler/discover/native-check.js";
import { machine, table, writeRows, type Row } from "./harness.js";

const REPO = path.resolve(fileURLToPath(new URL("..", import.meta.url)));
const CLI = path.join(REPO, "bin", "featc.js");
const quick = process.argv.includes("--quick");
const roundsArg = process.argv.indexOf("--rounds");
const rounds = roundsArg >= 0 ? Number(process.argv[roundsArg + 1]) : quick ? 3 : 10;

interface Contender {
  readonly name: string;
  readonly command: readonly string[];
  readonly env?: Record<string, string>;
  /** What a successful run prints (stdout + stderr), besides exiting 0. */
  readonly expect?: RegExp;
  /** The table's group when not the reference catalog's (start-up, another catalog): compared with node only. */
  readonly group?: string;
  /** Runs while the bench's `featc server` runs, and is answered by it. */
  readonly served?: boolean;
}

/** The bench's `featc server`, in a cache folder of its own; started before the rounds. */
let server: { process: ReturnType<typeof spawn>; env: Record<string, string> } | undefined;

/** Linux's clock ticks per second, the unit of /proc/self/stat's times. */
const TICKS = fs.existsSync("/proc/self/stat") ? Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" })) : NaN;

/**
 * CPU milliseconds (user + system) of this process's finished children, their own children
 * included (Linux's cutime + cstime); NaN elsewhere. A busy machine stretches wall time far
 * more than CPU time.
 */
function childrenCpuMs(): number {
  if (!Number.isFinite(TICKS)) return NaN;
  const fields = fs.readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[13]) + Number(fields[14])) / TICKS) * 1000;
}

/**
 * CPU milliseconds of a running process, of the children it has waited for and of those still
 * running (the server's native checkers), theirs included (Linux's utime + stime + cutime +
 * cstime); NaN elsewhere.
 */
function processTreeCpuMs(pid: number): number {
  if (!Number.isFinite(TICKS)) return NaN;
  // A child that ends while it is read counts nothing here: its time is then in its parent's cutime.
  const read = (file: string) => {
    try {
      return fs.readFileSync(file, "utf8");
    } catch {
      return "";
    }
  };
  const fields = read(`/proc/${pid}/stat`).split(") ")[1]?.split(" ");
  if (!fields) return 0;
  const own = ((Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / TICKS) * 1000;
  let tasks: string[] = [];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    // Ended.
  }
  const children = tasks.flatMap((task) => read(`/proc/${pid}/task/${task}/children`).split(" ").filter(Boolean).map(Number));
  return own + children.reduce((sum, child) => sum + processTreeCpuMs(child), 0);
}

/** Starts the bench's server; resolves once it listens. */
function startServer(cache: string): Promise<NonNullable<typeof server>> {
  const env = { XDG_CACHE_HOME: cache };
  const child = spawn(process.execPath, [CLI, "server", "--idle", "60"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let log = "";
    child.stderr.on("data", (d: Buffer) => {
      log += d;
      if (log.includes("server listening on")) resolve({ process: child, env });
    });
    child.on("exit", (code) => reject(new Error(`featc server exited ${code}:\n${log}`)));
  });
}

/** One run: wall and CPU milliseconds from spawn to exit; throws when the run failed. */
function runOnce(c: Contender): Promise<{ wall: number; cpu: number }> {
  return new Promise((resolve, reject) => {
    const serverPid = c.served ? server!.process.pid! : undefined;
    const cpuBefore = childrenCpuMs() + (serverPid ? processTreeCpuMs(serverPid) : 0);
    const start = process.hrtime.bigint();
    const child = spawn(c.command[0]!, c.command.slice(1), {
      cwd: REPO,
      // Only the contenders meant to be served find a server (in its own cache folder).
      env: { ...process.env, NO_COLOR: "1", ...c.env, ...(c.served ? server!.env : { FEATC_SERVER: "0" }) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d));
    child.stderr.on("data", (d: Buffer) => (output += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (code !== 0 || (c.expect && !c.expect.test(output))) reject(new Error(`${c.name} exited ${code}:\n${output.slice(0, 4000)}`));
      else resolve({ wall: ms, cpu: childrenCpuMs() + (serverPid ? processTreeCpuMs(serverPid) : 0) - cpuBefore });
    });
  });
}

/** The native tsc on the catalog's files: the project featc's native check writes, kept in `dir`. */
async function nativeTscProject(dir: string): Promise<string> {
  const { config } = await loadConfig(path.join(REPO, "featc.config.json"));
  if (!config) throw new Error("the reference catalog's config does not load");
  const inputs = config.targets.flatMap((t) => (t.inputs ? [t.inputs.file] : []));
  const project = path.join(dir, "tsconfig.json");
  fs.writeFileSync(
    project,
    JSON.stringify({
      extends: config.tsconfig,
      compilerOptions: { noEmit: true, typeRoots: [path.join(REPO, "node_modules", "@types")] },
      files: [...new Set([...config.catalogFiles, ...inputs])],
      include: [],
    }),
  );
  return project;
}

/** A project as `featc init` leaves it, with featc and the `@types` packages linked from this repository. */
function initProject(dir: string): string {
  const project = path.join(dir, "init-project");
  fs.mkdirSync(path.join(project, "node_modules"), { recursive: true });
  fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "init-project", type: "module" }));
  fs.symlinkSync(REPO, path.join(project, "node_modules", "featc"), "dir");
  fs.symlinkSync(path.join(REPO, "node_modules", "@types"), path.join(project, "node_modules", "@types"), "dir");
  execFileSync(process.execPath, [CLI, "init", project], { stdio: "ignore" });
  return path.join(project, "featc.config.json");
}

/** The module featc loads TypeScript 6 from (compiler/typescript.ts): ts-morph's dependency's `typescript.js`. */
const typescriptModule = createRequire(
  createRequire(createRequire(import.meta.url).resolve("ts-morph")).resolve("@ts-morph/common"),
).resolve("./typescript");

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * q) - 1)]!;
const median = (sorted: readonly number[]) =>
  sorted.length % 2 === 1 ? sorted[sorted.length >> 1]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "featc-cli-bench-"));
try {
  const tsc = nativeCompiler();
  if (!tsc) throw new Error("no native tsc (TypeScript ≥ 7) next to featc");
  const project = await nativeTscProject(dir);
  server = await startServer(path.join(dir, "server-cache"));
  const node = process.execPath;
  const START_UP = "CLI start-up";
  const NODE: Contender = { name: "node -e 0", command: [node, "-e", "0"], group: START_UP };
  const TSC: Contender = { name: "tsc --noEmit (native), same files", command: [tsc, "-p", project, "--pretty", "false"] };
  const contenders: Contender[] = [
    NODE,
    { name: "featc --version", command: [node, CLI, "--version"], expect: /^\d+\.\d+\.\d+/, group: START_UP },
    { name: "featc --help", command: [node, CLI, "--help"], expect: /Commands:/, group: START_UP },
    TSC,
    { name: "node, load TypeScript 6", command: [node, "-e", `require(${JSON.stringify(typescriptModule)})`] },
    { name: "featc check, cached (nothing changed)", command: [node, CLI, "check"], expect: /catalog is clean/ },
    { name: "featc check --no-cache", command: [node, CLI, "check", "--no-cache"], expect: /catalog is clean/ },
    {
      name: "featc check --no-cache, no cache folder",
      command: [node, CLI, "check", "--no-cache"],
      env: { FEATC_COMPILE_CACHE: "0" },
      expect: /catalog is clean/,
    },
    { name: "featc build", command: [node, CLI, "build"], expect: /generated files already up to date|wrote \d+ file/ },
    {
      name: "featc check --no-cache, featc server running",
      command: [node, CLI, "check", "--no-cache"],
      expect: /catalog is clean/,
      served: true,
    },
    {
      name: "featc build, featc server running",
      command: [node, CLI, "build"],
      expect: /generated files already up to date|wrote \d+ file/,
      served: true,
    },
    {
      name: "featc check --no-cache",
      command: [node, CLI, "check", "--no-cache", "--config", initProject(dir)],
      expect: /catalog is clean/,
      group: "CLI, featc init's catalog (3 nodes)",
    },
  ];
  // One unmeasured round: fills the file cache, writes the compiled-code cache, checks every command works.
  for (const c of contenders) await runOnce(c);
  const wall = contenders.map(() => [] as number[]);
  const cpu = contenders.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const i = (k + r) % contenders.length;
      const run = await runOnce(contenders[i]!);
      wall[i]!.push(run.wall);
      cpu[i]!.push(run.cpu);
    }
  }
  const wallMedian = wall.map((t) => median(t.sort((a, b) => a - b)));
  const cpuMedian = cpu.map((t) => median(t.sort((a, b) => a - b)));
  const at = (c: Contender) => contenders.indexOf(c);
  const ratios = (i: number, ref: Contender) =>
    `${(wallMedian[i]! / wallMedian[at(ref)]!).toFixed(2)}× (CPU ${(cpuMedian[i]! / cpuMedian[at(ref)]!).toFixed(2)}×)`;
  const all: Row[] = contenders.map((c, i) => ({
    bench: c.group ?? "CLI, reference catalog (17 nodes)",
    contender: c.name,
    median: `${wallMedian[i]!.toFixed(0)} ms`,
    p99: `${quantile(wall[i]!, 0.99).toFixed(0)} ms`,
    ratio: c === NODE ? "1.00 (ref)" : c.group || c === TSC ? `${ratios(i, NODE)} node` : `${ratios(i, TSC)} tsc; ${ratios(i, NODE)} node`,
    note: `CPU ${cpuMedian[i]!.toFixed(0)} ms${c === NODE ? `; wall, spawn to exit; ${rounds} interleaved round${rounds === 1 ? "" : "s"}` : c === TSC ? "; the catalog's and inputs' files, the repo's tsconfig" : ""}`,
  }));
  writeRows(all);
  console.log(
    `featc's command line: wall time per process (median, p99), its CPU time (median) and the ratios of both, over ${rounds} round${rounds === 1 ? "" : "s"}`,
  );
  console.log(
    `machine: ${machine()}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  console.log(table(all));
} finally {
  server?.process.kill();
  fs.rmSync(dir, { recursive: true, force: true });
}
