/**
 * `featc graph`: the DAG of a target in DOT, Mermaid, JSON and HTML. The DOT is rendered to SVG
 * by Graphviz itself (compiled to wasm, in process), so "valid DOT" means Graphviz read it, and
 * the labels it drew are compared with the catalog's names and types character for character —
 * including names and types full of quotes, backslashes, `</script>`, `*​/` and line breaks.
 * (Mermaid is rendered by Mermaid in the browser test, docs.test.ts.)
 */
import { Graphviz } from "@hpcc-js/wasm-graphviz";
import { beforeAll, describe, expect, it } from "vitest";
import { MIXED, NASTY, featc } from "./cli.js";
import type { LineageGraph } from "../../compiler/lineage/graph.js";

let graphviz: Awaited<ReturnType<typeof Graphviz.load>>;
beforeAll(async () => {
  graphviz = await Graphviz.load();
});

const XML: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&#45;": "-" };
const unxml = (s: string) => s.replace(/&(amp|lt|gt|quot|#39|#45);/g, (e) => XML[e]!);

interface SvgNode {
  id: string;
  lines: string[];
  shapes: string[];
  fill: string | undefined;
}

/** Graphviz's SVG, read back: each vertex's title (its DOT ID), text lines, shape elements and fill. */
function renderedNodes(dot: string): Map<string, SvgNode> {
  const svg = graphviz.dot(dot);
  const nodes = new Map<string, SvgNode>();
  for (const m of svg.matchAll(/<g id="node\d+" class="node">([\s\S]*?)<\/g>\n(?=<!--|<g id=|<\/g>)/g)) {
    const body = m[1]!;
    const id = unxml(/<title>([\s\S]*?)<\/title>/.exec(body)![1]!);
    const lines = [...body.matchAll(/<text[^>]*>([\s\S]*?)<\/text>/g)].map((t) => unxml(t[1]!));
    const shapes = [...body.matchAll(/<(polygon|path|ellipse)\b/g)].map((s) => s[1]!);
    const fill = /fill="(#[0-9a-f]{6})"/.exec(body)?.[1];
    nodes.set(id, { id, lines, shapes, fill });
  }
  return nodes;
}

describe("featc graph --format dot", () => {
  it("is DOT that Graphviz renders, with inputs, features and outputs drawn apart, variants and @fitted shown", async () => {
    const run = await featc("graph", "-c", MIXED, "--target", "batch");
    expect(run.code, run.err).toBe(0);
    const nodes = renderedNodes(run.out);
    // Every input and node of the batch target is a vertex; nothing else is.
    expect([...nodes.keys()].sort()).toEqual(
      [
        "input:store",
        "input:rows",
        "input:threshold",
        "input:weights",
        "bonus_table",
        "people",
        "age",
        "id",
        "bonus",
        "age_plus",
        "name",
        "name_kind",
        "score",
        "embedding",
        "embedding_norm",
        "score_mean",
        "stats",
        "diff",
        "sum",
        "total",
        "weighted",
        "above",
        "count_above",
        "share_gap",
      ].sort(),
    );
    expect(run.out).toMatch(/"input:weights" \[[^\]]*shape=parallelogram/);
    expect(run.out).toMatch(/"weighted" \[[^\]]*shape=box, style="rounded,filled", fillcolor="#ffffff"\]/);
    // No outputs are declared for batch: the nodes nothing consumes are drawn as outputs (double border).
    expect(run.out).toMatch(/"total" \[[^\]]*peripheries=2/);
    expect(run.out).not.toMatch(/"weighted" \[[^\]]*peripheries=2/);
    expect(nodes.get("total")!.shapes.length, "double border: two outlines").toBe(2);
    expect(nodes.get("weighted")!.shapes.length).toBe(1);
    // Variants: the export name under the node name; @fitted computed in batch, filled gold.
    expect(nodes.get("people")!.lines).toEqual(["people", "via people__batch", "Table<Person> · table"]);
    expect(nodes.get("score_mean")!.lines).toEqual(["score_mean", "@fitted (computed)", "number · scalar"]);
    expect(nodes.get("score_mean")!.fill).toBe("#fdf0c2");
    expect(nodes.get("name_kind")!.lines).toEqual(["name_kind", '"short" | "long" · row-map']);
    // Extracted fields hang off their owner by a dashed edge.
    expect(run.out).toContain(`"people" -> "age" [style=dashed];`);
    expect(run.out).toContain(`"age" -> "age_plus";`);
  });

  it("reads @fitted values in the serving target and draws its declared outputs", async () => {
    const run = await featc("graph", "-c", MIXED, "-t", "online");
    expect(run.code, run.err).toBe(0);
    const nodes = renderedNodes(run.out);
    expect(nodes.get("score_mean")!.lines).toEqual(["score_mean", "@fitted (read)", "number · entity"]);
    expect(nodes.has("input:fitted")).toBe(true);
    expect(run.out).toContain(`"input:fitted" -> "score_mean";`);
    expect(nodes.get("people")!.lines[1]).toBe("via people__online");
    // online declares total, above and name_kind: exactly those have a double border.
    const outputs = [...nodes.values()]
      .filter((n) => n.shapes.length === 2)
      .map((n) => n.id)
      .sort();
    expect(outputs).toEqual(["above", "name_kind", "total"]);
    expect(nodes.has("count_above"), "a batch-only variant is not in the online graph").toBe(false);
  });

  it("escapes every label: quotes, backslashes, markup, */ and line breaks come out as written", async () => {
    const run = await featc("graph", "-c", NASTY);
    expect(run.code, run.err).toBe(0);
    const nodes = renderedNodes(run.out);
    expect([...nodes.keys()].sort()).toEqual(
      ["#35; %% end", 'a"b</script>', "end", "input:raw", "label", "weird", "x\\u000ay */ z"].sort(),
    );
    expect(nodes.get("label")!.lines).toEqual(["label", `'say "hi"' | "<b>&amp;</b>" | "back\\\\slash" · entity`]);
    expect(nodes.get('a"b</script>')!.lines).toEqual(['a"b</script>', "number · entity"]);
    expect(nodes.get("x\\u000ay */ z")!.lines).toEqual(["x y */ z", "number · entity"]);
    expect(nodes.get("weird")!.lines[1]).toBe(`{ "a\\"b</script>": number; "x\\ny */ z": number;… · entity`);
  });
});

describe("featc graph --focus", () => {
  const ids = async (...args: string[]) => {
    const run = await featc("graph", "-c", MIXED, "-t", "batch", "-f", "json", ...args);
    expect(run.code, run.err).toBe(0);
    const graph = JSON.parse(run.out) as LineageGraph & { format: string };
    expect(graph.format).toBe("featc-lineage/1");
    return { graph, ids: graph.vertices.map((v) => v.id).sort() };
  };

  it("keeps the node's upstream and downstream, only one side with --upstream / --downstream", async () => {
    const up = await ids("--focus", "weighted", "--upstream");
    expect(up.ids).toEqual(["input:rows", "input:store", "input:weights", "people", "score", "score_mean", "weighted"].sort());
    expect(up.graph.focus).toBe("weighted");
    const down = await ids("--focus", "weighted", "--downstream");
    expect(down.ids).toEqual(["above", "count_above", "share_gap", "weighted"]);
    const both = await ids("--focus", "weighted");
    expect(both.ids).toEqual([...new Set([...up.ids, ...down.ids])].sort());
    // Every edge of the cut joins two kept vertices, and the focus is marked in DOT and Mermaid.
    for (const e of both.graph.edges) (expect(both.ids).toContain(e.from), expect(both.ids).toContain(e.to));
    const dot = await featc("graph", "-c", MIXED, "-t", "batch", "--focus", "weighted", "--downstream");
    expect(dot.out).toMatch(/"weighted" \[[^\]]*color="#d92d20", penwidth=2.5\]/);
    expect(renderedNodes(dot.out).size).toBe(4);
    const mermaid = await featc("graph", "-c", MIXED, "-t", "batch", "--focus", "weighted", "--upstream", "-f", "mermaid");
    expect(mermaid.out).toContain("class f_weighted focus");
    expect(mermaid.out).not.toContain("f_above");
  });

  it("focuses on an input by its name", async () => {
    const { ids: kept } = await ids("--focus", "threshold");
    expect(kept).toEqual(["above", "count_above", "input:threshold", "share_gap"]);
  });

  it("rejects an unknown node with a suggestion (exit 1) and --upstream without --focus (exit 2)", async () => {
    const run = await featc("graph", "-c", MIXED, "-t", "batch", "--focus", "wieghted");
    expect(run.code).toBe(1);
    expect(run.err).toContain("'wieghted' is not a node or an input of target 'batch'. Did you mean 'weighted'?");
    expect(run.out).toBe("");
    const usage = await featc("graph", "-c", MIXED, "--upstream");
    expect(usage.code).toBe(2);
    expect(usage.err).toContain("--focus");
  });
});

