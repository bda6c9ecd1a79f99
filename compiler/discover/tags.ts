/**
 * The featc JSDoc tags: `@when`, `@whenNot`, `@whenIn`, `@extract`, `@check`, `@fitted`, `@udf`.
 * Each is parsed from its comment text and checked for form; problems become FC1006.
 */
import { diagnostics, editDistance, type CheckSyntax, type Diagnostic, type Span } from "../diagnostics.js";
import type { CheckFact, CheckRule, Condition, ExtractFact } from "../model.js";

export const FEATC_TAGS = ["when", "whenNot", "whenIn", "extract", "check", "fitted", "parameterize", "window", "udf"] as const;

export interface RawTag {
  readonly name: string;
  readonly text: string;
  readonly span: Span;
  /** The span of the first occurrence of `word` in the tag's text at or after `from`, if any. */
  readonly locate?: (word: string, from: number) => { span: Span; end: number } | undefined;
}

export interface ParsedTags {
  conditions: Condition[];
  extract?: ExtractFact;
  checks: CheckFact[];
  fitted: boolean;
  /** Where `@fitted` is written (for diagnostics about it). */
  fittedSpan?: Span;
  /** Where `@udf` is written: a SQL target runs the function as an engine UDF of its own JavaScript. */
  udf?: Span;
  /** Validator functions named by `@check <name>`. */
  validatorNames: { name: string; span: Span }[];
}

const IDENT = /^[A-Za-z_$][\w$]*$/;
const KEY_VALUE = /^([A-Za-z_][\w.-]*)=(\S+)$/;

/** Parses every featc tag of one function; unknown tags that look like misspelt featc tags are reported. */
export function parseTags(tags: readonly RawTag[], fnName: string, problems: Diagnostic[]): ParsedTags {
  const parsed: ParsedTags = { conditions: [], checks: [], fitted: false, validatorNames: [] };
  for (const tag of tags) {
    const text = tag.text.trim();
    switch (tag.name) {
      case "when":
      case "whenNot": {
        const words = text.split(/\s+/).filter(Boolean);
        if (words.length === 0) {
          problems.push(diagnostics.conditionNeedsKeyValue(tag.name, fnName, tag.span));
          break;
        }
        for (const word of words) {
          const m = KEY_VALUE.exec(word);
          if (!m) problems.push(diagnostics.conditionNotKeyValue(tag.name, word, fnName, tag.span));
          else parsed.conditions.push({ kind: tag.name, key: m[1]!, value: m[2]! });
        }
        break;
      }
      case "whenIn": {
        const m = /^([A-Za-z_][\w.-]*)=(\S+)$/.exec(text);
        const values = m ? m[2]!.split(",").map((v) => v.trim()) : [];
        if (!m || values.some((v) => v === "")) {
          problems.push(diagnostics.whenInMalformed(text, fnName, tag.span));
        } else parsed.conditions.push({ kind: "whenIn", key: m[1]!, values });
        break;
      }
      case "extract": {
        if (parsed.extract) {
          problems.push(diagnostics.extractTwice(fnName, tag.span));
          break;
        }
        const names = text.split(/[\s,]+/).filter(Boolean);
        const bad = names.find((n) => !IDENT.test(n));
        if (bad !== undefined) {
          problems.push(diagnostics.extractNotFieldName(bad, fnName, tag.span));
          break;
        }
        const dup = names.find((n, i) => names.indexOf(n) !== i);
        if (dup !== undefined) problems.push(diagnostics.extractFieldTwice(dup, fnName, tag.span));
        let from = 0;
        const fields = [...new Set(names)].map((name) => {
          const found = tag.locate?.(name, from);
          if (found) from = found.end;
          return { name, span: found?.span ?? tag.span };
        });
        parsed.extract = { span: tag.span, fields: names.length === 0 ? undefined : fields };
        break;
      }
      case "check": {
        const check = parseCheck(text, tag.span);
        if ("kind" in check) problems.push(diagnostics.malformedCheck(check, fnName, tag.span));
        else {
          parsed.checks.push(check);
          if (check.rule.kind === "validator") parsed.validatorNames.push({ name: check.rule.fn, span: tag.span });
        }
        break;
      }
      case "fitted":
        if (text !== "") problems.push(diagnostics.fittedArguments(text, fnName, tag.span));
        parsed.fitted = true;
        parsed.fittedSpan ??= tag.span;
        break;
      case "udf":
        if (text !== "") problems.push(diagnostics.udfArguments(text, fnName, tag.span));
        parsed.udf ??= tag.span;
        break;
      case "parameterize":
      case "window":
        break; // read from the comment's tokens by parameterize.ts and window.ts
      default: {
        const near = FEATC_TAGS.find(
          (t) =>
            t.toLowerCase() === tag.name.toLowerCase() ||
            (tag.name.length > 3 && editDistance(t.toLowerCase(), tag.name.toLowerCase()) <= 2),
        );
        if (near) problems.push(diagnostics.misspeltTag(tag.name, near, fnName, tag.span));
      }
    }
  }
  return parsed;
}

