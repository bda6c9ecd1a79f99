/**
 * The run-time schema of a type (`ValueSchema`): what a generated executor's opt-in input
 * validation checks a value against. Read from the type checker, never from the type's text.
 * What cannot be checked cheaply and exactly (generics, recursion, deep nesting, very large
 * types) becomes `unknown`: the validator lets it through rather than refuse a valid value.
 */
import { ts } from "../typescript.js";
import type { SchemaField, TypeInfo, ValueSchema } from "../model.js";

/** How deep into nested types a schema goes; below that every value passes. */
const MAX_SCHEMA_DEPTH = 8;
/** How many schema nodes one input may have; a larger type is checked no deeper than its top level. */
const MAX_SCHEMA_NODES = 400;
/** Messages name a type by at most this many characters of its text. */
const MAX_TEXT = 80;

/** Global classes a value is checked against with `instanceof`. */
const INSTANCE_CLASSES = new Set([
  "Float64Array",
  "Float32Array",
  "Int32Array",
  "Int16Array",
  "Int8Array",
  "Uint32Array",
  "Uint16Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "BigInt64Array",
  "BigUint64Array",
  "ArrayBuffer",
  "DataView",
  "Date",
  "Map",
  "Set",
  "WeakMap",
  "WeakSet",
  "RegExp",
]);

export type ContainerOf = (type: ts.Type) => TypeInfo["container"];

/**
 * The schema of `type`; `containerOf` recognises featc's Column and Table. For an `optional`
 * property the schema is the type's without `undefined` (being absent is checked beside it).
 */
