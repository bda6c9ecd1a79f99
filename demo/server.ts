/**
 * The online service of the reference catalog (the seed's FastAPI `/predict`, with Fastify):
 *
 *   GET /predict?client_id=N  →  200 { "client_id": N, "prediction": p }
 *   POST /predict { "client_id": N, "execution_time"?: EPOCH_MS }  →  the same
 *   GET /health               →  200 { "status": "ok", … }
 *
 * Each prediction is one call of the generated online executor, `execute(["predictions"], …)`,
 * with the model and the @fitted values that training saved (loaded and validated once at
 * start: the server refuses to start when they are missing, stale, malformed, fail their
 * @check — the executor's own `checkFitted` —, or do not belong together — a model meets only
 * the feature code and fitted values it was trained with) and the
 * survey/login lookups of demo/services.ts ("index" by default: an in-memory index, ~1 µs per
 * lookup, vs ~1.5 ms for a prepared DuckDB query per lookup, measured by demo/measure.ts).
 *
 * Every request's inputs go through the executor's `validateInputs` (its inputs' types, checked
 * at run time): a JSON body whose client_id is a string, or whose execution_time is an ISO date,
 * gets a 400 naming the field, the type and what came.
 *
 * Errors are JSON `{ error, reason }`: 400 for a malformed client_id or body, 404 for a client the
 * services do not know, 500 when a @check fails on the request's values (the message says
 * which); the server keeps serving after any of them.
 *
 *   npx tsx demo/server.ts [--port 8000] [--host 127.0.0.1] [--db data/warehouse.duckdb]
 *                          [--artifacts data/artifacts] [--lookups index|query] [--execution-time now|ISO|EPOCH_MS]
 */
import fs from "node:fs";
import { parseArgs } from "node:util";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from "fastify";
import { CheckFailedError, InvalidInputError, MissingInputError, describeValue } from "featc";
import { UnknownClientError } from "../catalog/types.js";
import { FITTED_HASH, FITTED_SCHEMA, checkFitted, execute, validateInputs, type FittedValues, type Inputs } from "../generated/online.js";
import { DEFAULT_SERVICE_KIND, openOnlineServices, type OnlineServices, type ServiceKind } from "./services.js";
import { DEFAULT_ARTIFACTS_DIR, isMain, loadArtifacts, parseExecutionTime } from "./train.js";
import { DEFAULT_WAREHOUSE_PATH, openWarehouse, type DemoWarehouse } from "./warehouse.js";

/** The online target's graph manifest, beside its executor: the feature code the model must have been trained with. */
const GRAPH_MANIFEST = new URL("../generated/online.graph.json", import.meta.url);

// The target's input is `client_id: number` (catalog/inputs.ts): if that type ever changes,
// this stops compiling and the request validation below must be revisited.
const _clientIdIsANumber: [Inputs["client_id"]] extends [number] ? ([number] extends [Inputs["client_id"]] ? true : never) : never = true;
void _clientIdIsANumber;

export interface ServerOptions {
  /** The warehouse file the lookups read (opened read-only; default data/warehouse.duckdb). */
  readonly db?: string;
  /** Folder of model.json and fitted.json as training saved them (default data/artifacts). */
  readonly artifacts?: string;
  /** Lookup strategy of the survey and login services (default "index"). */
  readonly lookups?: ServiceKind;
  /**
   * The execution_time input of every request, epoch ms, or "now" (the default): the clock at
   * each request, as a live service does. A fixed time makes the service compute exactly what a
   * batch run with that execution time computed — the parity demo passes the batch run's.
   */
  readonly executionTime?: number | "now";
  /** Receives one line per unexpected error (a 500 that is not a failed check); default: nothing. */
  readonly log?: (line: string) => void;
}

/** The service cannot start: say why and what to do. */
export class ServerStartError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ServerStartError";
  }
}

