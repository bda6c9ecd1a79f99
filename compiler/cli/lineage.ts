/**
 * The lineage commands: `graph`, `explain`, `diff`, `docs` and `version`. Each analyses the
 * catalog (a catalog with errors is reported like `featc check` does, with its exit code) and
 * hands plain lineage graphs to the functions of compiler/lineage/.
 */
import fs from "node:fs";
import path from "node:path";
import { Option, type Command } from "commander";
import { commonOptions, exitCodeFor, report, type CommandContext, type CommonOptions } from "./common.js";
import { DEFAULT_CONFIG_NAME } from "../config-name.js";
import { nearestName } from "../diagnostics.js";
import { compareCatalogs, exportRef, formatDiff } from "../lineage/diff.js";
import { catalogTitle, docsData, renderSinglePage, writeSite } from "../lineage/docs.js";
import { explain, formatExplanation } from "../lineage/explain.js";
import { focusOn, Lineage, type FocusSide, type LineageGraph } from "../lineage/graph.js";
import type { LoadedLineage } from "../lineage/load.js";
import { toDot, toMermaid } from "../lineage/render.js";
import { formatVersions, versionOf } from "../lineage/version.js";
import type { OutputFormat } from "./format.js";

type Loaded = Extract<LoadedLineage, { ok: true }>;

/** Reads the catalog; the compiler (ts-morph, TypeScript) loads only then, not for `featc --help`. */
const loadLineage: typeof import("../lineage/load.js").loadLineage = async (...args) =>
  (await import("../lineage/load.js")).loadLineage(...args);

/** Loads the catalog, or reports why it cannot be and sets the exit code. */
async function load(
  configPath: string,
  targets: readonly string[] | undefined,
  format: OutputFormat,
  context: CommandContext,
): Promise<Loaded | undefined> {
  const loaded = await loadLineage(configPath, targets);
  if (loaded.ok) return loaded;
  report(loaded.diagnostics, loaded.rootDir, format, context.io);
  if (format === "human") context.io.err("featc: the catalog has errors (see above); fix them first (featc check lists them).");
  context.exit(Math.max(exitCodeFor(loaded.diagnostics), 1));
  return undefined;
}

function writeOutput(text: string, out: string | undefined, context: CommandContext): void {
  if (!out) {
    context.io.out(text.endsWith("\n") ? text.slice(0, -1) : text);
    return;
  }
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, text);
  context.io.err(`featc: wrote ${out}`);
}

function fail(context: CommandContext, message: string, code: number): void {
  context.io.err(`featc: ${message}`);
  context.exit(code);
}

interface GraphOptions {
  config: string;
  target?: string;
  format: "dot" | "mermaid" | "json" | "html";
  focus?: string;
  upstream?: boolean;
  downstream?: boolean;
  out?: string;
}

