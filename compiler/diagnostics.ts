/**
 * Every diagnostic featc can report, written once. Each code has one constructor so the wording
 * lives in one place; phases collect diagnostics and never throw them.
 */

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
  readonly message: string;
  readonly target?: string;
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
  FC1099: "internal error",
  FC2001: "unused input",
  FC2002: "variant no target selects",
  FC2003: "target with no features",
  FC2004: "build output notice",
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

function error(code: DiagnosticCode, message: string, span?: Span, target?: string): Diagnostic {
  return { code, severity: "error", message, span, target };
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

/**
 * The catalogue: one named constructor per message, under its stable code, so the wording lives
 * here and a call site says what it found (`extractCollides(…)`), not how to phrase it.
 * `config`, `typescript`, `unsupportedSignature` and `badTag` still take a worded message: they
 * serve the config reader and discover, whose findings are to get named constructors too.
 */
export const diagnostics = {
  unknownDependency(target: string, param: string, node: string, span: Span, suggestion?: string, elsewhere?: readonly string[]): Diagnostic {
    let message = `'${param}' is not a feature or an input of target '${target}' (parameter of '${node}').`;
    if (suggestion) message += ` Did you mean '${suggestion}'?`;
    else if (elsewhere && elsewhere.length > 0) message += ` It is produced only in target${elsewhere.length > 1 ? "s" : ""} ${quoteList(elsewhere)}.`;
    else message += ` Add it to the target's inputs interface or define a feature named '${param}'.`;
    return error("FC1001", message, span, target);
  },

  cycle(target: string, path: readonly string[], span: Span): Diagnostic {
    return error("FC1002", `cycle in target '${target}': ${path.join(" -> ")}`, span, target);
  },

  duplicateProducer(target: string, node: string, span: Span, others: readonly string[]): Diagnostic {
    return error("FC1003", `'${node}' has more than one producer in target '${target}': also ${others.join(", ")}. Give variants disjoint @when tags or rename one.`, span, target);
  },

  inputShadowsFeature(target: string, node: string, span: Span, inputsAt: string): Diagnostic {
    return error("FC1003", `'${node}' is both a feature and an input of target '${target}' (${inputsAt}). Rename one of them.`, span, target);
  },

  /** A generic FC1004 for the discover phase's own findings; the graph's are the named ones below. */
  columnToTable(target: string, source: string, rowType: string, param: string, fn: string, paramType: string, span: Span): Diagnostic {
    return error("FC1004", `'${source}' is a column of '${rowType}' (one value per row), but parameter '${param}' of '${fn}' expects '${paramType}'`, span, target);
  },

  notAssignable(target: string, source: string, type: string, perRow: boolean, param: string, fn: string, paramType: string, span: Span): Diagnostic {
    return error("FC1004", `'${source}' is '${type}'${perRow ? " per row" : ""}, but parameter '${param}' of '${fn}' expects '${paramType}'`, span, target);
  },

  validatorType(target: string, validator: string, takes: string, node: string, type: string, span: Span): Diagnostic {
    return error("FC1004", `validator '${validator}' takes '${takes}', but '${node}' is '${type}'`, span, target);
  },

  literalMismatch(node: string, param: string, paramType: string, literal: string, span: Span): Diagnostic {
    return error("FC1004", `@parameterize ${node}(…) binds ${literal} to parameter '${param}', whose type is '${paramType}'`, span);
  },

  unsupportedSignature(what: string, span: Span): Diagnostic {
    return error("FC1005", what, span);
  },

  badTag(what: string, span: Span, target?: string): Diagnostic {
    return error("FC1006", what, span, target);
  },

  fittedNotScalar(target: string, fn: string, is: "a table" | "row-level", span: Span): Diagnostic {
    return error("FC1006", `@fitted '${fn}' must be one value for the whole run, but in target '${target}' it is ${is}`, span, target);
  },

  rangeNeedsNumber(target: string, check: string, node: string, type: string, span: Span): Diagnostic {
    return error("FC1006", `@check ${check} needs a number, but '${node}' is '${type}'`, span, target);
  },

  oneOfWrongType(target: string, check: string, node: string, type: string, span: Span): Diagnostic {
    return error("FC1006", `@check ${check} lists values that are not '${type}' like '${node}'`, span, target);
  },

  conditionOnUnknownKey(tag: string, fn: string, key: string, hint: string, span: Span): Diagnostic {
    return error("FC1006", `${tag} on '${fn}': no target's config has the key '${key}', so no target selects '${fn}'.${hint}`, span);
  },

  unknownOutput(target: string, output: string, span: Span | undefined, suggestion?: string): Diagnostic {
    const hint = suggestion ? ` Did you mean '${suggestion}'?` : "";
    return error("FC1007", `output '${output}' is not a node of target '${target}'.${hint}`, span, target);
  },

  extractNeedsObject(target: string, fn: string, type: string, span: Span): Diagnostic {
    return error("FC1008", `@extract on '${fn}' needs an object or Table return type, not '${type}'`, span, target);
  },

  extractUnknownField(target: string, field: string, rowType: string, fn: string, fields: readonly string[], span: Span): Diagnostic {
    return error("FC1008", `@extract names '${field}', but '${rowType}' (returned by '${fn}') has no such field; it has ${fields.join(", ") || "no fields"}`, span, target);
  },

  extractCollides(target: string, field: string, fn: string, other: { readonly kind: "field" | "feature" | "input"; readonly name: string }, span: Span): Diagnostic {
    const what = other.kind === "field" ? `the field extracted from '${other.name}'` : other.kind === "feature" ? `the feature '${other.name}'` : `the input '${other.name}'`;
    return error("FC1008", `field '${field}' extracted from '${fn}' collides with ${what} in target '${target}'`, span, target);
  },

  aggregateOnline(target: string, node: string, param: string, paramType: string, span: Span): Diagnostic {
    return error(
      "FC1009",
      `'${node}' takes '${param}: ${paramType}', a whole column, but target '${target}' computes one entity at a time: ` +
        `the aggregate would run over a single request. Add an online variant of '${node}' (@when), or tag it @fitted so ` +
        `'${target}' reads the value the batch run fitted.`,
      span,
      target,
    );
  },

  windowOverScalar(target: string, fn: string, role: string, source: string, span: Span): Diagnostic {
    const what = role === "by" || role === "order" ? `its '${role}' key` : `the frame '${role}'`;
    return error("FC1004", `'${source}' is one value for the whole run in target '${target}', but ${what} of @window '${fn}' needs a value per row (a column) to frame`, span, target);
  },

  windowRowParameter(target: string, fn: string, param: string, span: Span): Diagnostic {
    return error("FC1005", `parameter '${param}' of @window '${fn}' gets a value per row in target '${target}', which a frame's function cannot take: read it through a Window<T> parameter (its frame) or pass a value for the whole run`, span, target);
  },

  windowHoldsItsRow(target: string, fn: string, kind: "rows" | "range", span: Span): Diagnostic {
    return error(
      "FC1009",
      `@window '${fn}' has lag=0: its frame holds ${kind === "rows" ? "the row itself" : "the row's own order key"}, but target '${target}' computes one request from the entity's rows before it. ` +
        `Give a lag (lag=1${kind === "range" ? ", in the order key's units" : ""}) or restrict '${fn}' to batch targets (@when)`,
      span,
      target,
    );
  },

  config(message: string, span?: Span, target?: string): Diagnostic {
    return error("FC1010", message, span, target);
  },

  typescript(message: string, span?: Span): Diagnostic {
    return error("FC1011", message, span);
  },

  noSqlTranslation(target: string, dialect: string, construct: string, reason: string, span: Span, consumers: readonly string[]): Diagnostic {
    const affected = consumers.length > 0 ? ` Affected in target '${target}': ${quoteList(consumers)}.` : "";
    return error("FC1013", `'${construct}' has no SQL translation (dialect ${dialect}): ${reason}.${affected} Give the node a @when variant for this target, or rewrite it in the translatable subset.`, span, target);
  },

  missingTargets(shapes: readonly string[], span: Span): Diagnostic {
    return error("FC1010", `config needs "targets": an object of named targets, each with a "shape" of ${orList(shapes)}`, span);
  },

  missingShape(target: string, shapes: readonly string[], span: Span): Diagnostic {
    return error("FC1010", `target '${target}' needs a "shape": ${orList(shapes)}`, span, target);
  },

  unknownShape(target: string, written: string, shapes: readonly string[], span: Span): Diagnostic {
    return error("FC1010", `unknown shape ${written} for target '${target}': use ${orList(shapes)}`, span, target);
  },

  missingShapeOption(target: string, shape: string, key: string, option: { readonly description: string; readonly values?: readonly string[] }, span: Span): Diagnostic {
    return error("FC1010", `target '${target}' of shape '${shape}' needs "${key}" (${option.description}): ${allowedValues(option.values)}`, span, target);
  },

  badShapeOption(target: string, key: string, option: { readonly description: string; readonly values?: readonly string[] }, span: Span): Diagnostic {
    return error("FC1010", `"${key}" of target '${target}' must be ${allowedValues(option.values)} (${option.description})`, span, target);
  },

  unknownTarget(target: string, known: readonly string[]): Diagnostic {
    return error("FC1010", `unknown target '${target}' (the config declares ${known.join(", ")})`);
  },

  unimportableFileName(file: string, char: string, span: Span): Diagnostic {
    const why = ({ "#": "the start of a fragment", "?": "the start of a query", "%": "the start of an escape" } as Record<string, string>)[char] ?? "a path separator";
    return error("FC1010", `catalog file '${file}' cannot be imported by generated code: Node reads '${char}' in an import as ${why}. Rename the file without '${char}'.`, span);
  },

  codeGenerationFailed(reason: string): Diagnostic {
    return error("FC1012", `code generation failed: ${reason}`);
  },

  typeCheckTimeout(seconds: number): Diagnostic {
    return error(
      "FC1011",
      `the type check did not finish in ${seconds} s: TypeScript's own errors in the catalog are unknown. A type in the catalog may be too costly to check; ` +
        `if the catalog is only large, raise the bound with "typeCheckTimeout" (seconds) in the config or the FEATC_TYPECHECK_TIMEOUT environment variable.`,
    );
  },

  tooDeep(detail: string, span: Span): Diagnostic {
    return error("FC1014", `too deep to analyse (${detail}), so this file is not analysed further: split the construct into smaller expressions or named types.`, span);
  },

  internal(message: string): Diagnostic {
    return error("FC1099", `featc failed on this input (internal error: ${message}). This is a bug in featc; the input may still be wrong.`);
  },

  output(message: string, span?: Span): Diagnostic {
    return error("FC1012", message, span);
  },

  outputNotice(message: string): Diagnostic {
    return { code: "FC2004", severity: "warning", message };
  },

  unselectedVariant(fn: string, tags: string, detail: string, span: Span): Diagnostic {
    return { code: "FC2002", severity: "warning", message: `no target selects '${fn}' (${tags}): ${detail}`, span };
  },

  emptyTarget(target: string, span: Span | undefined): Diagnostic {
    return { code: "FC2003", severity: "warning", message: `target '${target}' has no features: its executor computes nothing (no catalog function is selected for it).`, span, target };
  },

  unusedInput(target: string, input: string, span: Span | undefined): Diagnostic {
    return { code: "FC2001", severity: "warning", message: `input '${input}' of target '${target}' is never used.`, span, target };
  },
};

/** Sorts diagnostics by file, position, code and target so output is stable. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic) => [d.span?.file ?? "", d.span?.line ?? 0, d.span?.column ?? 0, d.code, d.target ?? "", d.message] as const;
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
