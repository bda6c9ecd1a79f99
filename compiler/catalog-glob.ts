/**
 * The catalog files a config's `"catalog"` globs match, in a module of its own: the config
 * reads them through it, and `featc check`'s result cache matches them again, without loading
 * the compiler, to see whether a catalog file appeared or went away.
 */
import path from "node:path";
import { glob } from "tinyglobby";

/** The TypeScript sources the globs match under `rootDir` (absolute, sorted); declaration files and node_modules are left out. */
export async function catalogGlob(patterns: readonly string[], rootDir: string): Promise<string[]> {
  return (await glob([...patterns], { cwd: rootDir, absolute: true, ignore: ["**/node_modules/**", "**/*.d.ts"] }))
    .filter((f) => /\.(ts|mts|cts|tsx)$/.test(f))
    .map((f) => path.normalize(f))
    .sort();
}
