/**
 * The code writer: the one way featc writes TypeScript. Generated code is a `Code` value, and a
 * `Code` is made only here — by the `code` tag, whose every interpolation must itself be `Code`
 * (or a number), and by the helpers below that turn catalog text into identifiers, string
 * literals, property keys and comments. So the type checker, not review, guarantees that no
 * catalog text reaches a module unescaped: interpolating a plain string does not compile.
 *
 * `Code` is a string at run time (the brand exists only for the checker), so writing a module of
 * a million lines costs what string concatenation costs.
 */

declare const CODE: unique symbol;

/** A piece of generated code that is safe to splice into a module. */
export type Code = string & { readonly [CODE]: true };

/** Code from a template: the literal parts are featc's own text, every interpolation is Code or a number. */
export function code(strings: TemplateStringsArray, ...values: readonly (Code | number)[]): Code {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += values[i]! + strings[i + 1]!;
  return out as Code;
}

/** Joins pieces of code with a separator of featc's own (a comma, a line break). */
export function joinCode(parts: readonly Code[], separator: ", " | " | " | " && " | " || " | " + " | " & " | "; " | " " | "\n" | ""): Code {
  return parts.join(separator) as Code;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for function if " +
    "import in instanceof new null return super switch this throw true try typeof var void while with yield let static " +
    "implements interface package private protected public await arguments eval undefined NaN Infinity"
  ).split(" "),
);

/** Whether `name` can be written as a JS identifier as is. */
export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name) && !RESERVED.has(name);
}

/** A string literal (double-quoted, JSON-escaped, line and paragraph separators escaped too). */
export function str(value: string): Code {
  return JSON.stringify(value)
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029") as Code;
}

/** A property key: bare when it is an identifier, quoted otherwise. */
export function key(name: string): Code {
  return (IDENTIFIER.test(name) ? name : str(name)) as Code;
}

/** A property access: `.name` or `["name"]`. */
export function member(name: string): Code {
  return (IDENTIFIER.test(name) ? `.${name}` : `[${str(name)}]`) as Code;
}

/** A numeric literal that round-trips (including -0, NaN and infinities). */
export function num(value: number): Code {
  if (Number.isNaN(value)) return "NaN" as Code;
  if (value === Infinity) return "Infinity" as Code;
  if (value === -Infinity) return "-Infinity" as Code;
  if (Object.is(value, -0)) return "-0" as Code;
  return String(value) as Code;
}

/** A literal for a oneOf value. */
export function literal(value: string | number | boolean): Code {
  return typeof value === "string" ? str(value) : typeof value === "number" ? num(value) : ((value ? "true" : "false") as Code);
}

/**
 * A type as TypeScript's checker printed it (self-contained, so it is code already). A lone
 * surrogate, which only a string literal type can hold, is escaped: a file is written as UTF-8,
 * which cannot hold one.
 */
export function checkerType(text: string): Code {
  return text.replace(
    /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16)}`,
  ) as Code;
}

/** `0x1f`: a bit mask. */
export function hex(n: number): Code {
  return `0x${n.toString(16)}` as Code;
}

/**
 * Text safe inside a `/* … *\/` or `//` comment: no comment terminator, no line terminator
 * (\n, \r, U+2028, U+2029 all end a `//` comment), and no other control character (a NUL or an
 * escape sequence would be copied into the file as is); those are written as `\u0000`.
 */
