import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Inside the repository "featc" is the runtime's sources (as tsconfig.json's paths say), so tests
  // and the executors they import share one copy; a packed featc is tested from its tarball.
  resolve: {
    alias: [
      { find: /^featc$/, replacement: fileURLToPath(new URL("./runtime/index.ts", import.meta.url)) },
      { find: /^featc\/node$/, replacement: fileURLToPath(new URL("./runtime/node.ts", import.meta.url)) },
      { find: /^featc\/duckdb$/, replacement: fileURLToPath(new URL("./runtime/duckdb/index.ts", import.meta.url)) },
      { find: /^featc\/sql$/, replacement: fileURLToPath(new URL("./runtime/sql/index.ts", import.meta.url)) },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["node_modules/**", "test/.tmp/**", "test/fixtures/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
