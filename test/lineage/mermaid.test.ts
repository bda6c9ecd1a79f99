/**
 * `featc graph --format mermaid` rendered by Mermaid itself (its browser build, in Debian's
 * Chromium): Mermaid has no parser that runs in Node without a DOM, so this is how the output is
 * proven valid. Every vertex is drawn, with its shape class, and every label comes out as the
 * catalog wrote it — quotes, `#`, `%%`, `</script>` and `<b>` included. Chromium is required
 * (see browser.ts): no silent skip.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeWorkspace, workspace } from "../support/workspace.js";
import { lazyBrowser, watchPage } from "./browser.js";
import { MIXED, NASTY, featc } from "./cli.js";

// The page.evaluate callbacks run in the browser; the project's lib has no DOM types, so this
// module sees the page's document loosely typed (the declaration is local to this module).
declare const document: any;

const MERMAID_DIST = path.join(path.dirname(createRequire(import.meta.url).resolve("mermaid/package.json")), "dist");
/** A made-up origin the test serves itself (`.invalid` can never resolve). */
const ORIGIN = "http://mermaid.featc.invalid/";

let dir: string;
const browser = lazyBrowser();
let page: Page | undefined;
const problems: string[] = [];

interface Drawn {
  id: string;
  classes: string;
  lines: string[];
}

/** Renders the Mermaid text and reads back each vertex's classes and label lines. */
async function render(config: string, ...args: string[]): Promise<Drawn[]> {
  const run = await featc("graph", "-c", config, "-f", "mermaid", ...args);
  expect(run.code, run.err).toBe(0);
  return (await mermaidPage()).evaluate(async (text) => {
    const mermaid = (globalThis as unknown as { mermaid: { render(id: string, text: string): Promise<{ svg: string }> } }).mermaid;
    const { svg } = await mermaid.render(`g${document.querySelectorAll("div").length}`, text);
    const host = document.createElement("div");
    host.innerHTML = svg;
    document.body.append(host);
    return [...host.querySelectorAll("g.node")].map((node: any) => {
      const label = node.querySelector(".nodeLabel").cloneNode(true);
      for (const br of label.querySelectorAll("br")) br.replaceWith("\n");
      return { id: node.id, classes: node.getAttribute("class") ?? "", lines: (label.textContent ?? "").split("\n") };
    });
  }, run.out);
}

/**
 * The page with Mermaid loaded, made on first use (so a missing Chromium fails each test).
 * Mermaid's ES module build loads only the chunks a flowchart needs (its one-file build is
 * 5.5 MB of script to compile); the page's origin is served from node_modules by the test
 * itself, so nothing goes to the network.
 */
async function mermaidPage(): Promise<Page> {
  if (page) return page;
  page = await browser.get().newPage();
  watchPage(page, ORIGIN, problems);
  await page.route(`${ORIGIN}**`, (route) => {
    const rel = decodeURIComponent(new URL(route.request().url()).pathname).replace(/^\/+/, "");
    if (rel === "") return route.fulfill({ contentType: "text/html", body: "<!doctype html><html><body></body></html>" });
    const file = path.resolve(MERMAID_DIST, rel);
    if (!file.startsWith(MERMAID_DIST + path.sep) || !fs.existsSync(file)) return route.fulfill({ status: 404, body: "" });
    return route.fulfill({ contentType: "text/javascript", body: fs.readFileSync(file) });
  });
  await page.goto(ORIGIN);
  // A string, not a function: vitest would rewrite a dynamic import() in this file's code.
  await page.evaluate(`import("/mermaid.esm.min.mjs").then((m) => {
    m.default.initialize({ startOnLoad: false, securityLevel: "strict" });
    globalThis.mermaid = m.default;
  })`);
  return page;
}

beforeAll(async () => {
  dir = workspace("lineage-mermaid");
  await browser.launch(path.join(dir, "profile"));
}, 30_000);

afterAll(async () => {
  await browser.close();
  if (dir) removeWorkspace(dir);
});

describe("featc graph --format mermaid, rendered by Mermaid", () => {
  it("draws every vertex with its role's shape, the variant and @fitted", async () => {
    const drawn = await render(MIXED, "-t", "online");
    expect(drawn).toHaveLength(21);
    const byName = new Map(drawn.map((d) => [d.lines[0], d]));
    expect(byName.get("people")!.lines).toEqual(["people", "via people__online", "Person · entity"]);
    expect(byName.get("score_mean")!.lines).toEqual(["score_mean", "@fitted (read)", "number · entity"]);
    expect(byName.get("score_mean")!.classes.split(" ")).toEqual(expect.arrayContaining(["node", "feature", "fitted"]));
    expect(byName.get("total")!.classes.split(" ")).toContain("output");
    expect(byName.get("weights")!.classes.split(" ")).toContain("input");
    // Shapes differ by role: a polygon for inputs, a stadium path for outputs, a rounded rect for features.
    const shapes = await (
      await mermaidPage()
    ).evaluate(() =>
      Object.fromEntries(
        ["in_weights", "f_total", "f_weighted"].map((id) => {
          const node = [...document.querySelectorAll("g.node")].reverse().find((n: { id: string }) => n.id.includes(`-${id}-`));
          return [id, node.querySelector("polygon, path, rect")!.tagName];
        }),
      ),
    );
    expect(shapes.in_weights).toBe("polygon");
    expect(shapes.f_total).not.toBe(shapes.in_weights);
    expect(problems).toEqual([]);
  });

  it("keeps odd names and types intact, and a focused graph renders too", async () => {
    const drawn = await render(NASTY);
    const labels = drawn.map((d) => d.lines);
    expect(labels).toContainEqual(['a"b</script>', "number · entity"]);
    expect(labels).toContainEqual(["#35; %% end", "number · entity"]);
    expect(labels).toContainEqual(["x y */ z", "number · entity"]);
    expect(labels).toContainEqual(["end", "number · entity"]);
    expect(labels).toContainEqual(["label", `'say "hi"' | "<b>&amp;</b>" | "back\\\\slash" · entity`]);
    const focused = await render(MIXED, "-t", "batch", "--focus", "weighted", "--downstream");
    expect(focused.map((d) => d.lines[0]).sort()).toEqual(["above", "count_above", "share_gap", "weighted"]);
    expect(focused.find((d) => d.lines[0] === "weighted")!.classes.split(" ")).toContain("focus");
    expect(problems).toEqual([]);
  });
});
