/**
 * The lineage view of a target: its DAG as plain, serialisable data (vertices for inputs and
 * nodes, edges from a dependency to its consumer), with what a reader needs to tell them apart —
 * role (input, feature, output), the variant that produces each node, `@fitted`, level and type.
 * Every lineage tool (graph, explain, diff, version, docs) starts from this.
 */
import path from "node:path";
import type { FeatcConfig } from "../config.js";
import { levelName } from "../graph/manifest.js";
import type { BuiltTarget } from "../model.js";

export type VertexRole = "input" | "feature" | "output";

export interface LineageVertex {
  /** The node name, or `input:<name>` for an input of the target. */
  readonly id: string;
  readonly name: string;
  readonly role: VertexRole;
  /** `input`, or the node kind: `function`, `extract` (a field of another node), `fitted` (read). */
  readonly kind: "input" | "function" | "extract" | "fitted";
  readonly type: string;
  /** `row`, `row-map`, `scalar`, `table` in batch targets; `entity` online. */
  readonly level: string;
  readonly description: string;
  /** The producing function's export name (for an extract: the function whose value is split). */
  readonly exportName?: string;
  /** The export name when it differs from the node name (a `__suffix` variant, or a function with `@parameterize`). */
  readonly variant?: string;
  /** For a node made by `@parameterize`: the tag's binding, `store_id_encoded(value=store_id)`. */
  readonly parameterized?: string;
  /** Source location, relative to the config's folder. */
  readonly file?: string;
  readonly line?: number;
  /** For `@fitted` nodes: computed by this target, or read from its `fitted` input. */
  readonly fitted?: "compute" | "read";
  readonly async: boolean;
  readonly checks: readonly string[];
  readonly tags: readonly { readonly name: string; readonly text: string }[];
  readonly extractOf?: string;
  /** The producing function's code hash (insensitive to whitespace and comments). */
  readonly codeHash?: string;
}

export interface LineageEdge {
  readonly from: string;
  readonly to: string;
  /** The edge from a node to a field extracted from its value. */
  readonly extract?: boolean;
}

export interface LineageGraph {
  readonly target: string;
  readonly shape: string;
  readonly fitted: "compute" | "read";
  /** True when the config lists the target's outputs; otherwise the nodes nothing consumes are drawn as outputs. */
  readonly declaredOutputs: boolean;
  /** The target's public outputs (every node when the config lists none), in graph order. */
  readonly outputs: readonly string[];
  /** Inputs first (in interface order), then nodes in topological order. */
  readonly vertices: readonly LineageVertex[];
  readonly edges: readonly LineageEdge[];
  /** Set on a graph cut by `focusOn`: the vertex it is centred on. */
  readonly focus?: string;
}

const inputId = (name: string): string => `input:${name}`;

