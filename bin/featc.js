#!/usr/bin/env node
// featc's command line. The compiler is written in TypeScript and runs compiled, from dist/. A
// packed featc ships only the compiled compiler. In a checkout of featc, `npm run prepare` (run
// by `npm ci`) compiles it; while the sources are newer than dist/ (a change not yet compiled),
// or dist/ is missing, the sources are loaded through tsx's ESM hooks, so featc always runs what
// is there.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** True when every compiler source has a compiled module at least as new as itself. */
function compiledIsFresh() {
  const pending = [path.join(root, "compiler")];
  while (pending.length > 0) {
    const dir = pending.pop();
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const source = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (source !== path.join(root, "compiler", "lineage", "scripts")) pending.push(source);
      } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
        const compiled = path.join(root, "dist", path.relative(root, source)).replace(/\.ts$/, ".js");
        const built = fs.statSync(compiled, { throwIfNoEntry: false });
        if (!built || built.mtimeMs < fs.statSync(source).mtimeMs) return false;
      }
    }
  }
  return true;
}

// A reader that stops early (`featc graph | head`) closes the pipe: what featc writes after that
// goes nowhere, and the command still ends with its own exit code, not a write error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code !== "EPIPE") throw error;
    stream.write = () => true;
  });
}

const checkout = fs.existsSync(path.join(root, "compiler", "cli.ts"));
if (!checkout || (process.env.FEATC_FROM_SOURCE !== "1" && compiledIsFresh())) {
  // The commands that read the catalog run in a `featc server` of this installation when one is running.
  const dist = (file) => pathToFileURL(path.join(root, "dist", "compiler", file)).href;
  const { viaServer } = await import(dist("cli/client.js"));
  process.exitCode = (await viaServer(process.argv.slice(2))) ?? (await (await import(dist("cli.js"))).main(process.argv));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  const cli = await import("../compiler/cli.ts");
  process.exitCode = await cli.main(process.argv);
}
