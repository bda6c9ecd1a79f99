/**
 * The one escaping helper of the emitter: every identifier, string literal and comment that
 * comes from catalog text is written through these functions, so no catalog text becomes code.
 */

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

/** An identifier for generated code; throws if catalog text is not a safe identifier. */
export function ident(name: string): string {
  if (!isIdentifier(name)) throw new Error(`featc: '${name}' cannot be used as an identifier in generated code`);
  return name;
}

/** A string literal (double-quoted, JSON-escaped; also safe inside template output). */
export function str(value: string): string {
  return JSON.stringify(value).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** A property key: bare when it is an identifier, quoted otherwise. */
export function key(name: string): string {
  return IDENTIFIER.test(name) ? name : str(name);
}

/** A property access: `.name` or `["name"]`. */
export function member(name: string): string {
  return IDENTIFIER.test(name) ? `.${name}` : `[${str(name)}]`;
}

/** Text safe inside a `/* … *\/` or `//` comment: no comment terminator, no line break. */
export function comment(text: string): string {
  return text.replace(/\*\//g, "*\\/").replace(/[\r\n\u2028\u2029]+/g, " ").trim();
}

/** A numeric literal that round-trips (including -0, NaN and infinities). */
export function num(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "Infinity";
  if (value === -Infinity) return "-Infinity";
  if (Object.is(value, -0)) return "-0";
  return String(value);
}

/** A literal for a oneOf value. */
export function literal(value: string | number | boolean): string {
  return typeof value === "string" ? str(value) : typeof value === "number" ? num(value) : String(value);
}

/** Allocates unique identifiers for generated code, never reusing a reserved or taken name. */
export class NameAllocator {
  private readonly taken = new Set<string>(RESERVED);

  constructor(reserved: Iterable<string> = []) {
    for (const r of reserved) this.taken.add(r);
  }

  /** Returns `base` if free, else `base_2`, `base_3`, … */
  take(base: string): string {
    const clean = IDENTIFIER.test(base) ? base : base.replace(/[^\w$]/g, "_").replace(/^(\d)/, "_$1");
    let name = clean;
    for (let i = 2; this.taken.has(name); i++) name = `${clean}_${i}`;
    this.taken.add(name);
    return name;
  }
}
