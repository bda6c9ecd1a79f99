/**
 * `featc docs` in a real browser: Debian's Chromium, driven by playwright-core. The site loads
 * from file:// with no console error and no request for anything outside its folder; search
 * filters the list; clicking a feature marks it, its upstream and its downstream in the DAG and
 * in the list. Catalog text full of markup stays text. A screenshot is saved to
 * test/.tmp/artifacts/catalog.png. Chromium is required (see browser.ts): no silent skip.
 */
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, removeWorkspace, workspace, writeFiles } from "../support/workspace.js";
import { folderUrl, lazyBrowser, watchPage } from "./browser.js";
import { MIXED, NASTY, featc } from "./cli.js";

const ARTIFACTS = path.join(REPO, "test", ".tmp", "artifacts");

let dir: string;
const browser = lazyBrowser();
const problems: string[] = [];

async function openSite(config: string, name: string): Promise<Page> {
  const site = path.join(dir, name);
  const run = await featc("docs", "-c", config, "--out", site);
  expect(run.code, run.err).toBe(0);
  expect(fs.readdirSync(site).sort()).toEqual(["app.js", "dagre.min.js", "index.html", "style.css"]);
  const page = await browser.get().newPage();
  watchPage(page, folderUrl(site), problems);
  await page.goto(pathToFileURL(path.join(site, "index.html")).href);
  await page.waitForSelector("body[data-ready=true]", { timeout: 10_000 });
  return page;
}

const visibleFeatures = (page: Page) =>
  page.$$eval("#features li.feature:not([hidden])", (items) => items.map((i) => i.getAttribute("data-key")));
const nodesWith = (page: Page, cls: string) =>
  page.$$eval(`#dag g.node.${cls}`, (nodes) => nodes.map((n) => n.getAttribute("data-id")).sort());

beforeAll(async () => {
  dir = workspace("lineage-docs");
  await browser.launch(path.join(dir, "profile"));
}, 30_000);

afterAll(async () => {
  await browser.close();
  if (dir) removeWorkspace(dir);
});

