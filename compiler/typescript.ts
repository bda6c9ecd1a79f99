/**
 * TypeScript as ts-morph bundles it (TypeScript 6, with the JavaScript API featc reads catalogs
 * through), loaded as CommonJS. Importing it with `import { ts } from "ts-morph"` costs more
 * than its own start-up: an ES module that imports a CommonJS one makes Node first detect the
 * module's format and scan its text for named exports (ts-morph.js, 1 MB), and then loads all of
 * ts-morph's own classes, which featc does not use. The package that holds the compiler
 * (`@ts-morph/common`, ts-morph's dependency, found from ts-morph so that any installation layout
 * works) is loaded only for the standard library's declaration files; the compiler itself is its
 * file `typescript.js` (see requireLarge for how it is read).
 *
 * `ts` is the value; the namespace below gives its types the same names (`ts.Node`), since a
 * type-only import cannot be re-exported as a namespace. A type of TypeScript's that featc starts
 * to use is added here.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type * as Morph from "ts-morph";
import { enabledCacheDir, requireLarge } from "./compile-cache.js";

interface MorphCommon {
  getLibFiles(): { fileName: string; text: string }[];
}

const commonFile = createRequire(createRequire(import.meta.url).resolve("ts-morph")).resolve("@ts-morph/common");

export const ts = requireLarge(createRequire(commonFile).resolve("./typescript")) as typeof Morph.ts;

/** One of the standard library's declaration files (`lib.*.d.ts`); its text is read when asked for. */
export interface LibraryFile {
  readonly fileName: string;
  text(): string;
}

const bundled = (): readonly { fileName: string; text: string }[] => (requireLarge(commonFile) as MorphCommon).getLibFiles();

/**
 * The standard library's declaration files, which ts-morph's TypeScript has in memory, not on
 * disk: string literals of ts-morph's module (3 MB, most of it the DOM's), whose loading costs
 * more than reading the few dozen a program uses. While the compiled-code cache is on (see
 * enableCompileCache), the first run copies them into the cache folder, one folder per version
 * of TypeScript, and later runs read there only the files a program asks for. A copied file
 * whose SHA-256 is not the one listed is not used: the text is then taken from ts-morph. Each
 * text is read once a process, when a program first asks for it.
 */
export function libraryFiles(): readonly LibraryFile[] {
  return libraries;
}

/**
 * The copy is part of featc's installation, as TypeScript is, not an input of a catalog: it is
 * found when this module loads, before a check starts recording what it reads (a check's result
 * cache knows TypeScript's version from its files, cli/check-cache.ts), and read and written with
 * `node:fs`'s functions as they were then, which such a recording does not observe (file-reads.ts).
 */
const { readFileSync, writeFileSync, mkdirSync, readdirSync, rmSync, renameSync, statSync } = fs;

const HOUR = 3_600_000;

const digestOf = (text: string): string => crypto.createHash("sha256").update(text).digest("hex");

function findLibraryFiles(): readonly LibraryFile[] {
  const root = enabledCacheDir();
  const dir = root === undefined ? undefined : path.join(root, `typescript-lib-${ts.version}`);
  const listed = dir === undefined ? undefined : readList(dir);
  if (dir !== undefined && listed !== undefined)
    return listed.map(([fileName, digest]) => {
      let text: string | undefined;
      return {
        fileName,
        text: () => (text ??= readCopy(path.join(dir, fileName), digest) ?? bundledText(fileName)),
      };
    });
  const files = bundled();
  if (dir !== undefined) copyLibraryFiles(dir, files);
  return files.map((file) => ({ fileName: file.fileName, text: () => file.text }));
}

const libraries = findLibraryFiles();

/** A library file's text from ts-morph's bundle (a name the bundle lacks is a damaged copy's list). */
function bundledText(fileName: string): string {
  const file = bundled().find((f) => f.fileName === fileName);
  if (file === undefined)
    throw new Error(`the standard library has no file '${fileName}' (the copy of it in featc's cache folder is damaged)`);
  return file.text;
}

/**
 * The folder's list of files (name, SHA-256 of the text), written last; undefined when it is
 * missing or damaged, or lacks `lib.d.ts` (a list cut short).
 */
