/**
 * The loop layout of a batch executor, as plain data: which map nodes share a fused loop over
 * the rows. A map node runs in the loop of its stage; a node that reads a map node's column
 * whole (or a non-map node reading it at all) waits for that loop to finish, one stage later.
 * A stage with more map nodes than one function can hold for TypeScript's control-flow analysis
 * runs as several loops of consecutive nodes; a value read by a later one is kept as a column.
 */
import type { BuiltTarget } from "../../model.js";
import type { Unit } from "../executor/schedule.js";

/**
 * The most map nodes in one fused loop. `tsc`'s control-flow analysis of a loop body grows with
 * the square of its length: in bench/large.bench.ts's catalogs, loops of 20 type-check in about
 * 40 % of the time loops of 100 take and run as fast, while a value read by the next loop costs
 * one stored column.
 */
export const MEMBERS_PER_LOOP = 20;

export interface Loop {
  /** `loop:<stage>` (`loop:<stage>.<part>` for a stage run as several loops): the loop's scheduling unit. */
  readonly id: string;
  /** 0-based position among the loops. */
  readonly index: number;
  /** Its map nodes, in topological order. */
  readonly members: readonly string[];
}

export interface LoopLayout {
  /** Every node's stage. */
  readonly stage: ReadonlyMap<string, number>;
  readonly loops: readonly Loop[];
  /** The loop each map node runs in. */
  readonly loopOf: ReadonlyMap<string, Loop>;
  /** Map nodes whose values are read outside their loop, with those consumers. */
  readonly outsideConsumers: ReadonlyMap<string, readonly string[]>;
}

export function layoutLoops(g: BuiltTarget): LoopLayout {
  const stage = new Map<string, number>();
  for (const name of g.order) {
    const node = g.nodes.get(name)!;
    let s = 0;
    for (const d of node.deps) {
      if (d.source.kind !== "node") continue;
      const dep = g.nodes.get(d.source.name)!;
      const sd = stage.get(dep.name)!;
      s = Math.max(s, dep.map && (!node.map || d.passing === "whole") ? sd + 1 : sd);
    }
    stage.set(name, s);
  }
  const byStage = new Map<number, string[]>();
  for (const name of g.order) {
    if (!g.nodes.get(name)!.map) continue;
    const s = stage.get(name)!;
    const list = byStage.get(s);
    if (list) list.push(name);
    else byStage.set(s, [name]);
  }
  const loops: Loop[] = [];
  for (const [s, members] of [...byStage.entries()].sort(([a], [b]) => a - b)) {
    const parts = Math.ceil(members.length / MEMBERS_PER_LOOP);
    for (let p = 0; p < parts; p++) {
      const part = members.slice(p * MEMBERS_PER_LOOP, (p + 1) * MEMBERS_PER_LOOP);
      loops.push({ id: parts === 1 ? `loop:${s}` : `loop:${s}.${p + 1}`, index: loops.length, members: part });
    }
  }
  const loopOf = new Map<string, Loop>();
  for (const loop of loops) for (const m of loop.members) loopOf.set(m, loop);
  const outsideConsumers = new Map<string, string[]>();
  for (const name of g.order) {
    for (const d of g.nodes.get(name)!.deps) {
      if (d.source.kind !== "node" || !loopOf.has(d.source.name)) continue;
      const sameLoop = loopOf.get(name) === loopOf.get(d.source.name) && d.passing !== "whole";
      if (sameLoop) continue;
      const list = outsideConsumers.get(d.source.name) ?? [];
      if (!list.includes(name)) list.push(name);
      outsideConsumers.set(d.source.name, list);
    }
  }
  return { stage, loops, loopOf, outsideConsumers };
}

/**
 * The scheduling units of a batch compute function: every included non-map node, and one unit
 * per fused loop (its included members); priorities follow stage, then nodes before loops, then
 * topological order.
 */
export function batchUnits(
  g: BuiltTarget,
  layout: LoopLayout,
  included: ReadonlySet<string>,
  async: boolean,
): { units: Unit[]; loops: Loop[] } {
  const index = new Map(g.order.map((n, i) => [n, i]));
  const unitOf = (name: string) => layout.loopOf.get(name)?.id ?? name;
  const raw: { id: string; async: boolean; deps: Set<string>; key: [number, number, number] }[] = [];
  for (const name of g.order) {
    const node = g.nodes.get(name)!;
    if (!included.has(name) || node.map) continue;
    const deps = new Set<string>();
    for (const d of node.deps) if (d.source.kind === "node") deps.add(unitOf(d.source.name));
    raw.push({ id: name, async: async && node.async, deps, key: [layout.stage.get(name)!, 0, index.get(name)!] });
  }
  const loops = layout.loops.map((l) => ({ ...l, members: l.members.filter((m) => included.has(m)) })).filter((l) => l.members.length > 0);
  for (const loop of loops) {
    const deps = new Set<string>();
    for (const m of loop.members) {
      for (const d of g.nodes.get(m)!.deps) {
        if (d.source.kind !== "node") continue;
        const u = unitOf(d.source.name);
        if (u !== loop.id) deps.add(u);
      }
    }
    raw.push({ id: loop.id, async: false, deps, key: [layout.stage.get(loop.members[0]!)!, 1, index.get(loop.members[0]!)!] });
  }
  raw.sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2] - b.key[2]);
  return { units: raw.map((u, priority) => ({ id: u.id, async: u.async, deps: [...u.deps], priority })), loops };
}
