/**
 * Phase 1: read the catalog with ts-morph and the type checker and turn it into plain facts:
 * every exported feature function (name, parameters, types, tags, span) and each target's
 * inputs interface. Nothing here is decided by regex over source text.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { libraryFiles, ts, type LibraryFile } from "../typescript.js";
import { diagnostics, type Diagnostic, type Span } from "../diagnostics.js";
import type { FeatcConfig } from "../config.js";
import type {
  Catalog,
  ExtractFact,
  FieldInfo,
  FunctionFact,
  InputsFact,
  ParamFact,
  ScalarClass,
  TypeInfo,
  TypeOracle,
  TypeRef,
  ValueSchema,
} from "../model.js";
import { packageFile } from "../paths.js";
import { MAX_BRACKET_DEPTH, MAX_TREE_DEPTH, tooDeepBrackets, tooDeepNode } from "./depth.js";
import { fileProblem, isRegularFile, readTextFile } from "./files.js";
import { lowerFunction } from "./lower.js";
import { startNativeCheck } from "./native-check.js";
import type { NativeDiagnostic } from "./native-report.js";
import { beginCheck } from "./parsed-files.js";
import { catalogProgram } from "./program.js";
import { expandParameterize, functionsMadeByCalls, isParameterizeTag } from "./parameterize.js";
import { runtimeSchema } from "./runtime-schema.js";
import { scalarClass } from "./scalar.js";
import { parseTags, type RawTag } from "./tags.js";
import { udfSource } from "./udf.js";
import { readWindow } from "./window.js";

export interface DiscoverResult {
  readonly catalog: Catalog;
  /** Answers the validate phase's type questions; the catalog itself is plain data. */
  readonly oracle: TypeOracle;
  readonly diagnostics: Diagnostic[];
  /**
   * TypeScript's own errors in the catalog files (FC1011), still being computed by the native
   * compiler beside this process; await it after the rest of the analysis. Holds the type
   * checker until it settles (it falls back to the in-process checker).
   */
  readonly typeErrors: Promise<TypeErrors>;
  /** Whether featc's questions went to a program without the `types` packages and the DOM's libraries (program.ts). */
  readonly lean: boolean;
}

export interface TypeErrors {
  readonly diagnostics: readonly Diagnostic[];
  /** Which checker found them: the native compiler, or ts-morph's in this process (the fallback). */
  readonly checkedBy: "native" | "builtin";
}

/** Where `Column` and `Table` are declared (`runtime/containers`), and `Window` with its aggregates (`runtime/window/aggregates`), from featc's root. */
const CONTAINERS_MODULE = ["runtime", "containers"];
const WINDOW_MODULE = ["runtime", "window", "aggregates"];

/** The compiler options of a catalog without a tsconfig, as tsconfig.json spells them. */
const DEFAULT_OPTIONS_JSON = {
  target: "es2022",
  module: "nodenext",
  moduleResolution: "nodenext",
  strict: true,
  lib: ["es2023"],
  types: [],
};
const DEFAULT_OPTIONS: ts.CompilerOptions = ts.convertCompilerOptionsFromJson(DEFAULT_OPTIONS_JSON, "/").options;

/**
 * What featc changes in a catalog's options, as tsconfig.json spells them: it writes nothing and
 * checks only its own files. Declarations stay on when the project emits them (`composite`
 * implies them): tsc then reports the errors of declaration emit (TS2742, TS9xxx), and so must featc.
 */
function readOnlyOptionsJson(options: ts.CompilerOptions) {
  return {
    noEmit: true,
    skipLibCheck: true,
    declaration: Boolean(options.declaration || options.composite),
    emitDeclarationOnly: false,
    composite: false,
    incremental: false,
  };
}

type FunctionLike = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression;

interface Candidate {
  readonly name: string;
  readonly fn: FunctionLike;
  readonly nameNode: ts.Node;
  /** The node that carries the JSDoc: the function, or the variable statement of a const. */
  readonly docHost: ts.Node;
  readonly sourceFile: ts.SourceFile;
}

/** Reads the catalog files named by the config; every problem becomes a diagnostic. */
export interface DiscoverOptions {
  /** Compute code hashes (build, lineage); `featc check` does not need them. Default true. */
  readonly codeHashes?: boolean;
  /**
   * Where FC1011 comes from: `native` (default) checks the catalog with TypeScript ≥ 7's `tsc`
   * in a child process, falling back to `builtin` (ts-morph's checker, in this process).
   */
  readonly typeCheck?: "native" | "builtin";
  /** Lower every function's body into the SQL shape's expression IR (only SQL targets need it). */
  readonly lowerBodies?: boolean;
}