function readList(dir: string): [string, string][] | undefined {
  try {
    const list = JSON.parse(readFileSync(path.join(dir, "files.json"), "utf8")) as unknown;
    const valid =
      Array.isArray(list) &&
      list.every((e) => Array.isArray(e) && typeof e[0] === "string" && /^lib[\w.-]*\.d\.ts$/.test(e[0]) && /^[0-9a-f]{64}$/.test(e[1])) &&
      list.some((e) => e[0] === "lib.d.ts");
    return valid ? (list as [string, string][]) : undefined;
  } catch {
    return undefined;
  }
}

/** A copied file's text, when it is the one listed. */
function readCopy(file: string, digest: string): string | undefined {
  try {
    const text = readFileSync(file, "utf8");
    return digestOf(text) === digest ? text : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes the files into a temporary folder and renames it into place, so that a folder with a
 * list is complete; removes temporary folders an interrupted run left more than an hour ago.
 * The copies of other versions of TypeScript stay: another installation of featc may use them.
 * A folder that cannot be written is left to a later run.
 */
function copyLibraryFiles(dir: string, files: readonly { fileName: string; text: string }[]): void {
  const temp = `${dir}.${process.pid}.tmp`;
  try {
    mkdirSync(temp, { recursive: true, mode: 0o700 });
    for (const file of files) writeFileSync(path.join(temp, file.fileName), file.text);
    writeFileSync(path.join(temp, "files.json"), JSON.stringify(files.map((f) => [f.fileName, digestOf(f.text)])));
    rmSync(dir, { recursive: true, force: true });
    renameSync(temp, dir);
    const parent = path.dirname(dir);
    for (const name of readdirSync(parent)) {
      const leftover = path.join(parent, name);
      if (name.startsWith("typescript-lib-") && name.endsWith(".tmp") && Date.now() - statSync(leftover).mtimeMs > HOUR)
        rmSync(leftover, { recursive: true, force: true });
    }
  } catch {
    rmSync(temp, { recursive: true, force: true });
  }
}

// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace ts {
  type ArrowFunction = Morph.ts.ArrowFunction;
  type BinaryExpression = Morph.ts.BinaryExpression;
  type CallExpression = Morph.ts.CallExpression;
  type CompilerHost = Morph.ts.CompilerHost;
  type CompilerOptions = Morph.ts.CompilerOptions;
  type CreateSourceFileOptions = Morph.ts.CreateSourceFileOptions;
  type Declaration = Morph.ts.Declaration;
  type Diagnostic = Morph.ts.Diagnostic;
  type Expression = Morph.ts.Expression;
  type FunctionDeclaration = Morph.ts.FunctionDeclaration;
  type FunctionExpression = Morph.ts.FunctionExpression;
  type Identifier = Morph.ts.Identifier;
  type JSDoc = Morph.ts.JSDoc;
  type JSDocTag = Morph.ts.JSDocTag;
  type JsonSourceFile = Morph.ts.JsonSourceFile;
  type LanguageVariant = Morph.ts.LanguageVariant;
  type LiteralType = Morph.ts.LiteralType;
  type Node = Morph.ts.Node;
  type ObjectLiteralExpression = Morph.ts.ObjectLiteralExpression;
  type Program = Morph.ts.Program;
  type PropertyAccessExpression = Morph.ts.PropertyAccessExpression;
  type PropertyAssignment = Morph.ts.PropertyAssignment;
  type ScriptTarget = Morph.ts.ScriptTarget;
  type Signature = Morph.ts.Signature;
  type SignatureDeclaration = Morph.ts.SignatureDeclaration;
  type SourceFile = Morph.ts.SourceFile;
  type Statement = Morph.ts.Statement;
  type StringLiteral = Morph.ts.StringLiteral;
  type StringLiteralLike = Morph.ts.StringLiteralLike;
  type Symbol = Morph.ts.Symbol;
  type SyntaxKind = Morph.ts.SyntaxKind;
  type Type = Morph.ts.Type;
  type TypeChecker = Morph.ts.TypeChecker;
  type TypeReference = Morph.ts.TypeReference;
  type VariableDeclaration = Morph.ts.VariableDeclaration;
}