/** The largest client_id accepted: beyond it a JSON/JS number no longer holds every integer. */
export const MAX_CLIENT_ID = Number.MAX_SAFE_INTEGER;

/** A decimal number as text: digits with an optional sign, fraction and exponent. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The client_id of a request, or the reason it is not one (for a 400). */
export function parseClientId(raw: unknown): { ok: true; value: number } | { ok: false; reason: string } {
  if (raw === undefined || raw === "")
    return { ok: false, reason: "client_id is required: GET /predict?client_id=N with N a non-negative integer" };
  if (typeof raw !== "string") return { ok: false, reason: "client_id must be given exactly once" };
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  if (!DECIMAL.test(raw)) return { ok: false, reason: `client_id must be a number, got '${shown}'` };
  return clientIdOf(Number(raw), shown);
}

/** A number as a client_id: a non-negative integer a JSON/JS number holds exactly (`shown` is how the request wrote it). */
function clientIdOf(value: number, shown: string): { ok: true; value: number } | { ok: false; reason: string } {
  if (!Number.isFinite(value)) return { ok: false, reason: `client_id is too large: at most ${MAX_CLIENT_ID}, got '${shown}'` };
  if (!Number.isInteger(value)) return { ok: false, reason: `client_id must be an integer, got '${shown}'` };
  if (value < 0) return { ok: false, reason: `client_id must not be negative, got '${shown}'` };
  if (value > MAX_CLIENT_ID) return { ok: false, reason: `client_id is too large: at most ${MAX_CLIENT_ID}, got '${shown}'` };
  return { ok: true, value: value === 0 ? 0 : value }; // -0 is client 0
}

/** The fields a POST /predict body may hold. */
const BODY_FIELDS = ["client_id", "execution_time"];

const errorBody = {
  type: "object",
  properties: { error: { type: "string" }, reason: { type: "string" } },
  required: ["error", "reason"],
} as const;

const predictSchema = {
  querystring: {
    type: "object",
    properties: { client_id: { type: "string", description: "The client to score: a non-negative integer." } },
  },
  response: {
    200: {
      type: "object",
      properties: { client_id: { type: "integer" }, prediction: { type: "number" } },
      required: ["client_id", "prediction"],
    },
    "4xx": errorBody,
    "5xx": errorBody,
  },
} as const;

const predictBodySchema = { response: predictSchema.response } as const;

/**
 * Loads the artifacts, opens the warehouse (read-only) and the lookups, and returns the Fastify
 * instance, not yet listening. `close()` stops it and then releases the lookups and the warehouse.
 * Rejects with ServerStartError when the artifacts or the warehouse cannot be used.
 */