describe("featc graph --format mermaid | html", () => {
  it("writes a flowchart with one shape per role and classes for @fitted", async () => {
    const run = await featc("graph", "-c", MIXED, "-t", "online", "-f", "mermaid");
    expect(run.code, run.err).toBe(0);
    const lines = run.out.split("\n");
    expect(lines[1]).toBe("flowchart LR");
    expect(lines).toContain(`  in_weights[/"weights<br/>number · entity"/]`);
    expect(lines).toContain(`  f_total(["total<br/>number · entity"])`);
    expect(lines).toContain(`  f_weighted("weighted<br/>number · entity")`);
    expect(lines).toContain(`  f_people("people<br/>via people__online<br/>Person · entity")`);
    expect(lines).toContain("  class f_score_mean fitted");
    expect(lines).toContain("  f_people -.-> f_score");
    // `end` is a Mermaid keyword: IDs are prefixed; odd names get indexed IDs and entity-coded labels.
    const nasty = await featc("graph", "-c", NASTY, "-f", "mermaid");
    expect(nasty.out).toContain(`  f_end(["end<br/>number · entity"])`);
    expect(nasty.out).toMatch(/ {2}x\d+\(\["a#34;b#60;\/script#62;<br\/>number · entity"\]\)/);
    expect(nasty.out).not.toMatch(/<\/script>|<b>/);
  });

  it("writes one self-contained HTML page with --out", async () => {
    const { workspace, removeWorkspace } = await import("../support/workspace.js");
    const dir = workspace("lineage-graph-html");
    try {
      const file = `${dir}/nasty.html`;
      const run = await featc("graph", "-c", NASTY, "-f", "html", "-o", file);
      expect(run.code, run.err).toBe(0);
      const html = (await import("node:fs")).readFileSync(file, "utf8");
      // Nothing to fetch: no script or style by URL, no address but the SVG namespace.
      expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org\/2000\/svg")/);
      // The catalog's `</script>` stays inside the JSON block, escaped.
      expect(html.match(/<\/script>/g)!.length).toBe(3);
      const json = /<script type="application\/json" id="featc-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
      expect(JSON.parse(json).targets[0].vertices.map((v: { name: string }) => v.name)).toContain('a"b</script>');
    } finally {
      removeWorkspace(dir);
    }
  });
});

describe("the README's pictures", () => {
  it.each([
    ["batch", "docs/dag.svg"],
    ["online", "docs/dag-online.svg"],
  ])("%s: %s is what npm run docs:dag draws for the current catalog", async (target, file) => {
    const fs = await import("node:fs");
    const path = await import("node:path");
    const { REPO } = await import("../support/workspace.js");
    const run = await featc("graph", "-c", path.join(REPO, "featc.config.json"), "--target", target, "--format", "dot");
    expect(run.code, run.err).toBe(0);
    const drawn = graphviz.dot(run.out);
    expect(drawn === fs.readFileSync(path.join(REPO, file), "utf8"), `${file} is stale: run npm run docs:dag`).toBe(true);
  });
});
