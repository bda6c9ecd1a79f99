/**
 * featc's command line: a thin shell over the compiler's phases. Exit codes: 0 clean (warnings
 * allowed), 1 diagnostics with errors, 2 usage or config error.
 *
 * The compiler's phases (and with them ts-morph and TypeScript, most of a check's start-up) are
 * imported by the command that runs them, so `--help`, `--version` and a usage error start
 * about as fast as Node itself.
 */
import fs from "node:fs";
import path from "node:path";
import { Command, CommanderError } from "commander";
import type { Analysis } from "./analyze.js";
import type { CheckCache, CheckResult, CheckRun } from "./cli/check-cache.js";
import { enableCompileCache } from "./compile-cache.js";
import { diagnostics } from "./diagnostics.js";
import { packageFile } from "./paths.js";
import { commonOptions, exitCodeFor, report, USAGE, type CliIo, type CommandContext, type CommonOptions } from "./cli/common.js";
import { toJson } from "./cli/format.js";
import { registerLineageCommands } from "./cli/lineage.js";
import { registerParityCommand } from "./cli/parity.js";
import { registerServerCommand } from "./cli/server.js";

export { exitCodeFor, report, type CliIo, type CommandContext };

const processIo: CliIo = {
  out: (t) => process.stdout.write(t.endsWith("\n") ? t : t + "\n"),
  err: (t) => process.stderr.write(t.endsWith("\n") ? t : t + "\n"),
  color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
};

/** Command modules beyond check and build; each registers its commands on the program. */
const commandModules: ((program: Command, context: CommandContext) => void)[] = [
  registerLineageCommands,
  registerParityCommand,
  registerServerCommand,
];

/** The folder diagnostics are reported relative to: the config's, also when it could not be read. */
async function rootDirOf(analysis: Analysis, configPath: string): Promise<string> {
  if (analysis.config) return analysis.config.rootDir;
  const { configFileFor } = await import("./config.js");
  return path.dirname(path.resolve(configFileFor(configPath)));
}

/** Analyses the catalog; with a cache, the result is kept for the next check (cli/check-cache.ts). */
async function check(opts: CommonOptions, cache: CheckCache | undefined): Promise<CheckResult> {
  // Loaded before the recording starts: the compiler's own modules are not the catalog's inputs.
  const { analyze } = await import("./analyze.js");
  const recording = cache?.record();
  let run: CheckRun | undefined;
  try {
    const analysis = await analyze(opts.config, { targets: opts.target, codeHashes: false });
    const result = {
      diagnostics: analysis.diagnostics,
      rootDir: await rootDirOf(analysis, opts.config),
      nodes: analysis.targets.map((t) => `${t.name}: ${t.nodes.size} nodes`).join(", "),
    };
    const config = analysis.config;
    if (config)
      run = {
        result,
        catalogPatterns: config.catalogPatterns,
        catalogFiles: config.catalogFiles,
        complete: !analysis.diagnostics.some(
          (d) => d.code === "FC1099" || d.message === diagnostics.typeCheckTimeout(config.typeCheckTimeout).message,
        ),
      };
    return result;
  } finally {
    recording?.keep(run);
  }
}

/** Rebuilds on every change of the config or a catalog file until interrupted. */
async function watch(opts: CommonOptions, io: CliIo): Promise<number> {
  const { build } = await import("./build.js");
  const { configFileFor } = await import("./config.js");
  // Every rebuild after the first asks the native checker it started (discover/native-session.ts).
  const { closeNativeCheckers, keepNativeCheckers } = await import("./discover/native-session.js");
  keepNativeCheckers();
  let timer: NodeJS.Timeout | undefined;
  let watchers: fs.FSWatcher[] = [];
  const run = async () => {
    // The line an editor's background task waits for (see .vscode/tasks.json), as tsc --watch prints one.
    io.err(`featc: [${new Date().toLocaleTimeString()}] building…`);
    const result = await build(opts.config, { targets: opts.target });
    report(result.diagnostics, await rootDirOf(result.analysis, opts.config), "human", io);
    const ok = exitCodeFor(result.diagnostics) === 0;
    io.err(
      ok
        ? `featc: [${new Date().toLocaleTimeString()}] built; ${result.changed.length} file(s) changed. Watching for changes…`
        : `featc: build failed; generated files were left untouched. Watching for changes…`,
    );
    // Watch the folders of the config and of every catalog file (new files appear in them too).
    const config = result.analysis.config;
    const dirs = new Set([
      path.dirname(path.resolve(configFileFor(opts.config))),
      ...(config?.catalogFiles ?? []).map((f) => path.dirname(f)),
    ]);
    for (const w of watchers) w.close();
    watchers = [...dirs].map((dir) =>
      fs.watch(dir, (_event, name) => {
        if (name && (String(name).startsWith(".") || String(name).endsWith(".featc-tmp"))) return;
        if (config && path.resolve(dir) === path.resolve(config.outDir)) return;
        clearTimeout(timer);
        timer = setTimeout(() => void run(), 100);
      }),
    );
  };
  await run();
  await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
  for (const w of watchers) w.close();
  await closeNativeCheckers();
  return 0;
}

