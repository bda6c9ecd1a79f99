/**
 * `@window`: a feature that reduces the frame of each row of an entity.
 *
 *     /**
 *      * @window by=item_id order=day size=28 lag=1
 *      *\/
 *     export function units_mean_28d(units: Window<number>): number { return mean(units); }
 *
 * `by` names the node or input that groups rows into entities, `order` the number that orders
 * them; exactly one of `size=N` (the N rows before, a rows frame) or `range=R` (the rows whose
 * order key lies in `(t − lag − R, t − lag]`, in the key's own units); `lag=L` (default 0). The
 * tag is read with TypeScript's scanner, so every diagnostic points at its token. The body
 * `return <aggregate>(<param>)`, where the callee resolves through the type checker to one of the
 * runtime's aggregates, is recognised: targets compute it incrementally or translate it.
 */
import { ts } from "../typescript.js";
import { diagnostics, nearestName, type Diagnostic, type Span } from "../diagnostics.js";
import type { FunctionFact, TypeInfo, WindowAggregate, WindowFact, WindowFrameFact } from "../model.js";
import { isName, spanAt, tokensOf, type Token } from "./parameterize.js";

export const WINDOW_TAG = "window";

const KEYS = ["by", "order", "size", "range", "lag"] as const;
type Key = (typeof KEYS)[number];
const AGGREGATES: ReadonlySet<string> = new Set<WindowAggregate>(["sum", "mean", "count", "min", "max", "stddev", "first", "last"]);
/** The aggregates of a frame of any values; the others take numbers. */
const ANY_FRAME: ReadonlySet<WindowAggregate> = new Set<WindowAggregate>(["count", "first", "last"]);

/** What reading the tag needs of a candidate function (discover's candidate record fits). */
export interface WindowHost {
  readonly name: string;
  readonly fn: ts.SignatureDeclaration & { readonly body?: ts.Node };
  readonly docHost: ts.Node;
  readonly sourceFile: ts.SourceFile;
}

/** What reading the tag asks of discover's type table. */
export interface WindowTypes {
  /** Whether a file declares the runtime's `Window` and its aggregates. */
  isRuntimeWindow(fileName: string): boolean;
  /** The types a `by` key (any value) and an `order` key (a number) take. */
  readonly anyKey: TypeInfo;
  readonly numberKey: TypeInfo;
}

/**
 * Reads a function's `@window` tag and checks it against the function's `Window<T>` parameters;
 * returns the fact with its window (unchanged without the tag), or undefined when the function
 * cannot be a node (reported).
 */
export function readWindow(
  host: WindowHost,
  fact: FunctionFact,
  checker: ts.TypeChecker,
  types: WindowTypes,
  problems: Diagnostic[],
): FunctionFact | undefined {
  const tags = windowTags(host);
  const windowParams = fact.params.filter((p) => p.type.container === "window");
  if (tags.length === 0) {
    for (const p of windowParams) problems.push(diagnostics.frameWithoutWindow(p.name, p.type.text, host.name, p.span));
    return windowParams.length > 0 ? undefined : fact;
  }
  const sf = host.sourceFile;
  if (tags.length > 1) {
    problems.push(diagnostics.windowTwice(host.name, tagSpan(sf, tags[1]!)));
    return undefined;
  }
  const parsed = parseWindowTag(host, tags[0]!, types, problems);
  if (!parsed) return undefined;
  if (windowParams.length === 0) {
    problems.push(diagnostics.windowWithoutFrame(host.name, parsed.span));
    return undefined;
  }
  let ok = true;
  for (const p of windowParams) {
    if (p.type.element?.scalar === undefined || p.type.element.scalar === "other") {
      problems.push(diagnostics.frameElementUnsupported(p.name, p.type.text, host.name, p.span));
      ok = false;
    }
  }
  if (!ok) return undefined;
  const { aggregate, argument } = aggregateOf(host, checker, types.isRuntimeWindow, new Set(windowParams.map((p) => p.name)));
  if (aggregate && !ANY_FRAME.has(aggregate.name)) {
    const framed = windowParams.find((p) => p.name === aggregate.param)!;
    if (framed.type.element!.scalar !== "number") {
      problems.push(
        diagnostics.aggregateNotNumbers(
          aggregate.name,
          framed.name,
          framed.type.text,
          host.name,
          spanAt(host.sourceFile, argument!.getStart(host.sourceFile), argument!.getEnd()),
        ),
      );
      return undefined;
    }
  }
  return { ...fact, window: { ...parsed, aggregate } };
}