export async function createServer(options: ServerOptions = {}): Promise<FastifyInstance> {
  const artifactsDir = options.artifacts ?? DEFAULT_ARTIFACTS_DIR;
  const db = options.db ?? DEFAULT_WAREHOUSE_PATH;
  const kind = options.lookups ?? DEFAULT_SERVICE_KIND;
  const executionTime = options.executionTime ?? "now";
  if (kind !== "index" && kind !== "query")
    throw new ServerStartError(`cannot start: lookups must be "index" or "query", got ${JSON.stringify(kind)}`);
  if (executionTime !== "now" && !Number.isFinite(executionTime))
    throw new ServerStartError(`cannot start: executionTime must be "now" or epoch milliseconds, got ${executionTime}`);

  // The artifacts first: refuse missing, stale or malformed ones before opening anything.
  let model: Inputs["model"];
  let fitted: FittedValues;
  try {
    ({ model, fitted } = loadArtifacts<FittedValues>(artifactsDir, { hash: FITTED_HASH, schema: FITTED_SCHEMA, graph: GRAPH_MANIFEST }));
  } catch (e) {
    throw new ServerStartError(`cannot start: ${(e as Error).message}`, { cause: e });
  }
  // Well-typed fitted values can still fail their @check (a stddev of 0, say): every request
  // would then fail, so check them once now, with the executor's own checks.
  try {
    checkFitted(fitted);
  } catch (e) {
    if (e instanceof CheckFailedError)
      throw new ServerStartError(`cannot start: the fitted values in '${artifactsDir}' fail their checks: ${e.message}; train again`, {
        cause: e,
      });
    throw e;
  }

  if (db !== ":memory:" && !fs.existsSync(db))
    throw new ServerStartError(
      `cannot start: warehouse '${db}' does not exist; generate it first (\`npx tsx demo/generate.ts --db ${db}\`)`,
    );
  let warehouse: DemoWarehouse;
  try {
    warehouse = await openWarehouse(db, { readOnly: true });
  } catch (e) {
    throw new ServerStartError(`cannot start: cannot open warehouse '${db}': ${(e as Error).message}`, { cause: e });
  }
  let services: OnlineServices;
  try {
    services = await openOnlineServices(warehouse, { kind });
  } catch (e) {
    warehouse.close();
    throw new ServerStartError(`cannot start: cannot open the '${kind}' lookups on '${db}': ${(e as Error).message}`, { cause: e });
  }
  const { survey_service, login_service } = services;
  const log = options.log ?? (() => {});

  const app = Fastify({ logger: false });
  // Runs once the server has stopped listening and every in-flight request is answered.
  app.addHook("onClose", async () => {
    services.close();
    warehouse.close();
  });

  /** One prediction from a request's values as they came (a JSON body's may be of any type). */
  const predict = async (reply: FastifyReply, client_id: unknown, execution_time: unknown) => {
    const started = performance.now();
    const time = execution_time === undefined ? (executionTime === "now" ? Date.now() : executionTime) : execution_time;
    const inputs: unknown = { client_id, execution_time: time, survey_service, login_service, model, fitted };
    try {
      validateInputs(inputs);
    } catch (e) {
      if (e instanceof InvalidInputError || e instanceof MissingInputError)
        return reply.code(400).send({ error: "invalid input", reason: e.message });
      throw e;
    }
    const id = clientIdOf(inputs.client_id, String(inputs.client_id));
    if (!id.ok) return reply.code(400).send({ error: "invalid client_id", reason: id.reason });
    try {
      const { predictions } = await execute(["predictions"], inputs);
      // How long the executor took, for clients that measure the service (the parity demo does).
      reply.header("server-timing", `execute;dur=${(performance.now() - started).toFixed(3)}`);
      return { client_id: id.value, prediction: predictions };
    } catch (e) {
      if (e instanceof UnknownClientError) return reply.code(404).send({ error: "unknown client", reason: e.message });
      if (e instanceof CheckFailedError) return reply.code(500).send({ error: "check failed", reason: `client ${id.value}: ${e.message}` });
      throw e;
    }
  };

  app.get<{ Querystring: { client_id?: string } }>("/predict", { schema: predictSchema }, async (request, reply) => {
    const parsed = parseClientId(request.query.client_id);
    if (!parsed.ok) return reply.code(400).send({ error: "invalid client_id", reason: parsed.reason });
    return predict(reply, parsed.value, undefined);
  });

  app.post<{ Body: unknown }>("/predict", { schema: predictBodySchema }, async (request, reply) => {
    const body = request.body;
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      return reply
        .code(400)
        .send({ error: "invalid body", reason: `the body must be a JSON object such as {"client_id": 1001}, got ${describeValue(body)}` });
    }
    const unknown = Object.keys(body).filter((key) => !BODY_FIELDS.includes(key));
    if (unknown.length > 0) {
      const names = unknown.map((u) => `'${u.length > 40 ? `${u.slice(0, 40)}…` : u}'`).join(", ");
      return reply.code(400).send({
        error: "invalid body",
        reason: `unknown field${unknown.length > 1 ? "s" : ""} ${names}: the body holds client_id and, optionally, execution_time (epoch ms)`,
      });
    }
    const fields = body as { client_id?: unknown; execution_time?: unknown };
    return predict(reply, fields.client_id, fields.execution_time);
  });

  app.get("/health", async () => ({
    status: "ok",
    lookups: kind,
    catalogHash: FITTED_HASH,
    executionTime: executionTime === "now" ? "now" : new Date(executionTime).toISOString(),
  }));

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      error: "not found",
      reason: `no route ${request.method} ${request.url.split("?")[0]}; try GET /predict?client_id=N, POST /predict {"client_id": N} or GET /health`,
    });
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      // The querystring schema: client_id given more than once is the only way to fail it.
      const onClientId = error.validation.some((v) => v.instancePath === "/client_id");
      return reply.code(400).send({
        error: "invalid client_id",
        reason: onClientId ? "client_id must be given exactly once" : `${error.validationContext ?? "request"}: ${error.message}`,
      });
    }
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) log(`${request.method} ${request.url}: ${error.stack ?? error.message}`);
    return reply.code(status).send({ error: status === 500 ? "internal error" : "bad request", reason: error.message });
  });

  return app;
}

