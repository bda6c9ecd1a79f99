/**
 * `@parameterize`: one exported function becomes several nodes.
 *
 *     /**
 *      * @parameterize store_id_encoded(value=store_id, vocab=store_vocab)
 *      * @parameterize is_heavy(threshold=80)
 *      *\/
 *
 * Each tag names a node and binds some of the function's parameters: to another node or input
 * (an identifier), or to a constant (a JSON number, string or boolean). Unlisted parameters keep
 * their names. The function's own name is then not a node. The tag is read with TypeScript's
 * scanner over the comment's source, so every token keeps its exact position for diagnostics, and
 * a literal is checked against its parameter's type by the type checker.
 *
 * Also here: an exported `const` whose value is a function made by a call (`export const
 * is_heavy = _flag(80)`) cannot be read statically; it is reported where it is declared, with
 * the way to write it instead.
 */
import crypto from "node:crypto";
import path from "node:path";
import { ts } from "../typescript.js";
import { diagnostics, editDistance, type Diagnostic, type ParameterizeSyntax, type Span } from "../diagnostics.js";
import type { FunctionFact, LiteralBinding, ParamFact } from "../model.js";

export const PARAMETERIZE_TAG = "parameterize";

/** What expansion needs of a candidate function (discover's own candidate record fits). */
export interface ParameterizeHost {
  readonly name: string;
  readonly fn: ts.SignatureDeclaration;
  /** The node that carries the JSDoc. */
  readonly docHost: ts.Node;
  readonly sourceFile: ts.SourceFile;
}

/** A token of a tag's text, with its offsets in the source file. */
export interface Token {
  readonly kind: ts.SyntaxKind;
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

type Value = { readonly kind: "name"; readonly name: string } | { readonly kind: "literal"; readonly value: string | number | boolean };

interface Binding {
  readonly param: Token;
  readonly value: Value;
  /** The tokens of the value (a literal may be `-` and a number). */
  readonly valueSpan: Span;
}

interface ParsedTag {
  readonly node: Token;
  readonly bindings: readonly Binding[];
}

/**
 * The nodes a function's `@parameterize` tags make from its fact (the fact itself when it has
 * none). Problems with a tag are reported at the tag; a tag with a problem makes no node.
 */
export function expandParameterize(
  host: ParameterizeHost,
  fact: FunctionFact,
  checker: ts.TypeChecker,
  problems: Diagnostic[],
): FunctionFact[] {
  const tags = parameterizeTags(host);
  if (tags.length === 0) return [fact];
  const out: FunctionFact[] = [];
  for (const tag of tags) {
    const parsed = parseTag(host, tag, problems);
    if (!parsed) continue;
    const made = bind(host, fact, parsed, checker, problems);
    if (made) out.push(made);
  }
  return out;
}

/** Whether a JSDoc tag is `@parameterize` (its text is read here, not by the generic tag parser). */
export function isParameterizeTag(tag: { readonly name: string }): boolean {
  return tag.name === PARAMETERIZE_TAG;
}

function parameterizeTags(host: ParameterizeHost): ts.JSDocTag[] {
  const docs = ((host.docHost as { jsDoc?: ts.JSDoc[] }).jsDoc ?? []).filter(ts.isJSDoc);
  return docs.flatMap((d) => (d.tags ?? []).filter((t) => t.tagName.text === PARAMETERIZE_TAG));
}

/** The tokens of a tag's text, read from the comment's source; a `*` that starts a comment line is skipped. */
export function tokensOf(sf: ts.SourceFile, tag: ts.JSDocTag): { tokens: Token[]; error?: { message: string; start: number } } {
  const start = tag.tagName.getEnd();
  let error: { message: string; start: number } | undefined;
  const scanner = ts.createScanner(
    ts.ScriptTarget.Latest,
    true,
    ts.LanguageVariant.Standard,
    sf.text,
    (message, length) => {
      error ??= { message: ts.flattenDiagnosticMessageText(message.message, " "), start: scanner.getTokenEnd() - (length ?? 0) };
    },
    start,
    tag.getEnd() - start,
  );
  const tokens: Token[] = [];
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.AsteriskToken && scanner.hasPrecedingLineBreak()) continue;
    tokens.push({ kind, text: scanner.getTokenText(), start: scanner.getTokenStart(), end: scanner.getTokenEnd() });
  }
  return { tokens, error };
}

export function spanAt(sf: ts.SourceFile, start: number, end: number): Span {
  const { line, character } = sf.getLineAndCharacterOfPosition(start);
  return { file: path.normalize(sf.fileName), line: line + 1, column: character + 1, length: Math.max(1, end - start) };
}

