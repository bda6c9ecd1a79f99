/**
 * `featc diff REF`: the catalog at a git ref against the working tree. Per target: features
 * added, removed and changed (code, variant, tags, checks, type, level, wiring — compared by the
 * whitespace- and comment-insensitive code hash, not by text), features that only change
 * through something upstream of them, input changes, and the public outputs whose values may
 * change. The tree at REF is exported with `git archive` into a temporary folder beside the
 * config, so its catalog resolves packages exactly as the working tree does.
 */
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Lineage, type LineageGraph, type LineageVertex } from "./graph.js";

export type ChangeReason = "code" | "variant" | "tags" | "checks" | "type" | "level" | "fitted" | "wiring";

export interface ChangedNode {
  readonly name: string;
  readonly reasons: readonly ChangeReason[];
  /** For a variant change: the export names before and after. */
  readonly variant?: { readonly from: string; readonly to: string };
}

export interface TargetDiff {
  readonly target: string;
  /** `added` / `removed`: the target exists on one side only; its nodes are not listed. */
  readonly status: "added" | "removed" | "compared";
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly ChangedNode[];
  /** Unchanged themselves, but downstream of a change; `via` lists the changes they sit on. */
  readonly upstreamChanged: readonly { readonly name: string; readonly via: readonly string[] }[];
  readonly inputs: { readonly added: readonly string[]; readonly removed: readonly string[]; readonly changed: readonly string[] };
  /** Public outputs whose values may change (changed, added, or downstream of a change). */
  readonly outputsAffected: readonly string[];
  readonly outputsAdded: readonly string[];
  readonly outputsRemoved: readonly string[];
}

