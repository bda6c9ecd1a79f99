/**
 * `featc server`: a process that keeps the compiler loaded — TypeScript, and the standard
 * library and declaration files it has parsed and bound (discover/parsed-files.ts), and a
 * native checker per project (discover/native-session.ts) — and runs the commands of this
 * installation of featc that read the catalog: `featc check`, `featc build`, … (cli/client.ts).
 * A check then costs what changed since the last one, not TypeScript's start-up.
 *
 * Each command runs as it would in its own process: in the client's folder, with the client's
 * environment, one at a time, and its output and exit code go back to the client unchanged.
 * The server listens on a socket in featc's cache folder that only its user can reach, and
 * stops after a time without commands (`--idle`), on `featc server --stop`, or on a signal.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CommanderError, type Command } from "commander";
import { readLines, socketPath, type Reply, type Request } from "./client.js";
import { USAGE, type CommandContext } from "./common.js";

/** Minutes without a command after which a server stops. */
const DEFAULT_IDLE_MINUTES = 60;

/** The longest idle time a timer can count (2^31 − 1 ms, about 24 days). */
const MAX_IDLE_MINUTES = 35_791;

/** How long a connection may stay open without sending its request. */
const REQUEST_TIMEOUT_MS = 10_000;

/** How long `--detach` waits for the server it started to listen. */
const START_TIMEOUT_MS = 15_000;

type Control = { readonly control: "stop" | "status" };

/** What `--status` answers. */
interface Status {
  readonly pid: number;
  readonly since: string;
  readonly commands: number;
  readonly idleMinutes: number;
  /** Type checks its kept TypeScript 7 checkers answered (the others went to tsc processes). */
  readonly keptChecks: number;
}

export function registerServerCommand(program: Command, context: CommandContext): void {
  program
    .command("server")
    .description(
      "keep the compiler loaded and run the commands that read the catalog (check, build, graph, …) in it: much faster after the first",
    )
    .option("--idle <minutes>", "stop after this many minutes without a command", String(DEFAULT_IDLE_MINUTES))
    .option("--detach", "start the server in the background and return once it listens")
    .option("--stop", "stop the running server")
    .option("--status", "say whether a server is running (exit 1 if not)")
    .action(async (opts: { idle: string; detach?: boolean; stop?: boolean; status?: boolean }) => {
      const idleMinutes = Number(opts.idle);
      if (!(idleMinutes > 0 && idleMinutes <= MAX_IDLE_MINUTES))
        throw new CommanderError(
          2,
          USAGE,
          `--idle must be a number of minutes above 0 and at most ${MAX_IDLE_MINUTES}, not "${opts.idle}"`,
        );
      if ([opts.detach, opts.stop, opts.status].filter(Boolean).length > 1)
        throw new CommanderError(2, USAGE, "--detach, --stop and --status cannot be combined");
      const where = socketPath();
      if (!("socket" in where)) {
        context.io.err(`featc: cannot start a server: ${where.problem}.`);
        context.exit(2);
        return;
      }
      const { io } = context;
      if (opts.stop) {
        const stopped = await control(where.socket, "stop");
        io.err(stopped ? `featc: server (pid ${stopped.pid}) stopped.` : "featc: no server is running.");
      } else if (opts.status) {
        const status = await control(where.socket, "status");
        if (!status) {
          io.err("featc: no server is running.");
          context.exit(1);
        } else
          io.out(
            `featc: server running (pid ${status.pid}) since ${status.since}; ${status.commands} command(s) run, ${status.keptChecks} type check(s) by its kept TypeScript checkers; stops after ${status.idleMinutes} min idle; socket ${where.socket}`,
          );
      } else if (opts.detach) context.exit(await detach(where.socket, idleMinutes, io.err));
      else context.exit(await serve(where.socket, idleMinutes, io.err));
    });
}

/** Asks the running server to stop or to say how it is; undefined when none answers. */
function control(socket: string, what: Control["control"]): Promise<Status | undefined> {
  return new Promise((resolve) => {
    let status: Status | undefined;
    const connection = net.connect(socket);
    connection.setEncoding("utf8");
    connection.on("connect", () => connection.write(JSON.stringify({ control: what } satisfies Control) + "\n"));
    readLines(connection, (line) => (status = JSON.parse(line) as Status));
    connection.on("error", () => resolve(undefined));
    connection.on("close", () => resolve(status));
  });
}

