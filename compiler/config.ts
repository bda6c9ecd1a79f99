/**
 * Reads `featc.config.json`. The file is parsed with TypeScript's JSON parser so that every
 * config error (FC1010) points at the offending key or value.
 */
import fs from "node:fs";
import path from "node:path";
import { ts } from "./typescript.js";
import { catalogGlob } from "./catalog-glob.js";
import { DEFAULT_CONFIG_NAME } from "./config-name.js";
import { diagnostics, nearestName, type Diagnostic, type Span } from "./diagnostics.js";
import { fileProblem, readTextFile } from "./discover/files.js";
import type { ConfigValue, FittedMode } from "./model.js";
import { shapeNamed, shapeNames } from "./shapes/registry.js";

export type { ConfigValue, FittedMode };

export interface InputsRef {
  /** Absolute path of the file declaring the inputs interface. */
  readonly file: string;
  readonly name: string;
  readonly span: Span;
}

export interface TargetConfig {
  readonly name: string;
  /** A registered shape's name (compiler/shapes/registry.ts). */
  readonly shape: string;
  /** The shape's own options (its `options` keys), defaults filled in. */
  readonly options: Readonly<Record<string, string>>;
  readonly config: Readonly<Record<string, ConfigValue>>;
  readonly inputs?: InputsRef;
  /** Public outputs with the position of each name in the config; undefined means every node. */
  readonly outputs?: readonly { readonly name: string; readonly span: Span }[];
  readonly fitted: FittedMode;
  readonly span: Span;
}

export interface FeatcConfig {
  readonly configPath: string;
  /** The folder of the config file: diagnostics and outputs are relative to it. */
  readonly rootDir: string;
  readonly catalogFiles: readonly string[];
  readonly outDir: string;
  /** Where "outDir" is written in the config, when it is. */
  readonly outDirSpan?: Span;
  /** The "catalog" globs as written, relative to rootDir. */
  readonly catalogPatterns: readonly string[];
  readonly targets: readonly TargetConfig[];
  readonly tsconfig?: string;
  /** Seconds the native type check may take before FC1011 says it did not finish. */
  readonly typeCheckTimeout: number;
}

export { DEFAULT_CONFIG_NAME };
/** Generated file names (`<target>.graph.json` and its temporary twin) stay within the 255 bytes file systems allow. */
const MAX_TARGET_NAME = 128;
const TARGET_KEYS = ["shape", "config", "inputs", "outputs", "fitted", "description"];
const TOP_KEYS = ["$schema", "catalog", "outDir", "targets", "tsconfig", "typeCheckTimeout"];
/** The bound of the native type check when neither the config nor FEATC_TYPECHECK_TIMEOUT sets one. */
export const DEFAULT_TYPECHECK_TIMEOUT_SECONDS = 300;

export interface ConfigResult {
  readonly config?: FeatcConfig;
  readonly diagnostics: Diagnostic[];
}

/** The config file `--config PATH` names: a folder stands for the featc.config.json in it, as with tsc -p. */
export function configFileFor(given: string): string {
  return isDirectory(given) ? path.join(given, DEFAULT_CONFIG_NAME) : given;
}

