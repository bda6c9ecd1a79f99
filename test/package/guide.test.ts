/**
 * docs/guide.md, run: every code block, in order, in one fresh project outside the repository
 * with featc installed from its packed tarball. A block tagged `file=PATH` is written to PATH;
 * an `sh` block's lines are run (`npm install featc` installs the tarball, and packages featc is
 * developed with are pinned to their versions here; a line ending in `# exits N` must exit with
 * status N, every other line with 0); a `text` block is what the command before it prints. A
 * block of any other kind fails the test: the guide shows nothing that is not run.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, packedTarball, run, tempProject } from "./packed.js";

interface Block {
  /** 1-based line of the opening fence in guide.md. */
  readonly line: number;
  readonly lang: string;
  readonly file?: string;
  readonly text: string;
}

const GUIDE = path.join(REPO, "docs", "guide.md");

function blocksOf(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.indexOf("```", i + 1);
    if (end < 0) throw new Error(`guide.md:${i + 1}: unclosed code block`);
    const file = /\bfile=(\S+)/.exec(open[2]!)?.[1];
    blocks.push({ line: i + 1, lang: open[1]!, file, text: lines.slice(i + 1, end).join("\n") + "\n" });
    i = end;
  }
  return blocks;
}

const repoPackage = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const pinned: Record<string, string> = { ...repoPackage.dependencies, ...repoPackage.devDependencies };

/** An `npm install` line with featc as its tarball and known packages at featc's versions. */
function installLine(words: string[]): string[] {
  return words.map((word, i) =>
    i < 2 || word.startsWith("-") ? word : word === "featc" ? packedTarball() : pinned[word] ? `${word}@${pinned[word]}` : word,
  );
}

describe("docs/guide.md", () => {
  let dir: string;
  beforeAll(() => {
    dir = tempProject("guide");
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const blocks = blocksOf(fs.readFileSync(GUIDE, "utf8"));

  it("has code blocks, each written, run or compared with output", () => {
    expect(blocks.length).toBeGreaterThan(10);
    for (const block of blocks) {
      const known = block.file !== undefined || block.lang === "sh" || block.lang === "text";
      expect(known, `guide.md:${block.line}: a \`${block.lang}\` block without file=`).toBe(true);
    }
    expect(blocks[0]!.lang, "the guide starts with commands").toBe("sh");
  });

  it("every block, in order, in a fresh project from the packed tarball", () => {
    let last: { command: string; output: string } | undefined;
    for (const block of blocks) {
      const where = `guide.md:${block.line}`;
      if (block.file !== undefined) {
        fs.mkdirSync(path.dirname(path.join(dir, block.file)), { recursive: true });
        fs.writeFileSync(path.join(dir, block.file), block.text);
      } else if (block.lang === "sh") {
        for (const line of block.text.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"))) {
          const exits = /\s+# exits (\d)$/.exec(line);
          const words = line.slice(0, exits?.index).trim().split(/\s+/);
          const command = words[0] === "npm" && words[1] === "install" ? installLine(words) : words;
          let result;
          try {
            result = run(command[0]!, command.slice(1), dir, exits ? Number(exits[1]) : 0);
          } catch (e) {
            throw new Error(`${where}: ${(e as Error).message}`);
          }
          last = { command: line, output: result.stdout + result.stderr };
        }
      } else {
        expect(last, `${where}: output with no command before it`).toBeDefined();
        expect(last!.output.trim(), `${where}: the output of ${last!.command}`).toBe(block.text.trim());
        last = undefined;
      }
    }
  }, 900_000);

  it("shows the editor tasks featc's own editor test checks", () => {
    const tasks = blocks.find((b) => b.file === ".vscode/tasks.json");
    expect(JSON.parse(tasks!.text)).toEqual(JSON.parse(fs.readFileSync(path.join(REPO, ".vscode", "tasks.json"), "utf8")));
  });
});