/** Parses `node(param=value, …)`; reports the first problem at its token. */
function parseTag(host: ParameterizeHost, tag: ts.JSDocTag, problems: Diagnostic[]): ParsedTag | undefined {
  const sf = host.sourceFile;
  const tagSpan = spanAt(sf, tag.tagName.getStart(sf) - 1, tag.tagName.getEnd());
  const { tokens, error } = tokensOf(sf, tag);
  const bad = (problem: ParameterizeSyntax, at?: Token) => {
    problems.push(diagnostics.parameterizeSyntax(problem, host.name, at ? spanAt(sf, at.start, at.end) : tagSpan));
    return undefined;
  };
  if (error) {
    problems.push(diagnostics.parameterizeScan(error.message, host.name, spanAt(sf, error.start, error.start + 1)));
    return undefined;
  }
  let i = 0;
  const next = (): Token | undefined => tokens[i++];
  const node = next();
  if (!node) return bad({ kind: "missingNode" });
  if (!isName(node)) return bad({ kind: "notANodeName", text: node.text }, node);
  if (node.text.startsWith("_")) return bad({ kind: "privateNode", text: node.text }, node);
  const open = next();
  if (open?.kind !== ts.SyntaxKind.OpenParenToken)
    return bad({ kind: "expected", what: "(", after: node.text, got: open?.text }, open ?? node);
  const bindings: Binding[] = [];
  for (;;) {
    let t = next();
    if (t?.kind === ts.SyntaxKind.CloseParenToken) break;
    if (!t) return bad({ kind: "expected", what: ")" }, tokens[i - 2]);
    if (!isName(t)) return bad({ kind: "expected", what: "a parameter name", got: t.text }, t);
    const param = t;
    t = next();
    if (t?.kind !== ts.SyntaxKind.EqualsToken) return bad({ kind: "expected", what: "=", after: param.text }, t ?? param);
    const first = next();
    if (!first) return bad({ kind: "expected", what: "a value", after: param.text }, t);
    let value: Value | undefined;
    let last = first;
    if (first.kind === ts.SyntaxKind.TrueKeyword || first.kind === ts.SyntaxKind.FalseKeyword)
      value = { kind: "literal", value: first.kind === ts.SyntaxKind.TrueKeyword };
    else if (first.kind === ts.SyntaxKind.NullKeyword || (first.kind === ts.SyntaxKind.Identifier && first.text === "undefined"))
      return bad({ kind: "nullish", text: first.text }, first);
    else if (isName(first)) value = { kind: "name", name: first.text };
    else {
      if (first.kind === ts.SyntaxKind.MinusToken) {
        const n = next();
        if (n?.kind !== ts.SyntaxKind.NumericLiteral || n.start !== first.end)
          return bad({ kind: "expected", what: "a number", after: "-" }, n ?? first);
        last = n;
      }
      const text = sf.text.slice(first.start, last.end);
      const json = jsonLiteral(text);
      if (json === undefined) return bad({ kind: "notAValue", text }, { ...first, end: last.end });
      value = { kind: "literal", value: json };
    }
    bindings.push({ param, value, valueSpan: spanAt(sf, first.start, last.end) });
    t = next();
    if (t?.kind === ts.SyntaxKind.CloseParenToken) break;
    if (t?.kind !== ts.SyntaxKind.CommaToken)
      return bad(t ? { kind: "expected", what: ",", got: t.text } : { kind: "expected", what: ")" }, t ?? last);
  }
  const rest = tokens[i];
  if (rest) return bad({ kind: "trailing", text: rest.text }, rest);
  return { node, bindings };
}

export function isName(t: Token): boolean {
  if (t.kind === ts.SyntaxKind.TrueKeyword || t.kind === ts.SyntaxKind.FalseKeyword || t.kind === ts.SyntaxKind.NullKeyword) return false;
  return t.kind === ts.SyntaxKind.Identifier || (t.kind >= ts.SyntaxKind.FirstKeyword && t.kind <= ts.SyntaxKind.LastKeyword);
}

