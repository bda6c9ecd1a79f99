/**
 * Diagnostics for people (like tsc: `file:line:col - error CODE: message` and a code frame)
 * and for tools (`--format json`, the shape fixed by DESIGN.md §3).
 */
import fs from "node:fs";
import path from "node:path";
import { inTargets, type Diagnostic } from "../diagnostics.js";

export type OutputFormat = "human" | "json";

export interface JsonDiagnostic {
  code: string;
  severity: string;
  target: string | null;
  file: string | null;
  line: number | null;
  column: number | null;
  message: string;
}

/** The JSON form of a diagnostic: file relative to the config's folder, positions 1-based. */
export function toJson(d: Diagnostic, rootDir: string): JsonDiagnostic {
  return {
    code: d.code,
    severity: d.severity,
    target: d.targets[0] ?? null,
    file: d.span ? relative(d.span.file, rootDir) : null,
    line: d.span?.line ?? null,
    column: d.span?.column ?? null,
    message: d.message,
  };
}

export function relative(file: string, rootDir: string): string {
  return path.relative(rootDir, file).split(path.sep).join("/");
}

interface Colors {
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  gray(s: string): string;
}

const plain: Colors = { red: (s) => s, yellow: (s) => s, cyan: (s) => s, gray: (s) => s };
const ansi: Colors = {
  red: (s) => `\x1b[31m${s}\x1b[39m`,
  yellow: (s) => `\x1b[33m${s}\x1b[39m`,
  cyan: (s) => `\x1b[36m${s}\x1b[39m`,
  gray: (s) => `\x1b[90m${s}\x1b[39m`,
};

/**
 * One diagnostic per problem for people: the same finding at the same position in several
 * targets (a shared function) is shown once, naming every target where its message names one.
 */
export function mergeAcrossTargets(list: readonly Diagnostic[]): Diagnostic[] {
  const groups = new Map<string, { first: Diagnostic; targets: string[] }>();
  for (const d of list) {
    const k = JSON.stringify([d.code, d.severity, d.span?.file, d.span?.line, d.span?.column, d.wording]);
    const group = groups.get(k);
    if (!group) groups.set(k, { first: d, targets: [...d.targets] });
    else for (const t of d.targets) if (!group.targets.includes(t)) group.targets.push(t);
  }
  return [...groups.values()].map((g) => (g.targets.length > g.first.targets.length ? inTargets(g.first, g.targets) : g.first));
}

/**
 * Text from a catalog or config as a terminal shows it safely: control characters (NUL, ESC
 * starting an escape sequence, a carriage return that would overwrite the line) become their
 * visible Control Pictures, one character each so that the underline keeps its column.
 */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => {
    const code = ch.charCodeAt(0);
    return code < 0x20 ? String.fromCharCode(0x2400 + code) : code === 0x7f ? "\u2421" : "\ufffd";
  });
}

/** Formats diagnostics like tsc, each with a code frame of its line. */
export function formatHuman(all: readonly Diagnostic[], rootDir: string, color = false): string {
  const list = mergeAcrossTargets(all);
  const c = color ? ansi : plain;
  const cache = new Map<string, string[] | undefined>();
  const lines = (file: string) => {
    if (!cache.has(file)) {
      try {
        cache.set(
          file,
          fs
            .readFileSync(file, "utf8")
            .replace(/^\uFEFF/, "")
            .split(/\r?\n/),
        );
      } catch {
        cache.set(file, undefined);
      }
    }
    return cache.get(file);
  };
  const out: string[] = [];
  for (const d of list) {
    const sev = d.severity === "error" ? c.red("error") : c.yellow("warning");
    const loc = d.span
      ? `${c.cyan(printable(relative(d.span.file, rootDir)))}:${c.yellow(String(d.span.line))}:${c.yellow(String(d.span.column))} - `
      : "";
    out.push(`${loc}${sev} ${c.gray(d.code + ":")} ${printable(d.message)}`);
    const source = d.span ? lines(d.span.file) : undefined;
    const text = d.span && source ? source[d.span.line - 1] : undefined;
    if (d.span && text !== undefined) {
      const gutter = String(d.span.line);
      const underline = Math.max(1, Math.min(d.span.length, text.length - d.span.column + 1));
      out.push("");
      // Tabs as single spaces (as tsc does), so the underline below lines up with the column.
      out.push(`${c.gray(gutter)} ${printable(text.replace(/\t/g, " "))}`);
      out.push(
        `${" ".repeat(gutter.length)} ${" ".repeat(Math.max(0, d.span.column - 1))}${(d.severity === "error" ? c.red : c.yellow)("~".repeat(underline))}`,
      );
    }
    out.push("");
  }
  const errors = list.filter((d) => d.severity === "error").length;
  const warnings = list.length - errors;
  if (list.length > 0)
    out.push(`Found ${errors} error${errors === 1 ? "" : "s"}${warnings ? ` and ${warnings} warning${warnings === 1 ? "" : "s"}` : ""}.`);
  return out.join("\n");
}
