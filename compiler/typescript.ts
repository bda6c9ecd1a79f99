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
import { createRequire } from "node:module";
import type * as Morph from "ts-morph";
import { requireLarge } from "./compile-cache.js";

interface MorphCommon {
  getLibFiles(): { fileName: string; text: string }[];
}

const commonFile = createRequire(createRequire(import.meta.url).resolve("ts-morph")).resolve("@ts-morph/common");

export const ts = requireLarge(createRequire(commonFile).resolve("./typescript")) as typeof Morph.ts;

/** The standard library's declaration files (`lib.*.d.ts`), which ts-morph's TypeScript has in memory, not on disk. */
export const libraryFiles = (): readonly { fileName: string; text: string }[] => (requireLarge(commonFile) as MorphCommon).getLibFiles();

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
