/**
 * `featc explain NODE`: everything about one node across the targets — what it is, which variant
 * each target uses and where it is defined, its checks and tags, what it is computed from
 * (transitively, down to the inputs) and what would change if it changed.
 */
import { nearestName } from "../diagnostics.js";
import { Lineage, type LineageGraph } from "./graph.js";

export interface ExplainedTarget {
  readonly target: string;
  readonly shape: string;
  /** False when the node is neither a node nor an input of this target. */
  readonly present: boolean;
  readonly role?: string;
  readonly kind?: string;
  readonly type?: string;
  readonly level?: string;
  readonly description?: string;
  /** The producing function; `variant` is true when its export name differs from the node name. */
  readonly definedBy?: {
    readonly exportName: string;
    readonly file: string;
    readonly line: number;
    readonly variant: boolean;
    readonly parameterized?: string;
  };
  /** For an input: where the inputs interface declares it. */
  readonly declaredAt?: { readonly file: string; readonly line: number };
  readonly extractOf?: string;
  readonly fitted?: "compute" | "read";
  readonly async?: boolean;
  readonly checks: readonly string[];
  readonly tags: readonly string[];
  /** Direct dependencies. */
  readonly dependsOn: { readonly inputs: readonly string[]; readonly features: readonly string[] };
  /** Everything upstream, transitively, in topological order. */
  readonly upstream: { readonly inputs: readonly string[]; readonly features: readonly string[] };
  /** Everything downstream, transitively: what changes if this node changes; `outputs` are the public outputs among it and them. */
  readonly downstream: { readonly features: readonly string[]; readonly outputs: readonly string[] };
}

export interface Explanation {
  readonly name: string;
  readonly description: string;
  readonly targets: readonly ExplainedTarget[];
}

export type ExplainResult =
  { readonly found: true; readonly explanation: Explanation } | { readonly found: false; readonly suggestion?: string };

/** Explains `name` (a node, or an input) in every given target. */
export function explain(graphs: readonly LineageGraph[], name: string): ExplainResult {
  const lineages = graphs.map((g) => new Lineage(g));
  if (!lineages.some((l) => l.resolve(name) !== undefined)) {
    const names = new Set(graphs.flatMap((g) => g.vertices.map((v) => v.name)));
    return { found: false, suggestion: nearestName(name, names) };
  }
  const targets = lineages.map((l) => explainIn(l, name));
  const description = targets.find((t) => t.description)?.description ?? "";
  return { found: true, explanation: { name, description, targets } };
}

function explainIn(l: Lineage, name: string): ExplainedTarget {
  const g = l.graph;
  const id = l.resolve(name);
  const empty = { inputs: [], features: [] };
  if (id === undefined)
    return {
      target: g.target,
      shape: g.shape,
      present: false,
      checks: [],
      tags: [],
      dependsOn: empty,
      upstream: empty,
      downstream: { features: [], outputs: [] },
    };
  const v = l.byId.get(id)!;
  const split = (ids: readonly string[]) => ({
    inputs: ids.filter((i) => l.byId.get(i)!.kind === "input").map((i) => l.byId.get(i)!.name),
    features: ids.filter((i) => l.byId.get(i)!.kind !== "input"),
  });
  const down = l.downstream(id);
  const outputs = new Set(g.outputs);
  return {
    target: g.target,
    shape: g.shape,
    present: true,
    role: v.role,
    kind: v.kind,
    type: v.type,
    level: v.level,
    description: v.description,
    ...(v.exportName && v.file
      ? {
          definedBy: {
            exportName: v.exportName,
            file: v.file,
            line: v.line ?? 0,
            variant: v.variant !== undefined,
            ...(v.parameterized ? { parameterized: v.parameterized } : {}),
          },
        }
      : {}),
    ...(v.kind === "input" && v.file ? { declaredAt: { file: v.file, line: v.line ?? 0 } } : {}),
    ...(v.extractOf !== undefined ? { extractOf: v.extractOf } : {}),
    ...(v.fitted ? { fitted: v.fitted } : {}),
    async: v.async,
    checks: v.checks,
    tags: v.tags.map((t) => `@${t.name}${t.text ? ` ${t.text}` : ""}`),
    dependsOn: split(l.parents(id)),
    upstream: split(l.upstream(id)),
    downstream: { features: down, outputs: [id, ...down].filter((d) => outputs.has(d)) },
  };
}

const list = (items: readonly string[]) => (items.length > 0 ? items.join(", ") : "none");

/** The explanation for people. */
export function formatExplanation(e: Explanation): string {
  const out: string[] = [];
  const present = e.targets.filter((t) => t.present);
  const isInput = present.every((t) => t.kind === "input");
  out.push(`${e.name}${isInput ? " (input)" : ""}${e.description ? ` — ${e.description}` : ""}`);
  for (const t of e.targets) {
    out.push("");
    if (!t.present) {
      out.push(`target ${t.target} (${t.shape}): not in this target (no variant of '${e.name}' is selected and no input has that name)`);
      continue;
    }
    out.push(`target ${t.target} (${t.shape}): ${t.role}, ${t.type}, ${t.level}${t.async ? ", async" : ""}`);
    if (t.definedBy) {
      const how =
        t.kind === "extract"
          ? `field of ${t.extractOf}, extracted by`
          : t.definedBy.parameterized
            ? `made by @parameterize ${t.definedBy.parameterized} from`
            : t.definedBy.variant
              ? "variant"
              : "defined by";
      out.push(`  ${how} ${t.definedBy.exportName} at ${t.definedBy.file}:${t.definedBy.line}`);
    }
    if (t.declaredAt) out.push(`  declared at ${t.declaredAt.file}:${t.declaredAt.line}`);
    if (t.fitted)
      out.push(`  @fitted: ${t.fitted === "read" ? "read from the saved fitted values (input 'fitted')" : "computed by this target"}`);
    if (t.description && t.description !== e.description) out.push(`  description: ${t.description}`);
    if (t.checks.length > 0) out.push(`  checks: ${t.checks.join(", ")}`);
    const tags = t.tags.filter((tag) => !tag.startsWith("@check") && !(t.definedBy?.parameterized && tag.startsWith("@parameterize ")));
    if (tags.length > 0) out.push(`  tags: ${tags.join(" ")}`);
    if (t.kind !== "input") {
      out.push(`  depends on: ${list([...t.dependsOn.features, ...t.dependsOn.inputs.map((i) => `${i} (input)`)])}`);
      out.push(`  upstream inputs: ${list(t.upstream.inputs)}`);
      out.push(`  upstream features: ${list(t.upstream.features)}`);
    }
    out.push(`  downstream (changes if it changes): ${list(t.downstream.features)}`);
    out.push(`  outputs affected: ${list(t.downstream.outputs)}`);
  }
  return out.join("\n") + "\n";
}
