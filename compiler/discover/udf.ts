/**
 * The JavaScript of a `@udf` function, for engines that run it themselves (BigQuery's JavaScript
 * UDFs, ClickHouse's executable UDFs): the function and every catalog declaration it reaches —
 * private helpers, other features, module-level constants — found through the type checker,
 * each transpiled by the compiler's TypeScript, dependencies first. A name the engine cannot
 * have (an import from a package, a mutable module variable) stops it with the construct.
 * DuckDB needs none of this: its UDF is the catalog's own compiled function, imported.
 */
import path from "node:path";
import type { Span } from "../diagnostics.js";
import type { UdfSource, Untranslatable } from "../shapes/sql/ir.js";
import { ts } from "../typescript.js";

type FunctionLike = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression;

/** A top-level declaration the UDF carries: a function, or one `const` of a variable statement. */
interface Carried {
  readonly name: string;
  readonly node: ts.Node;
  readonly statement: ts.Statement;
}

class NotPortable extends Error {
  constructor(readonly problem: Untranslatable) {
    super(problem.reason);
  }
}

function spanOf(node: ts.Node): Span {
  const sf = node.getSourceFile();
  const start = node.getStart(sf);
  const { line, character } = sf.getLineAndCharacterOfPosition(start);
  return { file: path.normalize(sf.fileName), line: line + 1, column: character + 1, length: Math.max(1, node.getEnd() - start) };
}

function stop(node: ts.Node, reason: string): never {
  const text = node.getText(node.getSourceFile()).replace(/\s+/g, " ");
  throw new NotPortable({ construct: text.length > 40 ? `${text.slice(0, 37)}...` : text, reason, span: spanOf(node) });
}

/** Whether `node` is a name in a type position, a property name or a declaration's own name: no free reference. */
function isFreeReference(id: ts.Identifier): boolean {
  const parent = id.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === id) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent)) && parent.name === id)
    return false;
  for (let n: ts.Node = id; n && !ts.isSourceFile(n); n = n.parent)
    if (ts.isTypeNode(n) && !ts.isExpressionWithTypeArguments(n)) return false;
  return !ts.isTypeQueryNode(parent);
}

/** The top-level declaration a symbol names, when it is one of the catalog's. */
function topLevel(decl: ts.Declaration): Carried | undefined {
  if (ts.isFunctionDeclaration(decl) && decl.name && ts.isSourceFile(decl.parent))
    return { name: decl.name.text, node: decl, statement: decl };
  if (ts.isVariableDeclaration(decl) && ts.isIdentifier(decl.name)) {
    const statement = decl.parent.parent;
    if (ts.isVariableStatement(statement) && ts.isSourceFile(statement.parent)) return { name: decl.name.text, node: decl, statement };
  }
  return undefined;
}

/** The statement's text without `export`, transpiled to JavaScript by the compiler's TypeScript. */
function transpiled(c: Carried): string {
  const sf = c.statement.getSourceFile();
  const exported = ts.canHaveModifiers(c.statement)
    ? ts.getModifiers(c.statement)?.find((m) => m.kind === ts.SyntaxKind.ExportKeyword)
    : undefined;
  let text = sf.text.slice(exported ? exported.getEnd() : c.statement.getStart(sf), c.statement.getEnd()).trim();
  if (ts.isVariableStatement(c.statement) && c.statement.declarationList.declarations.length > 1)
    text = `const ${sf.text.slice((c.node as ts.VariableDeclaration).getStart(sf), c.node.getEnd())};`;
  const out = ts.transpileModule(text, {
    compilerOptions: {
      target: ts.ScriptTarget.ES2020,
      module: ts.ModuleKind.ESNext,
      removeComments: true,
      newLine: ts.NewLineKind.LineFeed,
      // One "use strict" for the whole copy, written by the engine's wrapper.
      alwaysStrict: false,
    },
    reportDiagnostics: false,
  });
  return out.outputText.trim();
}

/**
 * The JavaScript of `fn` (the `@udf` function named `name`) and of what it reaches in the
 * catalog, or the first construct an engine cannot run.
 */
export function udfSource(fn: FunctionLike, name: string, program: ts.Program, catalogFiles: ReadonlySet<string>): UdfSource {
  const checker = program.getTypeChecker();
  const carried = new Map<ts.Node, Carried>();
  const order: Carried[] = [];
  const names = new Map<string, ts.Node>();
  const visit = (c: Carried, root: ts.Node) => {
    if (carried.has(c.node)) return;
    const other = names.get(c.name);
    if (other && other !== c.node) stop(c.node, `another declaration '${c.name}' reached by the same UDF has this name`);
    carried.set(c.node, c);
    names.set(c.name, c.node);
    if (ts.isVariableDeclaration(c.node) && !(c.node.parent.flags & ts.NodeFlags.Const))
      stop(c.node, "a module-level variable that is not const: a UDF cannot share state");
    const walk = (n: ts.Node): void => {
      if (ts.isIdentifier(n) && isFreeReference(n)) reference(n, root);
      ts.forEachChild(n, walk);
    };
    walk(c.node);
    order.push(c);
  };
  const reference = (id: ts.Identifier, root: ts.Node) => {
    let symbol = checker.getSymbolAtLocation(id);
    if (!symbol) return;
    const viaImport = (symbol.flags & ts.SymbolFlags.Alias) !== 0;
    if (viaImport) symbol = checker.getAliasedSymbol(symbol);
    const decl = symbol.declarations?.[0];
    if (!decl) return;
    const file = decl.getSourceFile();
    if (program.isSourceFileDefaultLibrary(file)) return;
    // Parameters and locals of the carried declarations themselves.
    for (let n: ts.Node = decl; n && !ts.isSourceFile(n); n = n.parent) if (carried.has(n) || n === root) return;
    if (!(symbol.flags & ts.SymbolFlags.Value)) return;
    const top = topLevel(decl);
    if (!catalogFiles.has(file.fileName) || !top)
      stop(
        id,
        viaImport
          ? `'${id.text}' is imported from outside the catalog, which an engine's UDF cannot load`
          : `'${id.text}' is neither a function nor a const declared at the top of a catalog file, which is all a UDF's copy carries`,
      );
    visit(top, top.node);
  };
  try {
    const statement = ts.isFunctionDeclaration(fn) ? fn : fn.parent.parent.parent;
    if ((ts.getCombinedModifierFlags(fn) & ts.ModifierFlags.Async) !== 0)
      stop(fn, "an async function: an engine calls a UDF per row and waits for nothing");
    const self = ts.isFunctionDeclaration(fn) ? fn : (fn.parent as ts.VariableDeclaration);
    visit({ name, node: self, statement: statement as ts.Statement }, self);
    return { ok: true, js: order.map(transpiled).join("\n") };
  } catch (e) {
    if (e instanceof NotPortable) return { ok: false, problem: e.problem };
    throw e;
  }
}
