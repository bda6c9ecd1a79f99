/**
 * featc as its users get it: the tarball `npm pack` makes, installed into projects in the
 * system's temp folder, outside this repository, and driven through its command line.
 *
 * The tarball is packed from a copy of the package's files (its `prepare` script deletes and
 * rebuilds dist/, which would pull the compiled CLI from under the tests running beside these
 * ones). It is kept under a name made of a hash of those files, so the test files of this folder
 * pack it once between them, and again only when a packed file changes.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../..", import.meta.url));

/** What `npm pack` reads: the manifest, what it builds from, what it ships. */
const PACKED_SOURCES = [
  "package.json",
  "package-lock.json",
  "README.md",
  "docs/guide.md",
  "tsconfig.json",
  "tsconfig.build.json",
  "tsconfig.runtime.json",
  "bin",
  "compiler",
  "runtime",
];

/** The TypeScript the projects install: the version featc is developed with. */
export const TYPESCRIPT = `typescript@${(JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as { devDependencies: Record<string, string> }).devDependencies["typescript"]}`;

function filesUnder(relative: string): string[] {
  const absolute = path.join(REPO, relative);
  if (!fs.statSync(absolute).isDirectory()) return [relative];
  return fs
    .readdirSync(absolute, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => filesUnder(path.join(relative, entry.name)));
}

/**
 * A command's result; throws with its whole output when it exits with another status than
 * `status`. npm prefers its cache (the packages featc is developed with are in it).
 */
export function run(command: string, args: readonly string[], cwd: string, status = 0): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      NODE_OPTIONS: "",
      // The tests' own setting (vitest.config.ts); a project installed from the tarball has a server of its own installation.
      FEATC_SERVER: undefined,
      npm_config_update_notifier: "false",
      npm_config_prefer_offline: "true",
      npm_config_audit: "false",
      npm_config_fund: "false",
    },
    timeout: 240_000,
  });
  if (result.status !== status) {
    throw new Error(
      `${command} ${args.join(" ")} (in ${cwd}) exited ${result.status ?? result.signal}, expected ${status}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    );
  }
  return result;
}

/** Removes the tarballs of earlier versions of the package's files, once they are an hour old. */
function removeOldTarballs(keep: string): void {
  for (const name of fs.readdirSync(os.tmpdir())) {
    const dir = path.join(os.tmpdir(), name);
    if (!/^featc-pack-[0-9a-f]{16}$/.test(name) || dir === keep) continue;
    if (Date.now() - fs.statSync(dir).mtimeMs > 3_600_000) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The packed tarball's path: packed now, or earlier from the same files. */
export function packedTarball(): string {
  const hash = crypto.createHash("sha256");
  for (const file of PACKED_SOURCES.flatMap(filesUnder))
    hash
      .update(file)
      .update("\0")
      .update(fs.readFileSync(path.join(REPO, file)))
      .update("\0");
  const dir = path.join(os.tmpdir(), `featc-pack-${hash.digest("hex").slice(0, 16)}`);
  const tarball = path.join(dir, "featc.tgz");
  const lock = `${dir}.lock`;
  for (const started = Date.now(); ;) {
    if (fs.existsSync(tarball)) return tarball;
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (Date.now() - started > 180_000) throw new Error(`featc's tarball: ${lock} held for 3 minutes`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    const stage = fs.mkdtempSync(path.join(os.tmpdir(), "featc-stage-"));
    for (const file of PACKED_SOURCES) fs.cpSync(path.join(REPO, file), path.join(stage, file), { recursive: true });
    // The build runs the repository's TypeScript, as `npm pack` in the repository would.
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(stage, "node_modules"), "dir");
    const packed = run("npm", ["pack", "--json", "--pack-destination", stage], stage);
    const name = (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename;
    fs.mkdirSync(dir, { recursive: true });
    fs.renameSync(path.join(stage, name), tarball);
    fs.rmSync(stage, { recursive: true, force: true });
    removeOldTarballs(dir);
    return tarball;
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** A new folder in the system's temp folder, removed by the caller. */
export function tempProject(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `featc-${label}-`));
}

/** Installs featc's tarball and TypeScript into `dir` (a folder with a package.json), as a user would. */
export function installFeatc(dir: string): void {
  run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", packedTarball(), TYPESCRIPT], dir);
}

/** Writes files under `dir`, creating folders. */
export function writeFiles(dir: string, files: Readonly<Record<string, string>>): void {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
}
