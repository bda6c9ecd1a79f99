/**
 * The run-time wiring featc removes: a small DAG interpreter in the style of reflection-based
 * frameworks. Nodes live in a table by name; the order is computed once; every call looks
 * values up by name and spreads arguments. Used as a contender in the online benchmark.
 */

export interface InterpretedNode {
  readonly name: string;
  readonly deps: readonly string[];
  readonly fn: (...args: never[]) => unknown;
}

export class DagInterpreter {
  private readonly order: InterpretedNode[];

  constructor(nodes: readonly InterpretedNode[]) {
    const byName = new Map(nodes.map((n) => [n.name, n]));
    const order: InterpretedNode[] = [];
    const seen = new Set<string>();
    const visit = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      const node = byName.get(name);
      if (!node) return;
      for (const d of node.deps) visit(d);
      order.push(node);
    };
    for (const n of nodes) visit(n.name);
    this.order = order;
  }

  /** Computes every node from the inputs and returns the requested outputs. */
  execute(outputs: readonly string[], inputs: Record<string, unknown>): Record<string, unknown> {
    const values = new Map<string, unknown>(Object.entries(inputs));
    for (const node of this.order) {
      const args = node.deps.map((d) => values.get(d));
      values.set(node.name, (node.fn as (...a: unknown[]) => unknown)(...args));
    }
    const result: Record<string, unknown> = {};
    for (const o of outputs) result[o] = values.get(o);
    return result;
  }
}