/** The lineage graph of one analysed target. */
export function lineageOf(g: BuiltTarget, config: FeatcConfig): LineageGraph {
  const rel = (f: string) => path.relative(config.rootDir, f).split(path.sep).join("/");
  const declaredOutputs = config.targets.find((t) => t.name === g.name)?.outputs !== undefined;
  const consumed = new Set<string>();
  for (const node of g.nodes.values()) for (const dep of node.deps) if (dep.source.kind === "node") consumed.add(dep.source.name);
  const publicOutputs = new Set(g.outputs);
  const isOutput = (name: string) => (declaredOutputs ? publicOutputs.has(name) : !consumed.has(name));

  const vertices: LineageVertex[] = [];
  for (const f of g.inputs?.fields ?? []) {
    if (f.name === "fitted" && g.fittedInputs.length > 0) continue;
    const level = g.levels === "entity" ? "entity" : f.type.container === "column" ? "row" : "scalar";
    vertices.push({
      id: inputId(f.name),
      name: f.name,
      role: "input",
      kind: "input",
      type: f.type.text,
      level,
      description: "",
      async: false,
      checks: [],
      tags: [],
      file: rel(g.inputs!.file),
      line: f.span.line,
    });
  }
  if (g.fittedInputs.length > 0) {
    vertices.push({
      id: inputId("fitted"),
      name: "fitted",
      role: "input",
      kind: "input",
      type: "FittedValues",
      level: g.levels === "entity" ? "entity" : "scalar",
      description: `The saved @fitted values: ${g.fittedInputs.join(", ")}.`,
      async: false,
      checks: [],
      tags: [],
    });
  }
  for (const h of g.windowHistories) {
    const description = `The request's ${h.by}'s rows before it, oldest first by ${h.order}: ${h.columns.map((c) => c.name).join(", ")} (the frames of ${h.nodes.map((n) => n.name).join(", ")}).`;
    vertices.push({
      id: inputId(h.name),
      name: h.name,
      role: "input",
      kind: "input",
      type: `WindowHistories["${h.name}"]`,
      level: "entity",
      description,
      async: false,
      checks: [],
      tags: [],
    });
  }
  const ordered = new Set(g.order);
  for (const name of [...g.order, ...[...g.nodes.keys()].filter((n) => !ordered.has(n)).sort()]) {
    const node = g.nodes.get(name)!;
    const fn = node.fn;
    const isExtract = node.kind === "extract";
    vertices.push({
      id: name,
      name,
      role: isOutput(name) ? "output" : "feature",
      kind: node.kind,
      type: node.valueType.text,
      level: levelName(g, name),
      description: isExtract ? `Field '${node.field}' of ${node.extractOf}.` : fn.description,
      exportName: fn.exportName,
      ...(!isExtract && fn.exportName !== name ? { variant: fn.exportName } : {}),
      ...(!isExtract && fn.parameterized ? { parameterized: fn.parameterized.text } : {}),
      file: rel(fn.file),
      line: fn.span.line,
      ...(fn.fitted && !isExtract ? { fitted: node.kind === "fitted" ? ("read" as const) : ("compute" as const) } : {}),
      async: node.async,
      checks: node.checks.map((c) => (c.warn ? `${c.text} warn` : c.text)),
      tags: isExtract ? [] : fn.tags,
      ...(node.extractOf !== undefined ? { extractOf: node.extractOf } : {}),
      codeHash: fn.codeHash,
    });
  }

  const edges: LineageEdge[] = [];
  const seen = new Set<string>();
  for (const v of vertices) {
    if (v.kind === "input") continue;
    const node = g.nodes.get(v.name)!;
    const sources =
      node.kind === "fitted"
        ? [inputId("fitted")]
        : node.deps.flatMap((d) =>
            d.source.kind === "node" ? [d.source.name] : d.source.kind === "input" ? [inputId(d.source.name)] : [],
          );
    for (const from of sources) {
      const key = `${from}\u0000${v.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      edges.push(node.kind === "extract" ? { from, to: v.id, extract: true } : { from, to: v.id });
    }
  }
  const outputs = vertices.filter((v) => v.kind !== "input" && publicOutputs.has(v.id)).map((v) => v.id);
  return { target: g.name, shape: g.shape, fitted: g.fitted, declaredOutputs, outputs, vertices, edges };
}

/** Adjacency of a lineage graph in both directions. */
export class Lineage {
  private readonly up = new Map<string, string[]>();
  private readonly down = new Map<string, string[]>();
  readonly byId: ReadonlyMap<string, LineageVertex>;

  constructor(readonly graph: LineageGraph) {
    this.byId = new Map(graph.vertices.map((v) => [v.id, v]));
    for (const v of graph.vertices) {
      this.up.set(v.id, []);
      this.down.set(v.id, []);
    }
    for (const e of graph.edges) {
      this.up.get(e.to)?.push(e.from);
      this.down.get(e.from)?.push(e.to);
    }
  }

  /** The direct dependencies of a vertex. */
  parents(id: string): readonly string[] {
    return this.up.get(id) ?? [];
  }

  /** The direct consumers of a vertex. */
  children(id: string): readonly string[] {
    return this.down.get(id) ?? [];
  }

  /** Every vertex the given one depends on, transitively, in the graph's order. */
  upstream(id: string): string[] {
    return this.ordered(this.reach(id, this.up));
  }

  /** Every vertex that depends on the given one, transitively, in the graph's order. */
  downstream(id: string): string[] {
    return this.ordered(this.reach(id, this.down));
  }

  /**
   * The vertex a user means by `name`: a node of that name, or else the input (`input:x` or
   * plain `x`). Undefined when the target has neither.
   */
  resolve(name: string): string | undefined {
    if (this.byId.has(name)) return name;
    if (this.byId.has(inputId(name))) return inputId(name);
    return undefined;
  }

  private reach(start: string, next: ReadonlyMap<string, string[]>): Set<string> {
    const seen = new Set<string>();
    const stack = [...(next.get(start) ?? [])];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id) || id === start) continue;
      seen.add(id);
      stack.push(...(next.get(id) ?? []));
    }
    return seen;
  }

  private ordered(ids: Set<string>): string[] {
    return this.graph.vertices.filter((v) => ids.has(v.id)).map((v) => v.id);
  }
}

export type FocusSide = "both" | "upstream" | "downstream";

/** The part of a graph around one vertex: it, and its upstream, downstream or both (transitively). */
export function focusOn(graph: LineageGraph, id: string, side: FocusSide = "both"): LineageGraph {
  const lineage = new Lineage(graph);
  const keep = new Set([id]);
  if (side !== "downstream") for (const u of lineage.upstream(id)) keep.add(u);
  if (side !== "upstream") for (const d of lineage.downstream(id)) keep.add(d);
  return {
    ...graph,
    vertices: graph.vertices.filter((v) => keep.has(v.id)),
    outputs: graph.outputs.filter((o) => keep.has(o)),
    edges: graph.edges.filter((e) => keep.has(e.from) && keep.has(e.to)),
    focus: id,
  };
}