/** A JSON number or string (JSON's own grammar decides), or undefined. */
function jsonLiteral(text: string): string | number | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "number" || typeof v === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The node one parsed tag makes, or undefined when a binding is wrong (reported). */
function bind(
  host: ParameterizeHost,
  fact: FunctionFact,
  tag: ParsedTag,
  checker: ts.TypeChecker,
  problems: Diagnostic[],
): FunctionFact | undefined {
  const sf = host.sourceFile;
  const byName = new Map(fact.params.map((p) => [p.name, p]));
  const bound = new Map<string, Binding>();
  let ok = true;
  for (const b of tag.bindings) {
    const name = b.param.text;
    const span = spanAt(sf, b.param.start, b.param.end);
    const param = byName.get(name);
    if (!param) {
      const names = fact.params.map((p) => p.name);
      const near = names
        .filter((n) => editDistance(n, name) <= Math.max(1, Math.floor(name.length / 3)))
        .sort((a, b) => editDistance(a, name) - editDistance(b, name))[0];
      problems.push(diagnostics.parameterizeUnknownParameter(tag.node.text, name, host.name, names, near, span));
      ok = false;
      continue;
    }
    if (bound.has(name)) {
      problems.push(diagnostics.parameterizeBindsTwice(tag.node.text, name, span));
      ok = false;
      continue;
    }
    bound.set(name, b);
    if (b.value.kind === "literal" && !literalFits(host, param, b.value.value, checker)) {
      problems.push(diagnostics.literalMismatch(tag.node.text, name, param.type.text, JSON.stringify(b.value.value), b.valueSpan));
      ok = false;
    }
  }
  if (!ok) return undefined;
  const literals: LiteralBinding[] = [];
  const params: ParamFact[] = [];
  for (const p of fact.params) {
    const b = bound.get(p.name);
    if (!b) params.push(p);
    else if (b.value.kind === "literal") literals.push({ param: p.name, index: p.index, value: b.value.value });
    else params.push({ ...p, binds: b.value.name, span: b.valueSpan });
  }
  const text = `${tag.node.text}(${tag.bindings.map((b) => `${b.param.text}=${b.value.kind === "name" ? b.value.name : JSON.stringify(b.value.value)}`).join(", ")})`;
  return {
    ...fact,
    nodeName: tag.node.text,
    span: spanAt(sf, tag.node.start, tag.node.end),
    params,
    tags: [...fact.tags, { name: PARAMETERIZE_TAG, text }],
    codeHash:
      fact.codeHash === "" ? "" : crypto.createHash("sha256").update(fact.codeHash).update("\0").update(text).digest("hex").slice(0, 16),
    parameterized: { text, literals },
  };
}

/** Whether the literal's type is assignable to the parameter's declared type. */
function literalFits(host: ParameterizeHost, param: ParamFact, value: string | number | boolean, checker: ts.TypeChecker): boolean {
  const decl = host.fn.parameters[param.index];
  if (!decl?.type) return false;
  const literalType =
    typeof value === "number"
      ? checker.getNumberLiteralType(value)
      : typeof value === "string"
        ? checker.getStringLiteralType(value)
        : value
          ? checker.getTrueType()
          : checker.getFalseType();
  return checker.isTypeAssignableTo(literalType, checker.getTypeFromTypeNode(decl.type));
}

/**
 * Exported `const`s of a file whose value is a function made by a call (`export const is_heavy
 * = _flag(80)`): featc cannot read such a function's parameters statically, so it is no node —
 * reported at the const, with `@parameterize` as the way to write it.
 */
export function functionsMadeByCalls(sf: ts.SourceFile, checker: ts.TypeChecker): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st) || (ts.getCombinedModifierFlags(st as unknown as ts.Declaration) & ts.ModifierFlags.Export) === 0)
      continue;
    for (const decl of st.declarationList.declarations) {
      let init = decl.initializer;
      while (
        init &&
        (ts.isParenthesizedExpression(init) || ts.isSatisfiesExpression(init) || ts.isAsExpression(init) || ts.isNonNullExpression(init))
      )
        init = init.expression;
      if (!init || !ts.isCallExpression(init) || !ts.isIdentifier(decl.name) || decl.name.text.startsWith("_")) continue;
      if (checker.getTypeAtLocation(decl.name).getCallSignatures().length === 0) continue;
      out.push(madeByCall(decl.name.text, init, sf, checker, spanAt(sf, decl.name.getStart(sf), decl.name.getEnd())));
    }
  }
  return out;
}

/** FC1005 for `export const name = callee(args)`, with the binding the call's arguments make. */
function madeByCall(name: string, call: ts.CallExpression, sf: ts.SourceFile, checker: ts.TypeChecker, span: Span): Diagnostic {
  const params = checker.getResolvedSignature(call)?.getParameters() ?? [];
  const bindings =
    call.arguments.length <= params.length ? call.arguments.map((a, i) => `${params[i]!.getName()}=${a.getText(sf)}`).join(", ") : "…";
  return diagnostics.functionMadeByCall(
    name,
    call.expression.getText(sf),
    params.map((p) => p.getName()),
    bindings,
    span,
  );
}
