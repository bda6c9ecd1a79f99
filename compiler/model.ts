/**
 * The plain data that flows between featc's phases: discover → graph → validate → emit.
 * No ts-morph object crosses this boundary; types are referred to by `TypeRef` and compared
 * through the `TypeOracle` that discover hands out.
 */
import type { Span } from "./diagnostics.js";
import type { Lowering, UdfSource } from "./shapes/sql/ir.js";

/** A value of a target's `"config"` (what `@when` tags compare with). */
export type ConfigValue = string | number | boolean;

/** Whether a target computes its `@fitted` values or reads them from the saved artifact. */
export type FittedMode = "compute" | "read";

/**
 * A shape's level rules (DESIGN.md §2): `rows` — row-level values on one row axis and scalars;
 * `entity` — every value is one plain value for one entity.
 */
export type LevelRules = "rows" | "entity";

export type TypeRef = number;

/** The primitive class of a type, which decides how a column of it is stored. */
export type ScalarClass = "number" | "boolean" | "string" | "other";

export interface TypeInfo {
  readonly ref: TypeRef;
  /** The type as the user wrote it (or as the checker prints an inferred one). */
  readonly text: string;
  /** `column`, `table` and `window` (a `@window` frame) are featc's containers, recognised by declaration. */
  readonly container: "column" | "table" | "window" | "none";
  /** Column<T>, Window<T> → T; Table<T> → T (the row type). */
  readonly element?: TypeInfo;
  readonly scalar: ScalarClass;
  /** True when the type can be written into generated code without importing anything. */
  readonly printable: boolean;
  /** The checker's self-contained spelling of a printable type, for generated code. */
  readonly code?: string;
}

export interface FieldInfo {
  readonly name: string;
  readonly type: TypeInfo;
  /** Optional property, or a type that admits undefined. */
  readonly optional: boolean;
}

/** The type checker's answers the validate phase asks for; discover hands it out beside the catalog, never inside it. */
export interface TypeOracle {
  /** Whether a value of type `from` may be passed where `to` is expected. */
  assignable(from: TypeRef, to: TypeRef): boolean;
}

export interface ParamFact {
  readonly name: string;
  readonly index: number;
  readonly type: TypeInfo;
  readonly span: Span;
  /** The node or input `@parameterize` binds this parameter to (it names its dependency itself otherwise). */
  readonly binds?: string;
}

/** A parameter that `@parameterize` binds to a constant: passed as a literal, not a dependency. */
export interface LiteralBinding {
  readonly param: string;
  /** The parameter's position in the function's declaration. */
  readonly index: number;
  readonly value: string | number | boolean;
}

/** A `@window` frame: `rows` counts rows, `range` spans the order key; `lag` ends it before the row. */
export interface WindowFrameFact {
  readonly kind: "rows" | "range";
  readonly size: number;
  readonly lag: number;
}

/** The runtime aggregates a batch executor computes incrementally (see runtime/window/rolling.ts). */
export type WindowAggregate = "sum" | "mean" | "count" | "min" | "max" | "stddev" | "first" | "last";

/** A key of `@window` (`by`, `order`): the node or input it names, where, and the type it takes. */
export interface WindowKey {
  readonly name: string;
  readonly span: Span;
  readonly type: TypeInfo;
}

/** `@window by=KEY order=KEY size=N|range=R lag=L` on a function with `Window<T>` parameters. */
export interface WindowFact {
  /** The node or input that groups rows into entities, where the tag names it, and the type it may have (any). */
  readonly by: WindowKey;
  /** The node or input that orders an entity's rows, and the type it must have (number). */
  readonly order: WindowKey;
  readonly frame: WindowFrameFact;
  /** The tag as normalised text (`by=item_id order=day size=28 lag=1`), for the manifest, explain and hashes. */
  readonly text: string;
  readonly span: Span;
  /**
   * When the body is `return <aggregate>(<param>)` with a runtime aggregate of a `Window<T>`
   * parameter: which, so that targets compute it incrementally or translate it.
   */
  readonly aggregate?: { readonly name: WindowAggregate; readonly param: string };
}