const USAGE =
  "usage: npx tsx demo/server.ts [--port N (default 8000)] [--host ADDR (default 127.0.0.1)] [--db PATH (default data/warehouse.duckdb)]\n" +
  "                              [--artifacts DIR (default data/artifacts)] [--lookups index|query (default index)]\n" +
  "                              [--execution-time now|ISO|EPOCH_MS (default now; 2024-01-01T00:00:00Z reproduces the batch run)]";

/** The command line: serves until SIGINT/SIGTERM, then shuts down gracefully. Resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let values: {
    port?: string;
    host?: string;
    db?: string;
    artifacts?: string;
    lookups?: string;
    "execution-time"?: string;
    help?: boolean;
  };
  let port: number;
  let executionTime: number | "now";
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: "string" },
        host: { type: "string" },
        db: { type: "string" },
        artifacts: { type: "string" },
        lookups: { type: "string" },
        "execution-time": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
    port = Number(values.port ?? 8000);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new Error(`--port must be an integer in [0, 65535], got '${values.port}'`);
    if (values.lookups !== undefined && values.lookups !== "index" && values.lookups !== "query")
      throw new Error(`--lookups must be index or query, got '${values.lookups}'`);
    const time = values["execution-time"] ?? "now";
    executionTime = time === "now" ? "now" : parseExecutionTime(time);
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  let app: FastifyInstance;
  try {
    app = await createServer({
      db: values.db,
      artifacts: values.artifacts,
      lookups: values.lookups as ServiceKind | undefined,
      executionTime,
      log: (line) => console.error(line),
    });
  } catch (e) {
    console.error(`server: ${(e as Error).message}`);
    return 1;
  }
  let address: string;
  try {
    address = await app.listen({ port, host: values.host ?? "127.0.0.1" });
  } catch (e) {
    console.error(`server: cannot listen on ${values.host ?? "127.0.0.1"}:${port}: ${(e as Error).message}`);
    await app.close();
    return 1;
  }
  console.log(
    `featc demo server on ${address} (lookups: ${values.lookups ?? DEFAULT_SERVICE_KIND}, execution_time: ${executionTime === "now" ? "now" : new Date(executionTime).toISOString()}); GET /predict?client_id=N, GET /health; Ctrl-C to stop`,
  );
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        console.error(`server: ${signal} again, exiting now`);
        process.exit(1);
      }
      stopping = true;
      console.error(`server: ${signal}, shutting down`);
      // Fastify stops listening and answers what is in flight; its onClose hook then closes the
      // lookups and the warehouse.
      app.close().then(
        () => resolve(0),
        (e: unknown) => {
          console.error(`server: error while shutting down: ${(e as Error).message}`);
          resolve(1);
        },
      );
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