export function runtimeSchema(checker: ts.TypeChecker, type: ts.Type, containerOf: ContainerOf, optional = false): ValueSchema {
  let budget = MAX_SCHEMA_NODES;
  const stack = new Set<ts.Type>();
  const text = (t: ts.Type): string => {
    const printed = checker
      .typeToString(t, undefined, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope)
      .replace(/import\("[^"]*"\)\./g, "");
    return printed.length > MAX_TEXT ? `${printed.slice(0, MAX_TEXT - 1)}…` : printed;
  };
  const unknown = (t: ts.Type): ValueSchema => ({ kind: "unknown", text: text(t) });

  const of = (t: ts.Type, depth: number): ValueSchema => {
    if (--budget < 0 || depth > MAX_SCHEMA_DEPTH || stack.has(t)) return unknown(t);
    stack.add(t);
    try {
      return read(t, depth);
    } finally {
      stack.delete(t);
    }
  };

  /** An optional value may be absent or undefined: that is checked beside the schema, which names the type without it. */
  const present = (t: ts.Type, optional: boolean, depth: number): ValueSchema => {
    const members = optional && t.isUnion() ? t.types.filter((m) => !(m.flags & ts.TypeFlags.Undefined)) : [t];
    return members.length === 1 ? of(members[0]!, depth) : unionOf(mergeBooleans(members.map((m) => of(m, depth))));
  };

  const fieldsOf = (t: ts.Type, depth: number): SchemaField[] =>
    checker
      .getPropertiesOfType(t)
      // Properties keyed by a symbol (`[Symbol.iterator]`) or private names are no string keys of the value.
      .filter((symbol) => !symbol.getName().startsWith("__@") && !symbol.getName().startsWith("__#"))
      .map((symbol) => {
        const decl = symbol.valueDeclaration ?? symbol.declarations?.[0];
        const fieldType = decl ? checker.getTypeOfSymbolAtLocation(symbol, decl) : checker.getTypeOfSymbol(symbol);
        const optional = (symbol.flags & ts.SymbolFlags.Optional) !== 0;
        return { name: symbol.getName(), optional, schema: present(fieldType, optional, depth + 1) };
      });

  const read = (t: ts.Type, depth: number): ValueSchema => {
    const f = t.flags;
    if (
      f &
      (ts.TypeFlags.Any |
        ts.TypeFlags.Unknown |
        ts.TypeFlags.Never |
        ts.TypeFlags.TypeParameter |
        ts.TypeFlags.Index |
        ts.TypeFlags.IndexedAccess |
        ts.TypeFlags.Conditional |
        ts.TypeFlags.Substitution)
    ) {
      return unknown(t);
    }
    if (f & ts.TypeFlags.Boolean) return { kind: "primitive", type: "boolean", text: "boolean" };
    if (f & ts.TypeFlags.Number) return { kind: "primitive", type: "number", text: "number" };
    if (f & ts.TypeFlags.String) return { kind: "primitive", type: "string", text: "string" };
    if (f & ts.TypeFlags.BigInt) return { kind: "primitive", type: "bigint", text: "bigint" };
    if (f & (ts.TypeFlags.ESSymbol | ts.TypeFlags.UniqueESSymbol)) return { kind: "primitive", type: "symbol", text: "symbol" };
    if (f & (ts.TypeFlags.StringLiteral | ts.TypeFlags.NumberLiteral))
      return { kind: "literal", value: (t as ts.LiteralType).value as string | number, text: text(t) };
    if (f & ts.TypeFlags.BooleanLiteral) return { kind: "literal", value: text(t) === "true", text: text(t) };
    if (f & ts.TypeFlags.Null) return { kind: "literal", value: null, text: "null" };
    if (f & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)) return { kind: "literal", value: undefined, text: "undefined" };
    if (f & (ts.TypeFlags.TemplateLiteral | ts.TypeFlags.StringMapping)) return { kind: "primitive", type: "string", text: text(t) };
    if (t.isUnion()) {
      const members = t.types.map((m) => of(m, depth));
      if (members.some((m) => m.kind === "unknown")) return unknown(t);
      // `boolean` inside a union arrives as `true | false`: one primitive again.
      const merged = mergeBooleans(members);
      return merged.length === 1 ? merged[0]! : { kind: "union", members: merged, text: text(t) };
    }
    if (t.isIntersection()) {
      // A branded primitive (`number & { __brand }`) is checked as the primitive.
      const primitive = t.types.find(
        (m) =>
          m.flags &
          (ts.TypeFlags.Number |
            ts.TypeFlags.String |
            ts.TypeFlags.Boolean |
            ts.TypeFlags.BigInt |
            ts.TypeFlags.StringLiteral |
            ts.TypeFlags.NumberLiteral),
      );
      if (primitive) return of(primitive, depth);
      return objectSchema(t, depth);
    }
    if (f & ts.TypeFlags.NonPrimitive) return { kind: "object", fields: [], text: "object" };
    if (f & ts.TypeFlags.Object) {
      const container = containerOf(t);
      const arg = (): ts.Type | undefined => checker.getTypeArguments(t as ts.TypeReference)[0] ?? t.aliasTypeArguments?.[0];
      if (container === "column") {
        const element = arg();
        return element ? { kind: "column", element: of(element, depth + 1), text: text(t) } : unknown(t);
      }
      // A `@window` frame is made by the executor, never given as an input.
      if (container === "window") return unknown(t);
      if (container === "table") {
        const row = arg();
        return row ? { kind: "table", fields: fieldsOf(row, depth + 1), text: text(t) } : unknown(t);
      }
      if (checker.isArrayType(t)) return { kind: "array", element: of(arg()!, depth + 1), text: text(t) };
      if (checker.isTupleType(t)) {
        const elements = checker.getTypeArguments(t as ts.TypeReference);
        const element =
          elements.length === 0
            ? unknown(t)
            : elements.length === 1
              ? of(elements[0]!, depth + 1)
              : unionOf(elements.map((e) => of(e, depth + 1)));
        return { kind: "array", element, text: text(t) };
      }
      const symbol = t.getSymbol();
      if (symbol && INSTANCE_CLASSES.has(symbol.getName()) && symbol.declarations?.some((d) => isDefaultLibrary(d.getSourceFile()))) {
        return { kind: "instance", name: symbol.getName(), text: symbol.getName() };
      }
      const callable = t.getCallSignatures().length > 0 || t.getConstructSignatures().length > 0;
      if (callable) return { kind: "primitive", type: "function", text: text(t) };
      return objectSchema(t, depth);
    }
    return unknown(t);
  };

  const objectSchema = (t: ts.Type, depth: number): ValueSchema => {
    const index = checker.getIndexInfosOfType(t).find((i) => i.keyType.flags & ts.TypeFlags.String);
    const written = text(t);
    // An anonymous object type too long to name is "an object" in messages; its fields' paths say the rest.
    const named = written.startsWith("{") && written.endsWith("…") ? "object" : written;
    return { kind: "object", fields: fieldsOf(t, depth), ...(index ? { rest: of(index.type, depth + 1) } : {}), text: named };
  };

  return present(type, optional, 0);
}

/** A union of schemas; `unknown` when any member is. */
function unionOf(members: readonly ValueSchema[]): ValueSchema {
  if (members.some((m) => m.kind === "unknown")) return { kind: "unknown", text: "unknown" };
  return { kind: "union", members, text: members.map((m) => m.text).join(" | ") };
}

/** `true` and `false` in one union become `boolean`. */
function mergeBooleans(members: readonly ValueSchema[]): ValueSchema[] {
  const isBool = (m: ValueSchema, value: boolean) => m.kind === "literal" && m.value === value;
  if (!members.some((m) => isBool(m, true)) || !members.some((m) => isBool(m, false))) return [...members];
  const rest = members.filter((m) => !isBool(m, true) && !isBool(m, false));
  return [{ kind: "primitive", type: "boolean", text: "boolean" }, ...rest];
}

/** TypeScript's own declarations of the standard library (`lib.es5.d.ts`, …), where the global classes are declared. */
function isDefaultLibrary(sf: ts.SourceFile): boolean {
  return sf.hasNoDefaultLib || /^lib(\.[\w-]+)*\.d\.ts$/.test(sf.fileName.slice(sf.fileName.replace(/\\/g, "/").lastIndexOf("/") + 1));
}
