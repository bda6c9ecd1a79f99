/**
 * The command line's side of `featc server` (cli/server.ts): when a server of this installation
 * of featc is running, the commands that read the catalog (`featc check`, `featc build`, …; see
 * SERVED) send it their arguments, folder and environment and print what it answers, instead of
 * loading TypeScript and parsing the standard library again. The answer is the one the command
 * gives without a server: the server runs the same command, in the same folder, with the same
 * environment, file mode mask and terminal.
 *
 * Loaded before anything else of featc's, and light for it: it needs only Node's own modules.
 * Without a server (nothing listens on the socket), with `FEATC_SERVER=0`, or for any other
 * command, the command runs in this process as usual.
 *
 * A server serves one installation: its socket is named by featc's folder, version and compiled
 * code, by Node's version and by the two TypeScripts featc uses (the one it reads catalogs with
 * and the native one it checks them with), so that a server started before an upgrade of any of
 * them is never asked (it stops by itself once idle).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cacheDir } from "../compile-cache.js";
import type { Terminal } from "./common.js";

/**
 * The commands a server runs: those that read the catalog. `build --watch` stays in its own
 * process, and so does `parity`, which imports the project's generated executors (a server
 * would keep the first version of each module it imported).
 */
const SERVED = new Set(["check", "build", "graph", "explain", "diff", "docs", "version"]);

/** The longest path of a Unix socket that every system takes (macOS: 104 bytes with the terminator). */
const MAX_SOCKET_PATH = 103;

/** One request: the command line after `featc`, and where and with what environment it runs. */
export interface Request {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly color: boolean;
  /** The client's file mode mask, for the files the command writes (none on Windows). */
  readonly umask?: number;
  /** What the client's output streams are (the width and colours of `--help`). */
  readonly terminal?: Terminal;
}

/** What a server writes back, one JSON document per line; the last has `exit`. */
export type Reply = { readonly out: string } | { readonly err: string } | { readonly exit: number };

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/**
 * The socket of this installation's server, or `{ problem }` when there can be none: no home
 * folder for the cache, or a cache folder so deep that the socket's path is too long.
 */
export function socketPath(): { socket: string } | { problem: string } {
  const stamp = (file: string) => {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    return stat ? [stat.size, stat.mtimeMs] : null;
  };
  const require = createRequire(import.meta.url);
  const resolved = (find: () => string) => {
    try {
      const file = find();
      return [file, stamp(file)];
    } catch {
      return null;
    }
  };
  const identity = JSON.stringify([
    ROOT,
    stamp(path.join(ROOT, "package.json")),
    stamp(path.join(ROOT, "dist", "compiler", "cli.js")),
    // The TypeScript that reads catalogs (ts-morph's), and the native one whose checker a server keeps.
    resolved(() => createRequire(createRequire(require.resolve("ts-morph")).resolve("@ts-morph/common")).resolve("./typescript")),
    resolved(() => require.resolve("typescript/package.json")),
    process.version,
    process.arch,
    // A Windows pipe's name is seen by every user of the machine: one per user.
    process.platform === "win32" ? os.userInfo().username : null,
  ]);
  const key = crypto.createHash("sha256").update(identity).digest("hex").slice(0, 16);
  if (process.platform === "win32") return { socket: `\\\\.\\pipe\\featc-${key}` };
  const dir = cacheDir();
  if (dir === undefined) return { problem: "there is no home folder to keep its socket in (set XDG_CACHE_HOME)" };
  const socket = path.join(dir, "server", `${key}.sock`);
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH)
    return { problem: `its socket's path, ${socket}, is longer than a socket's path may be (set XDG_CACHE_HOME to a shorter folder)` };
  return { socket };
}

/** False when no server of any installation can be running: its socket's folder holds no socket (not asked on Windows). */
function anyServer(): boolean {
  if (process.platform === "win32") return true;
  const dir = cacheDir();
  if (dir === undefined) return false;
  try {
    return fs.readdirSync(path.join(dir, "server")).some((name) => name.endsWith(".sock"));
  } catch {
    return false;
  }
}

/**
 * Whether the socket and its folder are this user's, and the folder closed to everyone else (as
 * the server makes it): a command sends its whole environment, which only this user's own server
 * may see. On Windows, where the pipe's name is this user's, there is nothing to look at.
 */
function isOwn(socket: string): boolean {
  if (process.platform === "win32") return true;
  try {
    const uid = process.getuid?.();
    const folder = fs.lstatSync(path.dirname(socket));
    const file = fs.lstatSync(socket);
    return folder.isDirectory() && (folder.mode & 0o077) === 0 && folder.uid === uid && file.uid === uid;
  } catch {
    return false;
  }
}

/** Whether a command line is one a server runs. */
export function isServed(argv: readonly string[]): boolean {
  return SERVED.has(argv[0] ?? "") && !(argv[0] === "build" && argv.some((a) => a === "--watch" || a === "-w"));
}

/**
 * Runs the command through this installation's server when one is running; resolves to its exit
 * code, or to undefined when the command is to run in this process (no server, not a served
 * command, `FEATC_SERVER=0`, or a server that closed the connection before it answered).
 */
export async function viaServer(argv: readonly string[]): Promise<number | undefined> {
  if (process.env.FEATC_SERVER === "0" || !isServed(argv) || !anyServer()) return undefined;
  const where = socketPath();
  if (!("socket" in where) || !isOwn(where.socket)) return undefined;
  const stream = (s: NodeJS.WriteStream) => ({ columns: s.isTTY ? s.columns : undefined, colors: Boolean(s.isTTY && s.hasColors?.()) });
  const request: Request = {
    argv,
    cwd: process.cwd(),
    env: process.env,
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    umask: process.platform === "win32" ? undefined : process.umask(),
    terminal: { out: stream(process.stdout), err: stream(process.stderr) },
  };
  return new Promise((resolve) => {
    let answered = false;
    let exit: number | undefined;
    const socket = net.connect(where.socket);
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(JSON.stringify(request) + "\n"));
    readLines(socket, (line) => {
      const reply = JSON.parse(line) as Reply;
      answered = true;
      if ("out" in reply) process.stdout.write(reply.out);
      else if ("err" in reply) process.stderr.write(reply.err);
      else exit = reply.exit;
    });
    socket.on("error", () => {
      // No server (nothing listens, or an old socket file): the command runs here. A server
      // that fails after it started answering gives what it wrote and an internal error.
      if (!answered) resolve(undefined);
    });
    socket.on("close", () => {
      if (exit !== undefined) resolve(exit);
      else if (!answered) resolve(undefined);
      else {
        process.stderr.write("featc: internal error: the server stopped before the command finished\n");
        resolve(2);
      }
    });
  });
}

/**
 * Calls `onLine` with every complete line the socket receives. Only the chunk that arrived is
 * searched for line ends: a line of megabytes (a large `--format json` document) comes in many
 * chunks, and is not searched again for each.
 */
export function readLines(socket: net.Socket, onLine: (line: string) => void): void {
  let pending = "";
  socket.on("data", (chunk: string) => {
    let start = 0;
    for (let end = chunk.indexOf("\n"); end >= 0; end = chunk.indexOf("\n", start)) {
      const line = pending + chunk.slice(start, end);
      pending = "";
      start = end + 1;
      if (line) onLine(line);
    }
    pending += chunk.slice(start);
  });
}