/** Loads and validates a config file; returns diagnostics instead of throwing. */
export async function loadConfig(given: string): Promise<ConfigResult> {
  const configPath = configFileFor(given);
  const absolute = path.resolve(configPath);
  // Without a byte-order mark (some editors write one), as tsc reads tsconfig.json.
  const read = readTextFile(absolute);
  if ("problem" in read) {
    if (read.problem === "not found") return { diagnostics: [diagnostics.configNotFound(configPath)] };
    return { diagnostics: [diagnostics.unreadableConfig(configPath, read.problem, absolute)] };
  }
  const text = read.text;
  const json = ts.parseJsonText(absolute, text);
  const problems: Diagnostic[] = [];
  const spanOf = (node: ts.Node): Span => {
    const start = node.getStart(json);
    const { line, character } = json.getLineAndCharacterOfPosition(start);
    return { file: absolute, line: line + 1, column: character + 1, length: Math.max(1, node.getEnd() - start) };
  };
  const parseErrors = (json as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
  if (parseErrors.length > 0) {
    const first = parseErrors[0]!;
    const { line, character } = json.getLineAndCharacterOfPosition(Math.min(first.start ?? 0, text.length));
    const message = ts.flattenDiagnosticMessageText(first.messageText, " ");
    return { diagnostics: [diagnostics.configNotJson(message, { file: absolute, line: line + 1, column: character + 1, length: 1 })] };
  }
  const strictError = strictJsonError(json, text);
  if (strictError) {
    const { line, character } = json.getLineAndCharacterOfPosition(strictError.pos);
    return {
      diagnostics: [
        diagnostics.configNotJson(strictError.message, {
          file: absolute,
          line: line + 1,
          column: character + 1,
          length: strictError.length,
        }),
      ],
    };
  }
  const root = json.statements[0]?.expression;
  if (!root || !ts.isObjectLiteralExpression(root)) {
    return { diagnostics: [diagnostics.configNotObject(root ? spanOf(root) : { file: absolute, line: 1, column: 1, length: 1 })] };
  }
  const rootDir = path.dirname(absolute);
  const top = properties(root);
  for (const [key, prop] of top) {
    if (!TOP_KEYS.includes(key)) problems.push(diagnostics.unknownConfigKey(key, nearestName(key, TOP_KEYS), TOP_KEYS, spanOf(prop.name)));
  }

  const catalogNode = top.get("catalog")?.initializer;
  let patterns: string[] = [];
  if (!catalogNode) {
    problems.push(diagnostics.missingCatalog(spanOf(root)));
  } else {
    const list = stringList(catalogNode);
    if (!list || list.length === 0) problems.push(diagnostics.badCatalog(spanOf(catalogNode)));
    else patterns = list;
  }
  const outDirNode = top.get("outDir")?.initializer;
  let outDir = path.join(rootDir, "generated");
  if (outDirNode) {
    if (ts.isStringLiteral(outDirNode) && outDirNode.text.trim() !== "") outDir = path.resolve(rootDir, outDirNode.text);
    else problems.push(diagnostics.badOutDir(spanOf(outDirNode)));
  }
  let tsconfig: string | undefined;
  const tsconfigNode = top.get("tsconfig")?.initializer;
  if (tsconfigNode) {
    if (ts.isStringLiteral(tsconfigNode)) {
      tsconfig = path.resolve(rootDir, tsconfigNode.text);
      const problem = fileProblem(tsconfig);
      if (problem) problems.push(diagnostics.unreadableTsconfig(tsconfigNode.text, problem, spanOf(tsconfigNode)));
    } else problems.push(diagnostics.badTsconfigPath(spanOf(tsconfigNode)));
  } else if (fs.existsSync(path.join(rootDir, "tsconfig.json"))) {
    tsconfig = path.join(rootDir, "tsconfig.json");
    const problem = fileProblem(tsconfig);
    if (problem) problems.push(diagnostics.unreadableTsconfig(path.relative(rootDir, tsconfig), problem));
  }
  const typeCheckTimeout = readTypeCheckTimeout(top.get("typeCheckTimeout")?.initializer, spanOf, problems);

  const targets: TargetConfig[] = [];
  const targetsNode = top.get("targets")?.initializer;
  if (!targetsNode || !ts.isObjectLiteralExpression(targetsNode)) {
    problems.push(diagnostics.missingTargets(shapeNames(), spanOf(targetsNode ?? root)));
  } else {
    for (const [name, prop] of properties(targetsNode)) {
      const target = readTarget(name, prop, rootDir, spanOf, problems, (n) => n.getText(json));
      if (target) targets.push(target);
    }
    if (targets.length === 0 && problems.length === 0) problems.push(diagnostics.emptyTargets(spanOf(targetsNode)));
  }

  let catalogFiles: string[] = [];
  if (patterns.length > 0) {
    catalogFiles = await catalogGlob(patterns, rootDir);
    if (catalogFiles.length === 0 && catalogNode) {
      problems.push(diagnostics.catalogMatchesNothing(patterns, spanOf(catalogNode)));
    }
    for (const file of catalogFiles) {
      const problem = fileProblem(file);
      if (problem)
        problems.push(diagnostics.unreadableCatalogFile(path.relative(rootDir, file), problem, catalogNode && spanOf(catalogNode)));
    }
  }
  for (const target of targets) {
    const problem = target.inputs && fileProblem(target.inputs.file);
    if (problem)
      problems.push(
        diagnostics.unreadableInputsFile(target.name, path.relative(rootDir, target.inputs!.file), problem, target.inputs!.span),
      );
  }
  if (problems.length > 0) return { diagnostics: problems };
  const outDirSpan = outDirNode ? spanOf(outDirNode) : undefined;
  return {
    config: {
      configPath: absolute,
      rootDir,
      catalogFiles,
      outDir,
      outDirSpan,
      catalogPatterns: patterns,
      targets,
      tsconfig,
      typeCheckTimeout,
    },
    diagnostics: [],
  };
}

/**
 * The bound of the native type check, in seconds: FEATC_TYPECHECK_TIMEOUT in the environment
 * (for one run, or CI), else "typeCheckTimeout" in the config, else the default.
 */
function readTypeCheckTimeout(node: ts.Expression | undefined, spanOf: (n: ts.Node) => Span, problems: Diagnostic[]): number {
  const fromEnv = process.env.FEATC_TYPECHECK_TIMEOUT;
  if (fromEnv !== undefined && fromEnv !== "") {
    const seconds = Number(fromEnv);
    if (Number.isFinite(seconds) && seconds > 0) return seconds;
    problems.push(diagnostics.badTypeCheckTimeoutVariable(fromEnv));
  }
  if (!node) return DEFAULT_TYPECHECK_TIMEOUT_SECONDS;
  const seconds = ts.isNumericLiteral(node) ? Number(node.text) : NaN;
  if (Number.isFinite(seconds) && seconds > 0) return seconds;
  problems.push(diagnostics.badTypeCheckTimeout(spanOf(node)));
  return DEFAULT_TYPECHECK_TIMEOUT_SECONDS;
}

function readTarget(
  name: string,
  prop: ts.PropertyAssignment,
  rootDir: string,
  spanOf: (n: ts.Node) => Span,
  problems: Diagnostic[],
  textOf: (n: ts.Node) => string,
): TargetConfig | undefined {
  const body = prop.initializer;
  if (!ts.isObjectLiteralExpression(body)) {
    problems.push(diagnostics.targetNotObject(name, spanOf(body)));
    return undefined;
  }
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name) || name.length > MAX_TARGET_NAME) {
    problems.push(diagnostics.badTargetName(name, MAX_TARGET_NAME, spanOf(prop.name)));
    return undefined;
  }
  const fields = properties(body);
  const shapeNode = fields.get("shape")?.initializer;
  const shape = shapeNode && ts.isStringLiteral(shapeNode) ? shapeNamed(shapeNode.text) : undefined;
  if (!shapeNode) problems.push(diagnostics.missingShape(name, shapeNames(), spanOf(prop.name)));
  else if (!shape) problems.push(diagnostics.unknownShape(name, textOf(shapeNode), shapeNames(), spanOf(shapeNode)));
  const shapeOptions = shape?.options ?? {};
  const keys = [...TARGET_KEYS, ...Object.keys(shapeOptions)];
  for (const [key, p] of fields) {
    if (!keys.includes(key)) problems.push(diagnostics.unknownConfigKey(key, nearestName(key, keys), keys, spanOf(p.name), name));
  }
  const options: Record<string, string> = {};
  for (const [key, option] of Object.entries(shapeOptions)) {
    const node = fields.get(key)?.initializer;
    if (!node) {
      if (option.default !== undefined) options[key] = option.default;
      else problems.push(diagnostics.missingShapeOption(name, shape!.name, key, option, spanOf(prop.name)));
    } else if (!ts.isStringLiteral(node) || (option.values && !option.values.includes(node.text))) {
      problems.push(diagnostics.badShapeOption(name, key, option, spanOf(node)));
    } else options[key] = node.text;
  }

  const config: Record<string, ConfigValue> = {};
  const configNode = fields.get("config")?.initializer;
  if (configNode) {
    if (!ts.isObjectLiteralExpression(configNode)) problems.push(diagnostics.badTargetConfig(name, spanOf(configNode)));
    else {
      for (const [key, p] of properties(configNode)) {
        const v = p.initializer;
        if (ts.isStringLiteral(v)) config[key] = v.text;
        else if (ts.isNumericLiteral(v)) config[key] = Number(v.text);
        else if (v.kind === ts.SyntaxKind.TrueKeyword) config[key] = true;
        else if (v.kind === ts.SyntaxKind.FalseKeyword) config[key] = false;
        else problems.push(diagnostics.badConfigValue(name, key, spanOf(v)));
      }
    }
  }

  let inputs: InputsRef | undefined;
  const inputsNode = fields.get("inputs")?.initializer;
  if (inputsNode) {
    const m = ts.isStringLiteral(inputsNode) ? /^(.+)#([A-Za-z_$][\w$]*)$/.exec(inputsNode.text) : null;
    if (!m) problems.push(diagnostics.badInputsRef(name, spanOf(inputsNode)));
    else inputs = { file: path.resolve(rootDir, m[1]!), name: m[2]!, span: spanOf(inputsNode) };
  }

  let outputs: { name: string; span: Span }[] | undefined;
  const outputsNode = fields.get("outputs")?.initializer;
  if (outputsNode) {
    if (!ts.isArrayLiteralExpression(outputsNode) || !outputsNode.elements.every(ts.isStringLiteral)) {
      problems.push(diagnostics.badOutputs(name, spanOf(outputsNode)));
    } else {
      outputs = outputsNode.elements.map((e) => ({ name: (e as ts.StringLiteral).text, span: spanOf(e) }));
    }
  }

  let fitted: FittedMode = shape?.fitted ?? "compute";
  const fittedNode = fields.get("fitted")?.initializer;
  if (fittedNode) {
    if (ts.isStringLiteral(fittedNode) && (fittedNode.text === "compute" || fittedNode.text === "read")) fitted = fittedNode.text;
    else problems.push(diagnostics.badFittedMode(name, spanOf(fittedNode)));
  }
  if (!shape) return undefined;
  return { name, shape: shape.name, options, config, inputs, outputs, fitted, span: spanOf(prop.name) };
}