/** Parses the text of a `@check` tag, or returns what is wrong with it. */
export function parseCheck(text: string, span: Span): CheckFact | CheckSyntax {
  let body = text.trim();
  let warn = false;
  const w = /\s+warn$/.exec(body);
  if (w) {
    warn = true;
    body = body.slice(0, w.index).trim();
  }
  if (body === "") return { kind: "noRule" };
  const call = /^([A-Za-z_$][\w$]*)\s*(?:\((.*)\))?$/s.exec(body);
  if (!call) return { kind: "malformed", text: text.trim() };
  const [, name, args] = call as unknown as [string, string, string | undefined];
  let rule: CheckRule;
  if (name === "range") {
    const values = args === undefined ? [] : splitArgs(args).map(Number);
    if (values.length !== 2 || values.some((v) => Number.isNaN(v))) return { kind: "rangeNeedsTwoNumbers", text: body };
    if (values[0]! > values[1]!) return { kind: "rangeEmpty", min: values[0]!, max: values[1]! };
    rule = { kind: "range", min: values[0]!, max: values[1]! };
  } else if (name === "notNull") {
    if (args !== undefined && args.trim() !== "") return { kind: "notNullArguments" };
    rule = { kind: "notNull" };
  } else if (name === "oneOf") {
    const raw = args === undefined ? [] : splitArgs(args);
    const values: (string | number | boolean)[] = [];
    for (const a of raw) {
      const v = parseLiteral(a);
      if (v === undefined) return { kind: "oneOfNotLiteral", text: a };
      values.push(v);
    }
    if (values.length === 0) return { kind: "oneOfEmpty" };
    rule = { kind: "oneOf", values };
  } else {
    if (args !== undefined) return { kind: "unknownCheck", name };
    rule = { kind: "validator", fn: name, file: "" };
  }
  return { rule, text: body, warn, span };
}

function splitArgs(args: string): string[] {
  const out: string[] = [];
  let current = "";
  let quote: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const c = args[i]!;
    if (quote) {
      current += c;
      if (c === "\\" && i + 1 < args.length) current += args[++i];
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
      current += c;
    } else if (c === ",") {
      out.push(current.trim());
      current = "";
    } else current += c;
  }
  if (current.trim() !== "" || out.length > 0) out.push(current.trim());
  return out;
}

function parseLiteral(text: string): string | number | boolean | undefined {
  if (text === "true") return true;
  if (text === "false") return false;
  if (/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return Number(text);
  const q = text[0];
  if ((q === '"' || q === "'") && text.endsWith(q) && text.length >= 2) {
    const inner = text.slice(1, -1);
    try {
      return q === '"' ? (JSON.parse(text) as string) : (JSON.parse(`"${inner.replace(/\\'/g, "'").replace(/"/g, '\\"')}"`) as string);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
