/**
 * The data types of the reference catalog (the e-commerce onboarding example of the seed
 * article) and the interfaces of the services it reads from. Types only, plus the error a
 * service throws for a client it does not know: no feature functions live here.
 */
import type { Table } from "featc";

/** One client's answers to the onboarding survey. */
export interface Survey {
  /** The client's id (an integer). */
  client_id: number;
  /** The budget the client declared, in dollars. */
  budget: number;
  /** Age in years. */
  age: number;
  /** "male", "female" or "other". */
  gender: string;
}

/** When a client last logged in. */
export interface Login {
  client_id: number;
  /** Epoch milliseconds (UTC). */
  last_logged_in: number;
}

/**
 * What the model consumes: one number per feature, booleans as 0/1. A small object with a
 * fixed shape (one hidden class), so reading it is as cheap as reading a tuple.
 */
export interface FeatureVector {
  /** Days since the client last logged in. */
  readonly time_since_last_login: number;
  readonly is_male: number;
  readonly is_female: number;
  readonly is_high_roller: number;
  readonly age_normalized: number;
}

/** The names of the model's inputs, in the order the model adds them up. */
export type FeatureName = keyof FeatureVector;

/** A logistic regression: one weight per feature plus a bias. */
export interface Model {
  readonly weights: { readonly [K in FeatureName]: number };
  readonly bias: number;
}

/** The batch data source: reads whole tables into columns. */
export interface Warehouse {
  /** Every row of a survey table (client_id, budget, age, gender). */
  readSurvey(table: string): Promise<Table<Survey>>;
  /** Every row of a login table (client_id, last_logged_in), one row per client. */
  readLogins(table: string): Promise<Table<Login>>;
}

/** The online source of survey answers. */
export interface SurveyService {
  /** One client's survey; rejects with UnknownClientError when there is none. */
  survey(client_id: number): Promise<Survey>;
}

/** The online source of login times. */
export interface LoginService {
  /** When the client last logged in (epoch ms); rejects with UnknownClientError when unknown. */
  lastLoggedIn(client_id: number): Promise<number>;
}

/** A service was asked about a client it has no record of. */
export class UnknownClientError extends Error {
  readonly client_id: number;
  readonly source: string;
  constructor(client_id: number, source: string) {
    super(`unknown client ${client_id}: no record in ${source}`);
    this.name = "UnknownClientError";
    this.client_id = client_id;
    this.source = source;
  }
}