export function discover(config: FeatcConfig, options: DiscoverOptions = {}): DiscoverResult {
  // Each check finds the runtime's files afresh (featc server checks many times), reading what it reads.
  runtimeFilesSeen.clear();
  const withHashes = options.codeHashes ?? true;
  const problems: Diagnostic[] = [];
  const texts = new Map<string, string>();
  const catalogPaths: string[] = [];
  /** A catalog file is too deep to analyse: read as an empty module here, as written by tsc. */
  let tooDeepFiles = false;
  for (const file of config.catalogFiles) {
    const read = readTextFile(file);
    if ("problem" in read) {
      problems.push(diagnostics.unreadableCatalogSource(path.relative(config.rootDir, file), read.problem, file));
      continue;
    }
    const deep = tooDeepBrackets(read.text, file.endsWith(".tsx") ? ts.LanguageVariant.JSX : ts.LanguageVariant.Standard);
    if (deep === undefined) catalogPaths.push(file);
    else {
      problems.push(diagnostics.tooManyBrackets(MAX_BRACKET_DEPTH, spanInText(file, read.text, deep)));
      tooDeepFiles = true;
    }
    // A file too deep to parse is an empty module to the program, also where another file imports it.
    texts.set(file, deep === undefined ? read.text : "");
  }
  const extraFiles: string[] = [];
  for (const file of new Set(config.targets.flatMap((t) => (t.inputs && !texts.has(t.inputs.file) ? [t.inputs.file] : [])))) {
    const read = readTextFile(file);
    if ("text" in read) {
      texts.set(file, read.text);
      extraFiles.push(file);
    }
  }
  const compilerOptions = catalogCompilerOptions(config, problems);
  // The native compiler starts first and checks on another core while this process parses. Not
  // when a catalog file is too deep: tsc reads it as written wherever another file imports it,
  // and may take minutes on it (a literal nested thousands deep); this process reads it as empty.
  const native =
    options.typeCheck === "builtin" || compilerOptions.broken || tooDeepFiles
      ? undefined
      : startNativeCheck({
          files: catalogPaths,
          extraFiles,
          tsconfig: config.tsconfig,
          options: config.tsconfig ? readOnlyOptionsJson(compilerOptions.options) : { ...DEFAULT_OPTIONS_JSON, ...readOnlyOptionsJson({}) },
          typeRootsFrom: config.tsconfig && compilerOptions.options.typeRoots === undefined ? path.dirname(config.tsconfig) : undefined,
          timeoutSeconds: config.typeCheckTimeout,
          resolvedOptions: JSON.stringify(compilerOptions.options),
        });
  const unreadable = new Map<string, string>();
  const host = compilerHost(
    compilerOptions.options,
    texts,
    (file) => {
      problems.push(diagnostics.parserOutOfStack(file));
      // tsc reads the module as written, and may take minutes on it.
      tooDeepFiles = true;
    },
    (file, problem) => unreadable.set(path.normalize(file), problem),
  );
  // With the native compiler checking the full program, featc's own questions may go to a leaner one (program.ts).
  const programs = catalogProgram(
    [...catalogPaths, ...extraFiles],
    compilerOptions.options,
    host,
    native?.started === true,
    new Set(texts.keys()),
  );
  const program = programs.program;
  // A name TypeScript reads differently (a backslash is a separator to it) has no source file:
  // it is skipped here, and FC1010 names the file (validate/checkCatalogFileNames).
  const files = catalogPaths
    .flatMap((file) => program.getSourceFile(file) ?? [])
    .filter((sf) => {
      const deep = tooDeepNode(sf);
      if (deep) problems.push(diagnostics.syntaxTooDeep(MAX_TREE_DEPTH, spanOf(deep, sf)));
      if (deep) tooDeepFiles = true;
      return !deep;
    });
  const checker = program.getTypeChecker();
  const types = new TypeTable(checker);
  // Syntax errors come from the parse, already done. tsc checks no types while any file of the
  // program has one (a catalog file, or a module it imports), so then the catalog is
  // type-checked here, where each file is checked on its own.
  const syntaxErrors = files.flatMap((sf) => program.getSyntacticDiagnostics(sf).map(typescriptDiagnostic));
  const catalogNodes = new Set(files);
  const brokenElsewhere = program.getSourceFiles().some((sf) => !catalogNodes.has(sf) && program.getSyntacticDiagnostics(sf).length > 0);
  // A module the catalog imports that is a FIFO or a device: tsc would wait on it forever.
  for (const [file, problem] of unreadable)
    problems.push(diagnostics.unreadableImport(path.relative(config.rootDir, file), problem, { file, line: 1, column: 1, length: 1 }));
  const nativeUsable = native !== undefined && syntaxErrors.length === 0 && !brokenElsewhere && unreadable.size === 0 && !tooDeepFiles;
  if (!nativeUsable) native?.cancel();
  const typeErrors = (nativeUsable ? native.result : Promise.resolve(undefined)).then((found): TypeErrors => {
    if (!found)
      return {
        diagnostics: [...syntaxErrors, ...builtinTypeErrors(programs.full(), files, syntaxErrors.length > 0)],
        checkedBy: "builtin",
      };
    if ("timedOut" in found) return { diagnostics: [diagnostics.typeCheckTimeout(found.timedOut)], checkedBy: "native" };
    const byPath = new Map(files.map((sf) => [path.resolve(sf.fileName), sf]));
    return { diagnostics: found.map((d) => nativeDiagnostic(d, byPath.get(d.file))), checkedBy: "native" };
  });

  const candidates = files.flatMap((sf) => collectCandidates(sf, problems));
  const windowTypes = {
    isRuntimeWindow: (file: string) => isRuntimeModule(file, WINDOW_MODULE),
    anyKey: types.info(checker.getUnknownType()),
    numberKey: types.info(checker.getNumberType()),
  };
  for (const sf of files) problems.push(...functionsMadeByCalls(sf, checker));
  const catalogFileSet = new Set(files.map((sf) => sf.fileName));
  const functions: FunctionFact[] = [];
  const validatorRefs: { name: string; span: Span }[] = [];
  const parsedByCandidate = candidates.map((c) => {
    const raw = rawTags(c);
    const parsed = parseTags(raw, c.name, problems);
    validatorRefs.push(...parsed.validatorNames);
    return { candidate: c, parsed, raw };
  });

  const validatorNames = new Set(validatorRefs.map((v) => v.name));
  const validators = new Map<string, { file: string; param?: TypeInfo }>();
  for (const { candidate, parsed, raw } of parsedByCandidate) {
    if (validatorNames.has(candidate.name)) {
      const first = candidate.fn.parameters[0];
      validators.set(candidate.name, {
        file: path.normalize(candidate.sourceFile.fileName),
        param: first ? types.info(checker.getTypeAtLocation(first), first.type?.getText(candidate.sourceFile)) : undefined,
      });
      continue;
    }
    if (candidate.name.startsWith("_")) continue;
    const read = functionFact(
      candidate,
      parsed,
      raw.filter((t) => !isParameterizeTag(t)),
      types,
      checker,
      problems,
      withHashes ? catalogFileSet : undefined,
    );
    const fact = read && readWindow(candidate, read, checker, windowTypes, problems);
    if (!fact) continue;
    const lowered = options.lowerBodies ? lowerFunction(candidate.fn, program, catalogFileSet) : undefined;
    const udf =
      options.lowerBodies && fact.udf
        ? { ...fact, udf: { ...fact.udf, source: udfSource(candidate.fn, candidate.name, program, catalogFileSet) } }
        : fact;
    const expanded = expandParameterize(candidate, udf, checker, problems);
    // A body is lowered with its own parameter names: each node of a @parameterize binds them (the SQL planner substitutes).
    functions.push(...expanded.map((f) => (lowered ? { ...f, lowered } : f)));
  }
  // Validators may also be private (`_`-prefixed) exports: collect them too.
  for (const ref of validatorRefs) {
    if (!validators.has(ref.name)) problems.push(diagnostics.unknownValidator(ref.name, ref.span));
  }
  const finalFunctions = functions.map((f) => ({
    ...f,
    checks: f.checks.map((c) =>
      c.rule.kind === "validator" ? { ...c, rule: { ...c.rule, file: validators.get(c.rule.fn)?.file ?? "" } } : c,
    ),
  }));

  const inputs = new Map<string, InputsFact>();
  for (const target of config.targets) {
    if (!target.inputs) continue;
    const sf = program.getSourceFile(target.inputs.file);
    if (!sf) {
      const read = readTextFile(target.inputs.file);
      problems.push(
        diagnostics.unreadableInputsFile(
          target.name,
          path.relative(config.rootDir, target.inputs.file),
          "problem" in read ? read.problem : undefined,
          target.inputs.span,
        ),
      );
      continue;
    }
    const declared = sf.statements.filter((st) => ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st));
    const decl = declared.find((st) => st.name.text === target.inputs!.name);
    if (!decl) {
      const known = declared.map((d) => d.name.text);
      problems.push(
        diagnostics.inputsNotFound(
          target.name,
          target.inputs.name,
          path.relative(config.rootDir, target.inputs.file),
          known,
          target.inputs.span,
        ),
      );
      continue;
    }
    if (!isExported(decl)) {
      problems.push(diagnostics.inputsNotExported(target.name, target.inputs.name, spanOf(decl.name)));
      continue;
    }
    const ref = types.ref(checker.getTypeAtLocation(decl.name));
    const fields = types.fields(ref) ?? [];
    inputs.set(target.name, {
      name: target.inputs.name,
      file: target.inputs.file,
      fields: fields.map((f) => ({
        name: f.name,
        type: f.type,
        optional: f.optional,
        span: types.spanOfField(ref, f.name) ?? spanOf(decl.name),
        schema: types.schema(f.type.ref, f.optional),
      })),
    });
  }

  return {
    catalog: { functions: finalFunctions, validators, inputs },
    oracle: types,
    diagnostics: problems,
    typeErrors,
    lean: programs.lean,
  };
}

