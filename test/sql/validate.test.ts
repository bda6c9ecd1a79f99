/**
 * Untyped callers of the SQL targets (JavaScript, data parsed from JSON): the reference catalog's
 * generated DuckDB, PostgreSQL and two-shard ClickHouse modules, run on real engines with bad
 * inputs. No inputs object is MissingInputError; a bound value of the wrong type is
 * InvalidInputError naming its input path; `validateInputs` and `execute(…, { validate: true })`
 * say what the online executor says about the same inputs, and refuse them before any query runs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateData } from "../../demo/generate.js";
import type { Model } from "../../catalog/types.js";
import * as clickhouseTarget from "../../generated/clickhouse.js";
import * as duckdbTarget from "../../generated/duckdb.js";
import * as online from "../../generated/online.js";
import * as postgresTarget from "../../generated/postgres.js";
import { InvalidInputError, MissingInputError } from "../../runtime/errors.js";
import type { SqlConnection } from "../../runtime/sql/connection.js";
import type { SqlDialect } from "../../runtime/sql/identifiers.js";
import { referenceColumns } from "../support/sql-data.js";
import { startSqlEngines, type SqlEngines } from "../support/sql-engines.js";

const SURVEY_TABLE = "survey";
const LOGIN_TABLE = "logins";
const MODEL: Model = {
  bias: -0.4,
  weights: { time_since_last_login: -0.035, is_male: -0.3, is_female: 0.7, is_high_roller: 1.6, age_normalized: -0.6 },
};
const GOOD = {
  survey_results_table: SURVEY_TABLE,
  client_login_table: LOGIN_TABLE,
  execution_time: Date.UTC(2024, 0, 1),
  model: MODEL,
  fitted: { age_mean: 40, age_stddev: 12 },
};

/** The online target's inputs that the SQL targets do not have (services stand for the tables). */
const ONLINE_ONLY = {
  client_id: 1,
  survey_service: { survey: async () => ({ client_id: 1, budget: 1, age: 1, gender: "other" }) },
  login_service: { lastLoggedIn: async () => 0 },
};

type Target = typeof duckdbTarget;
const TARGETS: Record<SqlDialect & ("duckdb" | "postgres" | "clickhouse"), Target> = {
  duckdb: duckdbTarget,
  postgres: postgresTarget as unknown as Target,
  clickhouse: clickhouseTarget as unknown as Target,
};

/** A connection that counts the queries it passes on. */
function counted(connection: SqlConnection): SqlConnection & { queries: number } {
  const c = {
    dialect: connection.dialect,
    queries: 0,
    query: (...args: Parameters<SqlConnection["query"]>) => (c.queries++, connection.query(...args)),
    execute: (...args: Parameters<SqlConnection["execute"]>) => (c.queries++, connection.execute(...args)),
  };
  return c;
}

/** The inputs with one value replaced along a path (`model.weights.is_male`), or removed when `value` is `REMOVE`. */
const REMOVE = Symbol("remove");
function withValue(path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(GOOD) as unknown as Record<string, unknown>;
  const keys = path.split(".");
  let at = copy;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
  if (value === REMOVE) delete at[keys.at(-1)!];
  else at[keys.at(-1)!] = value;
  return copy;
}

