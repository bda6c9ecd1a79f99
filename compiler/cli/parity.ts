/**
 * `featc parity LEFT RIGHT --setup FILE --key COLUMN`: runs two built targets of the catalog on
 * the same data and reports, per node, whether their values are equal, bit-identical or within
 * the bound in ulps the SQL target states (and the distance found), with the worst row. The
 * setup module says how each target gets the data: its default export takes the target
 * (`{ name, shape, dialect }`) and returns `{ inputs, connection?, close? }`. Exit code 0 when
 * every node holds, 1 when one differs, 2 for a usage error or a failing setup.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Option, type Command } from "commander";
import { DEFAULT_CONFIG_NAME } from "../config-name.js";
import { compareRuns, type NodeParity, type ParitySetup, type ParityTarget } from "../../runtime/sql/parity.js";
import type { SqlConnection } from "../../runtime/sql/connection.js";
import { exitCodeFor, report, type CommandContext } from "./common.js";
import type { OutputFormat } from "./format.js";

interface ParityOptions {
  config: string;
  setup: string;
  key: string;
  format: OutputFormat;
}

/** The shapes whose generated modules parity knows how to run. */
const RUNNABLE = ["batch", "sql"];

interface GeneratedModule {
  OUTPUT_NAMES?: readonly string[];
  NODES?: Readonly<Record<string, { readonly boundUlps: number }>>;
  execute(...args: unknown[]): unknown;
}

class UsageError extends Error {}

/** Lets plain Node import the TypeScript of the setup module, the executors and the catalog (already possible when featc runs from its sources). */
async function enableTypeScriptImports(): Promise<void> {
  if (import.meta.url.endsWith(".ts")) return;
  const { register } = await import("node:module");
  register("./ts-hooks.js", import.meta.url);
}

/** Row-level values of a run as columns: object-valued rows become one column per field (`features.age`); scalars and tables are left out. */
function columnsOf(result: Readonly<Record<string, unknown>>): Record<string, ArrayLike<unknown>> {
  const out: Record<string, ArrayLike<unknown>> = {};
  for (const [name, value] of Object.entries(result)) {
    if (ArrayBuffer.isView(value)) out[name] = value as unknown as ArrayLike<unknown>;
    if (!Array.isArray(value)) continue;
    const first: unknown = value[0];
    if (first !== null && typeof first === "object" && !Array.isArray(first)) {
      for (const field of Object.keys(first)) out[`${name}.${field}`] = value.map((row: Record<string, unknown>) => row[field]);
    } else out[name] = value;
  }
  return out;
}

async function run(
  target: ParityTarget,
  module: GeneratedModule,
  setup: (t: ParityTarget) => Promise<ParitySetup>,
): Promise<Record<string, ArrayLike<unknown>>> {
  let given: ParitySetup;
  try {
    given = await setup(target);
  } catch (e) {
    throw new UsageError(`the setup module failed for target '${target.name}': ${(e as Error).message}`);
  }
  try {
    if (target.shape === "batch") return columnsOf((await module.execute(module.OUTPUT_NAMES, given.inputs)) as Record<string, unknown>);
    if (!given.connection) throw new UsageError(`the setup module gave SQL target '${target.name}' no connection`);
    const result = (await module.execute(given.connection as SqlConnection, given.inputs)) as {
      columns: Record<string, ArrayLike<unknown>>;
    };
    return { ...result.columns };
  } finally {
    await given.close?.();
  }
}

function cell(p: NodeParity): string {
  if (p.verdict === "within-ulps") return `within ${p.boundUlps} ulp`;
  if (p.verdict === "different")
    return Number.isFinite(p.maxUlps) && p.boundUlps > 0 ? `DIFFERENT (bound ${p.boundUlps} ulp)` : "DIFFERENT";
  return p.verdict;
}

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : Object.is(value, -0) ? "-0" : String(value);
}

