/**
 * No import cycle in compiler/ or runtime/ (what `madge --circular compiler runtime` checks):
 * every relative import and re-export, type-only ones included, read with TypeScript's parser.
 */
import fs from "node:fs";
import path from "node:path";
import { ts } from "ts-morph";
import { describe, expect, it } from "vitest";
import { REPO } from "./support/workspace.js";

function sources(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ts$/.test(e.name) && !e.name.endsWith(".d.ts"))
    .map((e) => path.join(e.parentPath, e.name));
}

/** The repository files a module imports, by relative specifier (`./x.js` → `x.ts`). */
function importsOf(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
  const out: string[] = [];
  for (const statement of source.statements) {
    const specifier =
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
      statement.moduleSpecifier &&
      ts.isStringLiteral(statement.moduleSpecifier)
        ? statement.moduleSpecifier.text
        : undefined;
    if (!specifier?.startsWith(".")) continue;
    const target = path.resolve(path.dirname(file), specifier).replace(/\.js$/, ".ts");
    if (fs.existsSync(target)) out.push(target);
  }
  return out;
}

/** Every cycle's files, one per strongly connected component of more than one file (or a file importing itself). */
function importCycles(files: readonly string[]): string[][] {
  const edges = new Map(files.map((f) => [f, importsOf(f)]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (f: string) => {
    index.set(f, index.size);
    low.set(f, index.get(f)!);
    stack.push(f);
    onStack.add(f);
    for (const g of edges.get(f) ?? []) {
      if (!index.has(g)) {
        visit(g);
        low.set(f, Math.min(low.get(f)!, low.get(g)!));
      } else if (onStack.has(g)) low.set(f, Math.min(low.get(f)!, index.get(g)!));
    }
    if (low.get(f) === index.get(f)) {
      const component: string[] = [];
      let g: string;
      do {
        g = stack.pop()!;
        onStack.delete(g);
        component.push(path.relative(REPO, g));
      } while (g !== f);
      if (component.length > 1 || (edges.get(f) ?? []).includes(f)) cycles.push(component.sort());
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return cycles;
}

describe("imports", () => {
  it("form no cycle in compiler/ and runtime/", () => {
    const files = [...sources(path.join(REPO, "compiler")), ...sources(path.join(REPO, "runtime"))];
    expect(files.length).toBeGreaterThan(40);
    expect(importCycles(files)).toEqual([]);
  });
});

describe("the cycle finder", () => {
  it("finds a cycle through type-only imports and re-exports", () => {
    fs.mkdirSync(path.join(REPO, "test", ".tmp"), { recursive: true });
    const dir = fs.mkdtempSync(path.join(REPO, "test", ".tmp", "cycle-"));
    try {
      fs.writeFileSync(path.join(dir, "a.ts"), `import type { B } from "./b.js";\nexport type A = B;\n`);
      fs.writeFileSync(path.join(dir, "b.ts"), `export { c as B } from "./c.js";\n`);
      fs.writeFileSync(path.join(dir, "c.ts"), `import { a } from "./a.js";\nexport const c = a;\n`);
      fs.writeFileSync(path.join(dir, "d.ts"), `import "./a.js";\n`);
      expect(importCycles(sources(dir)).map((c) => c.map((f) => path.basename(f)))).toEqual([["a.ts", "b.ts", "c.ts"]]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
