/**
 * What the executors' opt-in input validation costs a service per request: the reference online
 * target, `execute(["predictions"], inputs)` with in-memory lookups returning promises (what the
 * demo server runs), without and with `{ validate: true }`, and `validateInputs` alone. The same
 * for the DuckDB SQL target (a 1,000-client table in an embedded DuckDB), and what its `@check`
 * columns cost the query: the statement as run, and the same statement with only the outputs read
 * (DuckDB drops the unread check columns).
 * Run: npx tsx bench/validate.bench.ts [--quick]
 */
import { DuckDBInstance } from "@duckdb/node-api";
import type { LoginService, Model, Survey, SurveyService } from "../catalog/types.js";
import { generateData } from "../demo/generate.js";
import * as duckdbTarget from "../generated/duckdb.js";
import { execute, validateInputs } from "../generated/online.js";
import { duckdbConnection } from "../runtime/sql/connection.js";
import { loadDuckDB, referenceColumns } from "../test/support/sql-data.js";
import { consume, machine, measure, rows, table, writeRows } from "./harness.js";

const quick = process.argv.includes("--quick");
const calls = quick ? 5_000 : 50_000;

const model: Model = {
  weights: { time_since_last_login: -0.05, is_male: 0.3, is_female: -0.2, is_high_roller: 0.8, age_normalized: 0.4 },
  bias: -0.1,
};
const GENDERS = ["male", "female", "other"];
const EXECUTION_TIME = Date.UTC(2026, 10, 1);
const surveys = new Map<number, Survey>();
const logins = new Map<number, number>();
for (let id = 0; id < 1024; id++) {
  surveys.set(id, { client_id: id, budget: (id * 37) % 300, age: 18 + (id % 60), gender: GENDERS[id % 3]! });
  logins.set(id, EXECUTION_TIME - ((id * 7919) % 90) * 86_400_000);
}
const survey_service: SurveyService = { survey: (id) => Promise.resolve(surveys.get(id)!) };
const login_service: LoginService = { lastLoggedIn: (id) => Promise.resolve(logins.get(id)!) };
const fitted = { age_mean: 47.5, age_stddev: 17.3 };
const inputs = (client_id: number) => ({ client_id, execution_time: EXECUTION_TIME, survey_service, login_service, model, fitted });

const plain = await execute(["predictions"], inputs(7));
const validated = await execute(["predictions"], inputs(7), { validate: true });
if (!Object.is(plain.predictions, validated.predictions))
  throw new Error(`validation changed the prediction: ${plain.predictions} vs ${validated.predictions}`);

const all = [
  ...rows(
    "online request, input validation",
    await measure(
      [
        {
          name: "execute",
          run: async () => {
            for (let k = 0; k < calls; k++) consume(await execute(["predictions"], inputs(k & 1023)));
          },
        },
        {
          name: "execute { validate: true }",
          run: async () => {
            for (let k = 0; k < calls; k++) consume(await execute(["predictions"], inputs(k & 1023), { validate: true }));
          },
        },
      ],
      quick ? 5 : 15,
      calls,
    ),
    "ns",
    "reference online target, 2 lookups (promises)",
  ),
  ...rows(
    "validateInputs alone",
    await measure(
      [
        {
          name: "validateInputs (6 inputs, nested)",
          run: () => {
            for (let k = 0; k < calls; k++) {
              const value: unknown = inputs(k & 1023);
              validateInputs(value);
              consume(value);
            }
          },
        },
      ],
      quick ? 5 : 15,
      calls,
    ),
    "ns",
    "includes making the inputs object",
  ),
];
/** The DuckDB SQL target on a table of 1,000 clients: a query per call. */
async function sqlRows(): Promise<ReturnType<typeof rows>> {
  const data = generateData({ clients: 1_000, seed: 3 });
  const instance = await DuckDBInstance.create(":memory:");
  const duck = await instance.connect();
  const { survey, logins } = referenceColumns(data);
  await loadDuckDB(duck, "survey", survey);
  await loadDuckDB(duck, "logins", logins);
  const connection = duckdbConnection(duck);
  const sqlInputs = { survey_results_table: "survey", client_login_table: "logins", execution_time: EXECUTION_TIME, model, fitted };
  const sqlCalls = quick ? 10 : 40;
  const { sql, parameters } = duckdbTarget.statement(sqlInputs);
  const outputs = duckdbTarget.COLUMNS;
  const quoted = outputs.map((c) => `"${c.name}"`).join(", ");
  const result = [
    ...rows(
      "DuckDB SQL target, input validation",
      await measure(
        [
          {
            name: "execute",
            run: async () => {
              for (let k = 0; k < sqlCalls; k++) consume(await duckdbTarget.execute(connection, sqlInputs));
            },
          },
          {
            name: "execute { validate: true }",
            run: async () => {
              for (let k = 0; k < sqlCalls; k++) consume(await duckdbTarget.execute(connection, sqlInputs, { validate: true }));
            },
          },
        ],
        quick ? 5 : 15,
        sqlCalls,
      ),
      "µs",
      "reference duckdb target, 1,000 clients per query",
    ),
    ...rows(
      "DuckDB SQL target, validateInputs alone",
      await measure(
        [
          {
            name: "validateInputs (5 inputs, nested)",
            run: () => {
              for (let k = 0; k < calls; k++) {
                const value: unknown = { ...sqlInputs, execution_time: EXECUTION_TIME + k };
                duckdbTarget.validateInputs(value);
                consume(value);
              }
            },
          },
        ],
        quick ? 5 : 15,
        calls,
      ),
      "ns",
      "includes making the inputs object",
    ),
    ...rows(
      "DuckDB SQL target, @check columns",
      await measure(
        [
          {
            name: `statement with its ${duckdbTarget.CHECKS.length} check columns`,
            run: async () => {
              for (let k = 0; k < sqlCalls; k++)
                consume(
                  await connection.query(sql, parameters, [
                    ...outputs,
                    ...duckdbTarget.CHECKS.map((c) => ({ name: c.column, type: "boolean" as const })),
                  ]),
                );
            },
          },
          {
            name: "outputs only",
            run: async () => {
              for (let k = 0; k < sqlCalls; k++) consume(await connection.query(`SELECT ${quoted} FROM (${sql})`, parameters, outputs));
            },
          },
        ],
        quick ? 5 : 15,
        sqlCalls,
      ),
      "µs",
      "the query alone, 1,000 rows read back",
    ),
  ];
  instance.closeSync();
  return result;
}
all.push(...(await sqlRows()));

console.log(machine());
console.log(table(all));
writeRows(all);
