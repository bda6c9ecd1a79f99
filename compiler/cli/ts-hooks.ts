/**
 * Module hooks that let `featc parity` import TypeScript (the user's setup module, the generated
 * executors and the catalog they import) on plain Node: a `.ts` file is transpiled by the
 * TypeScript that ts-morph bundles, one file at a time with no type checking, and a relative
 * `./x.js` that does not exist resolves to `./x.ts` beside it, as tsc's NodeNext resolution does.
 */
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { ts } from "../typescript.js";

type Next<A extends unknown[], R> = (...args: A) => Promise<R>;
interface Resolved {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
interface Loaded {
  format: string;
  source?: string | ArrayBuffer | Uint8Array;
  shortCircuit?: boolean;
}

export async function resolve(
  specifier: string,
  context: { parentURL?: string },
  next: Next<[string, { parentURL?: string }], Resolved>,
): Promise<Resolved> {
  try {
    return await next(specifier, context);
  } catch (error) {
    const relative =
      specifier.startsWith("./") || specifier.startsWith("../") || specifier.startsWith("/") || specifier.startsWith("file:");
    if (!relative || !/\.[mc]?js$/.test(specifier)) throw error;
    return next(specifier.replace(/\.([mc]?)js$/, ".$1ts"), context);
  }
}

export async function load(
  url: string,
  context: { format?: string | null },
  next: Next<[string, { format?: string | null }], Loaded>,
): Promise<Loaded> {
  if (!url.startsWith("file:") || !/\.m?ts$/.test(url) || url.endsWith(".d.ts")) return next(url, context);
  const file = fileURLToPath(url);
  const output = ts.transpileModule(fs.readFileSync(file, "utf8"), {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false, inlineSourceMap: true },
  });
  return { format: "module", source: output.outputText, shortCircuit: true };
}
