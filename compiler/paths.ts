/**
 * Where featc's own files are, whether the compiler runs from its TypeScript sources (through
 * tsx) or from the JavaScript that `npm run prepare` compiles into `dist/`: files that are read
 * at run time (templates, the catalog page, the runtime's container types) are found from the
 * package's root, not from the running module.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

function packageRoot(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: string }).name === "featc") return dir;
    if (path.dirname(dir) === dir) throw new Error(`featc: cannot find featc's package.json above ${fileURLToPath(import.meta.url)}`);
  }
}

/** The folder of featc's package.json. */
const PACKAGE_ROOT = packageRoot();

/** A file of featc's package, by its path from the package root. */
export function packageFile(...segments: string[]): string {
  return path.join(PACKAGE_ROOT, ...segments);
}
