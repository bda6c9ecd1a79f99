import os from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The slowest test files, longest first: started first, so that no long file is left to run
 * alone at the end while the other workers are idle. (Vitest orders by the durations it cached
 * from an earlier run, and a fresh clone has none.)
 */
const SLOWEST = [
  "test/check-cache.test.ts",
  "test/package/e2e.test.ts",
  "test/package/guide.test.ts",
  "test/fuzz.test.ts",
  "test/compile-cache.test.ts",
  "test/large-targets.test.ts",
  "test/sql/translate.test.ts",
  "test/property.test.ts",
  "test/sql/parity.test.ts",
  "test/server.test.ts",
  "test/hostile-input.test.ts",
  "test/outputs.test.ts",
  "test/cli-compiled.test.ts",
];

class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const i = SLOWEST.findIndex((slow) => file.moduleId.endsWith(`/${slow}`));
      return i < 0 ? SLOWEST.length : i;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

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
    // One test file per core (Vitest's default leaves one core to itself): a test file spends much
    // of its time waiting on the processes it starts (featc, tsc, npm, the database engines).
    maxWorkers: os.availableParallelism(),
    sequence: { sequencer: SlowestFirst },
    // A featc server its user started must not answer the commands the tests run (test/server.test.ts starts its own).
    env: { FEATC_SERVER: "0" },
  },
});