function typescriptDiagnostic(d: ts.Diagnostic): Diagnostic {
  const span = d.file && d.start !== undefined ? spanAt(d.file, d.start, d.length ?? 1) : undefined;
  return diagnostics.typescriptError(d.code, ts.flattenDiagnosticMessageText(d.messageText, " "), span);
}

/** FC1011 from the native compiler's report; the span runs over the token tsc points at. */
function nativeDiagnostic(d: NativeDiagnostic, sf: ts.SourceFile | undefined): Diagnostic {
  if (!sf)
    return diagnostics.typescriptError(d.code, d.message, { file: path.normalize(d.file), line: d.line, column: d.column, length: 1 });
  const lines = sf.getLineStarts();
  const lineStart = lines[Math.min(d.line, lines.length) - 1]!;
  const start = Math.min(lineStart + d.column - 1, sf.text.length);
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, sf.languageVariant, sf.text, undefined, start);
  scanner.scan();
  return diagnostics.typescriptError(d.code, d.message, {
    file: path.normalize(sf.fileName),
    line: d.line,
    column: d.column,
    length: Math.max(1, scanner.getTokenEnd() - start),
  });
}

/**
 * TypeScript's errors in the catalog files, found by this process's checker: what tsc reports
 * for them — the grammar and type errors of each file, then, as tsc does when the program has no
 * other error, those of declaration emit when the project emits declarations.
 */