describe("featc docs in Chromium", () => {
  it("loads offline with no console error, filters on search and highlights lineage on click", async () => {
    problems.length = 0;
    const page = await openSite(MIXED, "site");
    // The DAG of the first target (batch): every vertex drawn, laid out by dagre.
    const ids = await page.$$eval("#dag g.node", (nodes) => nodes.map((n) => n.getAttribute("data-id")));
    expect(ids).toHaveLength(24);
    expect(await page.$$eval("#dag path.edge", (e) => e.length)).toBeGreaterThan(20);
    expect(await page.getAttribute('#dag g.node[data-id="score_mean"]', "class")).toContain("fitted");
    expect(await page.getAttribute('#dag g.node[data-id="input:weights"]', "class")).toContain("role-input");
    expect(await page.getAttribute('#dag g.node[data-id="total"]', "class")).toContain("role-output");
    const positions = await page.$$eval("#dag g.node", (nodes) => new Set(nodes.map((n) => n.getAttribute("transform"))).size);
    expect(positions, "dagre placed every vertex somewhere else").toBe(24);

    // The list: every feature and input once; search narrows it.
    const all = await visibleFeatures(page);
    expect(all.length).toBe(await page.$$eval("#features li.feature", (l) => l.length));
    expect(all).toContain("weighted");
    expect(all).toContain("input:threshold");
    await page.fill("#search", "centred");
    expect(await visibleFeatures(page)).toEqual(["weighted"]);
    expect(await page.textContent("#count")).toBe(`1 of ${all.length} shown`);
    await page.fill("#search", "oneOf long");
    expect(await visibleFeatures(page)).toEqual(["name_kind"]);
    await page.fill("#search", "people__online");
    expect((await visibleFeatures(page))!.sort()).toEqual(["age", "name", "people", "score"]);
    expect(await nodesWith(page, "search-miss")).not.toContain("people");
    await page.fill("#search", "");
    expect(await visibleFeatures(page)).toEqual(all);

    // A click on weighted: it is selected, its upstream and downstream are marked, the rest dimmed.
    await page.click('#dag g.node[data-id="weighted"]');
    expect(await nodesWith(page, "selected")).toEqual(["weighted"]);
    expect(await nodesWith(page, "upstream")).toEqual(["input:rows", "input:store", "input:weights", "people", "score", "score_mean"]);
    expect(await nodesWith(page, "downstream")).toEqual(["above", "count_above", "share_gap"]);
    expect(await nodesWith(page, "dimmed")).toContain("total");
    expect(await page.getAttribute('#dag g.node[data-id="score"]', "data-lineage")).toBe("upstream");
    expect(
      await page.$$eval("#dag path.edge.upstream", (e) =>
        e.map((p) => `${p.getAttribute("data-from")}>${p.getAttribute("data-to")}`).sort(),
      ),
    ).toEqual(
      [
        "input:rows>people",
        "input:store>people",
        "input:weights>weighted",
        "people>score",
        "score>score_mean",
        "score>weighted",
        "score_mean>weighted",
      ].sort(),
    );
    expect(await page.getAttribute('#features li[data-key="weighted"]', "class")).toContain("selected");
    expect(await page.getAttribute('#features li[data-key="share_gap"]', "class")).toContain("downstream");
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, "catalog.png") });

    // A click in the list selects there too; another target redraws the DAG.
    await page.click('#features li[data-key="bonus"] .feature-name');
    expect(await nodesWith(page, "selected")).toEqual(["bonus"]);
    expect(await nodesWith(page, "downstream")).toEqual(["age_plus", "total"]);
    await page.click('#targets button[data-target="online"]');
    expect(await page.$$eval("#dag g.node", (n) => n.length)).toBe(21);
    expect(await page.$$eval("#dag g.node.fitted tspan", (n) => n.map((x) => x.textContent))).toEqual([
      "score_mean",
      "@fitted (read)",
      "number · entity",
    ]);
    expect(await nodesWith(page, "selected"), "the selection follows into the other target").toEqual(["bonus"]);
    await page.keyboard.press("Escape");
    expect(await nodesWith(page, "dimmed")).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows catalog text with markup and </script> as text", async () => {
    problems.length = 0;
    const page = await openSite(NASTY, "nasty");
    expect(await page.$$eval("#features .feature-name", (b) => b.map((x) => x.textContent))).toEqual(
      expect.arrayContaining(['a"b</script>', "x\ny */ z", "#35; %% end", "end"]),
    );
    const description = await page.textContent('#features li[data-key="label"] .description');
    expect(description).toBe(
      `Quotes "double" and 'single', markup <b>bold</b> & <img src=x onerror="alert(1)">, a closing </script><script>alert(2)</script> and <!-- a comment.`,
    );
    expect(await page.$$eval("#features img, #features b, script:not([src]):not([type])", (e) => e.length)).toBe(0);
    expect(await page.textContent('#features li[data-key="label"] code')).toBe(`'say "hi"' | "<b>&amp;</b>" | "back\\\\slash"`);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("draws a DAG too big to lay out whole as the neighbourhood of the chosen feature", async () => {
    problems.length = 0;
    // A chain of 320 features: more than the page lays out at once (250).
    const chain = ["/** The first link. */\nexport function f0(x: number): number {\n  return x;\n}\n"];
    for (let i = 1; i < 320; i++) chain.push(`export function f${i}(f${i - 1}: number): number {\n  return f${i - 1} + 1;\n}\n`);
    const big = path.join(dir, "big");
    writeFiles(big, {
      "featc.config.json": JSON.stringify({
        catalog: ["catalog/**/*.ts"],
        targets: { online: { shape: "online", config: {}, inputs: "catalog/inputs.ts#Inputs" } },
      }),
      "catalog/inputs.ts": "export interface Inputs {\n  x: number;\n}\n",
      "catalog/features.ts": chain.join("\n"),
    });
    const page = await openSite(path.join(big, "featc.config.json"), "big-site");
    expect(await page.$$eval("#dag g.node", (n) => n.length)).toBe(0);
    expect(await page.textContent("#dag-note")).toContain("This DAG has 321 vertices, too many to draw at once");
    await page.click('#features li[data-key="f160"] .feature-name');
    const drawn = await page.$$eval("#dag g.node", (n) => n.map((x) => x.getAttribute("data-id")));
    expect(drawn.length).toBeLessThanOrEqual(250);
    expect(drawn).toEqual(expect.arrayContaining(["f160", "f40", "f280"]));
    expect(await nodesWith(page, "selected")).toEqual(["f160"]);
    expect(await page.textContent("#dag-note")).toMatch(/^Showing 24\d of 321 vertices: f160 and what lies within 12\d step\(s\) of it\.$/);
    // Clicking a drawn node re-centres the picture on it.
    await page.click('#dag g.node[data-id="f60"]');
    expect(await page.$$eval("#dag g.node", (n) => n.map((x) => x.getAttribute("data-id")))).toContain("f0");
    expect(await nodesWith(page, "selected")).toEqual(["f60"]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
