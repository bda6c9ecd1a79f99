/**
 * Joins: the client's last login time. In batch a real in-process join of the survey's
 * client_id column with the login table; online the join is pushed into the login service.
 */
import type { Column, Table } from "featc";
import type { Login, LoginService } from "./types.js";

// TODO: switch to the runtime's NumericKeyIndex / joinColumn (exported from "featc") once they
// land; until then this file carries a private typed-array index with the same contract:
// build(keys), get(key) → first row holding the key, or -1.

const _f64 = new Float64Array(1);
const _u32 = new Uint32Array(_f64.buffer);

/** Hash of a number's bits (0 and -0 are the same key). */
function _hash(key: number): number {
  _f64[0] = key === 0 ? 0 : key;
  let h = Math.imul(_u32[0]! ^ Math.imul(_u32[1]!, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** A read-only index from numeric key to the first row holding it: dense slots for compact integer keys, open addressing otherwise. */
class _NumericKeyIndex {
  private readonly min: number;
  private readonly dense: Int32Array | undefined;
  private readonly keys: Float64Array;
  private readonly rows: Int32Array;
  private readonly mask: number;

  constructor(keys: Column<number>) {
    const n = keys.length;
    let min = Infinity;
    let max = -Infinity;
    let integers = true;
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      if (k < min) min = k;
      if (k > max) max = k;
      if (Math.floor(k) !== k) integers = false;
    }
    this.min = min;
    const span = max - min + 1;
    if (n > 0 && integers && span <= 4 * n + 1024) {
      const dense = new Int32Array(span).fill(-1);
      for (let i = n - 1; i >= 0; i--) dense[keys[i]! - min] = i;
      this.dense = dense;
      this.keys = new Float64Array(0);
      this.rows = new Int32Array(0);
      this.mask = 0;
      return;
    }
    this.dense = undefined;
    let capacity = 16;
    while (capacity < 2 * n) capacity *= 2;
    this.keys = new Float64Array(capacity);
    this.rows = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      if (k !== k) continue; // NaN never matches
      let slot = _hash(k) & this.mask;
      while (this.rows[slot] !== -1 && this.keys[slot] !== k) slot = (slot + 1) & this.mask;
      if (this.rows[slot] === -1) {
        this.keys[slot] = k;
        this.rows[slot] = i;
      }
    }
  }

  get(key: number): number {
    if (this.dense !== undefined) {
      if (Math.floor(key) !== key) return -1;
      const d = key - this.min;
      return d >= 0 && d < this.dense.length ? this.dense[d]! : -1;
    }
    if (key !== key) return -1;
    let slot = _hash(key) & this.mask;
    for (;;) {
      const row = this.rows[slot]!;
      if (row === -1 || this.keys[slot] === key) return row;
      slot = (slot + 1) & this.mask;
    }
  }
}

/**
 * Last login time (epoch ms) of each client, joined from the login table on client_id (NaN when the client has no login row).
 * @when mode=batch
 */
export function last_logged_in__batch(client_id: Column<number>, client_login_data: Table<Login>): Column<number> {
  const index = new _NumericKeyIndex(client_login_data.columns.client_id);
  const logins = client_login_data.columns.last_logged_in;
  const out = new Float64Array(client_id.length);
  for (let i = 0; i < out.length; i++) {
    const row = index.get(client_id[i]!);
    out[i] = row < 0 ? NaN : logins[row]!;
  }
  return out;
}

/**
 * Last login time (epoch ms) of the requesting client, from the login service.
 * @when mode=online
 */
export async function last_logged_in__online(login_service: LoginService, client_id: number): Promise<number> {
  return login_service.lastLoggedIn(client_id);
}