function builtinTypeErrors(program: ts.Program, files: readonly ts.SourceFile[], syntaxErrors: boolean): Diagnostic[] {
  const semantic = files.flatMap((sf) => program.getSemanticDiagnostics(sf));
  const declarations =
    !syntaxErrors && semantic.length === 0 && program.getCompilerOptions().declaration
      ? files.flatMap((sf) => program.getDeclarationDiagnostics(sf))
      : [];
  return [...semantic, ...declarations].map(typescriptDiagnostic);
}

/**
 * The catalog's compiler options: its tsconfig's (with what it extends), read as tsc reads them,
 * or featc's defaults; made read-only. A tsconfig with errors is FC1010 at the error, and the
 * defaults stand in (`broken`: the native compiler, which would read the same file, is not asked).
 */
function catalogCompilerOptions(config: FeatcConfig, problems: Diagnostic[]): { options: ts.CompilerOptions; broken: boolean } {
  const readOnly = (options: ts.CompilerOptions): ts.CompilerOptions => ({
    ...options,
    ...ts.convertCompilerOptionsFromJson(readOnlyOptionsJson(options), "/").options,
  });
  if (!config.tsconfig) return { options: readOnly(DEFAULT_OPTIONS), broken: false };
  const errors: ts.Diagnostic[] = [];
  const parsed = ts.getParsedCommandLineOfConfigFile(
    config.tsconfig,
    {},
    {
      useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames,
      getCurrentDirectory: () => config.rootDir,
      fileExists: isRegularFile,
      readFile: (file) => textOf(readTextFile(file)),
      // featc names the files to check itself: the tsconfig's own file list is not read.
      readDirectory: () => [],
      onUnRecoverableConfigFileDiagnostic: (d) => errors.push(d),
    },
  );
  // TS18003 "No inputs were found": the file list was not read, on purpose.
  errors.push(...(parsed?.errors ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error && d.code !== 18003));
  if (!parsed || errors.length > 0) {
    const relativeTsconfig = path.relative(config.rootDir, config.tsconfig);
    for (const d of errors) {
      const span = d.file && d.start !== undefined ? spanAt(d.file, d.start, d.length ?? 1) : undefined;
      problems.push(diagnostics.tsconfigError(relativeTsconfig, d.code, ts.flattenDiagnosticMessageText(d.messageText, " "), span));
    }
    return { options: readOnly(DEFAULT_OPTIONS), broken: true };
  }
  return { options: readOnly(parsed.options), broken: false };
}

function textOf(read: ReturnType<typeof readTextFile>): string | undefined {
  return "text" in read ? read.text : undefined;
}

/**
 * TypeScript's own compiler host, so that every file gets its module format from its extension
 * and the nearest package.json as tsc decides it (a `.ts` file under `"type": "commonjs"` is
 * CommonJS: TS1287 and TS1295 depend on it), with these changes: the catalog's texts as featc
 * read them, the standard library from ts-morph's bundle (its TypeScript has no lib folder on
 * disk), and every other file read only if it is a regular file of a sane size. Files featc
 * reads itself (`texts`: the catalog and inputs files) are parsed with their JSDoc (featc's tags)
 * and parent links; every other file is parsed as tsc parses it — JSDoc only where it can change
 * a diagnostic — and gets its parent links when it is bound, before featc's first question to the
 * checker. Most of what a program reads is declaration files (`@types/node` alone is 2.3 MB),
 * and their JSDoc is most of their text.
 */
function compilerHost(
  options: ts.CompilerOptions,
  texts: ReadonlyMap<string, string>,
  onTooDeep: (file: string) => void,
  onUnreadable: (file: string, problem: string) => void,
): ts.CompilerHost {
  const host = ts.createCompilerHost(options);
  const libs = bundledLibraries(host.getDefaultLibLocation!());
  const fileExists = host.fileExists.bind(host);
  host.readFile = (file) => texts.get(file) ?? libs.get(file)?.text() ?? textOf(readTextFile(file));
  host.fileExists = (file) => {
    if (texts.has(file) || libs.has(file) || fileExists(file)) return true;
    // Something that is neither a regular file nor a folder sits where a module would be.
    const problem = SOURCE_EXTENSION.test(file) ? fileProblem(file) : undefined;
    if (problem && problem !== "not found" && !problem.includes("(a folder)")) onUnreadable(file, problem);
    return false;
  };
  // One parse per file and set of parse options, shared by every program made with this host,
  // and by later checks in this process while the file's text stays the same (parsed-files.ts).
  const parsedFiles = beginCheck();
  const parsed = new Map<string, ts.SourceFile | undefined>();
  host.getSourceFile = (file, languageVersionOrOptions, onError) => {
    const key =
      typeof languageVersionOrOptions === "object"
        ? `${file}\0${languageVersionOrOptions.languageVersion}\0${languageVersionOrOptions.impliedNodeFormat}`
        : `${file}\0${languageVersionOrOptions}`;
    if (!parsed.has(key)) parsed.set(key, parse(file, languageVersionOrOptions, onError));
    return parsed.get(key);
  };
  const parse = (
    file: string,
    languageVersionOrOptions: ts.ScriptTarget | ts.CreateSourceFileOptions,
    onError?: (message: string) => void,
  ): ts.SourceFile | undefined => {
    let text: string | undefined;
    try {
      text = host.readFile(file);
    } catch (e) {
      onError?.((e as Error).message);
      text = "";
    }
    if (text === undefined) return undefined;
    const own = texts.has(file);
    const parseOptions: ts.CreateSourceFileOptions = {
      ...(typeof languageVersionOrOptions === "object" ? languageVersionOrOptions : { languageVersion: languageVersionOrOptions }),
      jsDocParsingMode: own ? ts.JSDocParsingMode.ParseAll : ts.JSDocParsingMode.ParseForTypeErrors,
    };
    const source = text;
    const { sourceFile, tooDeep } = parsedFiles({ file, options, parse: parseOptions, setParentNodes: own }, source, () => {
      // A module the catalog imports is not measured before it is parsed: a stack overflow in
      // its parse makes it an empty module, reported.
      try {
        return { sourceFile: ts.createSourceFile(file, source, parseOptions, own), tooDeep: false };
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        return { sourceFile: ts.createSourceFile(file, "", parseOptions), tooDeep: true };
      }
    });
    if (tooDeep) onTooDeep(path.normalize(file));
    return sourceFile;
  };
  return host;
}

