/**
 * A reader that stops early (`featc init | head -1`) closes the pipe featc writes to. The command
 * still finishes its work and ends with its own exit code; no write error reaches the terminal.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { REPO, removeWorkspace, workspace } from "./support/workspace.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeWorkspace));

it("featc init, read up to its first line, writes its files and exits 0 without a write error", async () => {
  const dir = workspace("cli-pipe");
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));
  const child = spawn(process.execPath, [path.join(REPO, "bin", "featc.js"), "init"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  let first = "";
  child.stdout.setEncoding("utf8").once("data", (chunk: string) => {
    first = chunk;
    child.stdout.destroy();
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect(first).toContain("featc init");
  expect(stderr).toBe("");
  expect(code).toBe(0);
  expect(fs.existsSync(path.join(dir, "featc.config.json"))).toBe(true);
  expect(fs.existsSync(path.join(dir, "catalog", "features.ts"))).toBe(true);
});
