/**
 * Renders a target's DAG to SVG with Graphviz compiled to wasm (in process, nothing to install):
 * `featc graph --format dot`, drawn. Used by `npm run docs:dag` for the README's pictures.
 *
 *   tsx compiler/lineage/scripts/dag-svg.ts [--config featc.config.json] --target batch --out docs/dag.svg
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { Graphviz } from "@hpcc-js/wasm-graphviz";
import { loadLineage } from "../load.js";
import { toDot } from "../render.js";

const { values } = parseArgs({
  options: { config: { type: "string", default: "featc.config.json" }, target: { type: "string" }, out: { type: "string" } },
});
if (!values.target || !values.out) {
  console.error("usage: dag-svg.ts [--config featc.config.json] --target NAME --out FILE.svg");
  process.exit(2);
}
const loaded = await loadLineage(values.config!, [values.target]);
if (!loaded.ok) {
  for (const d of loaded.diagnostics) console.error(`${d.code}: ${d.message}`);
  console.error("featc: the catalog has errors; run featc check");
  process.exit(1);
}
const graphviz = await Graphviz.load();
const svg = graphviz.dot(toDot(loaded.graphs[0]!));
fs.mkdirSync(path.dirname(path.resolve(values.out)), { recursive: true });
fs.writeFileSync(values.out, svg);
console.error(`featc: wrote ${values.out} (Graphviz ${graphviz.version()})`);
