/**
 * The program featc asks its type questions of, without what a catalog seldom needs and costs
 * most of a small catalog's parse: the packages of `compilerOptions.types` (`@types/node`: 2.3 MB
 * of declarations) and, when the tsconfig names no `lib`, the DOM's declarations that the default
 * library of its target brings (2 MB). That is done only when the native compiler checks the full
 * program: FC1011 then comes from the native `tsc`, and featc's own questions — the types of the
 * catalog's signatures, inputs and bodies — get the same answers from the lean program as long
 * as nothing they can reach needs what it leaves out.
 *
 * The lean program is kept only when every name that can reach such a declaration resolves in
 * it: every module specifier of every file (an ambient module such as "node:fs" is one of
 * theirs; in a source file featc does not read itself, a plain import of one only binds names,
 * which are then checked like the others; a module it loads with `import()` where no type
 * depends on it is not even read), every name of the catalog's own files, and every name in the declarations of the
 * other files — their signatures and types, and the bodies whose type is inferred; the body of a
 * function whose return type is written cannot change a type featc sees. Otherwise, and whenever
 * the in-process checker must report TypeScript's errors itself (the fallback), featc uses the
 * full program. Members that a package adds to a standard-library interface
 * (`Error.captureStackTrace`) are not seen by this test: where such a member is used, a type
 * featc reads could be `any` in the lean program (a body's inferred type; a type the checker
 * compares structurally).
 */
import { ts } from "../typescript.js";

/** The checker's scope lookup, as TypeScript's language service uses it (not in its public typings). */
type ScopeChecker = ts.TypeChecker & {
  resolveName(name: string, location: ts.Node, meaning: number, excludeGlobals: boolean): ts.Symbol | undefined;
};

export interface CatalogProgram {
  /** The program to ask featc's questions of: the lean one when it answers them as the full one would. */
  readonly program: ts.Program;
  /** The program tsc checks, with all its libraries and `types` packages: the same object as `program` when that is not lean. */
  full(): ts.Program;
  /** Whether `program` is the lean one. */
  readonly lean: boolean;
}

/**
 * Creates the catalog's program; lean when `lean` is asked for, there is something to leave out,
 * and nothing needs it. The host should return the same source file for the same file, so that
 * the full program, when needed, parses nothing twice.
 */
export function catalogProgram(
  rootNames: readonly string[],
  options: ts.CompilerOptions,
  host: ts.CompilerHost,
  lean: boolean,
  own: ReadonlySet<string>,
): CatalogProgram {
  const create = (opts: ts.CompilerOptions, programHost = host) => ts.createProgram({ rootNames, options: opts, host: programHost });
  const leanOptions = lean ? leaner(options) : undefined;
  if (!leanOptions) {
    const program = create(options);
    return { program, full: () => program, lean: false };
  }
  const leanProgram = create(leanOptions, withoutDeferredImports(host, own));
  if (needsWhatWasLeftOut(leanProgram, own)) {
    const program = create(options);
    return { program, full: () => program, lean: false };
  }
  let fullProgram: ts.Program | undefined;
  return { program: leanProgram, full: () => (fullProgram ??= create(options)), lean: true };
}

/**
 * The host, except that a module loaded with `import()` where no type depends on it (see
 * isDeferredImport) is not resolved: the lean program does not read it, nor what it imports
 * (featc/sql's DuckDB adapter loads the DuckDB reader so, and with it DuckDB's declarations).
 */
function withoutDeferredImports(host: ts.CompilerHost, own: ReadonlySet<string>): ts.CompilerHost {
  const cache = ts.createModuleResolutionCache(host.getCurrentDirectory(), (f) => host.getCanonicalFileName(f));
  const resolveModuleNameLiterals: ts.CompilerHost["resolveModuleNameLiterals"] = (literals, containingFile, redirected, options, sf) =>
    literals.map((literal) =>
      isDeferredImport(literal, sf, own)
        ? { resolvedModule: undefined }
        : ts.resolveModuleName(
            literal.text,
            containingFile,
            options,
            host,
            cache,
            redirected,
            ts.getModeForUsageLocation(sf, literal, options),
          ),
    );
  return Object.assign(Object.create(host) as ts.CompilerHost, { resolveModuleNameLiterals });
}

