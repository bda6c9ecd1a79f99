/**
 * `featc server` (compiler/cli/server.ts, cli/client.ts), through the command line as a user
 * runs it: a served `featc check` or `featc build` answers exactly as the command does in its
 * own process — output, exit code, files written — in the client's folder and environment,
 * and sees every edit. A server is found only by its own installation's socket; a socket file
 * left by a killed server is ignored and replaced; a server stops on `--stop` and when idle.
 * Every server here keeps its socket in a cache folder of its own (XDG_CACHE_HOME).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { REPO, writeFiles } from "./support/workspace.js";

vi.setConfig({ testTimeout: 120_000 });

const FEATC = path.join(REPO, "bin", "featc.js");
const dirs: string[] = [];
const servers: ChildProcess[] = [];

function tempDir(name: string): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `featc-server-${name}-`)));
  dirs.push(dir);
  return dir;
}

/** The environment of a user whose featc cache (and so server socket) is in `cache`. */
function envFor(cache: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: cache, NO_COLOR: "1", ...extra };
  delete env.FEATC_SERVER;
  return env;
}

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function featc(args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Run {
  const r = spawnSync(process.execPath, [FEATC, ...args], { encoding: "utf8", env, cwd });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** How many commands the server of this cache folder has run; undefined when none runs. */
function commandsRun(env: NodeJS.ProcessEnv): number | undefined {
  const r = featc(["server", "--status"], env, REPO);
  if (r.status !== 0) return undefined;
  return Number(/; (\d+) command\(s\) run;/.exec(r.stdout)![1]);
}

/** Starts `featc server` in the foreground; resolves with its socket once it listens, and its log so far. */
async function startServer(env: NodeJS.ProcessEnv, idleMinutes = 10): Promise<{ server: ChildProcess; socket: string; log: () => string }> {
  const server = spawn(process.execPath, [FEATC, "server", "--idle", String(idleMinutes)], { env, stdio: ["ignore", "pipe", "pipe"] });
  servers.push(server);
  let log = "";
  const socket = await new Promise<string>((resolve, reject) => {
    server.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      log += chunk;
      const listening = /server listening on (.+) \(pid/.exec(log);
      if (listening) resolve(listening[1]!);
    });
    server.once("exit", (code) => reject(new Error(`featc server exited with ${code}: ${log}`)));
  });
  return { server, socket, log: () => log };
}

function stopped(server: ChildProcess): Promise<number | null> {
  return server.exitCode !== null ? Promise.resolve(server.exitCode) : new Promise((resolve) => server.once("exit", resolve));
}

afterAll(() => {
  for (const server of servers) server.kill("SIGKILL");
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

const FEATURES = `/** Twice the price. */
export function doubled(price: number): number {
  return price * 2;
}

export function tripled(doubled: number, price: number): number {
  return doubled + price;
}
`;

function project(): string {
  const dir = tempDir("project");
  writeFiles(dir, {
    "featc.config.json": JSON.stringify({
      catalog: ["catalog/*.ts"],
      outDir: "generated",
      targets: { online: { shape: "online", inputs: "catalog/inputs.ts#Inputs" } },
    }),
    "catalog/inputs.ts": "export interface Inputs {\n  price: number;\n}\n",
    "catalog/features.ts": FEATURES,
  });
  // The generated executor imports featc: the project resolves it to this repository.
  fs.mkdirSync(path.join(dir, "node_modules"));
  fs.symlinkSync(REPO, path.join(dir, "node_modules", "featc"), "dir");
  return dir;
}

describe("a running server", () => {
  let cache = "";
  let dir = "";
  let served: NodeJS.ProcessEnv = {};
  let direct: NodeJS.ProcessEnv = {};
  let server: ChildProcess | undefined;
  let serverLog: () => string = () => "";
  let socket = "";

  beforeAll(async () => {
    cache = tempDir("cache");
    dir = project();
    served = envFor(cache);
    direct = { ...served, FEATC_SERVER: "0" };
    ({ server, log: serverLog, socket } = await startServer(served));
  });

  /** The commands the server has logged (a line each, written before the command's client hears the end). */
  async function logged(atLeast = 0): Promise<string[]> {
    const lines = () => serverLog().match(/^featc: \[[^\]]*\] featc .*$/gm) ?? [];
    // The line is in the pipe; this process reads it once its event loop runs.
    for (const deadline = Date.now() + 10_000; lines().length < atLeast && Date.now() < deadline;)
      await new Promise((resolve) => setTimeout(resolve, 10));
    return lines();
  }

  /** Runs the command through the server and in its own process; expects the same answer, and that the server ran it. */
  async function same(args: readonly string[], env: Record<string, string> = {}, cwd = dir): Promise<Run> {
    const before = (await logged()).length;
    const viaServer = featc(args, { ...served, ...env }, cwd);
    const after = await logged(before + 1);
    expect(after.slice(before), `featc ${args.join(" ")} ran in the server`).toEqual([
      expect.stringContaining(`] featc ${args.join(" ")} (${cwd}): exit ${viaServer.status}, `),
    ]);
    const alone = featc(args, { ...direct, ...env }, cwd);
    expect(viaServer, `featc ${args.join(" ")}`).toEqual(alone);
    return viaServer;
  }

  it("answers check as the command does in its own process: clean, diagnostics, JSON, usage and config errors", async () => {
    expect((await same(["check"])).stderr).toContain("featc: catalog is clean (online: 2 nodes)");
    await same(["check", "--no-cache", "--format", "json"]);
    // A dependency that nothing provides: featc's own diagnostic, with its code frame.
    writeFiles(dir, {
      "catalog/features.ts": FEATURES.replace(
        "price: number): number {\n  return doubled + price",
        "pric: number): number {\n  return doubled + pric",
      ),
    });
    const broken = await same(["check"]);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/features\.ts:6:\d+ - error FC\d{4}: .*'pric'/);
    await same(["check", "--format", "json"]);
    await same(["check", "--target", "nope"]);
    await same(["check", "--bogus"]);
    await same(["check", "--config", path.join(dir, "missing.json")]);
    writeFiles(dir, { "catalog/features.ts": FEATURES });
  });

  it("sees every edit, and runs in the client's folder with the client's environment", async () => {
    writeFiles(dir, { "catalog/features.ts": FEATURES.replace("price * 2", 'price * "2"') });
    expect((await same(["check"])).stderr).toContain("features.ts:3:18 - error FC1011");
    writeFiles(dir, { "catalog/features.ts": FEATURES });
    expect((await same(["check"])).status).toBe(0);
    // The client's environment: a bound the command reads from it.
    const bad = await same(["check", "--no-cache"], { FEATC_TYPECHECK_TIMEOUT: "soon" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("FEATC_TYPECHECK_TIMEOUT");
    // The client's folder: the default config is the one there, and from elsewhere there is none.
    await same(["check", "--no-cache"], {}, dir);
    expect((await same(["check"], {}, tempDir("elsewhere"))).status).toBe(2);
  });

  it("answers build as the command does, and writes the same files", async () => {
    await same(["build", "--check"]);
    const before = (await logged()).length;
    const built = featc(["build"], served, dir);
    expect((await logged(before + 1)).length).toBe(before + 1);
    expect(built.status).toBe(0);
    expect(built.stderr).toContain("generated/online.ts");
    const generated = fs.readFileSync(path.join(dir, "generated", "online.ts"), "utf8");
    // The same files as a build in its own process writes: the check there finds nothing stale.
    const alone = featc(["build", "--check"], direct, dir);
    expect(alone).toMatchObject({ status: 0, stderr: expect.stringContaining("up to date") });
    expect(fs.readFileSync(path.join(dir, "generated", "online.ts"), "utf8")).toBe(generated);
    await same(["build", "--check", "--format", "json"]);
  });

  it("answers the other commands that read the catalog as they do in their own process", async () => {
    expect((await same(["graph", "--target", "online", "--format", "json"])).stdout).toContain('"doubled"');
    expect((await same(["explain", "tripled"])).stdout).toContain("doubled");
    await same(["explain", "tripledd"]);
    expect((await same(["version"])).status).toBe(0);
    await same(["docs", "--out", "site"]);
  });

  it("is not asked for other commands, for build --watch, or with FEATC_SERVER=0", async () => {
    const before = commandsRun(served)!;
    expect(before).toBe((await logged()).length);
    expect(featc(["--version"], served, dir).status).toBe(0);
    expect(featc(["parity", "--help"], served, dir).status).toBe(0);
    expect(featc(["build", "--watch", "--check"], served, dir).status).toBe(2);
    expect(featc(["check"], direct, dir).status).toBe(0);
    expect(commandsRun(served)).toBe(before);
  });

  it("closes a connection whose request it cannot read, and serves the next", async () => {
    for (const line of ["not json", "null", '{"argv":"check","cwd":"/","env":{},"color":false}', '{"control":"reboot"}']) {
      const answer = await new Promise<string>((resolve, reject) => {
        let text = "";
        const connection = net.connect(socket);
        connection.setEncoding("utf8");
        connection.on("connect", () => connection.write(line + "\n"));
        connection.on("data", (chunk: string) => (text += chunk));
        connection.on("error", reject);
        connection.on("close", () => resolve(text));
      });
      expect(answer, line).toBe("");
    }
    // Still serving (a request that cannot be read once brought the server down).
    expect((await same(["check"])).status).toBe(0);
  });

  it("refuses a second server of the same installation; --detach finds the running one", async () => {
    const second = featc(["server"], served, dir);
    expect(second.status).toBe(2);
    expect(second.stderr).toMatch(/cannot start a server: a server is already running \(pid \d+\)/);
    const detached = featc(["server", "--detach"], served, dir);
    expect(detached).toMatchObject({ status: 0, stderr: expect.stringContaining(`already running (pid ${server!.pid})`) });
  });

  it("stops on --stop, removing its socket; commands then run in their own process", async () => {
    const r = featc(["server", "--stop"], served, dir);
    expect(r.stderr).toBe(`featc: server (pid ${server!.pid}) stopped.\n`);
    expect(await stopped(server!)).toBe(0);
    expect(commandsRun(served)).toBeUndefined();
    expect(fs.readdirSync(path.join(cache, "featc", "server"))).toEqual([]);
    expect(featc(["check"], served, dir).status).toBe(0);
    expect(featc(["server", "--stop"], served, dir).stderr).toBe("featc: no server is running.\n");
  });
});

describe("a server's life", () => {
  it("replaces a socket file that no server answers on, which commands ignore", async () => {
    const env = envFor(tempDir("cache"));
    const dir = project();
    const first = await startServer(env);
    featc(["server", "--stop"], env, dir);
    await stopped(first.server);
    // What a killed server leaves behind.
    fs.writeFileSync(first.socket, "");
    expect(featc(["check"], env, dir)).toMatchObject({ status: 0, stderr: expect.stringContaining("catalog is clean") });
    const second = await startServer(env);
    expect(second.socket).toBe(first.socket);
    expect(featc(["check"], env, dir).status).toBe(0);
    expect(commandsRun(env)).toBe(1);
    featc(["server", "--stop"], env, dir);
    expect(await stopped(second.server)).toBe(0);
  });

  it("keeps its socket in a folder only its user can reach, closing one that others could", async () => {
    const cache = tempDir("cache");
    const env = envFor(cache);
    const folder = path.join(cache, "featc", "server");
    fs.mkdirSync(folder, { recursive: true, mode: 0o777 });
    fs.chmodSync(folder, 0o777);
    const { server } = await startServer(env);
    expect(fs.statSync(folder).mode & 0o777).toBe(0o700);
    featc(["server", "--stop"], env, REPO);
    expect(await stopped(server)).toBe(0);
  });

  it("--detach starts a server in the background that stops by itself once idle", async () => {
    const env = envFor(tempDir("cache"));
    const dir = project();
    const r = featc(["server", "--detach", "--idle", "0.05"], env, dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^featc: server started \(pid \d+\)/);
    expect(featc(["check"], env, dir).status).toBe(0);
    expect(commandsRun(env)).toBe(1);
    // Idle for 3 s after that command: it stops and removes its socket.
    const deadline = Date.now() + 60_000;
    while (commandsRun(env) !== undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    expect(commandsRun(env)).toBeUndefined();
    expect(fs.readdirSync(path.join(env.XDG_CACHE_HOME!, "featc", "server"))).toEqual([]);
  });
});
