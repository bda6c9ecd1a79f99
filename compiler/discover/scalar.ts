/** The primitive class of a TypeScript type: how featc stores a column of it, and what SQL type it is. */
import { ts } from "../typescript.js";
import type { ScalarClass } from "../model.js";

/** number, boolean or string (literal types and unions of one class included), or "other". */
export function scalarClass(type: ts.Type): ScalarClass {
  const f = type.flags;
  if (f & (ts.TypeFlags.Number | ts.TypeFlags.NumberLiteral)) return "number";
  if (f & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) return "boolean";
  if (f & (ts.TypeFlags.String | ts.TypeFlags.StringLiteral)) return "string";
  if (type.isUnion()) {
    const classes = new Set(type.types.map(scalarClass));
    if (classes.size === 1) return [...classes][0]!;
  }
  return "other";
}
