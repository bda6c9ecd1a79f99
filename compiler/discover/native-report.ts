/**
 * What the native compiler answers about a catalog, whether a `tsc` process (native-check.ts) or
 * a kept checker (native-session.ts) was asked, and where either keeps its throw-away tsconfig.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** One diagnostic as tsc printed it: 1-based line and column, the message with its chain. */
export interface NativeDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly code: number;
  readonly message: string;
}

/** The check did not finish in time: `timedOut` is the bound, in seconds, it exceeded. */
export interface NativeTimeout {
  readonly timedOut: number;
}

/**
 * A new temporary folder for a native check's tsconfig, named by this process's id
 * (`featc-tsc-<pid>-…`) so that one a killed process left behind can be told (sweepTempFolders).
 */
export function tempFolder(): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `featc-tsc-${process.pid}-`)));
}

/**
 * Removes the temporary folders of featc processes that no longer run (killed with SIGKILL, which
 * no exit handler sees). A folder whose process cannot be asked about (another user's) is left.
 */
export function sweepTempFolders(): void {
  let names: string[];
  try {
    names = fs.readdirSync(os.tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/^featc-tsc-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ESRCH") fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
    }
  }
}
