/**
 * Loading: where the catalog's raw data comes from in each context. In batch the survey table
 * is read whole from the warehouse and exploded into row-level columns; online one client's
 * survey comes from a service. The login table is loaded whole in batch only, as a lookup table
 * for the join in joins.ts.
 */
import type { Table } from "featc";
import { sqlTable } from "featc/sql";
import type { Login, Survey, SurveyService, Warehouse } from "./types.js";

/**
 * Survey answers of every client, read from the warehouse; each field becomes a row-level column.
 * @when mode=batch
 * @extract
 */
export async function survey_results__batch(warehouse: Warehouse, survey_results_table: string): Promise<Table<Survey>> {
  return warehouse.readSurvey(survey_results_table);
}

/**
 * Login times of every client, read from the warehouse: a lookup table for the join, not on the row axis.
 * @when mode=batch
 */
export async function client_login_data__batch(warehouse: Warehouse, client_login_table: string): Promise<Table<Login>> {
  return warehouse.readLogins(client_login_table);
}

/**
 * Survey answers of the requesting client, fetched from the survey service.
 * @when mode=online
 * @extract budget age gender
 */
export async function survey_results__online(survey_service: SurveyService, client_id: number): Promise<Survey> {
  return survey_service.survey(client_id);
}

/**
 * Survey answers of every client, as the warehouse table the SQL statement reads; each field becomes a column.
 * @when mode=sql
 * @extract
 */
export function survey_results__sql(survey_results_table: string): Table<Survey> {
  return sqlTable<Survey>(survey_results_table);
}

/**
 * Login times of every client, as a warehouse table: the lookup side of the join.
 * @when mode=sql
 */
export function client_login_data__sql(client_login_table: string): Table<Login> {
  return sqlTable<Login>(client_login_table);
}
