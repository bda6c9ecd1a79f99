/**
 * The diagnostic catalogue (compiler/diagnostics.ts) is the one place a message is worded. Read
 * through TypeScript's checker over the compiler's sources: no diagnostic is built outside it,
 * no call site words a message for a catalogue constructor, and every constructor is used. Its
 * codes and the README's table of codes are the same list; a finding merged across targets names
 * them from data.
 */
import fs from "node:fs";
import path from "node:path";
import { Project, ts } from "ts-morph";
import { describe, expect, it } from "vitest";
import { mergeAcrossTargets } from "../compiler/cli/format.js";
import { DIAGNOSTIC_CODES, diagnostics } from "../compiler/diagnostics.js";
import { REPO } from "./support/workspace.js";

const CATALOGUE = path.join(REPO, "compiler", "diagnostics.ts");

/** The compiler's sources as one program (ts-morph supplies TypeScript's lib files), with the checker that resolves their calls. */
function compilerProgram(): { checker: ts.TypeChecker; sources: ts.SourceFile[] } {
  const project = new Project({ tsConfigFilePath: path.join(REPO, "tsconfig.json"), skipAddingFilesFromTsConfig: true });
  project.addSourceFilesAtPaths(path.join(REPO, "compiler", "**", "*.ts"));
  const program = project.getProgram().compilerObject;
  const compiler = path.join(REPO, "compiler") + path.sep;
  const sources = program.getSourceFiles().filter((sf) => path.resolve(sf.fileName).startsWith(compiler));
  return { checker: program.getTypeChecker(), sources };
}

function where(node: ts.Node): string {
  const sf = node.getSourceFile();
  const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  return `${path.relative(REPO, sf.fileName)}:${line + 1}`;
}

/** Text a person reads: a string or template with a space in its literal parts, or strings joined with `+`. */
function isWording(arg: ts.Expression): boolean {
  let e = arg;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e)) e = e.expression;
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return /\s/.test(e.text);
  if (ts.isTemplateExpression(e)) return [e.head.text, ...e.templateSpans.map((s) => s.literal.text)].some((t) => /\s/.test(t));
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) return isWording(e.left) || isWording(e.right);
  if (ts.isConditionalExpression(e)) return isWording(e.whenTrue) || isWording(e.whenFalse);
  return false;
}

describe("the diagnostic catalogue", () => {
  const { checker, sources } = compilerProgram();
  const catalogueFile = sources.find((sf) => path.resolve(sf.fileName) === CATALOGUE)!;
  const moduleSymbol = checker.getSymbolAtLocation(catalogueFile)!;
  const exported = checker.getExportsOfModule(moduleSymbol);
  const diagnosticType = checker.getDeclaredTypeOfSymbol(exported.find((s) => s.name === "Diagnostic")!);
  const catalogueSymbol = exported.find((s) => s.name === "diagnostics")!;
  const constructors = new Set(checker.getPropertiesOfType(checker.getTypeOfSymbol(catalogueSymbol)));

  it("reads the compiler's sources", () => {
    expect(sources.length).toBeGreaterThan(40);
    expect(constructors.size).toBeGreaterThan(80);
  });

  it("exports no factory: only the named constructors make a diagnostic (inTargets re-words one it is given)", () => {
    const makers = exported.filter((s) => {
      const type = checker.getTypeOfSymbol(s);
      return type
        .getCallSignatures()
        .some((sig) => checker.isTypeAssignableTo(sig.getReturnType(), diagnosticType) && !(sig.getReturnType().flags & ts.TypeFlags.Any));
    });
    expect(makers.map((s) => s.name)).toEqual(["inTargets"]);
    const inTargets = checker.getTypeOfSymbol(makers[0]!).getCallSignatures()[0]!;
    expect(checker.typeToString(checker.getTypeOfSymbol(inTargets.getParameters()[0]!))).toBe("Diagnostic");
  });

  it("no diagnostic is written as an object outside the catalogue, and no call site words a constructor's message", () => {
    const adHoc: string[] = [];
    const worded: string[] = [];
    const used = new Set<ts.Symbol>();
    for (const sf of sources) {
      if (sf === catalogueFile) continue;
      const visit = (node: ts.Node): void => {
        if (ts.isObjectLiteralExpression(node)) {
          const type = checker.getTypeAtLocation(node);
          if (!(type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) && checker.isTypeAssignableTo(type, diagnosticType))
            adHoc.push(where(node));
        }
        if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
          const callee = checker.getSymbolAtLocation(node.expression.name);
          if (callee && constructors.has(callee)) {
            used.add(callee);
            for (const arg of node.arguments) if (isWording(arg)) worded.push(`${where(arg)} ${callee.name}(${arg.getText()})`);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
    expect(adHoc).toEqual([]);
    expect(worded).toEqual([]);
    expect([...constructors].filter((c) => !used.has(c)).map((c) => c.name)).toEqual([]);
  });

  it("has the same codes as the README's table of diagnostics", () => {
    const readme = fs.readFileSync(path.join(REPO, "README.md"), "utf8");
    const documented = [...readme.matchAll(/^\| (FC\d{4}) \|/gm)].map((m) => m[1]!);
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual(Object.keys(DIAGNOSTIC_CODES).sort());
  });
});

describe("a finding shared by several targets", () => {
  const span = { file: "/catalog/f.ts", line: 3, column: 20, length: 4 };

  it("is shown once, naming its targets from data", () => {
    const merged = mergeAcrossTargets([
      diagnostics.unknownDependency("batch", "agee", "budget_per_year", span, "age"),
      diagnostics.unknownDependency("online", "agee", "budget_per_year", span, "age"),
      diagnostics.unknownDependency("replay", "agee", "budget_per_year", span, "age"),
    ]);
    expect(merged).toHaveLength(1);
    expect(merged[0]!.targets).toEqual(["batch", "online", "replay"]);
    expect(merged[0]!.message).toBe(
      "'agee' is not a feature or an input of targets 'batch', 'online' and 'replay' (parameter of 'budget_per_year'). Did you mean 'age'?",
    );
  });

  it("keeps a target's name that is also text of the message intact", () => {
    // The target named like the node: only the places that name targets change.
    const merged = mergeAcrossTargets([diagnostics.cycle("a", ["a", "b", "a"], span), diagnostics.cycle("b", ["a", "b", "a"], span)]);
    expect(merged.map((d) => d.message)).toEqual(["cycle in targets 'a' and 'b': a -> b -> a"]);
  });

  it("reads the same when its message names no target, and stays apart when the findings differ", () => {
    const merged = mergeAcrossTargets([
      diagnostics.validatorType("batch", "isAdult", "number", "age", "string", span),
      diagnostics.validatorType("online", "isAdult", "number", "age", "string", span),
      diagnostics.unknownDependency("batch", "agee", "f", span, "age"),
      diagnostics.unknownDependency("online", "agee", "f", span, "page"),
    ]);
    expect(merged.map((d) => [d.targets, d.message])).toEqual([
      [["batch", "online"], "validator 'isAdult' takes 'number', but 'age' is 'string'"],
      [["batch"], "'agee' is not a feature or an input of target 'batch' (parameter of 'f'). Did you mean 'age'?"],
      [["online"], "'agee' is not a feature or an input of target 'online' (parameter of 'f'). Did you mean 'page'?"],
    ]);
  });
});
