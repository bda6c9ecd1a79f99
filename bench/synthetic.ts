/**
 * A synthetic, valid catalog of any size for benchmarking `featc check` / `featc build`:
 * chains and fan-ins of plain map features spread over several files, a few `@when` variant
 * pairs (batch aggregate / online lookup), a few `@fitted` aggregates, a few `@extract`s over
 * generated interfaces (a Table in batch, one row online), and `Column` inputs for batch.
 * Deterministic for a given seed. The folder gets `node_modules/featc` linked to this
 * repository so `import type { Column, Table } from "featc"` resolves wherever it is written.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface SyntheticOptions {
  /** Number of nodes of the batch target (features, variants counted once, extracted fields). */
  readonly features: number;
  /** Number of catalog files the features are spread over (besides inputs.ts and types.ts). */
  readonly files: number;
  readonly seed: number;
}

export interface SyntheticCatalog {
  readonly configPath: string;
  /** Nodes per target, as `featc check` counts them. */
  readonly nodes: number;
}

const REPO = path.resolve(fileURLToPath(new URL("..", import.meta.url)));
const INPUTS = 8;

/** A small, fast, seedable generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Produced {
  readonly name: string;
  readonly type: "number" | "boolean";
}

/** Writes the catalog, its inputs and featc.config.json into `dir` (created if needed). */
export function writeSyntheticCatalog(dir: string, options: SyntheticOptions): SyntheticCatalog {
  const { features, seed } = options;
  const fileCount = Math.max(1, options.files);
  if (features < 20) throw new RangeError("writeSyntheticCatalog: at least 20 features");
  const rand = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;

  const catalogDir = path.join(dir, "catalog");
  fs.mkdirSync(catalogDir, { recursive: true });
  linkFeatc(dir);

  // Special nodes: ~1% each of variant pairs, fitted aggregates and extracts (3 fields each).
  const special = Math.max(1, Math.floor(features / 100));
  const bodies: string[][] = Array.from({ length: fileCount }, () => []);
  const fileFor = (i: number) => bodies[i % fileCount]!;
  const produced: Produced[] = [];
  const types: string[] = [];
  let count = 0;

  for (let k = 0; k < special; k++) {
    const x = `x${k % INPUTS}`;
    fileFor(k).push(
      `/** Sum of ${x} over the batch; online it is looked up.\n * @when mode=batch */\n` +
        `export function agg_${k}__batch(${x}: Column<number>): number {\n  let s = 0;\n  for (let i = 0; i < ${x}.length; i++) s += ${x}[i]!;\n  return s;\n}\n` +
        `/** @when mode=online */\nexport function agg_${k}__online(stats: Stats): number {\n  return stats.get("agg_${k}");\n}\n`,
    );
    fileFor(k + 1).push(
      `/** Mean of ${x}, fitted by batch and read online.\n * @fitted */\n` +
        `export function mean_${k}(${x}: Column<number>): number {\n  let s = 0;\n  for (let i = 0; i < ${x}.length; i++) s += ${x}[i]!;\n  return ${x}.length === 0 ? 0 : s / ${x}.length;\n}\n`,
    );
    types.push(`export interface Event${k} {\n  ev${k}_a: number;\n  ev${k}_b: number;\n  ev${k}_flag: boolean;\n}\n`);
    fileFor(k + 2).push(
      `/** @when mode=batch\n * @extract */\n` +
        `export function events_${k}__batch(${x}: Column<number>): Table<Event${k}> {\n` +
        `  const n = ${x}.length;\n  const a = new Float64Array(n);\n  const b = new Float64Array(n);\n  const flag = new Array<boolean>(n);\n` +
        `  for (let i = 0; i < n; i++) {\n    a[i] = ${x}[i]! * 2;\n    b[i] = ${x}[i]! + 1;\n    flag[i] = ${x}[i]! > 0;\n  }\n` +
        `  return { length: n, columns: { ev${k}_a: a, ev${k}_b: b, ev${k}_flag: flag } };\n}\n` +
        `/** @when mode=online\n * @extract ev${k}_a ev${k}_b ev${k}_flag */\n` +
        `export function events_${k}__online(${x}: number): Event${k} {\n  return { ev${k}_a: ${x} * 2, ev${k}_b: ${x} + 1, ev${k}_flag: ${x} > 0 };\n}\n`,
    );
    produced.push({ name: `agg_${k}`, type: "number" }, { name: `mean_${k}`, type: "number" });
    produced.push({ name: `ev${k}_a`, type: "number" }, { name: `ev${k}_b`, type: "number" }, { name: `ev${k}_flag`, type: "boolean" });
    count += 6; // agg, mean, events (the table node) and its three fields
  }

  // Plain features: each reads one input and one to four earlier values, mostly from the last
  // few (long chains), sometimes from anywhere (fan-in across files).
  for (let i = 0; count < features; i++, count++) {
    const name = `f_${i}`;
    const params = new Map<string, string>();
    const x = `x${i < INPUTS ? i : Math.floor(rand() * INPUTS)}`;
    params.set(x, "number");
    const fanIn = 1 + Math.floor(rand() * 4);
    for (let d = 0; d < fanIn && produced.length > 0; d++) {
      const near = produced.length - 1 - Math.floor(rand() * Math.min(8, produced.length));
      const dep = rand() < 0.6 ? produced[near]! : pick(produced);
      params.set(dep.name, dep.type);
    }
    const isFlag = rand() < 0.15;
    const numbers = [...params].filter(([, t]) => t === "number").map(([n]) => n);
    const flags = [...params].filter(([, t]) => t === "boolean").map(([n]) => n);
    const sum = numbers.join(" + ");
    const flagTerm = flags.length > 0 ? ` + (${flags.join(" && ")} ? 1 : 0)` : "";
    const body = isFlag
      ? `return ${sum}${flagTerm} > ${(rand() * 10).toFixed(2)};`
      : `return ${sum}${flagTerm} * ${(0.5 + rand()).toFixed(3)};`;
    const signature = [...params].map(([n, t]) => `${n}: ${t}`).join(", ");
    const doc =
      i % 50 === 0
        ? `/** Synthetic feature ${i}.\n * @check ${isFlag ? "notNull" : "notNull warn"} */\n`
        : i % 7 === 0
          ? `/** Synthetic feature ${i}. */\n`
          : "";
    fileFor(i).push(`${doc}export function ${name}(${signature}): ${isFlag ? "boolean" : "number"} {\n  ${body}\n}\n`);
    produced.push({ name, type: isFlag ? "boolean" : "number" });
  }

  const header = `import type { Column, Table } from "featc";\nimport type { ${Array.from({ length: special }, (_, k) => `Event${k}`).join(", ")}, Stats } from "./types.js";\n\n`;
  bodies.forEach((parts, i) => {
    const used = parts.join("\n");
    // Import only what the file uses, as a linted catalog would.
    const imports = header
      .split("\n")
      .map((line) =>
        line.replace(
          /\{ (.*) \}/,
          (_, names: string) =>
            `{ ${names
              .split(", ")
              .filter((n) => new RegExp(`\\b${n}\\b`).test(used))
              .join(", ")} }`,
        ),
      )
      .filter((line) => !line.includes("{  }"))
      .join("\n");
    fs.writeFileSync(path.join(catalogDir, `features_${String(i).padStart(3, "0")}.ts`), `${imports}${used}`);
  });
  fs.writeFileSync(
    path.join(catalogDir, "types.ts"),
    `/** Online lookups of batch aggregates. */\nexport interface Stats {\n  get(name: string): number;\n}\n\n${types.join("\n")}`,
  );
  return { configPath: writeInputsAndConfig(dir, true), nodes: count };
}