/** Starts `featc server` as a process of its own, and waits until it answers. */
async function detach(socket: string, idleMinutes: number, log: (text: string) => void): Promise<number> {
  const running = await control(socket, "status");
  if (running) {
    log(`featc: a server is already running (pid ${running.pid}).`);
    return 0;
  }
  const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "bin", "featc.js");
  const child = spawn(process.execPath, [bin, "server", "--idle", String(idleMinutes)], {
    detached: true,
    stdio: "ignore",
    // Not the folder it was started from, which it would keep from being removed: each command runs in its client's.
    cwd: os.tmpdir(),
    env: { ...process.env, FEATC_SERVER: "0" },
  });
  child.unref();
  let exited = false;
  child.once("exit", () => (exited = true));
  for (const start = Date.now(); Date.now() - start < START_TIMEOUT_MS && !exited;) {
    const status = await control(socket, "status");
    if (status) {
      log(
        `featc: server started (pid ${status.pid}); featc check, build, graph, explain, diff, docs and version now run in it. featc server --stop stops it.`,
      );
      return 0;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  log(`featc: the server did not start${exited ? "" : ` within ${START_TIMEOUT_MS / 1000} s`}; run featc server to see why.`);
  return 2;
}

/** Listens until stopped; resolves to the exit code. */
async function serve(socket: string, idleMinutes: number, log: (text: string) => void): Promise<number> {
  // Loaded now, not on the first command: that is the start-up a server is there to spare.
  const { main } = await import("../cli.js");
  await import("../analyze.js");
  const { closeNativeCheckers, keepNativeCheckers, keptCheckAnswers } = await import("../discover/native-session.js");
  keepNativeCheckers();
  const since = new Date();
  let commands = 0;
  let queue = Promise.resolve();
  let idleTimer: NodeJS.Timeout | undefined;
  const idle = () => (idleTimer = setTimeout(stop, idleMinutes * 60_000));
  /** Commands received and not finished. */
  let waiting = 0;
  let stopping = false;
  let stop: () => void = () => {};
  const stopped = new Promise<void>(
    (resolve) =>
      (stop = () => {
        stopping = true;
        resolve();
      }),
  );
  /** Connections that have not sent their request yet: closed when the server stops. */
  const silent = new Set<net.Socket>();
  const server = net.createServer((connection) => {
    connection.setEncoding("utf8");
    let taken = false;
    silent.add(connection);
    // A connection that says nothing is dropped, and so is one whose client went away.
    connection.setTimeout(REQUEST_TIMEOUT_MS, () => {
      if (!taken) connection.destroy();
    });
    connection.on("close", () => silent.delete(connection));
    readLines(connection, (line) => {
      if (taken) return;
      taken = true;
      silent.delete(connection);
      connection.setTimeout(0);
      // Closed without a word, the client runs its command itself.
      const message = stopping ? undefined : parseMessage(line);
      if (!message) {
        connection.destroy();
        return;
      }
      if ("control" in message) {
        const status: Status = { pid: process.pid, since: since.toISOString(), commands, idleMinutes, keptChecks: keptCheckAnswers() };
        connection.end(JSON.stringify(status) + "\n");
        if (message.control === "stop") stop();
        return;
      }
      clearTimeout(idleTimer);
      waiting++;
      queue = queue.then(async () => {
        try {
          // A command whose client went away while it waited is not run.
          if (connection.destroyed) return;
          commands++;
          const send = (reply: Reply) => {
            if (!connection.destroyed) connection.write(JSON.stringify(reply) + "\n");
          };
          const started = Date.now();
          const exit = await run(main, message, send);
          // Logged before the client hears the end: whoever reads the log after the command ended finds its line.
          log(
            `featc: [${new Date().toLocaleTimeString()}] featc ${message.argv.join(" ")} (${message.cwd}): exit ${exit}, ${Date.now() - started} ms`,
          );
          send({ exit });
          connection.end();
        } finally {
          // Idle from the end of the last command waiting.
          if (--waiting === 0) idle();
        }
      });
    });
    connection.on("error", () => connection.destroy());
  });
  try {
    await listen(server, socket);
  } catch (error) {
    log(`featc: cannot start a server: ${(error as Error).message}`);
    return 2;
  }
  idle();
  // A signal stops the server as --stop does; a second one, while commands still finish, ends it at once.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
    process.on(signal, () => {
      if (!stopping) return stop();
      log(`featc: ${signal} again: stopped without waiting for the commands still running.`);
      process.exit(1);
    });
  log(`featc: server listening on ${socket} (pid ${process.pid}); stops after ${idleMinutes} min without a command.`);
  await stopped;
  clearTimeout(idleTimer);
  // No connection is taken from now on; the commands already received finish first.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const connection of silent) connection.destroy();
  while (waiting > 0) await queue;
  await closed;
  await closeNativeCheckers();
  if (process.platform !== "win32") fs.rmSync(socket, { force: true });
  log("featc: server stopped.");
  return 0;
}

/** A request or a control message; undefined for anything else. */
function parseMessage(line: string): Request | Control | undefined {
  try {
    const message = JSON.parse(line) as Partial<Request & Control> | null;
    if (message?.control === "stop" || message?.control === "status") return message as Control;
    const { argv, cwd, env, color, umask, terminal } = message ?? {};
    const strings = (list: unknown) => Array.isArray(list) && list.every((a) => typeof a === "string");
    if (
      strings(argv) &&
      typeof cwd === "string" &&
      env !== null &&
      typeof env === "object" &&
      typeof color === "boolean" &&
      (umask === undefined || (Number.isInteger(umask) && umask >= 0 && umask <= 0o777)) &&
      (terminal === undefined || (typeof terminal === "object" && terminal !== null))
    )
      return message as Request;
  } catch {
    // Not JSON.
  }
  return undefined;
}

/**
 * Listens on the socket. A socket file that no server answers on is what a server that was
 * killed leaves behind: it is replaced. One that answers belongs to a running server.
 */
async function listen(server: net.Server, socket: string): Promise<void> {
  if (process.platform !== "win32") privateFolder(path.dirname(socket));
  for (let attempt = 0; ; attempt++) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(socket, () => {
          server.off("error", reject);
          resolve();
        });
      });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt > 0) throw error;
      const running = await control(socket, "status");
      if (running) throw new Error(`a server is already running (pid ${running.pid})`);
      fs.rmSync(socket, { force: true });
    }
  }
}