export function registerParityCommand(program: Command, context: CommandContext): void {
  program
    .command("parity <left> <right>")
    .description("run two targets on the same data and report, per node, equal, bit-identical or within N ulp, with the worst row")
    .requiredOption("-s, --setup <file>", "module whose default export gives each target its inputs (and a SQL target its connection)")
    .requiredOption("-k, --key <column>", "the column that identifies a row in both runs")
    .option("-c, --config <path>", "config file", DEFAULT_CONFIG_NAME)
    .addOption(new Option("-f, --format <format>", "output format").choices(["human", "json"]).default("human"))
    .action(async (left: string, right: string, opts: ParityOptions) => {
      const { io } = context;
      const { loadConfig } = await import("../config.js");
      const { config, diagnostics } = await loadConfig(opts.config);
      if (!config) {
        report(diagnostics, process.cwd(), opts.format, io);
        context.exit(exitCodeFor(diagnostics));
        return;
      }
      try {
        const targets = [left, right].map((name): ParityTarget => {
          const t = config.targets.find((x) => x.name === name);
          if (!t)
            throw new UsageError(
              `no target '${name}' in ${path.relative(process.cwd(), config.configPath) || DEFAULT_CONFIG_NAME} (it has ${config.targets.map((x) => x.name).join(", ")})`,
            );
          if (!RUNNABLE.includes(t.shape))
            throw new UsageError(`target '${name}' has shape '${t.shape}'; parity runs targets of shape ${RUNNABLE.join(" or ")}`);
          return { name, shape: t.shape, ...(t.options.dialect ? { dialect: t.options.dialect } : {}) };
        });
        await enableTypeScriptImports();
        const setupModule = (await import(pathToFileURL(path.resolve(opts.setup)).href)) as { default?: unknown };
        if (typeof setupModule.default !== "function")
          throw new UsageError(`${opts.setup} must export a default function (target) => { inputs, connection?, close? }`);
        const setup = setupModule.default as (t: ParityTarget) => Promise<ParitySetup>;
        const modules = await Promise.all(
          targets.map(async (t) => (await import(pathToFileURL(path.join(config.outDir, `${t.name}.ts`)).href)) as GeneratedModule),
        );
        const [a, b] = [await run(targets[0]!, modules[0]!, setup), await run(targets[1]!, modules[1]!, setup)];
        for (const [run, name] of [
          [a, left],
          [b, right],
        ] as const)
          if (!run[opts.key]) throw new UsageError(`target '${name}' has no column '${opts.key}' to match rows on`);
        const shared = Object.keys(b).filter((c) => c in a);
        const onlyIn = { [left]: Object.keys(a).filter((c) => !(c in b)), [right]: Object.keys(b).filter((c) => !(c in a)) };
        const bounds = { ...modules[0]!.NODES, ...modules[1]!.NODES };
        const nodes = compareRuns(a, Object.fromEntries(shared.map((c) => [c, b[c]!])), { key: opts.key, bounds });
        const keys = b[opts.key]!;
        const ok = nodes.every((n) => n.ok);
        if (opts.format === "json") {
          const rows = nodes.map((n) => ({
            ...n,
            ...(n.worstRow ? { worstRow: { [opts.key]: keys[n.worstRow.index], [left]: n.worstRow.left, [right]: n.worstRow.right } } : {}),
          }));
          // NaN and infinities have no JSON spelling: the worst row's values are written as text.
          io.out(
            JSON.stringify(
              { left, right, key: opts.key, rows: keys.length, ok, nodes: rows, onlyIn },
              (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v),
              2,
            ),
          );
        } else {
          const width = Math.max(4, ...nodes.map((n) => n.node.length));
          const lines = [
            `featc parity: ${left} vs ${right}, ${keys.length} rows matched on ${opts.key}`,
            `${"node".padEnd(width)}  ${"verdict".padEnd(26)}  ${"max ulps".padStart(8)}  ${"rows".padStart(7)}  worst row`,
          ];
          for (const n of nodes) {
            const worst = n.worstRow
              ? `${opts.key}=${show(keys[n.worstRow.index])}: ${show(n.worstRow.left)} vs ${show(n.worstRow.right)}`
              : "";
            lines.push(
              `${n.node.padEnd(width)}  ${cell(n).padEnd(26)}  ${String(n.maxUlps).padStart(8)}  ${String(n.rowsDiffering).padStart(7)}  ${worst}`,
            );
          }
          for (const [name, list] of Object.entries(onlyIn))
            if (list.length > 0) lines.push(`only in ${name} (not compared): ${list.join(", ")}`);
          io.out(lines.join("\n"));
          const failed = nodes.filter((n) => !n.ok).map((n) => n.node);
          io.err(
            ok
              ? `featc: parity holds for ${nodes.length} columns (${nodes.filter((n) => n.verdict === "within-ulps").length} within their bound).`
              : `featc: ${failed.length} column(s) differ: ${failed.join(", ")}`,
          );
        }
        context.exit(ok ? 0 : 1);
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        if (opts.format === "json") io.out(JSON.stringify({ error: e.message }, null, 2));
        io.err(`featc: ${e.message}`);
        context.exit(2);
      }
    });
}