export type Condition =
  | { readonly kind: "when"; readonly key: string; readonly value: string }
  | { readonly kind: "whenNot"; readonly key: string; readonly value: string }
  | { readonly kind: "whenIn"; readonly key: string; readonly values: readonly string[] };

export type CheckRule =
  | { readonly kind: "range"; readonly min: number; readonly max: number }
  | { readonly kind: "notNull" }
  | { readonly kind: "oneOf"; readonly values: readonly (string | number | boolean)[] }
  | { readonly kind: "validator"; readonly fn: string; readonly file: string };

export interface CheckFact {
  readonly rule: CheckRule;
  /** The check as written after `@check`, without `warn`: used in messages. */
  readonly text: string;
  readonly warn: boolean;
  readonly span: Span;
}

export interface ExtractFact {
  /** Undefined means every field of the return type. */
  readonly fields?: readonly { readonly name: string; readonly span: Span }[];
  readonly span: Span;
  /**
   * What the fields are taken from — a returned Table's row type, or the returned object — with
   * its fields in declaration order, as discover read them; absent when the value is no object.
   */
  readonly row?: { readonly type: TypeInfo; readonly fields: readonly FieldInfo[] };
}

export interface FunctionFact {
  /** The exported name (with its `__suffix`). */
  readonly exportName: string;
  /** The node name: the export name without its `__suffix`. */
  readonly nodeName: string;
  readonly file: string;
  readonly span: Span;
  readonly params: readonly ParamFact[];
  /** The node's value type: the return type with a Promise unwrapped. */
  readonly returns: TypeInfo;
  readonly async: boolean;
  readonly description: string;
  readonly conditions: readonly Condition[];
  readonly extract?: ExtractFact;
  readonly checks: readonly CheckFact[];
  readonly fitted: boolean;
  /** Where `@fitted` is written, when it is. */
  readonly fittedSpan?: Span;
  readonly tags: readonly { readonly name: string; readonly text: string }[];
  /** Hash of the function's code and signature, insensitive to whitespace and comments ("" when analysis skipped hashing). */
  readonly codeHash: string;
  /** For a node made by `@parameterize`: its bindings as written (`store_id_encoded(value=store_id)`) and its constant arguments. */
  readonly parameterized?: { readonly text: string; readonly literals: readonly LiteralBinding[] };
  /** The body as SQL expression IR, when a SQL target asked discover to lower it. */
  readonly lowered?: Lowering;
  /** `@udf`: a SQL target runs the function as an engine UDF of its own JavaScript; `source` when a SQL target asked discover for it. */
  readonly udf?: { readonly span: Span; readonly source?: UdfSource };
  /** `@window`: the function reduces the frame of each row of an entity. */
  readonly window?: WindowFact;
}

export interface InputFact {
  readonly name: string;
  readonly type: TypeInfo;
  readonly optional: boolean;
  readonly span: Span;
  /** What a value of the input's type looks like at run time, for the executors' opt-in input validation. */
  readonly schema: ValueSchema;
}

/**
 * A type as a run-time check sees it, read from the checker in discover (runtime-schema.ts).
 * `text` is the type as messages name it ("number", `"male" | "female"`, "Model").
 */
export type ValueSchema = { readonly text: string } &
  /** any, unknown, or a type too deep or recursive to check: every value passes. */
  (
    | { readonly kind: "unknown" }
    | { readonly kind: "primitive"; readonly type: "number" | "string" | "boolean" | "bigint" | "symbol" | "function" }
    | { readonly kind: "literal"; readonly value: string | number | boolean | null | undefined }
    /** An instance of a global class: `Float64Array`, `Date`, `Map`, … */
    | { readonly kind: "instance"; readonly name: string }
    | { readonly kind: "array"; readonly element: ValueSchema }
    /** featc's `Column<T>`: an array, or a typed array. */
    | { readonly kind: "column"; readonly element: ValueSchema }
    /** featc's `Table<T>`: `{ length, columns }` with one column of the row's length per field. */
    | { readonly kind: "table"; readonly fields: readonly SchemaField[] }
    /** An object with these properties, and with every other own property of type `rest` when it has an index signature. */
    | { readonly kind: "object"; readonly fields: readonly SchemaField[]; readonly rest?: ValueSchema }
    | { readonly kind: "union"; readonly members: readonly ValueSchema[] }
  );