/**
 * Makes the socket's folder reachable by this user only, or refuses to listen there. Whoever can
 * connect to the socket runs featc as this user, with an environment of their choosing (its
 * PATH included): the folder must be this user's and closed to everyone else.
 */
function privateFolder(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = fs.lstatSync(dir);
  if (!stat.isDirectory() || (process.getuid && stat.uid !== process.getuid()))
    throw new Error(`${dir} is not a folder of this user's, so the socket in it would not be private`);
  if ((stat.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
}

/** Runs one command as its own process would, with the client's folder, environment and colours. */
async function run(main: typeof import("../cli.js").main, request: Request, send: (reply: Reply) => void): Promise<number> {
  const cwd = process.cwd();
  const env = { ...process.env };
  // The files a command writes get the client's permissions.
  const umask = request.umask === undefined ? undefined : process.umask(request.umask);
  try {
    process.chdir(request.cwd);
    replaceEnv(request.env);
    return await main(["node", "featc", ...request.argv], {
      out: (text) => send({ out: text.endsWith("\n") ? text : text + "\n" }),
      err: (text) => send({ err: text.endsWith("\n") ? text : text + "\n" }),
      color: request.color,
      terminal: request.terminal,
    });
  } catch (error) {
    send({ err: `featc: internal error: ${(error as Error).message}\n` });
    return 2;
  } finally {
    replaceEnv(env);
    process.chdir(cwd);
    if (umask !== undefined) process.umask(umask);
  }
}

function replaceEnv(env: Readonly<Record<string, string | undefined>>): void {
  for (const name of Object.keys(process.env)) if (!(name in env)) delete process.env[name];
  for (const [name, value] of Object.entries(env)) if (value !== undefined) process.env[name] = value;
}