/** The error a call throws (or rejects with), synchronously or not. */
async function thrown(call: () => unknown): Promise<Error> {
  try {
    await call();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the call to throw");
}

let engines: SqlEngines;

beforeAll(async () => {
  engines = await startSqlEngines();
  const data = generateData({ clients: 200, seed: 5 });
  const { survey, logins } = referenceColumns(data);
  await engines.load(SURVEY_TABLE, survey);
  await engines.load(LOGIN_TABLE, logins);
}, 120_000);

afterAll(async () => {
  await engines?.stop();
}, 30_000);

describe.each(Object.keys(TARGETS) as (keyof typeof TARGETS)[])("the %s target", (dialect) => {
  const target: Target = TARGETS[dialect];
  const run = (inputs: unknown, validate?: boolean) => {
    const connection = counted(engines.connection(dialect));
    const result = target.execute(connection, inputs as never, { validate });
    return { connection, result };
  };

  it("says no inputs object is a MissingInputError, with or without validation", async () => {
    for (const inputs of [null, undefined])
      for (const validate of [false, true]) {
        const { connection, result } = run(inputs, validate);
        const error = await thrown(() => result);
        expect(error).toBeInstanceOf(MissingInputError);
        expect(error.message).toBe(`target '${dialect}' needs an inputs object, got ${String(inputs)}`);
        expect(connection.queries).toBe(0);
      }
    const error = await thrown(() => target.materialize(engines.connection(dialect), null as never, { as: "view", name: "never_made" }));
    expect(error).toBeInstanceOf(MissingInputError);
  });

  it("names a nested bound value of the wrong type by its input path, not its SQL parameter", async () => {
    const { connection, result } = run(withValue("model.weights.is_male", "0.3"));
    const error = await thrown(() => result);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe(`input 'model.weights.is_male': expected number, got string "0.3" (target '${dialect}')`);
    expect(connection.queries).toBe(0);
  });

  it("names a value left out inside an object, and an input left out, without a TypeError", async () => {
    const inner = await thrown(() => run(withValue("model.weights", REMOVE)).result);
    expect(inner).toBeInstanceOf(InvalidInputError);
    expect(inner.message).toBe(`input 'model.weights.time_since_last_login': expected number, got undefined (target '${dialect}')`);
    for (const input of ["model", "fitted", "execution_time", "survey_results_table"]) {
      const missing = await thrown(() => run(withValue(input, REMOVE)).result);
      expect(missing).toBeInstanceOf(MissingInputError);
      expect(missing.message).toBe(`input '${input}' of target '${dialect}' is needed by the requested outputs but was not given`);
    }
    const nullFitted = await thrown(() => run(withValue("fitted", null)).result);
    expect(nullFitted).toBeInstanceOf(MissingInputError);
  });

  it.each([
    ["execution_time", "2024-01-01T00:00:00Z"],
    ["execution_time", null],
    ["model.weights", "w"],
    ["model.weights.is_male", "0.3"],
    ["model.bias", true],
    ["fitted.age_stddev", "12"],
  ])("validates %s = %j as the online executor does, before any query", async (path, value) => {
    const inputs = withValue(path, value);
    const { connection, result } = run(inputs, true);
    const error = await thrown(() => result);
    const reference = await thrown(() => online.validateInputs({ ...inputs, ...ONLINE_ONLY }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(reference).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe(reference.message.replace("(target 'online')", `(target '${dialect}')`));
    expect(error.message).toContain(`input '${path}': expected `);
    expect(connection.queries).toBe(0);
    expect(() => target.validateInputs(inputs)).toThrow(error.message);
  });

  it("validates the table names, which the online executor does not have", async () => {
    const { connection, result } = run(withValue("client_login_table", 7), true);
    const error = await thrown(() => result);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe(`input 'client_login_table': expected string, got number 7 (target '${dialect}')`);
    expect(connection.queries).toBe(0);
  });

  it("runs valid inputs the same with and without validation", async () => {
    target.validateInputs(GOOD);
    const plain = await run(GOOD).result;
    const { connection, result } = run(GOOD, true);
    const checked = await result;
    // The login table's key check, then the statement.
    expect(connection.queries).toBe(2);
    expect(checked.length).toBe(200);
    // ClickHouse returns the shards' rows in any order: compare by client.
    const byClient = (r: typeof plain) =>
      Array.from(r.columns.client_id, (id, i) => [id, r.columns.predictions[i]!]).sort((a, b) => a[0]! - b[0]!);
    expect(byClient(checked)).toEqual(byClient(plain));
  });
});