/**
 * Whether a module specifier is that of an `import()` call in a part of a file featc does not
 * read itself that no type depends on (a body under a written return type, see noTypeFrom).
 */
function isDeferredImport(specifier: ts.StringLiteralLike, sf: ts.SourceFile, own: ReadonlySet<string>): boolean {
  if (own.has(sf.fileName) || sf.isDeclarationFile) return false;
  // Modules are resolved before the file is bound, so its nodes may not know their parents yet: found from the top.
  const ancestors: ts.Node[] = [];
  for (let node: ts.Node | undefined = sf; node && node !== specifier;) {
    ancestors.push(node);
    node = ts.forEachChild(node, (child) => (child.pos <= specifier.pos && specifier.end <= child.end ? child : undefined));
  }
  const call = ancestors.at(-1);
  if (!call || !ts.isCallExpression(call) || call.expression.kind !== ts.SyntaxKind.ImportKeyword) return false;
  return ancestors.some((node, i) => i + 1 < ancestors.length && noTypeFrom(node) === ancestors[i + 1]);
}

/** The options without the `types` packages and the DOM's libraries; undefined when they name neither. */
function leaner(options: ts.CompilerOptions): ts.CompilerOptions | undefined {
  const types = options.types === undefined || options.types.length > 0;
  // The default library of a target is its ECMAScript library plus the DOM's (lib.es2022.full.d.ts = es2022 + dom + …).
  const defaultLib = options.lib === undefined && !options.noLib ? ts.getDefaultLibFileName(options) : undefined;
  const lib =
    defaultLib === undefined ? undefined : defaultLib === "lib.d.ts" ? "lib.es5.d.ts" : defaultLib.replace(/\.full\.d\.ts$/, ".d.ts");
  if (!types && lib === undefined) return undefined;
  return { ...options, ...(types ? { types: [] } : {}), ...(lib !== undefined ? { lib: [lib] } : {}) };
}

const MEANING = ts.SymbolFlags.Value | ts.SymbolFlags.Type | ts.SymbolFlags.Namespace;

/** Whether a name or module of the lean program does not resolve (see the module's comment). */
function needsWhatWasLeftOut(program: ts.Program, own: ReadonlySet<string>): boolean {
  const checker = program.getTypeChecker() as ScopeChecker;
  for (const sf of program.getSourceFiles()) {
    if (program.isSourceFileDefaultLibrary(sf)) continue;
    // Every module reference TypeScript collected while building the program (imports, exports, import types, import() calls).
    const specifiers = (sf as ts.SourceFile & { imports?: readonly ts.StringLiteral[] }).imports ?? [];
    const whole = own.has(sf.fileName) || sf.isDeclarationFile;
    // In a source file featc does not read itself, a plain import of a module the lean program
    // lacks (`import os from "node:os"`) binds names; they are checked below like any other name,
    // so it matters only where one of them reaches a type featc sees.
    const unboundNames = new Set<string>();
    for (const s of specifiers) {
      if (checker.getSymbolAtLocation(s) || isDeferredImport(s, sf, own)) continue;
      const clause = !whole && ts.isImportDeclaration(s.parent) && !s.parent.importClause?.isTypeOnly ? s.parent.importClause : undefined;
      if (!clause) return true;
      if (clause.name) unboundNames.add(clause.name.text);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) unboundNames.add(bindings.name.text);
      else if (bindings) for (const e of bindings.elements) unboundNames.add(e.name.text);
    }
    // A name of the file's own scope or of the global one resolves anywhere in the file: asked once per name.
    const inFileScope = new Map<string, boolean>();
    const resolvesInFile = (name: string): boolean => {
      let found = inFileScope.get(name);
      if (found === undefined) inFileScope.set(name, (found = checker.resolveName(name, sf, MEANING, false) !== undefined));
      return found;
    };
    const unresolved = (node: ts.Identifier): boolean =>
      isReference(node) &&
      (unboundNames.has(node.text)
        ? !isImportBinding(node)
        : !resolvesInFile(node.text) && !checker.resolveName(node.text, node, MEANING, false));
    // Walked with a list, not by recursion: a file nested deeper than the stack allows (reported
    // as FC1014 once the program is made) is walked too.
    const pending: ts.Node[] = [sf];
    for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
      if (ts.isIdentifier(node)) {
        if (unresolved(node)) return true;
        continue;
      }
      const skipped = whole ? undefined : noTypeFrom(node);
      ts.forEachChild(node, (child) => {
        if (child !== skipped) pending.push(child);
      });
    }
  }
  return false;
}