const SOURCE_EXTENSION = /\.[cm]?[jt]sx?$/;

/** `lib.*.d.ts` as ts-morph ships them, placed in `folder`. */
function bundledLibraries(folder: string): Map<string, LibraryFile> {
  return new Map(libraryFiles().map((lib) => [path.posix.join(folder.replace(/\\/g, "/"), lib.fileName), lib]));
}

function isExported(node: ts.Node): boolean {
  return (ts.getCombinedModifierFlags(node as ts.Declaration) & ts.ModifierFlags.Export) !== 0;
}

/** Exported function declarations and exported `const f = (…) => …` of one file, on the raw AST. */
function collectCandidates(sf: ts.SourceFile, problems: Diagnostic[]): Candidate[] {
  const out: Candidate[] = [];
  const overloaded = new Set<string>();
  for (const st of sf.statements) {
    if (ts.isFunctionDeclaration(st) && st.name && !st.body) overloaded.add(st.name.text);
  }
  for (const st of sf.statements) {
    if (ts.isFunctionDeclaration(st)) {
      if (!st.name || !st.body || !isExported(st) || (ts.getCombinedModifierFlags(st) & ts.ModifierFlags.Default) !== 0) continue;
      const name = st.name.text;
      if (overloaded.has(name)) {
        problems.push(diagnostics.overloads(name, spanOf(st.name, sf)));
        continue;
      }
      out.push({ name, fn: st, nameNode: st.name, docHost: st, sourceFile: sf });
    } else if (ts.isVariableStatement(st) && isExported(st)) {
      for (const decl of st.declarationList.declarations) {
        let init = decl.initializer;
        while (init && (ts.isParenthesizedExpression(init) || ts.isSatisfiesExpression(init))) init = init.expression;
        if (!init || !ts.isIdentifier(decl.name) || !(ts.isArrowFunction(init) || ts.isFunctionExpression(init))) continue;
        out.push({ name: decl.name.text, fn: init, nameNode: decl.name, docHost: st, sourceFile: sf });
      }
    }
  }
  return out;
}

