// featc's runtime: what generated executors and catalogs import.
export type { Column, Table } from "./containers.js";
export { tableOf } from "./containers.js";
