/**
 * A target shape: everything featc knows about one kind of target (`batch`, `online`, …) lives
 * in one folder under `compiler/shapes/` and is described by one `TargetShape` value. The rest
 * of the compiler never tests a shape's name; it asks the registry (`registry.ts`) for the
 * target's shape and uses the fields below.
 *
 * Adding a shape:
 * 1. Make a folder `compiler/shapes/<name>/` whose `index.ts` exports a `TargetShape`:
 *    ```ts
 *    export const jsonListShape: TargetShape = {
 *      name: "json-list",
 *      description: "the target's node names as a JSON list",
 *      fitted: "compute",
 *      levels: "entity",
 *      emit: (input) => [{ name: `${input.target.name}.nodes.json`, text: JSON.stringify(input.target.order) + "\n" }],
 *    };
 *    ```
 * 2. Register it: one line in `registry.ts` for a shape of featc itself, or `registerShape(shape)`
 *    from a program that drives the compiler (as a test does) before it loads a config.
 * A target then selects it with `"shape": "json-list"` in featc.config.json; a config naming a
 * shape nobody registered gets FC1010 listing the registered ones.
 *
 * What featc does for every shape, so a shape need not: reading the config (the keys every
 * target has: `shape`, `config`, `inputs`, `outputs`, `fitted`, `description`), discovering the
 * catalog, choosing variants with `@when`, expanding `@extract`, wiring and ordering the graph,
 * the shape-independent rules (FC1001–FC1008, FC2001), the `<target>.graph.json` manifest, and
 * writing files (only when the whole build succeeded; `--check` compares instead).
 *
 * A shape's emitter gets plain data (`EmitInput`) and returns the text of the files it writes:
 * it never touches the disk. Shapes that write a TypeScript executor build on
 * `compiler/shapes/executor/` (the shared module skeleton and the target plan), and every piece
 * of catalog text they write goes through `compiler/codegen/` (escaping is never by hand).
 */
import type { Diagnostic } from "../diagnostics.js";
import type { BuiltTarget, Catalog, FittedMode, LevelRules } from "../model.js";

export interface TargetShape {
  /** What a target writes as `"shape"` in featc.config.json: lower case, digits and `-`. */
  readonly name: string;
  /** One line for messages and docs ("one entity per call, plain values"). */
  readonly description: string;
  /**
   * Keys a target of this shape accepts besides the common ones, each a string option (say a SQL
   * dialect). The config reader checks them (FC1010 at the value on an unknown key or a value
   * outside `values`) and hands them to the shape as `BuiltTarget.options`.
   */
  readonly options?: Readonly<Record<string, ShapeOption>>;
  /** Whether a `@fitted` node is computed here or read from the saved artifact, unless the target says `"fitted"`. */
  readonly fitted: FittedMode;
  /**
   * The level rules (DESIGN.md §2). `rows`: values are row-level (a column over one row axis) or
   * scalar, inferred from the types; map functions run once per row. `entity`: every value is one
   * plain value for one entity, and `Column`/`Table` parameters do not apply.
   */
  readonly levels: LevelRules;
  /** Whether discover lowers the catalog's function bodies into the SQL expression IR for this shape (`FunctionFact.lowered`). */
  readonly lowersBodies?: boolean;
  /** Rules only this shape has, over a built graph (the online shape's FC1009, say); run after the shared ones. */
  readonly validate?: (target: BuiltTarget, catalog: Catalog) => Diagnostic[];
  /** Writes the target: the files' names (relative to outDir, `/`-separated, any extension) and texts. */
  readonly emit: (input: EmitInput) => readonly EmittedFile[];
}

export interface ShapeOption {
  readonly description: string;
  /** The allowed values; any string when absent. */
  readonly values?: readonly string[];
  /** The value when the target does not give one; the option is required when absent. */
  readonly default?: string;
}

export interface EmitInput {
  readonly target: BuiltTarget;
  /** The config's folder: paths in comments are relative to it. */
  readonly rootDir: string;
  /** Where the files go: module specifiers of catalog files are relative to it. */
  readonly outDir: string;
  /** The config file's name, for the header of generated files. */
  readonly configFile: string;
  /** Hash of everything the @fitted values depend on; shared by the targets that compute and read them. */
  readonly fittedHash: string;
  /** Validator functions named by @check, by name. */
  readonly validators: Catalog["validators"];
}

export interface EmittedFile {
  /** Relative to outDir, `/`-separated (`batch.ts`, `sql/batch.sql`). */
  readonly name: string;
  readonly text: string;
}
