/**
 * Joins: the client's last login time. In batch a real in-process join of the survey's
 * client_id column with the login table; online the join is pushed into the login service.
 */
import { NumericKeyIndex, joinColumn, type Column, type Table } from "featc";
import { lookup } from "featc/sql";
import type { Login, LoginService } from "./types.js";

/**
 * Last login time (epoch ms) of each client, joined from the login table on client_id (NaN when the client has no login row).
 * @when mode=batch
 */
export function last_logged_in__batch(client_id: Column<number>, client_login_data: Table<Login>): Column<number> {
  const index = NumericKeyIndex.build(client_login_data.columns.client_id, "client_login_data.client_id");
  return joinColumn(client_id, index, client_login_data.columns.last_logged_in, NaN);
}

/**
 * Last login time (epoch ms) of the requesting client, from the login service.
 * @when mode=online
 */
export async function last_logged_in__online(login_service: LoginService, client_id: number): Promise<number> {
  return login_service.lastLoggedIn(client_id);
}

/**
 * Last login time (epoch ms) of each client, a left join of the login table on client_id inside the engine (NaN when the client has no login row).
 * @when mode=sql
 */
export function last_logged_in__sql(client_id: Column<number>, client_login_data: Table<Login>): Column<number> {
  return lookup(client_id, client_login_data, "client_id", "last_logged_in", NaN);
}
