/** Runs featc's CLI in process and captures what it prints (helper of the lineage tests). */
import path from "node:path";
import { main, type CliIo } from "../../compiler/cli.js";
import { REPO } from "../support/workspace.js";

export interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export async function featc(...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), color: false };
  const code = await main(["node", "featc", ...args], io);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

export const MIXED = path.join(REPO, "test", "fixtures", "emit", "mixed", "lineage.config.json");
export const NASTY = path.join(REPO, "test", "fixtures", "lineage", "nasty", "featc.config.json");
