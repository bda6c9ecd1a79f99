/**
 * The reference catalog's shared map features with their upstream values given as in-memory
 * inputs: what the codegen benchmark runs, with no loader or join in the way.
 */
import type { Column } from "featc";
import type { Model } from "../../catalog/types.js";

export interface BatchInputs {
  gender: Column<string>;
  budget: Column<number>;
  age: Column<number>;
  last_logged_in: Column<number>;
  age_mean: number;
  age_stddev: number;
  execution_time: number;
  model: Model;
}

export interface OnlineInputs {
  gender: string;
  budget: number;
  age: number;
  last_logged_in: number;
  age_mean: number;
  age_stddev: number;
  execution_time: number;
  model: Model;
}
