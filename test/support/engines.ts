/**
 * Real database engines for the SQL tests, started in temp folders on non-default loopback
 * ports and stopped afterwards: a PostgreSQL 15 server, and a ClickHouse cluster of two server
 * processes (two shards) whose `remote_servers` names both. An engine that is not installed
 * makes the test fail with the command that installs it; nothing is skipped.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";

const POSTGRES_BIN = "/usr/lib/postgresql/15/bin";
const CLICKHOUSE_SERVER = "/usr/sbin/clickhouse-server";
const INSTALL = "apt-get install -y --no-install-recommends clickhouse-server clickhouse-client postgresql";

function requireFile(file: string): void {
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: install the engines with \`${INSTALL}\``);
}

/** A free loopback TCP port, asked of the kernel. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(what: string, ready: () => Promise<boolean>, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ready().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start within ${timeoutMs} ms:\n${log()}`);
}

export interface PostgresServer {
  readonly port: number;
  /** A new client connected to the server's `postgres` database (the caller ends it). */
  connect(): Promise<pg.Client>;
  stop(): Promise<void>;
}

/** Initialises a cluster in a temp folder and starts it as the `postgres` user (the server refuses root). */
export async function startPostgres(): Promise<PostgresServer> {
  requireFile(path.join(POSTGRES_BIN, "postgres"));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "featc-pg-"));
  fs.chmodSync(dir, 0o755);
  const data = path.join(dir, "data");
  const asPostgres = (args: readonly string[]) =>
    process.getuid?.() === 0 ? (["runuser", ["-u", "postgres", "--", ...args]] as const) : ([args[0]!, args.slice(1)] as const);
  if (process.getuid?.() === 0) spawnSync("chown", ["postgres:postgres", dir]);
  const [initCmd, initArgs] = asPostgres([
    path.join(POSTGRES_BIN, "initdb"),
    "-D",
    data,
    "-A",
    "trust",
    "-U",
    "postgres",
    "-E",
    "UTF8",
    "--locale=C.UTF-8",
    "--no-sync",
  ]);
  const init = spawnSync(initCmd, initArgs, { encoding: "utf8" });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const [cmd, args] = asPostgres([
    path.join(POSTGRES_BIN, "postgres"),
    "-D",
    data,
    "-p",
    String(port),
    "-k",
    dir,
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    "fsync=off",
  ]);
  const proc = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  proc.stderr!.on("data", (d: Buffer) => (log += d.toString()));
  const connect = async () => {
    const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres" });
    await client.connect();
    return client;
  };
  await waitFor(
    "PostgreSQL",
    async () => {
      const c = await connect();
      await c.end();
      return true;
    },
    30_000,
    () => log,
  );
  return {
    port,
    connect,
    stop: async () => {
      // A fast shutdown, sent to the server itself (its pid is the first line of postmaster.pid): runuser does not pass SIGINT on.
      await stopProcess(proc, "SIGINT", serverPid(path.join(data, "postmaster.pid")) ?? proc.pid!);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ClickHouseCluster {
  /** HTTP ports of the two shards; queries may go to either. */
  readonly httpPorts: readonly [number, number];
  /** The cluster's name in `remote_servers`, for `Distributed(cluster, db, table)`. */
  readonly cluster: string;
  /** Runs one statement over HTTP on shard `shard` (0 or 1) and returns the response body. */
  query(sql: string, shard?: 0 | 1): Promise<string>;
  /** Runs an INSERT whose data (in the format the statement names) is `body`. */
  insert(sql: string, body: Uint8Array, shard: 0 | 1): Promise<void>;
  stop(): Promise<void>;
}

/** Starts two ClickHouse servers on loopback, each with its own folder and config, forming one two-shard cluster. */
export async function startClickHouse(): Promise<ClickHouseCluster> {
  requireFile(CLICKHOUSE_SERVER);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "featc-ch-"));
  const ports = await Promise.all(
    [0, 1].map(async () => ({ http: await freePort(), tcp: await freePort(), interserver: await freePort() })),
  );
  const cluster = "featc_two_shards";
  const shards = ports.map((p) => `<shard><replica><host>127.0.0.1</host><port>${p.tcp}</port></replica></shard>`).join("");
  const procs: ChildProcess[] = [];
  const logs = ["", ""];
  ports.forEach((p, i) => {
    const root = path.join(dir, `shard${i}`);
    fs.mkdirSync(path.join(root, "tmp"), { recursive: true });
    fs.writeFileSync(
      path.join(root, "config.xml"),
      `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <http_port>${p.http}</http_port>
  <tcp_port>${p.tcp}</tcp_port>
  <interserver_http_port>${p.interserver}</interserver_http_port>
  <listen_host>127.0.0.1</listen_host>
  <keep_alive_timeout>600</keep_alive_timeout>
  <path>${root}/</path>
  <tmp_path>${root}/tmp/</tmp_path>
  <user_files_path>${root}/user_files/</user_files_path>
  <format_schema_path>${root}/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <remote_servers><${cluster}>${shards}</${cluster}></remote_servers>
  <macros><shard>${i}</shard></macros>
</yandex>
`,
    );
    fs.writeFileSync(
      path.join(root, "users.xml"),
      `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
`,
    );
    const proc = spawn(CLICKHOUSE_SERVER, [`--config-file=${path.join(root, "config.xml")}`], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    proc.stdout!.on("data", (d: Buffer) => (logs[i] += d.toString()));
    proc.stderr!.on("data", (d: Buffer) => (logs[i] += d.toString()));
    procs.push(proc);
  });
  const post = async (url: URL, body: string | Uint8Array) => {
    const res = await fetch(url, { method: "POST", body });
    const text = await res.text();
    if (!res.ok) throw new Error(`ClickHouse: ${text.trim()}`);
    return text;
  };
  const base = (shard: 0 | 1) => new URL(`http://127.0.0.1:${ports[shard]!.http}/`);
  const query = async (sql: string, shard: 0 | 1 = 0) => post(base(shard), sql);
  const insert = async (sql: string, body: Uint8Array, shard: 0 | 1) => {
    const url = base(shard);
    url.searchParams.set("query", sql);
    await post(url, body);
  };
  // Killed: their folder is thrown away, and a graceful stop would wait for every client's idle keep-alive connection.
  const stopAll = async () => {
    await Promise.all(procs.map((p) => stopProcess(p, "SIGKILL")));
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const shard of [0, 1] as const)
      await waitFor(
        `ClickHouse shard ${shard}`,
        async () => (await query("SELECT 1", shard)).trim() === "1",
        30_000,
        () => logs[shard]!,
      );
  } catch (e) {
    await stopAll();
    throw e;
  }
  return { httpPorts: [ports[0]!.http, ports[1]!.http], cluster, query, insert, stop: stopAll };
}

/** The server's pid, the first line of PostgreSQL's `postmaster.pid`; undefined while it is missing or not yet written. */
function serverPid(pidFile: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** `process.kill`, for a process that may have exited already. */
function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
  }
}

/**
 * Sends `signal` to `pid` (by default the process itself: `pid` is the server when `proc` is a
 * wrapper such as runuser) and waits for `proc` to exit, killing both after 10 s.
 */
async function stopProcess(proc: ChildProcess, signal: NodeJS.Signals, pid = proc.pid!): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  signalProcess(pid, signal);
  const timer = setTimeout(() => {
    signalProcess(pid, "SIGKILL");
    proc.kill("SIGKILL");
  }, 10_000);
  await exited;
  clearTimeout(timer);
}