export interface SchemaField {
  readonly name: string;
  readonly optional: boolean;
  readonly schema: ValueSchema;
}

export interface InputsFact {
  readonly name: string;
  readonly file: string;
  readonly fields: readonly InputFact[];
}

export interface Catalog {
  readonly functions: readonly FunctionFact[];
  /** Exported validator functions named by `@check`, by name. */
  readonly validators: ReadonlyMap<string, { readonly file: string; readonly param?: TypeInfo }>;
  /** Inputs interface per target name. */
  readonly inputs: ReadonlyMap<string, InputsFact>;
}

export type Level = "row" | "scalar";

/** How a dependency reaches a parameter in a batch target. */
export type Passing = "value" | "map" | "whole";

export type DepSource =
  { readonly kind: "node"; readonly name: string } | { readonly kind: "input"; readonly name: string } | { readonly kind: "unknown" };

export interface Dep {
  readonly param: ParamFact;
  /**
   * `by`/`order` of a `@window` node: an edge of the graph that is no argument of the call;
   * `history`: an online target's input of the entity's recent rows, feeding the `Window<T>` parameters.
   */
  readonly window?: "by" | "order" | "history";
  readonly source: DepSource;
  readonly passing: Passing;
}

export type NodeKind =
  /** A catalog function called directly. */
  | "function"
  /** A field of another node's value (`@extract`). */
  | "extract"
  /** A `@fitted` value read from the `fitted` input. */
  | "fitted";

export interface GraphNode {
  readonly name: string;
  readonly kind: NodeKind;
  /** The producing function (for extracts: the function whose value is split). */
  readonly fn: FunctionFact;
  /** For extract nodes: the node whose value holds the field. */
  readonly extractOf?: string;
  readonly field?: string;
  readonly deps: readonly Dep[];
  /** Value type: for row-level nodes, the type of one row's value. */
  readonly valueType: TypeInfo;
  readonly level: Level;
  /** Row-level nodes computed once per row inside a fused loop. */
  readonly map: boolean;
  /** A scalar holding a Table that is not on the row axis. */
  readonly table: boolean;
  readonly async: boolean;
  readonly checks: readonly CheckFact[];
}

/**
 * An input of an entity target holding the entity's rows before the request, oldest first: the
 * order key and the values its `@window` nodes' frames read, one column each.
 */
export interface WindowHistory {
  /** The input's name (`item_id_history`). */
  readonly name: string;
  readonly by: string;
  readonly order: string;
  /** The columns, `order` first, each with the element type of its frames. */
  readonly columns: readonly { readonly name: string; readonly type: TypeInfo }[];
  /** The window nodes it feeds, with their frames (which say how many rows they need). */
  readonly nodes: readonly { readonly name: string; readonly frame: WindowFrameFact }[];
}

export interface TargetGraph {
  readonly name: string;
  /** The name of the target's shape (see compiler/shapes/). */
  readonly shape: string;
  readonly levels: LevelRules;
  readonly fitted: FittedMode;
  readonly config: Readonly<Record<string, ConfigValue>>;
  /** The shape's own options, as the config gives them (defaults filled in). */
  readonly options: Readonly<Record<string, string>>;
  readonly inputs?: InputsFact;
  /** The extra `fitted` input of a reading target: the fitted nodes it reads. */
  readonly fittedInputs: readonly string[];
  /** The extra inputs of an entity target's `@window` nodes: the entity's recent rows, one per (by, order) pair. */
  readonly windowHistories: readonly WindowHistory[];
  readonly nodes: ReadonlyMap<string, GraphNode>;
  /** Every producer of each node name selected in this target (more than one is FC1003). */
  readonly producers: ReadonlyMap<string, readonly FunctionFact[]>;
  /** Nodes in topological order, name as the tie-break; nodes on a cycle are left out. */
  readonly order: readonly string[];
  readonly outputs: readonly string[];
}

export interface BuiltTarget extends TargetGraph {
  /** Nodes that could not be ordered because they lie on or behind a cycle. */
  readonly unordered: readonly string[];
}