export interface CatalogDiff {
  readonly ref: string;
  readonly commit: string;
  readonly targets: readonly TargetDiff[];
  /** The same changes by feature across targets. */
  readonly summary: {
    readonly added: readonly { readonly name: string; readonly targets: readonly string[] }[];
    readonly removed: readonly { readonly name: string; readonly targets: readonly string[] }[];
    readonly changed: readonly { readonly name: string; readonly targets: readonly string[]; readonly reasons: readonly ChangeReason[] }[];
    readonly upstreamChanged: readonly { readonly name: string; readonly targets: readonly string[]; readonly via: readonly string[] }[];
  };
  readonly hasChanges: boolean;
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function reasonsFor(
  before: LineageVertex,
  after: LineageVertex,
  parentsBefore: readonly string[],
  parentsAfter: readonly string[],
): ChangeReason[] {
  const reasons: ChangeReason[] = [];
  // An extracted field carries its owner's code hash: a change there reaches it through the owner.
  const own = after.kind !== "extract" && before.kind !== "extract";
  if (own && before.exportName !== after.exportName) reasons.push("variant");
  else if (own && before.codeHash !== after.codeHash) reasons.push("code");
  const tags = (v: LineageVertex) => v.tags.filter((t) => t.name !== "check").map((t) => `${t.name} ${t.text}`);
  if (own && !same(tags(before), tags(after))) reasons.push("tags");
  if (!same(before.checks, after.checks)) reasons.push("checks");
  if (before.type !== after.type) reasons.push("type");
  if (before.level !== after.level) reasons.push("level");
  if (before.kind !== after.kind || before.fitted !== after.fitted) reasons.push("fitted");
  if (!same(parentsBefore, parentsAfter)) reasons.push("wiring");
  return reasons;
}

/** Compares one target's graph before and after. */
function compareTarget(before: LineageGraph | undefined, after: LineageGraph | undefined): TargetDiff {
  const empty = {
    added: [],
    removed: [],
    changed: [],
    upstreamChanged: [],
    inputs: { added: [], removed: [], changed: [] },
    outputsAffected: [],
    outputsAdded: [],
    outputsRemoved: [],
  };
  if (!before) return { target: after!.target, status: "added", ...empty };
  if (!after) return { target: before.target, status: "removed", ...empty };
  const old = new Lineage(before);
  const now = new Lineage(after);
  const nodes = (g: LineageGraph) => g.vertices.filter((v) => v.kind !== "input");
  const inputs = (g: LineageGraph) => g.vertices.filter((v) => v.kind === "input");

  const added = nodes(after)
    .filter((v) => !old.byId.has(v.id))
    .map((v) => v.id);
  const removed = nodes(before)
    .filter((v) => !now.byId.has(v.id))
    .map((v) => v.id);
  const changed: ChangedNode[] = [];
  for (const v of nodes(after)) {
    const was = old.byId.get(v.id);
    if (!was || was.kind === "input") continue;
    const reasons = reasonsFor(was, v, old.parents(v.id), now.parents(v.id));
    if (reasons.length === 0) continue;
    changed.push(
      reasons.includes("variant")
        ? { name: v.id, reasons, variant: { from: was.exportName ?? "", to: v.exportName ?? "" } }
        : { name: v.id, reasons },
    );
  }
  const inputsAdded = inputs(after).filter((v) => !old.byId.has(v.id));
  const inputsRemoved = inputs(before)
    .filter((v) => !now.byId.has(v.id))
    .map((v) => v.name);
  const inputsChanged = inputs(after).filter((v) => {
    const was = old.byId.get(v.id);
    return was !== undefined && (was.type !== v.type || was.level !== v.level);
  });

  // Everything downstream of a change may compute other values, though its own code is the same.
  // One pass in topological order: a vertex sits on the changes its parents are or sit on.
  const seeds = new Set([...added, ...changed.map((c) => c.name), ...inputsAdded.map((v) => v.id), ...inputsChanged.map((v) => v.id)]);
  const sitsOn = new Map<string, Set<string>>();
  const upstreamChanged: { name: string; via: string[] }[] = [];
  const order = new Map(after.vertices.map((v, i) => [v.id, i]));
  for (const v of after.vertices) {
    const via = new Set<string>();
    for (const p of now.parents(v.id)) {
      if (seeds.has(p)) via.add(p);
      for (const s of sitsOn.get(p) ?? []) via.add(s);
    }
    sitsOn.set(v.id, via);
    if (v.kind !== "input" && !seeds.has(v.id) && via.size > 0)
      upstreamChanged.push({ name: v.id, via: [...via].sort((a, b) => order.get(a)! - order.get(b)!) });
  }
  const outputsBefore = new Set(before.outputs);
  const outputsAfter = new Set(after.outputs);
  const affected = new Set([...seeds, ...upstreamChanged.map((u) => u.name)]);
  return {
    target: after.target,
    status: "compared",
    added,
    removed,
    changed,
    upstreamChanged,
    inputs: { added: inputsAdded.map((v) => v.name), removed: inputsRemoved, changed: inputsChanged.map((v) => v.name) },
    outputsAffected: after.outputs.filter((o) => affected.has(o)),
    outputsAdded: after.outputs.filter((o) => !outputsBefore.has(o)),
    outputsRemoved: before.outputs.filter((o) => !outputsAfter.has(o)),
  };
}

/** Compares every target present on either side, in the order of the working tree's config. */
export function compareCatalogs(ref: string, commit: string, before: readonly LineageGraph[], after: readonly LineageGraph[]): CatalogDiff {
  const names = [...after.map((g) => g.target), ...before.map((g) => g.target).filter((t) => !after.some((g) => g.target === t))];
  const targets = names.map((t) =>
    compareTarget(
      before.find((g) => g.target === t),
      after.find((g) => g.target === t),
    ),
  );
  const group = <T extends { name: string }>(pick: (d: TargetDiff) => readonly T[]) => {
    const out = new Map<string, { name: string; targets: string[]; items: T[] }>();
    for (const d of targets) {
      for (const item of pick(d)) {
        const entry = out.get(item.name) ?? { name: item.name, targets: [], items: [] };
        entry.targets.push(d.target);
        entry.items.push(item);
        out.set(item.name, entry);
      }
    }
    return [...out.values()];
  };
  const named = (list: readonly string[]) => list.map((name) => ({ name }));
  const unique = <T>(xs: readonly T[]) => [...new Set(xs)];
  const summary = {
    added: group((d) => named(d.added)).map(({ name, targets }) => ({ name, targets })),
    removed: group((d) => named(d.removed)).map(({ name, targets }) => ({ name, targets })),
    changed: group((d) => d.changed).map(({ name, targets, items }) => ({
      name,
      targets,
      reasons: unique(items.flatMap((i) => i.reasons)),
    })),
    upstreamChanged: group((d) => d.upstreamChanged).map(({ name, targets, items }) => ({
      name,
      targets,
      via: unique(items.flatMap((i) => i.via)),
    })),
  };
  const hasChanges = targets.some(
    (d) =>
      d.status !== "compared" ||
      d.added.length + d.removed.length + d.changed.length + d.upstreamChanged.length > 0 ||
      d.inputs.added.length + d.inputs.removed.length + d.inputs.changed.length > 0 ||
      d.outputsAdded.length + d.outputsRemoved.length > 0,
  );
  return { ref, commit, targets, summary, hasChanges };
}

const shown = (id: string) => (id.startsWith("input:") ? `${id.slice(6)} (input)` : id);

/** The comparison for people. */
export function formatDiff(d: CatalogDiff): string {
  const head = `featc diff: ${d.ref} (${d.commit.slice(0, 10)}) → working tree`;
  if (!d.hasChanges) return `${head}\nno changes to the features of any target.\n`;
  const out = [head];
  const section = (title: string, rows: string[]) => {
    if (rows.length === 0) return;
    out.push("", `${title}:`, ...rows.map((r) => `  ${r}`));
  };
  const where = (targets: readonly string[]) => `(${targets.join(", ")})`;
  section(
    "features added",
    d.summary.added.map((a) => `${a.name} ${where(a.targets)}`),
  );
  section(
    "features removed",
    d.summary.removed.map((r) => `${r.name} ${where(r.targets)}`),
  );
  section(
    "features changed",
    d.summary.changed.map((c) => {
      const variant = d.targets.flatMap((t) =>
        t.changed.filter((x) => x.name === c.name && x.variant).map((x) => `${t.target}: ${x.variant!.from} → ${x.variant!.to}`),
      );
      return `${c.name} ${where(c.targets)}: ${c.reasons.join(", ")}${variant.length ? ` [${variant.join("; ")}]` : ""}`;
    }),
  );
  section(
    "changed only through an upstream change",
    d.summary.upstreamChanged.map((u) => `${u.name} ${where(u.targets)} via ${u.via.map(shown).join(", ")}`),
  );
  for (const t of d.targets) {
    const rows: string[] = [];
    if (t.status === "added") rows.push(`new target (not in ${d.ref})`);
    if (t.status === "removed") rows.push(`target removed (it exists in ${d.ref} only)`);
    if (t.inputs.added.length) rows.push(`inputs added: ${t.inputs.added.join(", ")}`);
    if (t.inputs.removed.length) rows.push(`inputs removed: ${t.inputs.removed.join(", ")}`);
    if (t.inputs.changed.length) rows.push(`inputs changed: ${t.inputs.changed.join(", ")}`);
    if (t.outputsAdded.length) rows.push(`outputs added: ${t.outputsAdded.join(", ")}`);
    if (t.outputsRemoved.length) rows.push(`outputs removed: ${t.outputsRemoved.join(", ")}`);
    if (t.status === "compared")
      rows.push(
        t.outputsAffected.length
          ? `${t.outputsAffected.length} output(s) whose values may change: ${t.outputsAffected.join(", ")}`
          : "no output value changes",
      );
    section(`target ${t.target}`, rows);
  }
  return out.join("\n") + "\n";
}

export type ExportedTree =
  | { readonly ok: true; readonly commit: string; readonly root: string; readonly configPath?: string; dispose(): void }
  | { readonly ok: false; readonly message: string };

function git(args: readonly string[], cwd: string): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/**
 * Exports the tree at `ref` of the git repository holding `configPath` into a temporary folder
 * inside the config's folder (a dot-folder, which catalog globs and watchers skip), so that its
 * catalog finds the same node_modules and package as the working tree's. `configPath` of the
 * result is the config at `ref`, undefined when it did not exist there.
 */
export function exportRef(configPath: string, ref: string): ExportedTree {
  const absolute = path.resolve(configPath);
  const rootDir = path.dirname(absolute);
  let top: string;
  try {
    top = git(["rev-parse", "--show-toplevel"], rootDir);
  } catch {
    return { ok: false, message: `'${rootDir}' is not inside a git repository` };
  }
  let commit: string;
  try {
    if (ref.startsWith("-")) throw new Error("not a ref");
    commit = git(["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`], rootDir);
  } catch {
    return { ok: false, message: `'${ref}' is not a commit of the repository at '${top}'` };
  }
  const dir = path.join(rootDir, `.featc-diff-${process.pid}-${crypto.randomBytes(4).toString("hex")}`);
  const dispose = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    fs.mkdirSync(dir, { recursive: true });
    execFileSync("sh", ["-c", 'git archive --format=tar "$1" | tar -x -f - -C "$2"', "sh", commit, dir], {
      cwd: top,
      stdio: ["ignore", "ignore", "pipe"],
    });
  } catch (e) {
    dispose();
    return { ok: false, message: `cannot export '${ref}': ${String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim()}` };
  }
  const relConfig = path.relative(fs.realpathSync(top), fs.realpathSync(absolute));
  const oldConfig = path.join(dir, relConfig);
  return { ok: true, commit, root: dir, configPath: fs.existsSync(oldConfig) ? oldConfig : undefined, dispose };
}