export function commentText(text: string): Code {
  return text
    .replace(/\*\//g, "*\\/")
    .replace(/[\r\n\u2028\u2029]+/g, " ")
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .trim() as Code;
}

/** A `// …` comment line. */
export function lineComment(text: string): Code {
  return `// ${commentText(text)}` as Code;
}

/** A one-line `/** … *\/` doc comment. */
export function docComment(text: string): Code {
  return `/** ${commentText(text)} */` as Code;
}

/** Allocates unique identifiers for generated code, never reusing a reserved or taken name. */
export class NameAllocator {
  private readonly taken = new Set<string>(RESERVED);

  constructor(reserved: Iterable<string> = []) {
    for (const r of reserved) this.taken.add(r);
  }

  /** Returns `base` if free, else `base_2`, `base_3`, …; catalog text is made an identifier first (`a*b` → `a_b`, `""` → `_`). */
  take(base: string): Code {
    const clean = IDENTIFIER.test(base) ? base : base.replace(/[^\w$]/g, "_").replace(/^(\d)/, "_$1") || "_";
    let name = clean;
    for (let i = 2; this.taken.has(name); i++) name = `${clean}_${i}`;
    this.taken.add(name);
    return name as Code;
  }
}

/** What generated executors import from featc's runtime: values… */
export type RuntimeValue =
  | "MissingInputError"
  | "InvalidInputError"
  | "UnknownOutputError"
  | "handled"
  | "reportCheck"
  | "RowAxis"
  | "chunkRowsFor"
  | "allocateFloat64Columns"
  | "windowGroups"
  | "rollingAggregate"
  | "rollingReduce"
  | "historyWindow"
  | "historyValues";
/** …and types. */
export type RuntimeType = "ExecuteOptions" | "BatchExecuteOptions" | "Value" | "ColumnElement" | "TableRow" | "Column" | "WindowGroups";

interface ImportedName {
  readonly exported: string;
  readonly local: Code;
  typeOnly: boolean;
}

/**
 * The imports of one module, recorded as the code that uses them is written: a runtime symbol
 * by its name, a catalog export under a private alias (`$name`), so a catalog name never clashes
 * with a name the module declares (`Inputs`, `Outputs`, `execute`, …).
 */
export class ModuleImports {
  private readonly runtimeValues = new Set<RuntimeValue>();
  private readonly runtimeTypes = new Set<RuntimeType>();
  /** By module specifier, then export name. */
  private readonly catalog = new Map<string, Map<string, ImportedName>>();

  constructor(
    private readonly names: NameAllocator,
    private readonly runtimeModule: string,
  ) {}

  /** A runtime value, imported because it is used. */
  runtime(name: RuntimeValue): Code {
    this.runtimeValues.add(name);
    return name as Code;
  }

  /** A runtime type, imported because it is used. */
  runtimeType(name: RuntimeType): Code {
    this.runtimeTypes.add(name);
    return name as Code;
  }

  /**
   * Gives a catalog export its private alias without importing it yet: declaring every alias up
   * front, in a sorted order, keeps aliases the same whichever code uses them first.
   */
  declare(from: string, exported: string): void {
    let names = this.catalog.get(from);
    if (!names) this.catalog.set(from, (names = new Map()));
    if (!names.has(exported)) names.set(exported, { exported, local: this.names.take(`$${exported}`), typeOnly: true });
  }

  /** A catalog export used as a value (a call). */
  value(from: string, exported: string): Code {
    const name = this.used(from, exported);
    name.typeOnly = false;
    return name.local;
  }

  /** A catalog export used only in a type (`typeof $f`, an interface). */
  type(from: string, exported: string): Code {
    return this.used(from, exported).local;
  }

  private readonly usedNames = new Set<ImportedName>();

  private used(from: string, exported: string): ImportedName {
    this.declare(from, exported);
    const name = this.catalog.get(from)!.get(exported)!;
    this.usedNames.add(name);
    return name;
  }

  /** The import declarations: the runtime's first, then the catalog's by module specifier. */
  render(): Code[] {
    const lines: Code[] = [];
    const values = [...this.runtimeValues].sort();
    const types = [...this.runtimeTypes].sort().map((t) => `type ${t}`);
    if (values.length + types.length > 0)
      lines.push(code`import { ${joinCode([...values, ...types] as Code[], ", ")} } from ${str(this.runtimeModule)};`);
    for (const from of [...this.catalog.keys()].sort()) {
      const used = [...this.catalog.get(from)!.values()]
        .filter((n) => this.usedNames.has(n))
        .sort((a, b) => (a.exported < b.exported ? -1 : 1));
      if (used.length === 0) continue;
      const allTypes = used.every((n) => n.typeOnly);
      const names = used.map((n) => {
        const exported = IDENTIFIER.test(n.exported) ? n.exported : str(n.exported);
        return `${!allTypes && n.typeOnly ? "type " : ""}${exported === n.local ? exported : `${exported} as ${n.local}`}` as Code;
      });
      lines.push(code`import ${allTypes ? code`type ` : code``}{ ${joinCode(names, ", ")} } from ${str(from)};`);
    }
    return lines;
  }
}