/** Runs the CLI with process-style argv; returns the exit code instead of exiting. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let code = 0;
  const context: CommandContext = { io, exit: (c) => (code = c) };
  const program = new Command("featc")
    .description("featc — compile a catalog of feature functions into batch and online executors")
    .version(
      (JSON.parse(fs.readFileSync(packageFile("package.json"), "utf8")) as { version: string }).version,
      "-V, --version",
      "print featc's version",
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError("(run featc --help for usage)");

  commonOptions(program.command("check").description("analyse the catalog and report every problem"))
    .option("--no-cache", "check the catalog again even if nothing it reads changed since the last check (also FEATC_CACHE=0)")
    .action(async (opts: CommonOptions & { cache: boolean }) => {
      const { checkCache } = await import("./cli/check-cache.js");
      const cache = opts.cache ? checkCache(opts.config, opts.target) : undefined;
      const result = (await cache?.lookup()) ?? (await check(opts, cache));
      report(result.diagnostics, result.rootDir, opts.format, io);
      code = exitCodeFor(result.diagnostics);
      if (code === 0 && opts.format === "human") io.err(`featc: catalog is clean (${result.nodes}).`);
    });

  commonOptions(program.command("build").description("check the catalog and write one executor and graph manifest per target"))
    .option("--check", "write nothing; exit 1 if any generated file is stale (for CI)")
    .option("-w, --watch", "rebuild whenever the config or a catalog file changes")
    .action(async (opts: CommonOptions & { check?: boolean; watch?: boolean }) => {
      if (opts.watch) {
        if (opts.check) throw new CommanderError(2, USAGE, "--watch and --check cannot be combined");
        code = await watch(opts, io);
        return;
      }
      const { build } = await import("./build.js");
      const result = await build(opts.config, { targets: opts.target, check: opts.check });
      const stale = [...result.changed, ...result.removed];
      report(
        result.diagnostics,
        await rootDirOf(result.analysis, opts.config),
        opts.format,
        io,
        opts.format === "json" ? { files: [...result.files.keys()], [opts.check ? "stale" : "written"]: stale } : {},
      );
      code = exitCodeFor(result.diagnostics);
      if (code !== 0) {
        if (opts.format === "human") io.err(`featc: build failed; generated files were left untouched.`);
        return;
      }
      if (opts.check) {
        if (stale.length > 0) {
          code = 1;
          if (opts.format === "human")
            io.err(`featc: generated files are stale (run featc build):\n${stale.map((f) => `  ${f}`).join("\n")}`);
        } else if (opts.format === "human") io.err(`featc: ${result.files.size} generated files are up to date.`);
      } else if (opts.format === "human") {
        io.err(
          stale.length > 0
            ? `featc: wrote ${result.changed.length} file(s)${result.removed.length ? `, removed ${result.removed.length}` : ""}:\n${stale.map((f) => `  ${f}`).join("\n")}`
            : `featc: ${result.files.size} generated files already up to date.`,
        );
      }
    });

  program
    .command("init [dir]")
    .description("add featc to a project: featc.config.json, a small catalog and an example main.ts (existing files are left alone)")
    .action(async (dir: string | undefined) => {
      const { init } = await import("./init.js");
      code = await init(dir ?? ".", io);
    });

  for (const register of commandModules) register(program, context);
  enableCompileCache();

  try {
    await program.parseAsync([...argv], { from: "node" });
  } catch (e) {
    // Asked for JSON, standard output holds one JSON document whatever went wrong.
    const json = argv.some((a, i) => /^(--format|-f)=?json$/.test(a) || ((a === "--format" || a === "-f") && argv[i + 1] === "json"));
    if (e instanceof CommanderError) {
      // Commander prints the errors it finds itself; a command's own usage error is printed here, as Commander would.
      if (e.code === USAGE && !json) io.err(`error: ${e.message}\n(run featc --help for usage)`);
      if (e.exitCode !== 0 && json)
        io.out(JSON.stringify({ diagnostics: [toJson(diagnostics.usage(e.message.replace(/^error: /, "")), process.cwd())] }, null, 2));
      return e.exitCode === 0 ? 0 : 2;
    }
    const message = e instanceof Error ? e.message : String(e);
    if (json) io.out(JSON.stringify({ diagnostics: [toJson(diagnostics.internal(message), process.cwd())] }, null, 2));
    else io.err(`featc: internal error: ${message}`);
    if (process.env.FEATC_DEBUG) io.err(String((e as Error).stack));
    return 2;
  }
  return code;
}