/** Whether a JSDoc tag is `@window` (its text is read here, not by the generic tag parser). */
export function isWindowTag(tag: { readonly name: string }): boolean {
  return tag.name === WINDOW_TAG;
}

function windowTags(host: WindowHost): ts.JSDocTag[] {
  const docs = ((host.docHost as { jsDoc?: ts.JSDoc[] }).jsDoc ?? []).filter(ts.isJSDoc);
  return docs.flatMap((d) => (d.tags ?? []).filter((t) => t.tagName.text === WINDOW_TAG));
}

function tagSpan(sf: ts.SourceFile, tag: ts.JSDocTag): Span {
  return spanAt(sf, tag.tagName.getStart(sf) - 1, tag.tagName.getEnd());
}

interface Assignment {
  readonly key: Token;
  readonly value: Token;
  /** A number's value (with its sign); undefined for a name. */
  readonly number?: number;
  /** The value as written. */
  readonly text: string;
  readonly valueSpan: Span;
}

/** Parses `key=value …`; every problem is reported at its token. */
function parseWindowTag(
  host: WindowHost,
  tag: ts.JSDocTag,
  types: WindowTypes,
  problems: Diagnostic[],
): Omit<WindowFact, "aggregate"> | undefined {
  const sf = host.sourceFile;
  const span = tagSpan(sf, tag);
  const report = (message: string, at: Span) => {
    problems.push(diagnostics.windowSyntax(message, host.name, at));
    return undefined;
  };
  const { tokens, error } = tokensOf(sf, tag);
  if (error) return report(error.message, spanAt(sf, error.start, error.start + 1));
  const at = (t: Token) => spanAt(sf, t.start, t.end);
  const given = new Map<Key, Assignment>();
  for (let i = 0; i < tokens.length;) {
    const key = tokens[i++]!;
    if (!isName(key)) return report(`a key expected, got '${key.text}'`, at(key));
    const eq = tokens[i++];
    if (eq?.kind !== ts.SyntaxKind.EqualsToken || eq.start !== key.end)
      return report(`'=' expected right after '${key.text}'`, at(eq ?? key));
    let value = tokens[i++];
    if (!value || value.start !== eq.end) return report(`a value expected right after '${key.text}='`, at(value ?? eq));
    let sign = 1;
    const first = value;
    if (value.kind === ts.SyntaxKind.MinusToken) {
      const n = tokens[i++];
      if (n?.kind !== ts.SyntaxKind.NumericLiteral || n.start !== value.end) return report(`a number expected after '-'`, at(n ?? value));
      sign = -1;
      value = n;
    }
    if (!(KEYS as readonly string[]).includes(key.text)) {
      const near = nearestName(key.text, KEYS);
      return report(`unknown key '${key.text}'${near ? `. Did you mean '${near}'?` : ` (keys: ${KEYS.join(", ")})`}`, at(key));
    }
    const name = key.text as Key;
    if (given.has(name)) return report(`'${name}' given twice`, at(key));
    const valueSpan = spanAt(sf, first.start, value.end);
    const number = value.kind === ts.SyntaxKind.NumericLiteral ? sign * Number(value.text) : undefined;
    given.set(name, { key, value, number, text: sf.text.slice(first.start, value.end), valueSpan });
  }
  for (const key of ["by", "order"] as const) {
    const a = given.get(key);
    if (!a)
      return report(
        `'${key}=' is missing: ${key === "by" ? "the node or input that groups rows into entities" : "the number that orders an entity's rows"}`,
        span,
      );
    if (!isName(a.value) || a.number !== undefined) return report(`'${key}' names a node or an input, got '${a.text}'`, a.valueSpan);
  }
  const size = given.get("size");
  const range = given.get("range");
  if (size && range)
    return report(`'size' and 'range' together: a frame counts rows (size) or spans the order key (range), not both`, at(range.key));
  if (!size && !range)
    return report(`the frame is missing: 'size=N' (the N rows before) or 'range=R' (the order-key interval before)`, span);
  const kind = size ? "rows" : "range";
  const extent = (size ?? range)!;
  const whole = kind === "rows";
  if (
    extent.number === undefined ||
    !(extent.number > 0) ||
    !Number.isFinite(extent.number) ||
    (whole && !Number.isSafeInteger(extent.number))
  ) {
    return report(
      `'${extent.key.text}' must be a positive ${whole ? "integer (a number of rows)" : "number (in the order key's units)"}, got '${extent.text}'`,
      extent.valueSpan,
    );
  }
  const lagGiven = given.get("lag");
  const lag = lagGiven ? lagGiven.number : 0;
  if (lag === undefined || !(lag >= 0) || !Number.isFinite(lag) || (whole && !Number.isSafeInteger(lag))) {
    return report(
      `'lag' must be a non-negative ${whole ? "integer (rows)" : "number (in the order key's units)"}, got '${lagGiven!.text}'`,
      lagGiven!.valueSpan,
    );
  }
  const frame: WindowFrameFact = { kind, size: extent.number, lag };
  const by = given.get("by")!;
  const order = given.get("order")!;
  const text = `by=${by.value.text} order=${order.value.text} ${whole ? "size" : "range"}=${frame.size} lag=${frame.lag}`;
  return {
    by: { name: by.value.text, span: by.valueSpan, type: types.anyKey },
    order: { name: order.value.text, span: order.valueSpan, type: types.numberKey },
    frame,
    text,
    span,
  };
}

