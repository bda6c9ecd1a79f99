/**
 * The command line of the demo's batch commands (train, score): options parsed strictly, `--help`,
 * the warehouse file they read, and the exit codes — 0 done, 1 failed, 2 a usage error.
 */
import fs from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { DEFAULT_WAREHOUSE_PATH } from "./warehouse.js";

/** What a command is called, how it is used, and its options besides `--help`. */
export interface CommandSpec {
  readonly name: string;
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig["options"]>;
}

/**
 * Parses `argv` and runs `body` with the option values (typed `V` by the caller, after its
 * `options`), which prints what it did. Usage errors print the usage; a failure prints
 * `<name>: <message>`.
 */
export async function runCommand<V>(spec: CommandSpec, argv: readonly string[], body: (values: V) => Promise<void>): Promise<number> {
  let values: V & { help?: boolean };
  try {
    values = parseArgs({
      args: [...argv],
      options: { ...spec.options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }).values as V & { help?: boolean };
  } catch (e) {
    console.error(`${(e as Error).message}\n${spec.usage}`);
    return 2;
  }
  if (values.help) {
    console.log(spec.usage);
    return 0;
  }
  try {
    await body(values);
    return 0;
  } catch (e) {
    console.error(`${spec.name}: ${(e as Error).message}`);
    return 1;
  }
}

/** The warehouse file `--db` names (default data/warehouse.duckdb); throws when it was never generated. */
export function existingWarehouse(db: string | undefined): string {
  const file = db ?? DEFAULT_WAREHOUSE_PATH;
  if (!fs.existsSync(file)) throw new Error(`warehouse '${file}' does not exist: run \`npx tsx demo/generate.ts --db ${file}\` first`);
  return file;
}
