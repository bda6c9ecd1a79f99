/**
 * `featc diff REF` in a real git repository: the fixture catalog is committed, then edited in
 * the working tree. Whitespace and comments are no change (exit 0); code, variants, added and
 * removed features are (exit 1), with what changes only through upstream and which outputs of
 * each target may change; a bad ref is an error (exit 2).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CatalogDiff } from "../../compiler/lineage/diff.js";
import { REPO, removeWorkspace, workspace } from "../support/workspace.js";
import { featc } from "./cli.js";

/** The emit fixture's catalog, with the lineage config (it declares the online outputs). */
const FIXTURE = path.join(REPO, "test", "fixtures", "emit", "mixed");
let dir: string;
let config: string;
const originals = new Map<string, string>();

const git = (...args: string[]) =>
  execFileSync("git", ["-c", "user.email=featc@example.invalid", "-c", "user.name=featc tests", "-c", "commit.gpgsign=false", ...args], {
    cwd: dir,
    encoding: "utf8",
  });

function edit(rel: string, change: (text: string) => string): void {
  const file = path.join(dir, rel);
  const before = fs.readFileSync(file, "utf8");
  if (!originals.has(rel)) originals.set(rel, before);
  const after = change(before);
  expect(after, `the edit of ${rel} changed nothing`).not.toBe(before);
  fs.writeFileSync(file, after);
}

function restore(): void {
  for (const [rel, text] of originals) fs.writeFileSync(path.join(dir, rel), text);
  originals.clear();
}

async function diffJson(...args: string[]): Promise<{ code: number; diff: CatalogDiff }> {
  const run = await featc("diff", "-c", config, "--format", "json", ...args);
  expect(run.code, run.err).not.toBe(2);
  return { code: run.code, diff: JSON.parse(run.out) as CatalogDiff };
}

beforeAll(() => {
  dir = workspace("lineage-diff", FIXTURE);
  config = path.join(dir, "lineage.config.json");
  git("init", "-q");
  git("add", ".");
  git("commit", "-q", "-m", "catalog");
});
afterAll(() => removeWorkspace(dir));

describe("featc diff", () => {
  it("reports no changes (exit 0) for an untouched tree and for whitespace and comment edits", async () => {
    const clean = await featc("diff", "HEAD", "-c", config);
    expect(clean.code, clean.err).toBe(0);
    expect(clean.out).toContain("no changes to the features of any target.");
    edit("catalog/features.ts", (t) =>
      t.replace("return (score - score_mean) * weights;", "return (score - score_mean)   *   weights; // centred\n  /* nothing else */"),
    );
    edit("catalog/loaders.ts", (t) => t.replace("/** One person.", "/** One person, fetched by id."));
    try {
      const { code, diff } = await diffJson("HEAD");
      expect(code).toBe(0);
      expect(diff.hasChanges).toBe(false);
      expect(diff.commit).toBe(git("rev-parse", "HEAD").trim());
    } finally {
      restore();
    }
  });

  it("reports added, removed and changed features, upstream-only changes and affected outputs (exit 1)", async () => {
    edit("catalog/features.ts", (t) =>
      t
        .replace("return (score - score_mean) * weights;", "return (score - score_mean) * weights * 2;")
        .replace(
          "export function embedding_norm(embedding: number[]): number {\n  return Math.sqrt(embedding.reduce((s, x) => s + x * x, 0));\n}\n",
          "",
        )
        .concat("\n/** Twice the total. */\nexport function double_total(total: number): number {\n  return 2 * total;\n}\n"),
    );
    edit("catalog/loaders.ts", (t) => t.replace("export async function bonus__online(", "export async function bonus__service("));
    try {
      const { code, diff } = await diffJson("HEAD");
      expect(code).toBe(1);
      expect(diff.hasChanges).toBe(true);
      expect(diff.summary.added).toEqual([{ name: "double_total", targets: ["batch", "online"] }]);
      expect(diff.summary.removed).toEqual([{ name: "embedding_norm", targets: ["batch", "online"] }]);
      expect(diff.summary.changed).toEqual([
        { name: "weighted", targets: ["batch", "online"], reasons: ["code"] },
        { name: "bonus", targets: ["online"], reasons: ["variant"] },
      ]);
      const [batch, online] = diff.targets;
      expect(batch!.upstreamChanged).toEqual([
        { name: "above", via: ["weighted"] },
        { name: "count_above", via: ["weighted"] },
        { name: "share_gap", via: ["weighted"] },
      ]);
      expect(online!.changed).toContainEqual({
        name: "bonus",
        reasons: ["variant"],
        variant: { from: "bonus__online", to: "bonus__service" },
      });
      expect(online!.upstreamChanged).toEqual([
        { name: "age_plus", via: ["bonus"] },
        { name: "total", via: ["bonus"] },
        { name: "above", via: ["weighted"] },
      ]);
      // batch lists no outputs: every node is public. online's outputs are total, above, name_kind.
      expect(batch!.outputsAffected).toEqual(["double_total", "weighted", "above", "count_above", "share_gap"]);
      expect(online!.outputsAffected).toEqual(["total", "above"]);
      expect(batch!.outputsRemoved).toEqual(["embedding_norm"]);

      const human = await featc("diff", "HEAD", "-c", config);
      expect(human.code).toBe(1);
      expect(human.out).toContain("features added:\n  double_total (batch, online)");
      expect(human.out).toContain("features removed:\n  embedding_norm (batch, online)");
      expect(human.out).toContain("  bonus (online): variant [online: bonus__online → bonus__service]");
      expect(human.out).toContain("changed only through an upstream change:\n  above (batch, online) via weighted");
      expect(human.out).toContain("target online:\n  2 output(s) whose values may change: total, above");
    } finally {
      restore();
    }
  });

  it("compares any commit-ish, limits to --target, and leaves no temporary tree behind", async () => {
    edit("catalog/features.ts", (t) => t.replace("return age + bonus;", "return age + bonus + 1;"));
    git("commit", "-q", "-am", "age_plus + 1");
    try {
      const { code, diff } = await diffJson("HEAD~1", "--target", "online");
      expect(code).toBe(1);
      expect(diff.targets.map((t) => t.target)).toEqual(["online"]);
      expect(diff.summary.changed).toEqual([{ name: "age_plus", targets: ["online"], reasons: ["code"] }]);
      expect(diff.targets[0]!.outputsAffected).toEqual(["total"]);
      expect((await diffJson("HEAD")).code).toBe(0);
      expect(fs.readdirSync(dir).filter((f) => f.startsWith(".featc-diff"))).toEqual([]);
    } finally {
      originals.clear();
    }
  });

  it("exits 2 for a ref that is no commit", async () => {
    const run = await featc("diff", "no-such-branch", "-c", config);
    expect(run.code).toBe(2);
    expect(run.err).toContain("'no-such-branch' is not a commit");
    const option = await featc("diff", "--", "--output=/tmp/x", "-c", config);
    expect(option.code).toBe(2);
  });
});