/**
 * TypeScript's JSON parser is lenient (unquoted keys, shorthand properties, comments); a config
 * is JSON. Returns the first construct JSON does not allow, with its position.
 */
function strictJsonError(json: ts.JsonSourceFile, text: string): { pos: number; length: number; message: string } | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    let found: { pos: number; length: number; message: string } | undefined;
    const bad = (node: ts.Node, message: string) => {
      if (!found) found = { pos: node.getStart(json), length: Math.max(1, node.getEnd() - node.getStart(json)), message };
    };
    const visit = (node: ts.Node): void => {
      if (found) return;
      if (ts.isObjectLiteralExpression(node)) {
        for (const p of node.properties) {
          if (!ts.isPropertyAssignment(p)) bad(p, `'${p.getText(json)}' is not a "key": value pair`);
          else if (!ts.isStringLiteral(p.name) || text[p.name.getStart(json)] !== '"')
            bad(p.name, `keys must be double-quoted strings, got ${p.name.getText(json)}`);
          else visit(p.initializer);
        }
      } else if (ts.isArrayLiteralExpression(node)) node.elements.forEach(visit);
      else if (ts.isStringLiteral(node)) {
        if (text[node.getStart(json)] !== '"') bad(node, "strings must be double-quoted");
      } else if (!(
        ts.isNumericLiteral(node) ||
        node.kind === ts.SyntaxKind.TrueKeyword ||
        node.kind === ts.SyntaxKind.FalseKeyword ||
        node.kind === ts.SyntaxKind.NullKeyword ||
        (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken)
      )) {
        bad(node, `'${node.getText(json)}' is not a JSON value`);
      }
    };
    const root = json.statements[0]?.expression;
    if (root) visit(root);
    return found ?? positionOfParseError(text, (e as Error).message);
  }
}

