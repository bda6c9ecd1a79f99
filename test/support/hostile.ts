/**
 * Catalogs written to break generated code: text from the catalog (field names, descriptions,
 * check arguments, config values, file names) holding comment terminators, backticks, `${`,
 * quotes, backslashes, line and paragraph separators, `</script>` and NUL; and a catalog whose
 * names are exactly the names featc's executors declare for themselves.
 */

/** Every hostile piece of text, as it should come out of the executors unchanged. */
export const HOSTILE = [
  "*/ (globalThis as any).PWNED = 1; /*",
  "/* open",
  "`${globalThis}`",
  `q"'quote`,
  "back\\slash\\",
  "ls\u2028ps\u2029end",
  "</script><script>alert(1)</script>",
  "nul\u0000byte",
  "line\nbreak\r\n// (globalThis as any).PWNED = 2;",
  "",
];

/** The row type both loaders return: one field per hostile text, and a plain one. */
const ROW = `export interface Row {\n  plain: number;\n${HOSTILE.map((h, i) => `  ${JSON.stringify(h)}: ${i % 2 === 0 ? "number" : "string"};`).join("\n")}\n}`;

const rowValue = (index: string) =>
  `{ plain: ${index}, ${HOSTILE.map((h, i) => `${JSON.stringify(h)}: ${i % 2 === 0 ? `${index} * ${i + 1}` : `${JSON.stringify(h)} + ${index}`}`).join(", ")} }`;

/**
 * A description that holds everything a JSDoc can hold: not its own terminator, and no raw NUL
 * (a file holding one is not text to featc, as to tsc); field names bring those.
 */
const DESCRIPTION = "Doubles it: *\\/ /* ` ${x} ` \"q\" 'q' back\\slash </script> ls\u2028ps\u2029 end.";

/** A config value (and `@when` value) with what a one-word tag value can hold. */
const FLAVOUR = "/*`${x}`\"'\\</script>";

/** The name of the catalog file holding the features: quotes, backticks, `${`, spaces. */
export const ODD_FILE = "odd `${x}` 'q' \"dq\".ts";

export function hostileCatalog(): Record<string, string> {
  const checked = JSON.stringify(HOSTILE[0]).replace("*/", "*\\/");
  return {
    "featc.config.json": JSON.stringify(
      {
        catalog: ["catalog/**/*.ts"],
        outDir: "generated",
        targets: {
          batch: { shape: "batch", config: { mode: "batch", flavour: FLAVOUR }, inputs: "catalog/inputs.ts#BatchInputs" },
          online: { shape: "online", config: { mode: "online", flavour: FLAVOUR }, inputs: "catalog/inputs.ts#OnlineInputs" },
        },
      },
      null,
      2,
    ),
    "catalog/inputs.ts": `export interface BatchInputs { rows: number }\nexport interface OnlineInputs { id: number }\n`,
    "catalog/rows.ts": [
      `import type { Table } from "featc";`,
      ROW,
      `/** Rows of the batch.\n * @when mode=batch\n * @extract */`,
      `export function table__batch(rows: number): Table<Row> {`,
      `  const list = Array.from({ length: rows }, (_, i) => (${rowValue("i")}) as Row);`,
      `  const columns = Object.fromEntries(Object.keys(list[0] ?? { plain: 0 }).map((k) => [k, list.map((r) => r[k as keyof Row])]));`,
      `  return { length: rows, columns: columns as unknown as Table<Row>["columns"] };`,
      `}`,
      `/** The entity's row.\n * @when mode=online\n * @extract */`,
      `export async function table__online(id: number): Promise<Row> {`,
      `  return (${rowValue("id")}) as Row;`,
      `}`,
      ``,
    ].join("\n"),
    [`catalog/${ODD_FILE}`]: [
      `/** ${DESCRIPTION}\n * @check range(-1e9, 1e9) */`,
      `export function twice(plain: number): number {`,
      `  return plain * 2;`,
      `}`,
      `/** Which hostile text the row picks.\n * @check oneOf(${checked}, ${JSON.stringify(HOSTILE[2])}, ${JSON.stringify(HOSTILE[6])}, "\\u2028", "nul\\u0000byte") */`,
      `export function pick(plain: number): string {`,
      `  return [${checked}, ${JSON.stringify(HOSTILE[2])}, ${JSON.stringify(HOSTILE[6])}, "\\u2028", "nul\\u0000byte"][plain % 5]!;`,
      `}`,
      `/** Selected by a config value that holds hostile text.\n * @when flavour=${FLAVOUR} */`,
      `export function flavoured(twice: number): number {`,
      `  return twice + 1;`,
      `}`,
      ``,
    ].join("\n"),
  };
}

/**
 * Names an executor declares for itself (types, constants, functions, locals), used by the
 * catalog: the inputs interface is `Inputs`, features and inputs take the others.
 */
export const OWN_NAMES = [
  "Outputs",
  "Results",
  "Result",
  "InputsFor",
  "InputsNeeded",
  "OutputName",
  "AsyncOutputName",
  "FittedValues",
  "Value",
  "ColumnElement",
  "TableRow",
  "ExecuteOptions",
  "BatchExecuteOptions",
  "TARGET",
  "OUTPUT_NAMES",
  "FITTED_HASH",
  "FITTED_SCHEMA",
  "FITTED_OUTPUTS",
  "execute",
  "computeSync",
  "computeAsync",
  "computeOnly_Outputs",
  "result",
  "axis",
  "need0",
  "want0",
  "handled",
  "reportCheck",
  "RowAxis",
  "MissingInputError",
  "UnknownOutputError",
  "chunkRowsFor",
  "allocateFloat64Columns",
  "numbers",
  "chunk",
  "start",
  "end",
  "n",
  "i",
  "k",
  "v",
];

export function ownNamesCatalog(): Record<string, string> {
  // A chain: each name is a feature of the one before; `Inputs` (a row-level input) feeds the first.
  const features = OWN_NAMES.map((name, i) => {
    const param = i === 0 ? "Inputs" : OWN_NAMES[i - 1]!;
    const check = i % 7 === 0 ? "\n * @check range(-1e12, 1e12)" : "";
    return `/** ${name}.${check} */\nexport ${i % 5 === 0 ? "async " : ""}function ${name}(${param}: number, options: number): ${i % 5 === 0 ? "Promise<number>" : "number"} {\n  return ${param} + options;\n}`;
  });
  return {
    "featc.config.json": JSON.stringify({
      catalog: ["catalog/**/*.ts"],
      outDir: "generated",
      targets: {
        batch: { shape: "batch", config: { mode: "batch" }, inputs: "catalog/Inputs.ts#Inputs" },
        online: { shape: "online", config: { mode: "online" }, inputs: "catalog/online/Inputs.ts#Inputs" },
      },
    }),
    "catalog/Inputs.ts": `import type { Column } from "featc";\nexport interface Inputs { Inputs: Column<number>; options: number }\n`,
    "catalog/online/Inputs.ts": `export interface Inputs { Inputs: number; options: number }\n`,
    "catalog/Outputs.ts": features.join("\n\n") + "\n",
  };
}