/** `catalog/inputs.ts` (the inputs x0…x7, columns in batch, numbers online, and the online `stats` lookups when `stats`) and featc.config.json with its batch and online targets. */
function writeInputsAndConfig(dir: string, stats: boolean): string {
  const inputNames = Array.from({ length: INPUTS }, (_, k) => `x${k}`);
  fs.writeFileSync(
    path.join(dir, "catalog", "inputs.ts"),
    `import type { Column } from "featc";\n${stats ? `import type { Stats } from "./types.js";\n` : ""}\n` +
      `export interface BatchInputs {\n${inputNames.map((n) => `  ${n}: Column<number>;\n`).join("")}}\n\n` +
      `export interface OnlineInputs {\n${inputNames.map((n) => `  ${n}: number;\n`).join("")}${stats ? "  stats: Stats;\n" : ""}}\n`,
  );
  const configPath = path.join(dir, "featc.config.json");
  const config = {
    catalog: ["catalog/**/*.ts"],
    outDir: "generated",
    targets: {
      batch: { shape: "batch", config: { mode: "batch" }, inputs: "catalog/inputs.ts#BatchInputs" },
      online: { shape: "online", config: { mode: "online" }, inputs: "catalog/inputs.ts#OnlineInputs" },
    },
  };
  fs.writeFileSync(configPath, JSON.stringify(config, null, 2) + "\n");
  return configPath;
}

/** `dir/node_modules/featc` → this repository, unless the folder already resolves featc. */
function linkFeatc(dir: string): void {
  const link = path.join(dir, "node_modules", "featc");
  if (fs.existsSync(link)) return;
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync(REPO, link, process.platform === "win32" ? "junction" : "dir");
}

/**
 * A catalog of one extreme shape, for the size limits of generated code: `chain`, map features
 * each reading the one before (`length` of them); or `wide`, one feature with `length`
 * parameters, each a feature of its own over one input.
 */
export function writeShapeCatalog(dir: string, shape: "chain" | "wide", length: number): SyntheticCatalog {
  const catalogDir = path.join(dir, "catalog");
  fs.mkdirSync(catalogDir, { recursive: true });
  linkFeatc(dir);
  const lines: string[] = [];
  if (shape === "chain") {
    lines.push(`export function c_0(x0: number): number {\n  return x0 + 1;\n}\n`);
    for (let i = 1; i < length; i++)
      lines.push(`export function c_${i}(c_${i - 1}: number): number {\n  return c_${i - 1} * 0.5 + ${i % 10};\n}\n`);
  } else {
    for (let i = 0; i < length; i++)
      lines.push(`export function p_${i}(x${i % INPUTS}: number): number {\n  return x${i % INPUTS} * ${(i % 7) + 1};\n}\n`);
    const params = Array.from({ length }, (_, i) => `p_${i}`);
    const sum = params.map((p) => `  s += ${p};\n`).join("");
    lines.push(
      `/** Sum of ${length} features. */\nexport function wide(${params.map((p) => `${p}: number`).join(", ")}): number {\n  let s = 0;\n${sum}  return s;\n}\n`,
    );
  }
  fs.writeFileSync(path.join(catalogDir, "features.ts"), lines.join("\n"));
  const configPath = writeInputsAndConfig(dir, false);
  return { configPath, nodes: shape === "chain" ? length : length + 1 };
}
