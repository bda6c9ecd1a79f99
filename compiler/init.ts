/**
 * `featc init`: adds featc to an existing npm project — featc.config.json, a small catalog (three
 * features, one `@when` variant pair, the inputs of a batch and an online target) and main.ts,
 * an example that runs both executors, so that `featc build`, `tsc` and `node` work on the first
 * try and show the whole path from a feature function to a running executor. A tsconfig.json is
 * written only when the project has none: `"module": "nodenext"` compiles the example as the
 * package.json says (ES module or CommonJS), and Node ≥ 20.19 runs either. An existing file is
 * never overwritten: it is named and left alone.
 */
import fs from "node:fs";
import path from "node:path";
import type { CliIo } from "./cli.js";
import { DEFAULT_CONFIG_NAME } from "./config-name.js";

const CONFIG = `{
  "catalog": ["catalog/**/*.ts"],
  "outDir": "generated",
  "targets": {
    "batch": { "shape": "batch", "config": { "mode": "batch" }, "inputs": "catalog/inputs.ts#CustomerTable" },
    "online": { "shape": "online", "config": { "mode": "online" }, "inputs": "catalog/inputs.ts#CustomerRequest" }
  }
}
`;

const INPUTS = `import type { Column } from "featc";

/** What the batch target is given: one column per field, one row per customer. */
export interface CustomerTable {
  age: Column<number>;
  budget: Column<number>;
}

/** What the online target is given: one customer, and the statistics of the last batch run. */
export interface CustomerRequest {
  age: number;
  budget: number;
  stats: AgeStats;
}

export interface AgeStats {
  age_mean: number;
}
`;

const FEATURES = `// Each exported function is a feature: its name is the feature, its parameters name the
// features or inputs it depends on. \`npx featc build\` writes one executor per target.
import type { Column } from "featc";
import type { AgeStats } from "./inputs.js";

/** Whether the customer's budget is above 100. */
export function is_high_roller(budget: number): boolean {
  return budget > 100;
}

/**
 * Mean age over the rows of a batch run.
 * @when mode=batch
 */
export function age_mean__batch(age: Column<number>): number {
  let sum = 0;
  for (let i = 0; i < age.length; i++) sum += age[i]!;
  return age.length > 0 ? sum / age.length : 0;
}

/**
 * Mean age online: the value the batch run computed, given with the request.
 * (\`@fitted\` on age_mean__batch would save and load it for you: see featc's guide.)
 * @when mode=online
 */
export function age_mean__online(stats: AgeStats): number {
  return stats.age_mean;
}

/** Age relative to the mean: written once, run per row in batch and once per request online. */
export function age_centered(age: number, age_mean: number): number {
  return age - age_mean;
}
`;

const MAIN = `// An example of running featc's executors (\`npx featc build\` writes them into generated/).
import { execute as executeBatch } from "./generated/batch.js";
import { execute as executeOnline } from "./generated/online.js";

// Batch: one column per input, one row per customer.
const customers = { age: [25, 40, 61], budget: [50, 150, 300] };
const batch = executeBatch(["age_mean", "age_centered", "is_high_roller"], customers);
console.log("batch:", JSON.stringify({ age_mean: batch.age_mean, age_centered: Array.from(batch.age_centered), is_high_roller: batch.is_high_roller }));

// Online: one customer, with the mean age of the batch run.
const online = executeOnline(["age_centered", "is_high_roller"], { age: 40, budget: 150, stats: { age_mean: batch.age_mean } });
console.log("online:", JSON.stringify(online));
`;

const TSCONFIG = `{
  "compilerOptions": {
    "target": "es2022",
    "module": "nodenext",
    "strict": true,
    "skipLibCheck": true,
    "rootDir": ".",
    "outDir": "dist"
  },
  "exclude": ["node_modules", "dist"]
}
`;

const USAGE = `Run an executor from your own code:

  import { execute } from "./generated/online.js";

  // Only what the requested outputs need is computed; a missing input is a type error.
  const result = execute(["age_centered", "is_high_roller"], {
    age: 40,
    budget: 150,
    stats: { age_mean: 42 },
  });
  console.log(result.age_centered, result.is_high_roller);`;

/**
 * Where `tsc -p <tsconfig>` writes main.ts's JavaScript, or undefined when main.ts is not part of
 * that program. TypeScript reads the tsconfig (with what it extends) as tsc does; it is loaded
 * here, not with the module, and none of the compiler's phases is.
 */
async function compiledMain(tsconfig: string, main: string): Promise<string | undefined> {
  const { ts } = await import("./typescript.js");
  const read = ts.readConfigFile(tsconfig, ts.sys.readFile);
  if (read.error) return undefined;
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(tsconfig), undefined, tsconfig);
  if (!parsed.fileNames.some((f) => path.resolve(f) === main)) return undefined;
  return ts.getOutputFileNames(parsed, main, !ts.sys.useCaseSensitiveFileNames).find((f) => f.endsWith(".js"));
}

/** Writes featc's starting files into the project at `dir`; returns the exit code (2 when `dir` is no npm project). */
export async function init(dir: string, io: CliIo): Promise<number> {
  const root = path.resolve(dir);
  if (!fs.existsSync(path.join(root, "package.json"))) {
    io.err(`featc init: no package.json in ${root}; run it in your project's folder (or create one with npm init -y).`);
    return 2;
  }
  const files: [string, string][] = [
    [DEFAULT_CONFIG_NAME, CONFIG],
    ["catalog/inputs.ts", INPUTS],
    ["catalog/features.ts", FEATURES],
    ["main.ts", MAIN],
    ["tsconfig.json", TSCONFIG],
  ];
  const lines: string[] = [];
  for (const [name, text] of files) {
    const file = path.join(root, name);
    if (fs.existsSync(file)) {
      lines.push(`  left alone: ${name} (it exists)`);
      continue;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text, { flag: "wx" });
    lines.push(`  wrote ${name}`);
  }
  io.out(`featc init:\n${lines.join("\n")}`);

  const tsconfig = path.join(root, "tsconfig.json");
  const compiled = await compiledMain(tsconfig, path.join(root, "main.ts"));
  const next: string[] = [];
  if (!fs.existsSync(path.join(root, "node_modules", "typescript", "package.json"))) next.push("npm install --save-dev typescript");
  next.push("npx featc build", "npx tsc -p .");
  if (compiled) next.push(`node ${path.relative(root, compiled).split(path.sep).join("/")}`);
  io.out(`\nNext:\n${next.map((c) => `  ${c}`).join("\n")}`);
  if (!compiled) {
    io.out(
      `\nmain.ts is not part of what tsconfig.json compiles: add "main.ts" to its "include" (or move the example among your sources).`,
    );
  }
  io.out(`\n${USAGE}\n\nThe guide: node_modules/featc/docs/guide.md`);
  return 0;
}
