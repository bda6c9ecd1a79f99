/**
 * `<target>.graph.json`: the DAG of a target as data — nodes, kind, level, type text,
 * dependencies, source location, code hash, tags — for lineage tools and reviews.
 */
import path from "node:path";
import { sha256 } from "../hash.js";
import type { BuiltTarget, Catalog, FunctionFact, WindowFact } from "../model.js";

export interface ManifestNode {
  name: string;
  kind: string;
  level: string;
  async: boolean;
  type: string;
  description: string;
  function: string;
  file: string;
  line: number;
  codeHash: string;
  deps: { param: string; source: string; kind: string; passing: string; window?: string }[];
  tags: { name: string; text: string }[];
  checks: string[];
  extractOf?: string;
  fitted?: boolean;
  /** `@window`: the keys, the frame and the aggregate a target may compute incrementally. */
  window?: { by: string; order: string; kind: string; size: number; lag: number; aggregate?: string };
}

export interface Manifest {
  format: "featc-graph/1";
  target: string;
  shape: string;
  config: Record<string, string | number | boolean>;
  fitted: string;
  fittedHash: string;
  inputs: { name: string; type: string; level: string }[];
  outputs: string[];
  nodes: ManifestNode[];
}

export function levelName(g: BuiltTarget, name: string): string {
  const node = g.nodes.get(name)!;
  if (g.levels === "entity") return "entity";
  if (node.table) return "table";
  if (node.level === "row") return node.map ? "row-map" : "row";
  return "scalar";
}

export function buildManifest(g: BuiltTarget, rootDir: string, fittedHash: string): Manifest {
  const rel = (f: string) => path.relative(rootDir, f).split(path.sep).join("/");
  return {
    format: "featc-graph/1",
    target: g.name,
    shape: g.shape,
    config: { ...g.config },
    fitted: g.fitted,
    fittedHash,
    inputs: [
      ...(g.inputs?.fields ?? []).map((f) => ({
        name: f.name,
        type: f.type.text,
        level: g.levels === "entity" ? "entity" : f.type.container === "column" ? "row" : "scalar",
      })),
      ...(g.fittedInputs.length > 0 ? [{ name: "fitted", type: "FittedValues", level: g.levels === "entity" ? "entity" : "scalar" }] : []),
      ...g.windowHistories.map((h) => ({ name: h.name, type: `WindowHistories["${h.name}"]`, level: "entity" })),
    ],
    outputs: ((set) => g.order.filter((n) => set.has(n)))(new Set(g.outputs)),
    nodes: g.order.map((name) => {
      const node = g.nodes.get(name)!;
      return {
        name,
        kind: node.kind,
        level: levelName(g, name),
        async: node.async,
        type: node.valueType.text,
        description: node.kind === "extract" ? "" : node.fn.description,
        function: node.fn.exportName,
        file: rel(node.fn.file),
        line: node.fn.span.line,
        codeHash: node.fn.codeHash,
        deps: node.deps.map((d) => ({
          param: d.param.name,
          source: d.source.kind === "unknown" ? (d.param.binds ?? d.param.name) : d.source.name,
          kind: d.source.kind,
          passing: d.passing,
          ...(d.window ? { window: d.window } : {}),
        })),
        tags: node.kind === "extract" ? [] : [...node.fn.tags],
        checks: node.checks.map((c) => (c.warn ? `${c.text} warn` : c.text)),
        ...(node.extractOf ? { extractOf: node.extractOf } : {}),
        ...(node.fn.fitted && node.kind !== "extract" ? { fitted: true } : {}),
        ...(node.fn.window && node.kind === "function" ? { window: windowOf(node.fn.window) } : {}),
      };
    }),
  };
}

function windowOf(w: WindowFact): NonNullable<ManifestNode["window"]> {
  return { by: w.by.name, order: w.order.name, ...w.frame, ...(w.aggregate ? { aggregate: w.aggregate.name } : {}) };
}

/** A hash of everything the @fitted values depend on, by name across all variants: the same for every target. */
export function fittedHashOf(catalog: Catalog): string {
  const byName = new Map<string, FunctionFact[]>();
  const extractedBy = new Map<string, string[]>();
  for (const fn of catalog.functions) {
    const list = byName.get(fn.nodeName);
    if (list) list.push(fn);
    else byName.set(fn.nodeName, [fn]);
    if (!fn.extract) continue;
    const fields = (fn.extract.fields ?? fn.extract.row?.fields ?? []).map((f) => f.name);
    for (const f of fields) {
      const owners = extractedBy.get(f);
      if (owners) owners.push(fn.nodeName);
      else extractedBy.set(f, [fn.nodeName]);
    }
  }
  const seen = new Set<string>();
  const stack = catalog.functions.filter((f) => f.fitted).map((f) => f.nodeName);
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const fn of byName.get(name) ?? []) for (const p of fn.params) stack.push(p.binds ?? p.name);
    for (const owner of extractedBy.get(name) ?? []) stack.push(owner);
  }
  const parts = catalog.functions
    .filter((f) => seen.has(f.nodeName))
    .map((f) => `${f.nodeName}:${f.exportName}:${f.codeHash}:${f.fitted ? "fitted" : ""}`)
    .sort();
  return sha256(parts);
}