/**
 * What the syntax tree does not show: a trailing comma or a comment (TypeScript's parser allows
 * both), found by a scan outside strings; otherwise the position JSON.parse gives, if any.
 */
function positionOfParseError(text: string, message: string): { pos: number; length: number; message: string } {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "/" && (text[i + 1] === "/" || text[i + 1] === "*")) return { pos: i, length: 2, message: "comments are not allowed" };
    else if (c === ",") {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j]!)) j++;
      if (text[j] === "}" || text[j] === "]") return { pos: i, length: 1, message: "trailing comma" };
    }
  }
  const at = /at position (\d+)/.exec(message);
  return {
    pos: at ? Math.min(Number(at[1]), Math.max(0, text.length - 1)) : 0,
    length: 1,
    message: message.replace(/\s*in JSON at position \d+.*$/s, ""),
  };
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function properties(obj: ts.ObjectLiteralExpression): Map<string, ts.PropertyAssignment> {
  const map = new Map<string, ts.PropertyAssignment>();
  for (const p of obj.properties) {
    if (ts.isPropertyAssignment(p) && (ts.isStringLiteral(p.name) || ts.isIdentifier(p.name))) map.set(p.name.text, p);
  }
  return map;
}

function stringList(node: ts.Expression): string[] | undefined {
  if (ts.isStringLiteral(node)) return [node.text];
  if (!ts.isArrayLiteralExpression(node) || !node.elements.every(ts.isStringLiteral)) return undefined;
  return node.elements.map((e) => (e as ts.StringLiteral).text);
}