/** The part of a declaration that no type depends on: a body under a written return type, an initializer under a written type. */
function noTypeFrom(node: ts.Node): ts.Node | undefined {
  if (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isGetAccessorDeclaration(node)
  ) {
    return node.type ? node.body : undefined;
  }
  if (ts.isConstructorDeclaration(node) || ts.isSetAccessorDeclaration(node) || ts.isClassStaticBlockDeclaration(node)) return node.body;
  if (ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node) || ts.isParameter(node))
    return node.type ? node.initializer : undefined;
  return undefined;
}

/**
 * Whether an identifier refers to something by scope: not a member's or a property's name, not
 * the name another module exports a thing under, not a label.
 */
/** Whether `id` is the name an import declares (not a use of it). */
function isImportBinding(id: ts.Identifier): boolean {
  const parent = id.parent;
  return (ts.isImportSpecifier(parent) && parent.name === id) || ts.isImportClause(parent) || ts.isNamespaceImport(parent);
}
function isReference(id: ts.Identifier): boolean {
  const parent = id.parent;
  if (ts.isPropertyAccessExpression(parent)) return parent.expression === id;
  if (ts.isQualifiedName(parent)) {
    if (parent.right === id) return false;
    // `import("m").A.B`: A is a name of the module's, not of the scope.
    let top: ts.Node = parent;
    while (ts.isQualifiedName(top.parent)) top = top.parent;
    return !(ts.isImportTypeNode(top.parent) && top.parent.qualifier === top);
  }
  if (ts.isImportTypeNode(parent)) return parent.qualifier !== id;
  // `as const` is written as a reference to a type named const.
  if (
    ts.isTypeReferenceNode(parent) &&
    id.text === "const" &&
    (ts.isAsExpression(parent.parent) || ts.isTypeAssertionExpression(parent.parent))
  )
    return false;
  if (
    ts.isPropertySignature(parent) ||
    ts.isPropertyDeclaration(parent) ||
    ts.isMethodSignature(parent) ||
    ts.isMethodDeclaration(parent) ||
    ts.isGetAccessorDeclaration(parent) ||
    ts.isSetAccessorDeclaration(parent) ||
    ts.isPropertyAssignment(parent) ||
    ts.isEnumMember(parent) ||
    ts.isNamedTupleMember(parent) ||
    ts.isJsxAttribute(parent) ||
    ts.isImportAttribute(parent)
  ) {
    return parent.name !== id;
  }
  if (ts.isImportSpecifier(parent) || ts.isBindingElement(parent)) return parent.propertyName !== id;
  if (ts.isExportSpecifier(parent))
    return parent.parent.parent.moduleSpecifier === undefined && (parent.propertyName ?? parent.name) === id;
  if (ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) return parent.label !== id;
  if (ts.isMetaProperty(parent) || ts.isNamespaceExport(parent) || ts.isNamespaceExportDeclaration(parent)) return false;
  if (ts.isModuleDeclaration(parent)) return !(parent.flags & ts.NodeFlags.GlobalAugmentation);
  if (ts.isParameter(parent) && id.text === "this") return false;
  return true;
}
