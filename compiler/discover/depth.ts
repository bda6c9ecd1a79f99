/**
 * TypeScript's parser and checker, and featc's own passes over a syntax tree, recurse once per
 * level of nesting; a few thousand levels (a feature body nesting 5,000 parentheses, a type
 * nesting object literals) exhaust the stack. Before a catalog file is parsed, its tokens are
 * counted for bracket depth, without recursion; after it is parsed, the depth of its tree is
 * measured, again without recursion. A file past either bound is reported (FC1014) at the
 * construct that goes too deep and is not analysed further. Real code stays far below both.
 */
import { ts } from "../typescript.js";

/** Brackets, braces and template substitutions open at once: the parser recurses on each. */
export const MAX_BRACKET_DEPTH = 200;
/** Levels of the syntax tree, below the source file. */
export const MAX_TREE_DEPTH = 400;

/** Tokens after which `/` divides; anywhere else it starts a regular expression. */
const ENDS_EXPRESSION = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.Identifier,
  ts.SyntaxKind.PrivateIdentifier,
  ts.SyntaxKind.NumericLiteral,
  ts.SyntaxKind.BigIntLiteral,
  ts.SyntaxKind.StringLiteral,
  ts.SyntaxKind.NoSubstitutionTemplateLiteral,
  ts.SyntaxKind.TemplateTail,
  ts.SyntaxKind.RegularExpressionLiteral,
  ts.SyntaxKind.CloseParenToken,
  ts.SyntaxKind.CloseBracketToken,
  ts.SyntaxKind.CloseBraceToken,
  ts.SyntaxKind.PlusPlusToken,
  ts.SyntaxKind.MinusMinusToken,
  ts.SyntaxKind.ThisKeyword,
  ts.SyntaxKind.SuperKeyword,
  ts.SyntaxKind.TrueKeyword,
  ts.SyntaxKind.FalseKeyword,
  ts.SyntaxKind.NullKeyword,
]);

/** The offset of the first bracket opened past MAX_BRACKET_DEPTH, if any. */
export function tooDeepBrackets(text: string, variant: ts.LanguageVariant): number | undefined {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, variant, text);
  const open: ts.SyntaxKind[] = [];
  let previous = ts.SyntaxKind.Unknown;
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; previous = token, token = scanner.scan()) {
    if ((token === ts.SyntaxKind.SlashToken || token === ts.SyntaxKind.SlashEqualsToken) && !ENDS_EXPRESSION.has(previous))
      token = scanner.reScanSlashToken();
    switch (token) {
      case ts.SyntaxKind.OpenParenToken:
      case ts.SyntaxKind.OpenBracketToken:
      case ts.SyntaxKind.OpenBraceToken:
      case ts.SyntaxKind.TemplateHead:
        open.push(token);
        if (open.length > MAX_BRACKET_DEPTH) return scanner.getTokenStart();
        break;
      case ts.SyntaxKind.CloseBraceToken:
        if (open[open.length - 1] === ts.SyntaxKind.TemplateHead) {
          // The `}` closing a `${…}` continues the template: its middle keeps it open, its tail closes it.
          token = scanner.reScanTemplateToken(false);
          if (token === ts.SyntaxKind.TemplateTail) open.pop();
        } else open.pop();
        break;
      case ts.SyntaxKind.CloseParenToken:
      case ts.SyntaxKind.CloseBracketToken:
        open.pop();
        break;
    }
  }
  return undefined;
}

/** The first node nested deeper than MAX_TREE_DEPTH below its file, if any. */
export function tooDeepNode(sf: ts.SourceFile): ts.Node | undefined {
  const pending: { node: ts.Node; depth: number }[] = [{ node: sf, depth: 0 }];
  while (pending.length > 0) {
    const { node, depth } = pending.pop()!;
    if (depth > MAX_TREE_DEPTH) return node;
    node.forEachChild((child) => {
      pending.push({ node: child, depth: depth + 1 });
    });
  }
  return undefined;
}