/** The JSDoc blocks attached to a node (function declaration or variable statement). */
function jsDocsOf(node: ts.Node): ts.JSDoc[] {
  return ((node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? []).filter(ts.isJSDoc);
}

function rawTags(c: Candidate): RawTag[] {
  const sf = c.sourceFile;
  return jsDocsOf(c.docHost).flatMap((doc) =>
    (doc.tags ?? []).map((t) => {
      const start = t.tagName.getEnd();
      const source = sf.text.slice(start, t.getEnd());
      const locate = (word: string, from: number) => {
        const re = new RegExp(`(?<![\\w$])${word.replace(/[$]/g, "\\$")}(?![\\w$])`, "g");
        re.lastIndex = from;
        const m = re.exec(source);
        return m ? { span: spanAt(sf, start + m.index, word.length), end: m.index + word.length } : undefined;
      };
      return { name: t.tagName.text, text: ts.getTextOfJSDocComment(t.comment) ?? "", span: spanOf(t.tagName, sf), locate };
    }),
  );
}

function functionFact(
  c: Candidate,
  parsed: ReturnType<typeof parseTags>,
  raw: readonly RawTag[],
  types: TypeTable,
  checker: ts.TypeChecker,
  problems: Diagnostic[],
  /** The catalog's files, for code hashes that cover the helpers a function calls; undefined: no hashes. */
  catalogFiles: ReadonlySet<string> | undefined,
): FunctionFact | undefined {
  const sf = c.sourceFile;
  const fnSpan = spanOf(c.nameNode, sf);
  let ok = true;
  if (c.fn.typeParameters && c.fn.typeParameters.length > 0) {
    problems.push(diagnostics.typeParameters(c.name, spanOf(c.fn.typeParameters[0]!, sf)));
    ok = false;
  }
  const params: ParamFact[] = [];
  c.fn.parameters.forEach((p, index) => {
    if (!ts.isIdentifier(p.name)) {
      problems.push(diagnostics.destructuredParameter(c.name, spanOf(p.name, sf)));
      ok = false;
      return;
    }
    const name = p.name.text;
    if (name === "this") return;
    if (p.dotDotDotToken) {
      problems.push(diagnostics.restParameter(c.name, name, spanOf(p, sf)));
      ok = false;
      return;
    }
    if (!p.type) {
      problems.push(diagnostics.untypedParameter(c.name, name, spanOf(p.name, sf)));
      ok = false;
      return;
    }
    const written = p.type.getText(sf);
    let type = types.info(checker.getTypeFromTypeNode(p.type), written);
    // With `?` or a default, the parameter also takes undefined (an optional input left out).
    if ((p.questionToken || p.initializer) && type.container === "none") {
      const signature = checker.getSignatureFromDeclaration(c.fn);
      const position = signature?.getParameters().findIndex((s) => s.valueDeclaration === p) ?? -1;
      // The type callers see (`T | undefined`): TypeScript's checker has it, its public typings do not.
      const callers = checker as ts.TypeChecker & { getParameterType(signature: ts.Signature, index: number): ts.Type };
      if (signature && position >= 0) type = types.info(callers.getParameterType(signature, position), written);
    }
    params.push({ name, index, span: spanOf(p.name, sf), type });
  });
  if (!ok) return undefined;

  const signature = checker.getSignatureFromDeclaration(c.fn);
  const declared = signature ? checker.getReturnTypeOfSignature(signature) : checker.getAnyType();
  const awaited = checker.getAwaitedType(declared) ?? declared;
  const hasAsyncKeyword = (ts.getCombinedModifierFlags(c.fn) & ts.ModifierFlags.Async) !== 0;
  const isAsync = hasAsyncKeyword || awaited !== declared;
  let returnText: string | undefined;
  if (c.fn.type) {
    returnText = c.fn.type.getText(sf);
    const t = c.fn.type;
    if (isAsync && ts.isTypeReferenceNode(t) && t.typeName.getText(sf) === "Promise" && t.typeArguments?.length === 1)
      returnText = t.typeArguments[0]!.getText(sf);
  }
  const description = jsDocsOf(c.docHost)
    .map((d) => (ts.getTextOfJSDocComment(d.comment) ?? "").trim())
    .filter(Boolean)
    .join(" ")
    .split(/\n\s*\n/)[0]!
    .replace(/\s+/g, " ")
    .trim();
  const tags = raw.map((t) => ({ name: t.name, text: t.text.trim() }));
  const returns = types.info(awaited, returnText, c.fn);
  return {
    exportName: c.name,
    nodeName: stripSuffix(c.name),
    file: path.normalize(sf.fileName),
    span: fnSpan,
    params,
    returns,
    async: isAsync,
    description,
    conditions: parsed.conditions,
    extract: parsed.extract && { ...parsed.extract, row: extractedRow(returns, types) },
    checks: parsed.checks,
    fitted: parsed.fitted,
    fittedSpan: parsed.fittedSpan,
    ...(parsed.udf ? { udf: { span: parsed.udf } } : {}),
    tags,
    codeHash: catalogFiles ? codeHash(c, tags, checker, catalogFiles) : "",
  };
}

/** `age_mean__batch` → `age_mean`: the trailing `__suffix` names a variant, not a node. */
export function stripSuffix(name: string): string {
  const i = name.lastIndexOf("__");
  return i > 0 && i < name.length - 2 ? name.slice(0, i) : name;
}

/** The syntax tree of a node as text: kinds and the text of names and literals, nothing of layout or comments. */
function structure(node: ts.Node): string {
  const parts: string[] = [];
  const visit = (n: ts.Node): void => {
    parts.push(String(n.kind));
    if (
      ts.isIdentifier(n) ||
      ts.isPrivateIdentifier(n) ||
      ts.isLiteralExpression(n) ||
      ts.isTemplateMiddle(n) ||
      ts.isTemplateTail(n) ||
      ts.isTemplateHead(n)
    ) {
      parts.push(JSON.stringify(n.text));
    }
    parts.push("(");
    ts.forEachChild(n, visit);
    parts.push(")");
  };
  visit(node);
  return parts.join(" ");
}

/**
 * Hash of a function's code and signature, insensitive to whitespace and comments, that also
 * covers the catalog code it calls: private helpers and constants of catalog files (followed
 * transitively), so that changing a helper changes every feature that runs it.
 */
function codeHash(
  c: Candidate,
  tags: readonly { name: string; text: string }[],
  checker: ts.TypeChecker,
  catalogFiles: ReadonlySet<string>,
): string {
  const hash = crypto.createHash("sha256").update(c.name).update("\0").update(structure(c.fn));
  for (const text of referencedCatalogCode(c.fn, checker, catalogFiles)) hash.update("\0").update(text);
  return hash.update("\0").update(JSON.stringify(tags)).digest("hex").slice(0, 16);
}

/** The printed declarations of catalog-file symbols a function refers to, transitively, in a stable order. */
function referencedCatalogCode(root: ts.Node, checker: ts.TypeChecker, catalogFiles: ReadonlySet<string>): string[] {
  const seen = new Set<ts.Node>([root]);
  const texts: string[] = [];
  const queue: ts.Node[] = [root];
  while (queue.length > 0) {
    const node = queue.shift()!;
    const visit = (n: ts.Node): void => {
      if (ts.isIdentifier(n) && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) {
        let symbol = checker.getSymbolAtLocation(n);
        if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
        for (const decl of symbol?.declarations ?? []) {
          const sf = decl.getSourceFile();
          if (!catalogFiles.has(sf.fileName) || ts.isParameter(decl) || isInside(decl, root)) continue;
          const owner = ts.isVariableDeclaration(decl) ? decl.parent.parent : decl;
          if (
            seen.has(owner) ||
            !(
              ts.isFunctionDeclaration(owner) ||
              ts.isVariableStatement(owner) ||
              ts.isClassDeclaration(owner) ||
              ts.isEnumDeclaration(owner)
            )
          )
            continue;
          seen.add(owner);
          texts.push(structure(owner));
          queue.push(owner);
        }
      }
      ts.forEachChild(n, visit);
    };
    ts.forEachChild(node, visit);
  }
  return texts.sort();
}

function isInside(node: ts.Node, container: ts.Node): boolean {
  for (let n: ts.Node | undefined = node; n; n = n.parent) if (n === container) return true;
  return false;
}

function spanOf(node: ts.Node, sf: ts.SourceFile = node.getSourceFile()): Span {
  const start = node.getStart(sf);
  return spanAt(sf, start, node.getEnd() - start);
}

/** A position in a text that was not parsed; lines end where TypeScript ends them. */
function spanInText(file: string, text: string, start: number): Span {
  const lines = text.slice(0, start).split(/\r\n|[\r\n\u2028\u2029]/);
  return { file, line: lines.length, column: lines[lines.length - 1]!.length + 1, length: 1 };
}

function spanAt(sf: ts.SourceFile, start: number, length: number): Span {
  const { line, character } = sf.getLineAndCharacterOfPosition(start);
  return { file: path.normalize(sf.fileName), line: line + 1, column: character + 1, length: Math.max(1, length) };
}

function realpath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

/**
 * Holds the checker's types behind numeric refs and answers the validate phase's questions. The
 * analysis drops it when validation is done, and with it the TypeScript program: emission
 * works on plain data only.
 */
class TypeTable implements TypeOracle {
  private readonly list: ts.Type[] = [];
  private readonly refs = new Map<ts.Type, TypeRef>();
  private readonly fieldCache = new Map<TypeRef, FieldInfo[] | undefined>();
  private readonly fieldSpans = new Map<TypeRef, Map<string, Span>>();
  private readonly containerCache = new Map<ts.Symbol, TypeInfo["container"]>();

  constructor(private readonly checker: ts.TypeChecker) {}

  ref(type: ts.Type): TypeRef {
    let r = this.refs.get(type);
    if (r === undefined) {
      r = this.list.length;
      this.list.push(type);
      this.refs.set(type, r);
    }
    return r;
  }

  assignable(from: TypeRef, to: TypeRef): boolean {
    return this.checker.isTypeAssignableTo(this.list[from]!, this.list[to]!);
  }

  info(type: ts.Type, written?: string, enclosing?: ts.Node): TypeInfo {
    const container = this.containerOf(type);
    let element: TypeInfo | undefined;
    if (container !== "none") {
      const arg = this.checker.getTypeArguments(type as ts.TypeReference)[0] ?? type.aliasTypeArguments?.[0];
      element = arg ? this.info(arg, elementText(written)) : undefined;
    }
    const printable = isPrintable(this.checker, type, 0);
    const text = written ?? this.print(type, enclosing);
    const code = printable ? this.print(type) : undefined;
    return { ref: this.ref(type), text, container, element, scalar: scalarClass(type), printable, code };
  }

  fields(ref: TypeRef): FieldInfo[] | undefined {
    if (this.fieldCache.has(ref)) return this.fieldCache.get(ref);
    const type = this.list[ref]!;
    let result: FieldInfo[] | undefined;
    const spans = new Map<string, Span>();
    if (type.flags & ts.TypeFlags.Object || type.isIntersection()) {
      result = [];
      for (const symbol of this.checker.getPropertiesOfType(type)) {
        const decl = symbol.valueDeclaration ?? symbol.declarations?.[0];
        const fieldType = decl ? this.checker.getTypeOfSymbolAtLocation(symbol, decl) : this.checker.getTypeOfSymbol(symbol);
        const typeNode = decl && (ts.isPropertySignature(decl) || ts.isPropertyDeclaration(decl)) ? decl.type : undefined;
        const optional =
          (symbol.flags & ts.SymbolFlags.Optional) !== 0 || this.checker.isTypeAssignableTo(this.checker.getUndefinedType(), fieldType);
        // An optional field also holds undefined: its text is the type as read (`number | undefined`), not as written, when the two differ.
        const undefinedType = this.checker.getUndefinedType();
        const widened =
          typeNode !== undefined &&
          (symbol.flags & ts.SymbolFlags.Optional) !== 0 &&
          !this.checker.isTypeAssignableTo(undefinedType, this.checker.getTypeFromTypeNode(typeNode)) &&
          this.checker.isTypeAssignableTo(undefinedType, fieldType);
        result.push({ name: symbol.getName(), type: this.info(fieldType, widened ? undefined : typeNode?.getText()), optional });
        if (decl)
          spans.set(
            symbol.getName(),
            spanAt(decl.getSourceFile(), decl.getStart(), (ts.isPropertySignature(decl) ? decl.name : decl).getWidth()),
          );
      }
    }
    this.fieldCache.set(ref, result);
    this.fieldSpans.set(ref, spans);
    return result;
  }

  spanOfField(ref: TypeRef, name: string): Span | undefined {
    this.fields(ref);
    return this.fieldSpans.get(ref)?.get(name);
  }

  /** The run-time schema of a type, for the executors' input validation. */
  schema(ref: TypeRef, optional: boolean): ValueSchema {
    return runtimeSchema(this.checker, this.list[ref]!, (t) => this.containerOf(t), optional);
  }

  private containerOf(type: ts.Type): TypeInfo["container"] {
    const symbol = type.getSymbol();
    if (!symbol) return "none";
    let kind = this.containerCache.get(symbol);
    if (kind === undefined) {
      kind = "none";
      const name = symbol.getName();
      if (
        (name === "Column" || name === "Table") &&
        symbol.declarations?.some((d) => isRuntimeModule(d.getSourceFile().fileName, CONTAINERS_MODULE))
      ) {
        kind = name === "Column" ? "column" : "table";
      } else if (name === "Window" && symbol.declarations?.some((d) => isRuntimeModule(d.getSourceFile().fileName, WINDOW_MODULE)))
        kind = "window";
      this.containerCache.set(symbol, kind);
    }
    return kind;
  }

  private print(type: ts.Type, enclosing?: ts.Node): string {
    const text = this.checker.typeToString(
      type,
      enclosing,
      ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope,
    );
    // The checker prints a lone surrogate of a string literal type as it is; written to a UTF-8
    // file it would become U+FFFD, another type. Only a string literal can hold one: escaped there.
    return text.replace(/import\("[^"]*"\)\./g, "").replace(LONE_SURROGATE, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase()}`);
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** What `@extract` takes fields from: a returned Table's row, or the returned object itself (a Column has no fields to take). */
function extractedRow(value: TypeInfo, types: TypeTable): ExtractFact["row"] {
  const type = value.container === "table" ? value.element : value.container === "column" ? undefined : value;
  const fields = type && types.fields(type.ref);
  return type && fields ? { type, fields } : undefined;
}

/** isRuntimeModule's answers during one check. */
const runtimeFilesSeen = new Map<string, boolean>();
/**
 * Whether a file is the module `segments` of featc's runtime: its source (`runtime/….ts`) or the
 * types a packed featc exports (`dist/runtime/….d.ts`), of this featc or of another copy.
 */
function isRuntimeModule(fileName: string, segments: readonly string[]): boolean {
  const k = `${segments.join("/")}\0${fileName}`;
  let yes = runtimeFilesSeen.get(k);
  if (yes === undefined) {
    const source = `${segments.join("/")}.ts`;
    const types = `dist/${segments.join("/")}.d.ts`;
    const real = realpath(fileName);
    yes = real === realpath(packageFile(source)) || real === realpath(packageFile(types));
    // Another copy of featc: its package.json is above runtime/ (sources) or dist/runtime/ (packed types).
    const normal = fileName.replace(/\\/g, "/");
    const root = normal.endsWith(`/${types}`)
      ? normal.slice(0, -types.length)
      : normal.endsWith(`/${source}`)
        ? normal.slice(0, -source.length)
        : undefined;
    if (!yes && root !== undefined) {
      try {
        const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { name?: string };
        yes = pkg.name === "featc";
      } catch {
        yes = false;
      }
    }
    runtimeFilesSeen.set(k, yes);
  }
  return yes;
}

/** `Column<number>` → `number`, when the written text is a simple generic reference. */
function elementText(written: string | undefined): string | undefined {
  if (!written) return undefined;
  const m = /^[\w$.]+\s*<([\s\S]*)>$/.exec(written.trim());
  return m ? m[1]!.trim() : undefined;
}

const PRINTABLE_FLAGS =
  ts.TypeFlags.Number |
  ts.TypeFlags.NumberLiteral |
  ts.TypeFlags.String |
  ts.TypeFlags.StringLiteral |
  ts.TypeFlags.Boolean |
  ts.TypeFlags.BooleanLiteral |
  ts.TypeFlags.BigInt |
  ts.TypeFlags.BigIntLiteral |
  ts.TypeFlags.Null |
  ts.TypeFlags.Undefined |
  ts.TypeFlags.Void |
  ts.TypeFlags.Unknown |
  ts.TypeFlags.Any;

/** Primitive, literal, and arrays/tuples/unions of them: types that need no import to be named. */
function isPrintable(checker: ts.TypeChecker, type: ts.Type, depth: number): boolean {
  if (depth > 4) return false;
  if (type.aliasSymbol) return false;
  if (type.flags & PRINTABLE_FLAGS) return true;
  if (type.isUnion()) return type.types.every((t) => isPrintable(checker, t, depth + 1));
  if (checker.isArrayType(type) || checker.isTupleType(type)) {
    return checker.getTypeArguments(type as ts.TypeReference).every((t) => isPrintable(checker, t, depth + 1));
  }
  return false;
}
