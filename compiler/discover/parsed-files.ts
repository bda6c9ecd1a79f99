/**
 * The parsed and bound files of one process, shared by every program it makes. A process that
 * checks more than once — `featc server`, `featc build --watch`, a test suite that analyses many
 * catalogs — would otherwise parse and bind the standard library and every declaration file
 * again for each check, which is most of a small catalog's check.
 *
 * A file is reused only for the same text (compared whole, so an edit is always seen) and the
 * same parse: the same language version, module format, JSDoc mode and parent links, and the
 * same values of the compiler options that change a parse or a bind (TypeScript's own list,
 * the one its language service shares files between programs by). TypeScript binds a file
 * once and never changes a bound file's symbols afterwards: a checker that merges them (the
 * global scope, a module augmentation) copies them first, so one bound file serves any number
 * of programs, as in the language service.
 *
 * A file that no program of the last KEPT_GENERATIONS checks used is dropped.
 */
import { ts } from "../typescript.js";

/** How many checks may pass without using a file before it is dropped. */
const KEPT_GENERATIONS = 4;

interface Entry {
  readonly text: string;
  readonly sourceFile: ts.SourceFile;
  /** The parse overflowed the stack: the file is an empty module, reported again on every use. */
  readonly tooDeep: boolean;
  used: number;
}

const entries = new Map<string, Entry>();
let generation = 0;

/** The names of the compiler options that change how a file is parsed or bound (not in TypeScript's public typings). */
const affecting: readonly string[] = (
  (ts as unknown as { sourceFileAffectingCompilerOptions?: readonly { name: string }[] }).sourceFileAffectingCompilerOptions ?? []
).map((option) => option.name);

/**
 * A key for the options' values that matter to a parse; all of them when TypeScript does not
 * say which (files are then shared only between programs with the same options).
 */
function optionsKey(options: ts.CompilerOptions): string {
  const names = affecting.length > 0 ? affecting : Object.keys(options).sort();
  return JSON.stringify(names.map((name) => options[name] ?? null));
}

/** What tells one parse of a file from another, besides its text. */
export interface ParseKey {
  readonly file: string;
  /** The program's options (only those that change a parse or a bind count). */
  readonly options: ts.CompilerOptions;
  /** What `ts.createSourceFile` is given (its language version, module format and JSDoc mode count). */
  readonly parse: ts.CreateSourceFileOptions;
  readonly setParentNodes: boolean;
}

/** The files parsed for one check: begun by each check, so that those unused for a while are dropped. */
export function beginCheck(): (key: ParseKey, text: string, parse: () => { sourceFile: ts.SourceFile; tooDeep: boolean }) => Entry {
  const current = ++generation;
  for (const [key, entry] of entries) if (entry.used < current - KEPT_GENERATIONS) entries.delete(key);
  const optionKeys = new Map<ts.CompilerOptions, string>();
  return (key, text, parse) => {
    let options = optionKeys.get(key.options);
    if (options === undefined) optionKeys.set(key.options, (options = optionsKey(key.options)));
    const { languageVersion, impliedNodeFormat, jsDocParsingMode } = key.parse;
    const id = [key.file, languageVersion, impliedNodeFormat, jsDocParsingMode, key.setParentNodes, options].join("\0");
    let entry = entries.get(id);
    if (entry?.text !== text) {
      entry = { text, ...parse(), used: current };
      entries.set(id, entry);
    }
    entry.used = current;
    return entry;
  };
}
