import type { Column } from "featc";

/** The timeseries fixture's features over in-memory columns (no loader): what the window benchmark feeds them. */
export interface BatchInputs {
  item_id: Column<number>;
  day: Column<number>;
  units: Column<number>;
  price: Column<number>;
  store_id: Column<string>;
  dept_id: Column<string>;
  promo: Column<boolean>;
  store_vocab: readonly string[];
  dept_vocab: readonly string[];
}
