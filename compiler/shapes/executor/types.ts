/**
 * Value types in generated code: a node's type as the checker spelt it when it needs no import,
 * otherwise derived from the producing function (`Value<typeof $f>`), so the executor never
 * restates a type the catalog owns.
 */
import { checkerType, code, str, type Code } from "../../codegen/writer.js";
import type { GraphNode } from "../../model.js";
import type { TargetPlan } from "./plan.js";

/** The value type of a node, per row for row-level nodes, as a type expression. */
export function valueType(plan: TargetPlan, node: GraphNode): Code {
  if (node.valueType.code !== undefined) return checkerType(node.valueType.code);
  if (node.kind === "fitted") return code`FittedValues[${str(node.name)}]`;
  const value = code`${plan.imports.runtimeType("Value")}<${plan.fnType(node.fn)}>`;
  if (node.kind === "extract") {
    const owner = plan.node(node.extractOf!);
    return owner.table ? code`${plan.imports.runtimeType("TableRow")}<${value}>[${str(node.field!)}]` : code`${value}[${str(node.field!)}]`;
  }
  // A window node's function returns one row's value; any other row-level function that is not a map returns the column.
  return node.level === "row" && !node.map && !node.fn.window ? code`${plan.imports.runtimeType("ColumnElement")}<${value}>` : value;
}

/** The type of the `Promise` an async node returns. */
export function promiseType(plan: TargetPlan, node: GraphNode): Code {
  return code`ReturnType<${plan.fnType(node.fn)}>`;
}

/**
 * The declaration of a node's local before its guarded assignment. Primitive locals start at a
 * value of their own type, so V8 keeps them unboxed (a local that may be undefined is boxed:
 * one heap number per row).
 */
export function declareLocal(plan: TargetPlan, local: Code, node: GraphNode, type = valueType(plan, node)): Code {
  const initial = ({ number: "0", boolean: "false", string: '""' } as Record<string, string>)[type];
  return initial === undefined ? code`let ${local}!: ${type};` : code`let ${local}: ${type} = ${initial as Code};`;
}
