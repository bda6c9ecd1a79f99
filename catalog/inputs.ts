/**
 * The external inputs of the two targets of the reference catalog. Times are epoch
 * milliseconds (numbers): a Date per row would cost an allocation per row in batch.
 */
import type { LoginService, Model, SurveyService, Warehouse } from "./types.js";

/** Inputs of the batch target (nightly training and batch inference). */
export interface BatchInputs {
  /** Where the survey and login tables live. */
  warehouse: Warehouse;
  /** Name of the survey table in the warehouse. */
  survey_results_table: string;
  /** Name of the login table in the warehouse. */
  client_login_table: string;
  /** The time the features are computed for (epoch ms). */
  execution_time: number;
  /** The trained model. */
  model: Model;
}

/** Inputs of the online target (one request, one client). */
export interface OnlineInputs {
  /** The client the request is about. */
  client_id: number;
  /** The time of the request (epoch ms). */
  execution_time: number;
  /** Serves one client's survey answers. */
  survey_service: SurveyService;
  /** Serves one client's last login time. */
  login_service: LoginService;
  /** The trained model. */
  model: Model;
}

/** Inputs of the SQL targets (the features computed inside a database engine). */
export interface SqlInputs {
  /** Name of the survey table in the engine. */
  survey_results_table: string;
  /** Name of the login table in the engine. */
  client_login_table: string;
  /** The time the features are computed for (epoch ms). */
  execution_time: number;
  /** The trained model. */
  model: Model;
}