export function registerLineageCommands(program: Command, context: CommandContext): void {
  program
    .command("graph")
    .description("draw the DAG of a target (inputs, features and outputs, variants, @fitted)")
    .option("-c, --config <path>", "config file", DEFAULT_CONFIG_NAME)
    .option("-t, --target <name>", "the target to draw (default: the first in the config)")
    .addOption(new Option("-f, --format <format>", "output format").choices(["dot", "mermaid", "json", "html"]).default("dot"))
    .option("--focus <node>", "only the node's neighbourhood: its upstream and downstream")
    .option("--upstream", "with --focus: only what the node depends on")
    .option("--downstream", "with --focus: only what depends on the node")
    .option("-o, --out <file>", "write to a file instead of stdout")
    .action(async (opts: GraphOptions) => {
      if ((opts.upstream || opts.downstream) && !opts.focus) return fail(context, "--upstream and --downstream need --focus NODE", 2);
      const loaded = await load(opts.config, opts.target ? [opts.target] : undefined, "human", context);
      if (!loaded) return;
      let graph: LineageGraph = loaded.graphs[0]!;
      if (opts.focus) {
        const id = new Lineage(graph).resolve(opts.focus);
        if (id === undefined) {
          const hint = nearestName(
            opts.focus,
            graph.vertices.map((v) => v.name),
          );
          return fail(
            context,
            `'${opts.focus}' is not a node or an input of target '${graph.target}'.${hint ? ` Did you mean '${hint}'?` : ""}`,
            1,
          );
        }
        const side: FocusSide = opts.upstream && !opts.downstream ? "upstream" : opts.downstream && !opts.upstream ? "downstream" : "both";
        graph = focusOn(graph, id, side);
      }
      const text =
        opts.format === "dot"
          ? toDot(graph)
          : opts.format === "mermaid"
            ? toMermaid(graph)
            : opts.format === "json"
              ? JSON.stringify({ format: "featc-lineage/1", ...graph }, null, 2) + "\n"
              : renderSinglePage(docsData(`${catalogTitle(loaded.rootDir)} · ${graph.target}`, [graph]));
      writeOutput(text, opts.out, context);
    });

  commonOptions(
    program
      .command("explain")
      .argument("<node>", "a node (or an input) of the catalog")
      .description("explain a node: definition, variants per target, checks, upstream and downstream"),
  ).action(async (node: string, opts: CommonOptions) => {
    const loaded = await load(opts.config, opts.target, opts.format, context);
    if (!loaded) return;
    const result = explain(loaded.graphs, node);
    if (!result.found) {
      const message = `'${node}' is not a node or an input of ${opts.target?.length ? `target ${opts.target.join(", ")}` : "any target"}.${result.suggestion ? ` Did you mean '${result.suggestion}'?` : ""}`;
      if (opts.format === "json") context.io.out(JSON.stringify({ error: message, suggestion: result.suggestion ?? null }, null, 2));
      return fail(context, message, 1);
    }
    context.io.out(opts.format === "json" ? JSON.stringify(result.explanation, null, 2) : formatExplanation(result.explanation).trimEnd());
  });

  commonOptions(
    program
      .command("diff")
      .argument("<ref>", "a git commit, branch or tag")
      .description("compare the catalog at a git ref with the working tree (exit 0: no changes, 1: changes, 2: error)"),
  ).action(async (ref: string, opts: CommonOptions) => {
    const after = await load(opts.config, opts.target, opts.format, context);
    if (!after) return context.exit(2);
    const tree = exportRef(opts.config, ref);
    if (!tree.ok) return fail(context, tree.message, 2);
    try {
      let before: readonly LineageGraph[] = [];
      if (tree.configPath) {
        const old = await loadLineage(tree.configPath);
        if (!old.ok) {
          report(old.diagnostics, old.rootDir, "human", context.io);
          return fail(context, `the catalog at '${ref}' has errors (above); cannot compare with it`, 2);
        }
        before = old.graphs.filter((g) => !opts.target?.length || opts.target.includes(g.target));
      } else if (opts.format === "human") {
        context.io.err(`featc: '${ref}' has no ${path.basename(opts.config)}; every target is new.`);
      }
      const diff = compareCatalogs(ref, tree.commit, before, after.graphs);
      context.io.out(opts.format === "json" ? JSON.stringify(diff, null, 2) : formatDiff(diff).trimEnd());
      context.exit(diff.hasChanges ? 1 : 0);
    } finally {
      tree.dispose();
    }
  });

  program
    .command("docs")
    .description("write the catalog as a static site: a searchable feature list and the DAG of every target")
    .option("-c, --config <path>", "config file", DEFAULT_CONFIG_NAME)
    .option("-t, --target <name...>", "only these targets")
    .requiredOption("-o, --out <dir>", "the folder to write the site into")
    .action(async (opts: { config: string; target?: string[]; out: string }) => {
      const loaded = await load(opts.config, opts.target, "human", context);
      if (!loaded) return;
      const written = writeSite(opts.out, docsData(catalogTitle(loaded.rootDir), loaded.graphs));
      context.io.err(
        `featc: wrote the catalog site (${written.map((f) => path.basename(f)).join(", ")}) to ${opts.out}; open ${path.join(opts.out, "index.html")}`,
      );
    });

  commonOptions(program.command("version").description("content hashes of each target's graph and of each node, for pinning")).action(
    async (opts: CommonOptions) => {
      const loaded = await load(opts.config, opts.target, opts.format, context);
      if (!loaded) return;
      const versions = loaded.graphs.map(versionOf);
      context.io.out(
        opts.format === "json"
          ? JSON.stringify({ format: "featc-version/1", targets: versions }, null, 2)
          : formatVersions(versions).trimEnd(),
      );
    },
  );
}
