/**
 * `featc version`: content hashes for pinning. A node's version hashes what decides its value —
 * the producing function's code (whitespace- and comment-insensitive), which variant, its tags
 * and checks, its level and type — together with the versions of everything it depends on, so a
 * change anywhere upstream changes it too. A target's version hashes all of its vertices and its
 * public outputs. Source positions and descriptions are left out: moving code or editing a
 * comment changes no version.
 */
import { sha256 as hash } from "../hash.js";
import { Lineage, type LineageGraph, type LineageVertex } from "./graph.js";

export interface TargetVersion {
  readonly target: string;
  readonly shape: string;
  /** The version of the whole graph. */
  readonly hash: string;
  /** The version of each node and input, by vertex id (`input:<name>` for inputs), in graph order. */
  readonly vertices: readonly { readonly id: string; readonly hash: string }[];
}

/** What a vertex is, apart from what it depends on. */
function ownFingerprint(v: LineageVertex): string[] {
  return [
    v.kind,
    v.name,
    v.type,
    v.level,
    v.exportName ?? "",
    v.codeHash ?? "",
    v.fitted ?? "",
    v.extractOf ?? "",
    v.checks.join("\u0001"),
    v.tags.map((t) => `${t.name} ${t.text}`).join("\u0001"),
  ];
}

/** The versions of a target's graph and of each of its vertices. */
export function versionOf(graph: LineageGraph): TargetVersion {
  const lineage = new Lineage(graph);
  // Vertices come in topological order (inputs first), so every parent is hashed before its
  // consumers; only vertices on a cycle (a broken catalog) meet a parent not hashed yet, and
  // hash it as unknown.
  const versions = new Map<string, string>();
  const vertices = graph.vertices.map((v) => {
    const parents = lineage.parents(v.id).map((p) => `${p}=${versions.get(p) ?? "?"}`);
    const h = hash([...ownFingerprint(v), ...parents]);
    versions.set(v.id, h);
    return { id: v.id, hash: h };
  });
  const outputs = graph.vertices
    .filter((v) => v.role === "output")
    .map((v) => v.id)
    .sort();
  const whole = hash([graph.shape, graph.fitted, ...vertices.map((v) => `${v.id}=${v.hash}`).sort(), "outputs", ...outputs]);
  return { target: graph.target, shape: graph.shape, hash: whole, vertices };
}

/** The versions for people: one block per target. */
export function formatVersions(versions: readonly TargetVersion[]): string {
  const out: string[] = [];
  for (const v of versions) {
    if (out.length > 0) out.push("");
    out.push(`target ${v.target} (${v.shape})  ${v.hash}`);
    const width = Math.max(0, ...v.vertices.map((x) => x.id.length));
    for (const x of v.vertices) out.push(`  ${x.id.padEnd(width)}  ${x.hash}`);
  }
  return out.join("\n") + "\n";
}
