/**
 * What every command of the command line shares: the output streams, the common options, how
 * diagnostics are reported and which exit code they give. Command modules import it from here
 * (not from cli.ts, which imports them). Light: no compiler phase is loaded by it.
 */
import { Option, type Command } from "commander";
import { DEFAULT_CONFIG_NAME } from "../config-name.js";
import { hasErrors, type Diagnostic } from "../diagnostics.js";
import { formatHuman, toJson, type OutputFormat } from "./format.js";

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  color: boolean;
}

export interface CommonOptions {
  config: string;
  target?: string[];
  format: OutputFormat;
}

/** The exit code for a list of diagnostics. */
export function exitCodeFor(list: readonly Diagnostic[]): number {
  if (list.some((d) => d.code === "FC1010")) return 2;
  return hasErrors(list) ? 1 : 0;
}

export function report(
  list: readonly Diagnostic[],
  rootDir: string,
  format: OutputFormat,
  io: CliIo,
  extra: Record<string, unknown> = {},
): void {
  if (format === "json") io.out(JSON.stringify({ diagnostics: list.map((d) => toJson(d, rootDir)), ...extra }, null, 2));
  else if (list.length > 0) io.err(formatHuman(list, rootDir, io.color));
}

export function commonOptions(cmd: Command): Command {
  return cmd
    .option("-c, --config <path>", "config file", DEFAULT_CONFIG_NAME)
    .option("-t, --target <name...>", "only these targets")
    .addOption(new Option("-f, --format <format>", "output format").choices(["human", "json"]).default("human"));
}

/** The code of a usage error a command finds in its options (Commander finds the others). */
export const USAGE = "featc.usage";

/** What a command module gets: the output streams and a way to set the exit code. */
export interface CommandContext {
  readonly io: CliIo;
  exit(code: number): void;
}
