/**
 * The order in which an executor's statements run, as plain data: units (a node, or a fused loop)
 * with their dependencies in, steps (run, start an async call, await it) out.
 */
import { MinHeap } from "../../heap.js";

/** One schedulable piece of an executor: a node, or a fused loop of map nodes. */
export interface Unit {
  readonly id: string;
  readonly async: boolean;
  readonly deps: readonly string[];
  readonly priority: number;
}

export type Step = { readonly kind: "run" | "start" | "await"; readonly unit: string };

/**
 * List scheduling: run everything whose inputs are ready, starting async units first; when only
 * pending promises block progress, await the one the earliest blocked unit needs. Independent
 * async calls therefore overlap, and each is awaited just before its value is first used.
 */
const byPriority = (a: Unit, b: Unit) => a.priority < b.priority;

export function schedule(units: readonly Unit[]): Step[] {
  const byId = new Map(units.map((u) => [u.id, u]));
  const state = new Map<string, "todo" | "pending" | "done">();
  const consumers = new Map<string, Unit[]>();
  const depsOf = new Map<string, string[]>();
  const open = new Map<string, number>(); // dependencies not done yet
  const unstarted = new Map<string, number>(); // dependencies neither started nor done
  for (const u of units) {
    const deps = [...new Set(u.deps.filter((d) => byId.has(d) && d !== u.id))];
    depsOf.set(u.id, deps);
    state.set(u.id, "todo");
    open.set(u.id, deps.length);
    unstarted.set(u.id, deps.length);
    for (const d of deps) {
      const list = consumers.get(d);
      if (list) list.push(u);
      else consumers.set(d, [u]);
    }
  }
  const readySync = new MinHeap<Unit>(byPriority);
  const readyAsync = new MinHeap<Unit>(byPriority);
  const waiting = new MinHeap<Unit>(byPriority); // units whose dependencies have all started, some still in flight
  const pending = new MinHeap<Unit>(byPriority);
  const steps: Step[] = [];
  const makeReady = (u: Unit) => (u.async ? readyAsync : readySync).push(u);
  for (const u of units) if (open.get(u.id) === 0) makeReady(u);
  const started = (id: string) => {
    for (const c of consumers.get(id) ?? []) {
      const left = unstarted.get(c.id)! - 1;
      unstarted.set(c.id, left);
      if (left === 0 && open.get(c.id)! > 0) waiting.push(c);
    }
  };
  const done = (id: string) => {
    state.set(id, "done");
    for (const c of consumers.get(id) ?? []) {
      const left = open.get(c.id)! - 1;
      open.set(c.id, left);
      if (left === 0) makeReady(c);
    }
  };
  let remaining = units.length;
  while (remaining > 0) {
    if (readyAsync.size > 0) {
      // Start every call whose inputs exist before anything else, so calls overlap.
      const u = readyAsync.pop();
      steps.push({ kind: "start", unit: u.id });
      state.set(u.id, "pending");
      pending.push(u);
      started(u.id);
      continue;
    }
    if (readySync.size > 0) {
      const u = readySync.pop();
      steps.push({ kind: "run", unit: u.id });
      started(u.id);
      done(u.id);
      remaining--;
      continue;
    }
    // Only values in flight block progress: await the first one the earliest blocked unit needs.
    let blocked: Unit | undefined;
    while (waiting.size > 0) {
      const w = waiting.pop();
      if (state.get(w.id) === "todo" && open.get(w.id)! > 0) {
        blocked = w;
        break;
      }
    }
    let next: Unit | undefined;
    if (blocked) {
      next = depsOf
        .get(blocked.id)!
        .map((d) => byId.get(d)!)
        .filter((d) => state.get(d.id) === "pending")
        .sort((a, b) => a.priority - b.priority)[0];
      waiting.push(blocked);
    } else {
      while (pending.size > 0 && !next) {
        const p = pending.pop();
        if (state.get(p.id) === "pending") next = p;
      }
    }
    if (!next) throw new Error("featc: internal error: schedule has no way forward");
    steps.push({ kind: "await", unit: next.id });
    done(next.id);
    remaining--;
  }
  return steps;
}
