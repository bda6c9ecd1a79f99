/**
 * Every diagnostic featc can report, written once. Each message has one named constructor under
 * its stable code, so the wording lives here and a call site says what it found
 * (`extractCollides(…)`), not how to phrase it. Phases collect diagnostics and never throw them.
 */
import { DEFAULT_CONFIG_NAME } from "./config-name.js";

export type Severity = "error" | "warning";

/** A position in a source file: `file` is absolute; line and column are 1-based. */
export interface Span {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Length of the offending text in characters, for the code frame underline. */
  readonly length: number;
}

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  /** The message as a person reads it: `wording` with its targets named. */
  readonly message: string;
  /**
   * The targets the finding holds in: none for a finding about the config or the catalog as a
   * whole, one as a phase reports it, several once one finding is merged across them.
   */
  readonly targets: readonly string[];
  /** The message's text around the places that name `targets` (a single part when it names none). */
  readonly wording: readonly string[];
  readonly span?: Span;
}

export const DIAGNOSTIC_CODES = {
  FC1001: "unknown dependency",
  FC1002: "cycle",
  FC1003: "more than one producer",
  FC1004: "type mismatch",
  FC1005: "unsupported signature",
  FC1006: "malformed or unknown tag",
  FC1007: "unknown output",
  FC1008: "bad extract",
  FC1009: "aggregate in an online target",
  FC1010: "config error",
  FC1011: "TypeScript error in the catalog",
  FC1012: "build output error",
  FC1013: "no SQL translation",
  FC1014: "construct too deep to analyse",
  FC1015: "cannot run as an engine UDF",
  FC1099: "internal error",
  FC2001: "unused input",
  FC2002: "variant no target selects",
  FC2003: "target with no features",
  FC2004: "build output notice",
  FC2005: "check a SQL target does not run",
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** Where a message names the targets its finding holds in. */
const TARGETS: unique symbol = Symbol("targets");
type Piece = string | number | typeof TARGETS;

/** A message as the text between the places that name its targets. */
function worded(strings: TemplateStringsArray, ...pieces: readonly Piece[]): string[] {
  const parts = [strings[0]!];
  pieces.forEach((piece, i) => {
    if (piece === TARGETS) parts.push("");
    else parts[parts.length - 1] += String(piece);
    parts[parts.length - 1] += strings[i + 1]!;
  });
  return parts;
}

/** A worded message followed by more text of featc's own (long messages are written over several lines). */
function continued(parts: readonly string[], text: string): string[] {
  return [...parts.slice(0, -1), parts.at(-1)! + text];
}

/** `target 'a'`, `targets 'a' and 'b'`, `targets 'a', 'b' and 'c'`. */
function targetPhrase(targets: readonly string[]): string {
  const names = targets.map((t) => `'${t}'`);
  return names.length === 1 ? `target ${names[0]}` : `targets ${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

/** The catalogue's one factory: no diagnostic is made anywhere else. */
function make(code: DiagnosticCode, severity: Severity, message: string | readonly string[], span?: Span, target?: string): Diagnostic {
  const wording = typeof message === "string" ? [message] : message;
  const targets = target === undefined ? [] : [target];
  return { code, severity, message: wording.join(targets.length > 0 ? targetPhrase(targets) : ""), targets, wording, span };
}

/** An error; a plain string is a message that names no target. */
function error(code: DiagnosticCode, message: string | readonly string[], span?: Span, target?: string): Diagnostic {
  return make(code, "error", message, span, target);
}

function warning(code: DiagnosticCode, message: string | readonly string[], span?: Span, target?: string): Diagnostic {
  return make(code, "warning", message, span, target);
}

/** The same finding as it holds in several targets (one message naming them all). */
export function inTargets(d: Diagnostic, targets: readonly string[]): Diagnostic {
  return { ...d, targets, message: d.wording.join(targets.length > 0 ? targetPhrase(targets) : "") };
}

/** `"batch", "json-list" or "online"`. */
function orList(values: readonly string[]): string {
  const quoted = values.map((v) => `"${v}"`);
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}` : quoted.join("");
}

function allowedValues(values: readonly string[] | undefined): string {
  return values ? `one of ${values.map((v) => `"${v}"`).join(", ")}` : "a string";
}

function quoteList(names: readonly string[]): string {
  return names.map((n) => `'${n}'`).join(", ");
}

/** The start of the first line of a file, where a finding about the whole file is shown. */
function fileStart(file: string): Span {
  return { file, line: 1, column: 1, length: 1 };
}

/** What a character means to Node in an import specifier. */
const SPECIFIER_CHARACTERS: Readonly<Record<string, string>> = {
  "#": "the start of a fragment",
  "?": "the start of a query",
  "%": "the start of an escape",
};

/** Why `@parameterize` text does not parse: data the catalogue words. */
export type ParameterizeSyntax =
  | { readonly kind: "missingNode" }
  | { readonly kind: "notANodeName"; readonly text: string }
  | { readonly kind: "privateNode"; readonly text: string }
  | {
      readonly kind: "expected";
      readonly what: "(" | ")" | "=" | "," | "a parameter name" | "a value" | "a number";
      readonly after?: string;
      readonly got?: string;
    }
  | { readonly kind: "nullish"; readonly text: string }
  | { readonly kind: "notAValue"; readonly text: string }
  | { readonly kind: "trailing"; readonly text: string };

const PARAMETERIZE_FORM = "@parameterize name(param=source, param=literal, …)";
const WINDOW_FORM = "@window by=KEY order=KEY size=N|range=R [lag=L]";

function parameterizeProblem(p: ParameterizeSyntax): string {
  switch (p.kind) {
    case "missingNode":
      return "a node name is missing";
    case "notANodeName":
      return `'${p.text}' cannot name a node`;
    case "privateNode":
      return `'${p.text}' starts with '_', which marks a private helper, not a node`;
    case "expected": {
      const what = p.what === "," ? "',' or ')'" : p.what.length === 1 ? `'${p.what}'` : p.what;
      const after = p.after === undefined ? "" : p.what === "a value" ? ` for '${p.after}'` : ` after '${p.after}'`;
      return `${what} expected${after}${p.got === undefined ? "" : `, got '${p.got}'`}`;
    }
    case "nullish":
      return `'${p.text}' is not a value a parameter can be bound to: use a JSON number, string or boolean, or the name of a node or input`;
    case "notAValue":
      return `'${p.text}' is not a JSON number, string or boolean, nor the name of a node or input`;
    case "trailing":
      return `unexpected '${p.text}' after ')'`;
  }
}

/** A field `@extract` could not take, and what it collides with. */
export interface ExtractClash {
  readonly kind: "field" | "feature" | "input";
  readonly name: string;
}

/** A `@when` value no target's config has, with the values the targets do have. */
export interface UnmatchedCondition {
  readonly key: string;
  readonly values: readonly string[];
  readonly near?: string;
}

/** Where an interrupted build left the outDir, and what this run did about it. */
export interface Leftovers {
  readonly folder: string;
  readonly names: readonly string[];
  /** The switch was committed (completed) rather than only staged (temporary files). */
  readonly committed: boolean;
  /** `featc build --check`: nothing was done, the next build completes it. */
  readonly check: boolean;
}

/** Why the configured outDir is refused. */
export type OutDirRefusal =
  | { readonly kind: "file" | "holdsConfig" | "inNodeModules" | "holdsNodeModules" }
  | { readonly kind: "holdsSource"; readonly file: string }
  | { readonly kind: "globReaches"; readonly glob: string }
  | { readonly kind: "unimportable"; readonly char: string };

function outDirReason(r: OutDirRefusal): string {
  switch (r.kind) {
    case "file":
      return "is a file, not a folder";
    case "holdsConfig":
      return "holds the config's own folder: featc would write among your sources and files";
    case "inNodeModules":
      return "is inside node_modules, which package managers replace";
    case "holdsNodeModules":
      return "holds node_modules";
    case "holdsSource":
      return `holds '${r.file}', a file the build reads: generated files would overwrite it or be read back as catalog`;
    case "globReaches":
      return `is reached by the catalog glob '${r.glob}': the next build would read the generated files as catalog`;
    case "unimportable":
      return `holds '${r.char}', which Node reads in an import as ${SPECIFIER_CHARACTERS[r.char] ?? "a path separator"}: the executors could not be imported by a relative path`;
  }
}

/** Why a `@check` tag does not parse: data the catalogue words. */
export type CheckSyntax =
  | { readonly kind: "noRule" }
  | { readonly kind: "malformed"; readonly text: string }
  | { readonly kind: "rangeNeedsTwoNumbers"; readonly text: string }
  | { readonly kind: "rangeEmpty"; readonly min: number; readonly max: number }
  | { readonly kind: "notNullArguments" }
  | { readonly kind: "oneOfNotLiteral"; readonly text: string }
  | { readonly kind: "oneOfEmpty" }
  | { readonly kind: "unknownCheck"; readonly name: string };

function checkProblem(p: CheckSyntax): string {
  switch (p.kind) {
    case "noRule":
      return "@check needs a rule: range(min, max), notNull, oneOf(...) or an exported validator";
    case "malformed":
      return `malformed @check '${p.text}'`;
    case "rangeNeedsTwoNumbers":
      return `@check range needs two numbers, e.g. range(0, 1), got '${p.text}'`;
    case "rangeEmpty":
      return `@check range(${p.min}, ${p.max}) is empty: min is greater than max`;
    case "notNullArguments":
      return "@check notNull takes no arguments";
    case "oneOfNotLiteral":
      return `@check oneOf expects string, number or boolean literals, got '${p.text}'`;
    case "oneOfEmpty":
      return "@check oneOf needs at least one value";
    case "unknownCheck":
      return `unknown check '${p.name}(...)': use range, notNull, oneOf, or name an exported validator function without arguments`;
  }
}

function unknownKeyHint(near: string | undefined, known: readonly string[]): string {
  return near ? `. Did you mean "${near}"?` : `; known keys: ${known.join(", ")}`;
}

/** The catalogue: one named constructor per message, grouped by code. */
export const diagnostics = {
  // FC1001 — unknown dependency
  unknownDependency(
    target: string,
    param: string,
    node: string,
    span: Span,
    suggestion?: string,
    elsewhere?: readonly string[],
  ): Diagnostic {
    const hint = suggestion
      ? ` Did you mean '${suggestion}'?`
      : elsewhere && elsewhere.length > 0
        ? ` It is produced only in target${elsewhere.length > 1 ? "s" : ""} ${quoteList(elsewhere)}.`
        : ` Add it to the target's inputs interface or define a feature named '${param}'.`;
    return error("FC1001", worded`'${param}' is not a feature or an input of ${TARGETS} (parameter of '${node}').${hint}`, span, target);
  },

  // FC1002 — cycle
  cycle(target: string, path: readonly string[], span: Span): Diagnostic {
    return error("FC1002", worded`cycle in ${TARGETS}: ${path.join(" -> ")}`, span, target);
  },

  // FC1003 — more than one producer
  duplicateProducer(target: string, node: string, span: Span, others: readonly string[]): Diagnostic {
    return error(
      "FC1003",
      worded`'${node}' has more than one producer in ${TARGETS}: also ${others.join(", ")}. Give variants disjoint @when tags or rename one.`,
      span,
      target,
    );
  },

  inputShadowsFeature(target: string, node: string, span: Span, inputs: string, at: string): Diagnostic {
    return error(
      "FC1003",
      worded`'${node}' is both a feature and an input of ${TARGETS} (${inputs}.${node} at ${at}). Rename one of them.`,
      span,
      target,
    );
  },

  // FC1004 — type mismatch
  columnToTable(target: string, source: string, rowType: string, param: string, fn: string, paramType: string, span: Span): Diagnostic {
    return error(
      "FC1004",
      worded`'${source}' is a column of '${rowType}' (one value per row), but parameter '${param}' of '${fn}' expects '${paramType}'`,
      span,
      target,
    );
  },

  notAssignable(
    target: string,
    source: string,
    type: string,
    perRow: boolean,
    param: string,
    fn: string,
    paramType: string,
    span: Span,
  ): Diagnostic {
    return error(
      "FC1004",
      worded`'${source}' is '${type}'${perRow ? " per row" : ""}, but parameter '${param}' of '${fn}' expects '${paramType}'`,
      span,
      target,
    );
  },

  validatorType(target: string, validator: string, takes: string, node: string, type: string, span: Span): Diagnostic {
    return error("FC1004", worded`validator '${validator}' takes '${takes}', but '${node}' is '${type}'`, span, target);
  },

  literalMismatch(node: string, param: string, paramType: string, literal: string, span: Span): Diagnostic {
    return error("FC1004", worded`@parameterize ${node}(…) binds ${literal} to parameter '${param}', whose type is '${paramType}'`, span);
  },

  /** `role`: `by`, `order`, or the name of a Window<T> parameter. */
  windowOverScalar(target: string, fn: string, role: string, source: string, span: Span): Diagnostic {
    const what = role === "by" || role === "order" ? `its '${role}' key` : `the frame '${role}'`;
    return error(
      "FC1004",
      worded`'${source}' is one value for the whole run in ${TARGETS}, but ${what} of @window '${fn}' needs a value per row (a column) to frame`,
      span,
      target,
    );
  },

  // FC1005 — unsupported signature
  overloads(fn: string, span: Span): Diagnostic {
    return error("FC1005", worded`'${fn}' has overloads: a feature has exactly one signature`, span);
  },

  typeParameters(fn: string, span: Span): Diagnostic {
    return error("FC1005", worded`'${fn}' has type parameters: a feature's types must be concrete`, span);
  },

  destructuredParameter(fn: string, span: Span): Diagnostic {
    return error("FC1005", worded`a destructured parameter of '${fn}' cannot name a dependency: use a named parameter`, span);
  },

  restParameter(fn: string, param: string, span: Span): Diagnostic {
    return error("FC1005", worded`rest parameter '...${param}' of '${fn}' cannot name a dependency`, span);
  },

  untypedParameter(fn: string, param: string, span: Span): Diagnostic {
    return error("FC1005", worded`parameter '${param}' of '${fn}' has no type annotation`, span);
  },

  /** `export const name = callee(args)`: `takes` are the parameters the call binds, `bindings` the `@parameterize` text that would make the same node. */
  functionMadeByCall(name: string, callee: string, takes: readonly string[], bindings: string, span: Span): Diagnostic {
    return error(
      "FC1005",
      `'${name}' is a function made by calling '${callee}': featc reads a feature's parameters from its declaration, so '${name}' is not a node. ` +
        `Declare the function it computes as one exported function that also takes ${takes.length > 0 ? quoteList(takes) : "the call's arguments"}, ` +
        `and tag it '@parameterize ${name}(${bindings})'.`,
      span,
    );
  },

  windowRowParameter(target: string, fn: string, param: string, span: Span): Diagnostic {
    return error(
      "FC1005",
      worded`parameter '${param}' of @window '${fn}' gets a value per row in ${TARGETS}, which a frame's function cannot take: read it through a Window<T> parameter (its frame) or pass a value for the whole run`,
      span,
      target,
    );
  },

  /** A `Window<T>` parameter on a function without `@window`. */
  frameWithoutWindow(param: string, type: string, fn: string, span: Span): Diagnostic {
    return error("FC1005", `parameter '${param}: ${type}' of '${fn}' is a frame, which needs a '${WINDOW_FORM}' tag on the function`, span);
  },

  /** A `Window<T>` whose T is not a number, a string or a boolean. */
  frameElementUnsupported(param: string, type: string, fn: string, span: Span): Diagnostic {
    return error(
      "FC1005",
      `parameter '${param}: ${type}' of '${fn}': a frame holds numbers, strings or booleans (Window<number>, Window<string>, Window<boolean>); other element types are not supported`,
      span,
    );
  },

  /** A numeric aggregate (`mean`, `sum`, …) of a frame that does not hold numbers. */
  aggregateNotNumbers(aggregate: string, param: string, type: string, fn: string, span: Span): Diagnostic {
    return error(
      "FC1004",
      `'${aggregate}' of '${fn}' takes a frame of numbers, but '${param}' is '${type}': count, first, last or a body of its own take a frame of strings or booleans`,
      span,
    );
  },

  // FC1006 — malformed or unknown tag
  conditionNeedsKeyValue(tag: "when" | "whenNot", fn: string, span: Span): Diagnostic {
    return error("FC1006", worded`@${tag} needs key=value (e.g. @${tag} mode=batch) on '${fn}'`, span);
  },

  conditionNotKeyValue(tag: "when" | "whenNot", word: string, fn: string, span: Span): Diagnostic {
    return error("FC1006", worded`@${tag} expects key=value, got '${word}' on '${fn}'`, span);
  },

  whenInMalformed(text: string, fn: string, span: Span): Diagnostic {
    return error("FC1006", worded`@whenIn expects key=a,b,c, got '${text}' on '${fn}'`, span);
  },

  extractTwice(fn: string, span: Span): Diagnostic {
    return error("FC1006", worded`'${fn}' has more than one @extract tag; list every field in one`, span);
  },

  extractNotFieldName(word: string, fn: string, span: Span): Diagnostic {
    return error("FC1006", worded`@extract expects field names, got '${word}' on '${fn}'`, span);
  },

  extractFieldTwice(field: string, fn: string, span: Span): Diagnostic {
    return error("FC1006", worded`@extract names '${field}' twice on '${fn}'`, span);
  },

  malformedCheck(problem: CheckSyntax, fn: string, span: Span): Diagnostic {
    return error("FC1006", worded`${checkProblem(problem)} on '${fn}'`, span);
  },

  unknownValidator(name: string, span: Span): Diagnostic {
    return error(
      "FC1006",
      worded`@check names '${name}', which is neither a built-in check (range, notNull, oneOf) nor an exported function of the catalog`,
      span,
    );
  },

  fittedArguments(text: string, fn: string, span: Span): Diagnostic {
    return error("FC1006", worded`@fitted takes no arguments, got '${text}' on '${fn}'`, span);
  },

  udfArguments(text: string, fn: string, span: Span): Diagnostic {
    return error("FC1006", worded`@udf takes no arguments, got '${text}' on '${fn}'`, span);
  },

  misspeltTag(tag: string, near: string, fn: string, span: Span): Diagnostic {
    return error("FC1006", worded`unknown tag @${tag} on '${fn}'. Did you mean @${near}?`, span);
  },

  parameterizeSyntax(problem: ParameterizeSyntax, fn: string, span: Span): Diagnostic {
    return error("FC1006", worded`${parameterizeProblem(problem)} in @parameterize on '${fn}' (expected ${PARAMETERIZE_FORM})`, span);
  },

  /** The scanner's own complaint about the tag's text (an unterminated string, say). */
  parameterizeScan(scanner: string, fn: string, span: Span): Diagnostic {
    return error("FC1006", worded`${scanner} in @parameterize on '${fn}'`, span);
  },

  parameterizeUnknownParameter(
    node: string,
    param: string,
    fn: string,
    params: readonly string[],
    near: string | undefined,
    span: Span,
  ): Diagnostic {
    const hint =
      near !== undefined ? ` Did you mean '${near}'?` : params.length > 0 ? ` It has ${quoteList(params)}.` : " It has no parameters.";
    return error("FC1006", worded`@parameterize ${node}(…) binds '${param}', which is not a parameter of '${fn}'.${hint}`, span);
  },

  parameterizeBindsTwice(node: string, param: string, span: Span): Diagnostic {
    return error("FC1006", worded`@parameterize ${node}(…) binds '${param}' twice`, span);
  },

  /** `problem`: what is wrong with the tag's text, at the token `span` points at (window.ts finds it). */
  windowSyntax(problem: string, fn: string, span: Span): Diagnostic {
    return error("FC1006", `${problem} in @window on '${fn}' (expected ${WINDOW_FORM})`, span);
  },

  windowTwice(fn: string, span: Span): Diagnostic {
    return error("FC1006", `'${fn}' has more than one @window tag: a feature has one frame`, span);
  },

  windowWithoutFrame(fn: string, span: Span): Diagnostic {
    return error(
      "FC1006",
      `@window on '${fn}', which has no Window<T> parameter: the frame's values reach the function through one (e.g. 'units: Window<number>')`,
      span,
    );
  },

  /** `table`: the value is a table; otherwise it is row-level. */
  fittedNotScalar(target: string, fn: string, table: boolean, span: Span): Diagnostic {
    return error(
      "FC1006",
      worded`@fitted '${fn}' must be one value for the whole run, but in ${TARGETS} it is ${table ? "a table" : "row-level"}`,
      span,
      target,
    );
  },

  rangeNeedsNumber(target: string, check: string, node: string, type: string, span: Span): Diagnostic {
    return error("FC1006", worded`@check ${check} needs a number, but '${node}' is '${type}'`, span, target);
  },

  oneOfWrongType(target: string, check: string, node: string, type: string, span: Span): Diagnostic {
    return error("FC1006", worded`@check ${check} lists values that are not '${type}' like '${node}'`, span, target);
  },

  /** `@when`/`@whenIn` on a key no target's config has: `near` is the nearest key, `keys` every key. */
  conditionOnUnknownKey(tag: string, fn: string, key: string, near: string | undefined, keys: readonly string[], span: Span): Diagnostic {
    const hint = near
      ? ` Did you mean '${near}'?`
      : keys.length > 0
        ? ` The targets' config keys are ${quoteList(keys)}.`
        : ` No target has a "config".`;
    return error("FC1006", worded`${tag} on '${fn}': no target's config has the key '${key}', so no target selects '${fn}'.${hint}`, span);
  },

  // FC1007 — unknown output
  unknownOutput(target: string, output: string, span: Span | undefined, suggestion?: string): Diagnostic {
    const hint = suggestion ? ` Did you mean '${suggestion}'?` : "";
    return error("FC1007", worded`output '${output}' is not a node of ${TARGETS}.${hint}`, span, target);
  },

  // FC1008 — bad extract
  extractNeedsObject(target: string, fn: string, type: string, span: Span): Diagnostic {
    return error("FC1008", worded`@extract on '${fn}' needs an object or Table return type, not '${type}'`, span, target);
  },

  extractUnknownField(target: string, field: string, rowType: string, fn: string, fields: readonly string[], span: Span): Diagnostic {
    return error(
      "FC1008",
      worded`@extract names '${field}', but '${rowType}' (returned by '${fn}') has no such field; it has ${fields.join(", ") || "no fields"}`,
      span,
      target,
    );
  },

  extractCollides(target: string, field: string, fn: string, other: ExtractClash, span: Span): Diagnostic {
    const what =
      other.kind === "field"
        ? `the field extracted from '${other.name}'`
        : other.kind === "feature"
          ? `the feature '${other.name}'`
          : `the input '${other.name}'`;
    return error("FC1008", worded`field '${field}' extracted from '${fn}' collides with ${what} in ${TARGETS}`, span, target);
  },

  // FC1009 — aggregate in an online target
  aggregateOnline(target: string, node: string, param: string, paramType: string, span: Span): Diagnostic {
    return error(
      "FC1009",
      continued(
        worded`'${node}' takes '${param}: ${paramType}', a whole column, but in ${TARGETS} one entity is computed at a time: `,
        `the aggregate would run over a single request. Add an online variant of '${node}' (@when), or tag it @fitted so the target reads the value the batch run fitted.`,
      ),
      span,
      target,
    );
  },

  /** A lag of 0 in an online target: the frame would hold the request itself, which is not in its history. */
  windowHoldsItsRow(target: string, fn: string, kind: "rows" | "range", span: Span): Diagnostic {
    return error(
      "FC1009",
      continued(
        worded`@window '${fn}' has lag=0: its frame holds ${kind === "rows" ? "the row itself" : "the row's own order key"}, but in ${TARGETS} a request is computed from the entity's rows before it. `,
        `Give a lag (lag=1${kind === "range" ? ", in the order key's units" : ""}) or restrict '${fn}' to batch targets (@when)`,
      ),
      span,
      target,
    );
  },

  // FC1010 — config error
  configNotFound(configPath: string): Diagnostic {
    return error("FC1010", `config file '${configPath}' not found. Create ${DEFAULT_CONFIG_NAME} or pass --config PATH.`);
  },

  /** `problem` says why a file cannot be read as text (discover/files.ts). */
  unreadableConfig(configPath: string, problem: string, file: string): Diagnostic {
    return error("FC1010", `config file '${configPath}' ${problem}`, fileStart(file));
  },

  configNotJson(detail: string, span: Span): Diagnostic {
    return error("FC1010", `config file is not valid JSON: ${detail}`, span);
  },

  configNotObject(span: Span): Diagnostic {
    return error("FC1010", "config file must hold a JSON object", span);
  },

  /** An unknown key at the config's top level, or in a target's object when `target` is given. */
  unknownConfigKey(key: string, near: string | undefined, known: readonly string[], span: Span, target?: string): Diagnostic {
    const hint = unknownKeyHint(near, known);
    return target === undefined
      ? error("FC1010", `unknown key "${key}" in config${hint}`, span)
      : error("FC1010", worded`unknown key "${key}" in ${TARGETS}${hint}`, span, target);
  },

  missingCatalog(span: Span): Diagnostic {
    return error("FC1010", `config needs "catalog": a list of file globs, e.g. ["catalog/**/*.ts"]`, span);
  },

  badCatalog(span: Span): Diagnostic {
    return error("FC1010", `"catalog" must be a non-empty list of file globs`, span);
  },

  catalogMatchesNothing(patterns: readonly string[], span: Span): Diagnostic {
    return error("FC1010", `"catalog" matches no TypeScript file (${patterns.join(", ")})`, span);
  },

  unreadableCatalogFile(file: string, problem: string, span: Span | undefined): Diagnostic {
    return error("FC1010", `catalog file '${file}' ${problem}`, span);
  },

  /** A FIFO or a device where a module the catalog imports would be: tsc would wait on it forever. */
  unreadableImport(file: string, problem: string, span: Span): Diagnostic {
    return error("FC1010", `'${file}', a module the catalog imports, ${problem}`, span);
  },

  badOutDir(span: Span): Diagnostic {
    return error("FC1010", `"outDir" must be a folder path`, span);
  },

  outDirRefused(outDir: string, refusal: OutDirRefusal, span: Span): Diagnostic {
    return error(
      "FC1010",
      `"outDir" '${outDir}' ${outDirReason(refusal)}. Give generated files a folder of their own, such as "generated".`,
      span,
    );
  },

  badTsconfigPath(span: Span): Diagnostic {
    return error("FC1010", `"tsconfig" must be a file path`, span);
  },

  /** The tsconfig the config names (`span` set) or the one found beside the config. */
  unreadableTsconfig(tsconfig: string, problem: string, span?: Span): Diagnostic {
    return error("FC1010", span ? `tsconfig '${tsconfig}' ${problem}` : `tsconfig '${tsconfig}' beside the config ${problem}`, span);
  },

  tsconfigError(tsconfig: string, tsCode: number, text: string, span: Span | undefined): Diagnostic {
    return error("FC1010", `tsconfig '${tsconfig}': TS${tsCode}: ${text}`, span);
  },

  badTypeCheckTimeout(span: Span): Diagnostic {
    return error("FC1010", `"typeCheckTimeout" must be a number of seconds greater than 0`, span);
  },

  badTypeCheckTimeoutVariable(value: string): Diagnostic {
    return error("FC1010", `FEATC_TYPECHECK_TIMEOUT must be a number of seconds greater than 0, got '${value.slice(0, 40)}'`);
  },

  missingTargets(shapes: readonly string[], span: Span): Diagnostic {
    return error("FC1010", `config needs "targets": an object of named targets, each with a "shape" of ${orList(shapes)}`, span);
  },

  emptyTargets(span: Span): Diagnostic {
    return error("FC1010", `"targets" is empty: declare at least one target`, span);
  },

  targetNotObject(target: string, span: Span): Diagnostic {
    return error("FC1010", worded`${TARGETS} must be an object`, span, target);
  },

  badTargetName(name: string, maxLength: number, span: Span): Diagnostic {
    const shown = name.length > maxLength ? `'${name.slice(0, 40)}…' (${name.length} characters)` : `'${name}'`;
    return error(
      "FC1010",
      `target name ${shown} must be a simple name (letters, digits, '_' and '-', at most ${maxLength}): it names the generated files`,
      span,
    );
  },

  missingShape(target: string, shapes: readonly string[], span: Span): Diagnostic {
    return error("FC1010", worded`${TARGETS} needs a "shape": ${orList(shapes)}`, span, target);
  },

  unknownShape(target: string, written: string, shapes: readonly string[], span: Span): Diagnostic {
    return error("FC1010", worded`unknown shape ${written} for ${TARGETS}: use ${orList(shapes)}`, span, target);
  },

  missingShapeOption(
    target: string,
    shape: string,
    key: string,
    option: { readonly description: string; readonly values?: readonly string[] },
    span: Span,
  ): Diagnostic {
    return error(
      "FC1010",
      worded`${TARGETS} of shape '${shape}' needs "${key}" (${option.description}): ${allowedValues(option.values)}`,
      span,
      target,
    );
  },

  badShapeOption(
    target: string,
    key: string,
    option: { readonly description: string; readonly values?: readonly string[] },
    span: Span,
  ): Diagnostic {
    return error("FC1010", worded`"${key}" of ${TARGETS} must be ${allowedValues(option.values)} (${option.description})`, span, target);
  },

  badTargetConfig(target: string, span: Span): Diagnostic {
    return error("FC1010", worded`"config" of ${TARGETS} must be an object of strings, numbers or booleans`, span, target);
  },

  badConfigValue(target: string, key: string, span: Span): Diagnostic {
    return error("FC1010", worded`config value '${key}' of ${TARGETS} must be a string, number or boolean`, span, target);
  },

  badInputsRef(target: string, span: Span): Diagnostic {
    return error("FC1010", worded`"inputs" of ${TARGETS} must be "path/to/file.ts#InterfaceName"`, span, target);
  },

  badOutputs(target: string, span: Span): Diagnostic {
    return error("FC1010", worded`"outputs" of ${TARGETS} must be a list of node names`, span, target);
  },

  badFittedMode(target: string, span: Span): Diagnostic {
    return error("FC1010", worded`"fitted" of ${TARGETS} must be "compute" or "read"`, span, target);
  },

  /** `problem` says why the file cannot be read as text; without one, reading it failed for another reason. */
  unreadableInputsFile(target: string, file: string, problem: string | undefined, span: Span): Diagnostic {
    return error("FC1010", worded`inputs file '${file}' of ${TARGETS} ${problem ?? "cannot be read"}`, span, target);
  },

  inputsNotFound(target: string, name: string, file: string, declared: readonly string[], span: Span): Diagnostic {
    return error(
      "FC1010",
      worded`inputs interface '${name}' not found in '${file}'${declared.length ? ` (it declares ${declared.join(", ")})` : ""}`,
      span,
      target,
    );
  },

  inputsNotExported(target: string, name: string, span: Span): Diagnostic {
    return error("FC1010", worded`inputs interface '${name}' must be exported: the generated executor imports it`, span, target);
  },

  unknownTarget(target: string, known: readonly string[]): Diagnostic {
    return error("FC1010", `unknown target '${target}' (the config declares ${known.join(", ")})`);
  },

  unimportableFileName(file: string, char: string, span: Span): Diagnostic {
    const why = SPECIFIER_CHARACTERS[char] ?? "a path separator";
    return error(
      "FC1010",
      `catalog file '${file}' cannot be imported by generated code: Node reads '${char}' in an import as ${why}. Rename the file without '${char}'.`,
      span,
    );
  },

  /** The executors are CommonJS and the tsconfig's "module" makes TypeScript refuse their require() of featc. */
  commonJsRequireOfEsm(outDir: string, module: string, span: Span): Diagnostic {
    return error(
      "FC1010",
      `the executors in ${outDir}/ are CommonJS (the package.json above them has no "type": "module"), and with "module": "${module}" TypeScript refuses their require() of the ES module 'featc' (TS1479). ` +
        `Set "module": "nodenext" (or "node20"): Node >= 20.19 requires ES modules. Or add "type": "module" to package.json.`,
      span,
    );
  },

  commonJsVerbatim(outDir: string, span: Span): Diagnostic {
    return error(
      "FC1010",
      `the executors in ${outDir}/ are CommonJS (the package.json above them has no "type": "module"), and "verbatimModuleSyntax" forbids their import and export declarations in a CommonJS file (TS1295, TS1287). ` +
        `Remove "verbatimModuleSyntax", or add "type": "module" to package.json.`,
      span,
    );
  },

  /** The command line's own usage error (commander's message), for `--format json`. */
  usage(message: string): Diagnostic {
    return error("FC1010", message);
  },

  // FC1011 — TypeScript error in the catalog
  typescriptError(tsCode: number, text: string, span: Span | undefined): Diagnostic {
    return error("FC1011", `TS${tsCode}: ${text}`, span);
  },

  unreadableCatalogSource(file: string, problem: string, absolute: string): Diagnostic {
    return error("FC1011", `'${file}' ${problem}`, fileStart(absolute));
  },

  typeCheckTimeout(seconds: number): Diagnostic {
    return error(
      "FC1011",
      `the type check did not finish in ${seconds} s: TypeScript's own errors in the catalog are unknown. A type in the catalog may be too costly to check; ` +
        `if the catalog is only large, raise the bound with "typeCheckTimeout" (seconds) in the config or the FEATC_TYPECHECK_TIMEOUT environment variable.`,
    );
  },

  // FC1012 — build output error
  codeGenerationFailed(reason: string): Diagnostic {
    return error("FC1012", `code generation failed: ${reason}`);
  },

  unfinishedInterruptedBuild(folder: string, reason: string): Diagnostic {
    return error("FC1012", `cannot finish an interrupted build in ${folder}: ${reason}`);
  },

  outDirBusy(configFile: string, folder: string, pid: number): Diagnostic {
    return error("FC1012", `another featc build of ${configFile} is writing ${folder} (process ${pid}); try again when it ends`);
  },

  cannotWriteOutputs(reason: string): Diagnostic {
    return error("FC1012", `cannot write generated files: ${reason}; the previous files were left in place`);
  },

  outputOutsideOutDir(name: string): Diagnostic {
    return error("FC1012", `the build produced '${name}', which is not a file name inside outDir`);
  },

  outputOfOtherConfig(file: string, otherConfig: string): Diagnostic {
    return error(
      "FC1012",
      `${file} belongs to the config ${otherConfig}, which shares this outDir; rename the target or give one config another "outDir"`,
    );
  },

  outputNotAFile(file: string, folder: boolean): Diagnostic {
    return error("FC1012", `${file} is ${folder ? "a folder" : "not a regular file"} where a generated file goes; move it away`);
  },

  outputNotWrittenByFeatc(file: string): Diagnostic {
    return error("FC1012", `${file} exists and featc did not write it; move it away or rename the target, featc does not overwrite it`);
  },

  // FC1013 — no SQL translation
  noSqlTranslation(
    target: string,
    dialect: string,
    construct: string,
    reason: string,
    span: Span,
    consumers: readonly string[],
    /** Whether the node may be marked `@udf` instead (a body construct, in a dialect that runs JavaScript UDFs). */
    udf = false,
  ): Diagnostic {
    const affected = consumers.length > 0 ? worded` Affected in ${TARGETS}: ${quoteList(consumers)}.` : [""];
    return error(
      "FC1013",
      continued(
        [`'${construct}' has no SQL translation (dialect ${dialect}): ${reason}.${affected[0]}`, ...affected.slice(1)],
        udf
          ? " Mark the function @udf to run its own JavaScript inside the engine, give the node a @when variant for this target, or rewrite it in the translatable subset."
          : " Give the node a @when variant for this target, or rewrite it in the translatable subset.",
      ),
      span,
      target,
    );
  },

  noSqlRowTable(target: string, dialect: string, span: Span): Diagnostic {
    return diagnostics.noSqlTranslation(
      target,
      dialect,
      "sqlTable",
      "no table is on the row axis: @extract the sqlTable() of the table the rows come from",
      span,
      [],
    );
  },

  // FC1015 — cannot run as an engine UDF
  udfNotInDialect(target: string, dialect: string, node: string, why: string, span: Span): Diagnostic {
    return error(
      "FC1015",
      worded`'${node}' is marked @udf, but dialect ${dialect} of ${TARGETS} runs no JavaScript UDF: ${why}. Give the node a @when variant for this target, or write it in the translatable subset.`,
      span,
      target,
    );
  },

  udfNotPortable(target: string, dialect: string, construct: string, reason: string, span: Span): Diagnostic {
    return error("FC1015", worded`'${construct}' cannot run in an engine UDF (dialect ${dialect}, ${TARGETS}): ${reason}.`, span, target);
  },

  // FC1014 — construct too deep to analyse
  tooManyBrackets(max: number, span: Span): Diagnostic {
    return tooDeep(`more than ${max} brackets open at once`, span);
  },

  syntaxTooDeep(max: number, span: Span): Diagnostic {
    return tooDeep(`more than ${max} levels of syntax`, span);
  },

  parserOutOfStack(file: string): Diagnostic {
    return tooDeep("the parser ran out of stack", fileStart(file));
  },

  // FC1099 — internal error
  internal(message: string): Diagnostic {
    return error(
      "FC1099",
      `featc failed on this input (internal error: ${message}). This is a bug in featc; the input may still be wrong.`,
    );
  },

  // FC2001 — unused input
  unusedInput(target: string, input: string, span: Span | undefined): Diagnostic {
    return warning("FC2001", worded`input '${input}' of ${TARGETS} is never used.`, span, target);
  },

  // FC2002 — variant no target selects
  /** `tags` as written; `unmatched` lists each `@when` whose value no target has (none: the tags only fail together). */
  unselectedVariant(fn: string, tags: string, unmatched: readonly UnmatchedCondition[], span: Span): Diagnostic {
    const hints = unmatched.map(
      (u) => `the targets' values of '${u.key}' are ${quoteList(u.values)}${u.near ? `. Did you mean '${u.key}=${u.near}'?` : ""}`,
    );
    return warning(
      "FC2002",
      `no target selects '${fn}' (${tags}): ${hints.length > 0 ? hints.join("; ") : "no target's config matches every tag"}`,
      span,
    );
  },

  // FC2003 — target with no features
  emptyTarget(target: string, span: Span | undefined): Diagnostic {
    return warning(
      "FC2003",
      worded`${TARGETS} has no features: its executor computes nothing (no catalog function is selected for it).`,
      span,
      target,
    );
  },

  // FC2004 — build output notice
  interruptedBuildCleaned(leftovers: Leftovers): Diagnostic {
    const what = leftovers.committed ? "an interrupted build left its switch half done" : "an interrupted build left temporary files";
    const done = leftovers.check ? "featc build completes it" : leftovers.committed ? "completed it" : "removed them";
    return warning("FC2004", `${what} in ${leftovers.folder} (${leftovers.names.join(", ")}); ${done}`);
  },

  editedOutputLeft(file: string): Diagnostic {
    return warning("FC2004", `${file} was edited since featc wrote it; it is no longer generated and was left in place`);
  },

  outDirOutsideRoot(outDir: string): Diagnostic {
    return warning("FC2004", `outDir is outside the config's folder: files were written to ${outDir}`);
  },

  // FC2005 — check a SQL target does not run
  checkNotRunInSql(target: string, dialect: string, node: string, check: string, reason: string, span: Span): Diagnostic {
    return warning(
      "FC2005",
      worded`@check ${check} on '${node}' has no SQL translation (dialect ${dialect}): ${reason}; ${TARGETS} does not run it (its .sql header and its module's UNCHECKED list it).`,
      span,
      target,
    );
  },
};

function tooDeep(detail: string, span: Span): Diagnostic {
  return error(
    "FC1014",
    `too deep to analyse (${detail}), so this file is not analysed further: split the construct into smaller expressions or named types.`,
    span,
  );
}

/** Sorts diagnostics by file, position, code and target so output is stable. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic) =>
    [d.span?.file ?? "", d.span?.line ?? 0, d.span?.column ?? 0, d.code, d.targets.join(","), d.message] as const;
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of list) {
    const k = JSON.stringify(key(d));
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(d);
  }
  return out.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) {
      if (ka[i] < kb[i]) return -1;
      if (ka[i] > kb[i]) return 1;
    }
    return 0;
  });
}

export function hasErrors(list: readonly Diagnostic[]): boolean {
  return list.some((d) => d.severity === "error");
}

/** The edit distance between two names, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The closest candidate to `name`, if any is close enough to be a plausible typo. */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const limit = Math.max(2, Math.floor(name.length / 3));
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - name.length) > limit) continue;
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance || (d === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}
