/** Temporary folders under os.tmpdir() for the demo tests, removed after each file. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const made: string[] = [];

/** A fresh empty folder; call `removeTemporaryDirs` in afterAll. */
export function temporaryDir(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `featc-demo-${name}-`));
  made.push(dir);
  return dir;
}

export function removeTemporaryDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