/**
 * The recognised aggregate of a body that is exactly `return f(p)` (or `=> f(p)`), where `f`
 * resolves through the checker to one of the runtime's aggregates and `p` is a Window parameter;
 * with the argument `p`, where a diagnostic about it points.
 */
function aggregateOf(
  host: WindowHost,
  checker: ts.TypeChecker,
  isRuntimeWindow: (fileName: string) => boolean,
  windowParams: ReadonlySet<string>,
): { aggregate?: WindowFact["aggregate"]; argument?: ts.Node } {
  const body = host.fn.body;
  let returned: ts.Expression | undefined;
  if (body && ts.isBlock(body)) {
    const only = body.statements.length === 1 ? body.statements[0] : undefined;
    returned = only && ts.isReturnStatement(only) ? only.expression : undefined;
  } else if (body && ts.isExpression(body)) returned = body;
  while (returned && ts.isParenthesizedExpression(returned)) returned = returned.expression;
  if (!returned || !ts.isCallExpression(returned) || returned.arguments.length !== 1 || !ts.isIdentifier(returned.expression)) return {};
  const arg = returned.arguments[0]!;
  if (!ts.isIdentifier(arg) || !windowParams.has(arg.text)) return {};
  const argSymbol = checker.getSymbolAtLocation(arg);
  if (!argSymbol?.valueDeclaration || !ts.isParameter(argSymbol.valueDeclaration) || argSymbol.valueDeclaration.parent !== host.fn)
    return {};
  let callee = checker.getSymbolAtLocation(returned.expression);
  if (callee && callee.flags & ts.SymbolFlags.Alias) callee = checker.getAliasedSymbol(callee);
  const decl = callee?.valueDeclaration;
  if (!callee || !decl || !AGGREGATES.has(callee.getName()) || !isRuntimeWindow(decl.getSourceFile().fileName)) return {};
  return { aggregate: { name: callee.getName() as WindowAggregate, param: arg.text }, argument: arg };
}
