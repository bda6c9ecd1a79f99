/**
 * `featc docs`: the catalog as a static site that needs no network to view — a searchable list
 * of features and a picture of each target's DAG laid out by dagre, where clicking a feature
 * highlights its upstream and downstream. The page's sources live in `page/`; the catalog is
 * embedded as a JSON block; dagre's browser build is copied beside index.html (or inlined, for
 * the single-file page of `featc graph --format html`).
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { packageFile } from "../paths.js";
import { htmlText, jsonForScript, scriptForInline } from "./escape.js";
import type { LineageGraph, LineageVertex } from "./graph.js";
import { LEGEND } from "./render.js";

export interface FeatureDocTarget {
  readonly target: string;
  readonly role: string;
  readonly kind: string;
  readonly type: string;
  readonly level: string;
  readonly exportName?: string;
  readonly variant?: string;
  readonly file?: string;
  readonly line?: number;
  readonly fitted?: string;
  readonly async: boolean;
  readonly checks: readonly string[];
  readonly tags: readonly string[];
}

export interface FeatureDoc {
  readonly name: string;
  readonly kind: "feature" | "input";
  readonly description: string;
  readonly targets: readonly FeatureDocTarget[];
}

export interface DocsData {
  readonly format: "featc-docs/1";
  readonly title: string;
  readonly targets: readonly LineageGraph[];
  readonly features: readonly FeatureDoc[];
}

/** The data the page shows: every target's graph, and every feature and input across targets. */
export function docsData(title: string, graphs: readonly LineageGraph[]): DocsData {
  const byKey = new Map<string, { name: string; kind: "feature" | "input"; entries: [LineageGraph, LineageVertex][] }>();
  for (const g of graphs) {
    for (const v of g.vertices) {
      const kind = v.kind === "input" ? "input" : "feature";
      const entry = byKey.get(v.id) ?? { name: v.name, kind, entries: [] };
      entry.entries.push([g, v]);
      byKey.set(v.id, entry);
    }
  }
  const features = [...byKey.values()]
    .sort((a, b) => (a.kind === b.kind ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.kind === "feature" ? -1 : 1))
    .map(({ name, kind, entries }) => ({
      name,
      kind,
      description: entries.find(([, v]) => v.description)?.[1].description ?? "",
      targets: entries.map(([g, v]) => ({
        target: g.target,
        role: v.role,
        kind: v.kind,
        type: v.type,
        level: v.level,
        ...(v.exportName ? { exportName: v.exportName } : {}),
        ...(v.variant ? { variant: v.variant } : {}),
        ...(v.file ? { file: v.file, line: v.line } : {}),
        ...(v.fitted ? { fitted: v.fitted } : {}),
        async: v.async,
        checks: v.checks,
        tags: v.tags.map((t) => `@${t.name}${t.text ? ` ${t.text}` : ""}`),
      })),
    }));
  // Code hashes are for diff and version, not for readers.
  const targets = graphs.map((g) => ({ ...g, vertices: g.vertices.map(({ codeHash: _hash, ...v }) => v) }));
  return { format: "featc-docs/1", title, targets, features };
}

const PAGE_DIR = packageFile("compiler", "lineage", "page");

function pageSource(name: string): string {
  return fs.readFileSync(path.join(PAGE_DIR, name), "utf8");
}

/** dagre's browser build (an IIFE defining `dagre`), with its licence and without its source-map link. */
function dagreBrowserBuild(): string {
  const require = createRequire(import.meta.url);
  const dist = path.join(path.dirname(require.resolve("@dagrejs/dagre/package.json")), "dist");
  const licence = fs.readFileSync(path.join(dist, "dagre.min.js.LEGAL.txt"), "utf8").trim();
  const code = fs.readFileSync(path.join(dist, "dagre.min.js"), "utf8").replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n");
  return `${licence.startsWith("/*") ? licence : `/*\n${licence.replace(/\*\//g, "* /")}\n*/`}\n${code}`;
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => (key in values ? values[key]! : whole));
}

/** The files of the site, by name: index.html, app.js, style.css, dagre.min.js. */
function renderSite(data: DocsData): Map<string, string> {
  const html = fill(pageSource("index.html"), {
    title: htmlText(data.title),
    legend: htmlText(LEGEND),
    style: `<link rel="stylesheet" href="style.css">`,
    data: jsonForScript(data),
    scripts: `<script src="dagre.min.js"></script>\n<script src="app.js"></script>`,
  });
  return new Map([
    ["index.html", html],
    ["style.css", pageSource("style.css")],
    ["app.js", pageSource("app.js")],
    ["dagre.min.js", dagreBrowserBuild()],
  ]);
}

/** The same page as one self-contained HTML file: styles and scripts inlined. */
export function renderSinglePage(data: DocsData): string {
  return fill(pageSource("index.html"), {
    title: htmlText(data.title),
    legend: htmlText(LEGEND),
    style: `<style>\n${pageSource("style.css").replace(/<\/(style)/gi, "<\\/$1")}</style>`,
    data: jsonForScript(data),
    scripts: `<script>\n${scriptForInline(dagreBrowserBuild())}</script>\n<script>\n${scriptForInline(pageSource("app.js"))}</script>`,
  });
}

/** Writes the site into `outDir` (created if needed); returns the paths written. */
export function writeSite(outDir: string, data: DocsData): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of renderSite(data)) {
    const file = path.join(outDir, name);
    fs.writeFileSync(file, text);
    written.push(file);
  }
  return written;
}

/** A title for the catalog: the package name beside the config, or its folder's name. */
export function catalogTitle(rootDir: string): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(rootDir, "package.json"), "utf8")) as { name?: unknown };
    if (typeof pkg.name === "string" && pkg.name) return pkg.name;
  } catch {
    // no package.json: fall back to the folder name
  }
  return path.basename(rootDir);
}
