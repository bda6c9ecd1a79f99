/**
 * Column storage for batch executors. Numeric columns are carved from one ArrayBuffer at
 * staggered offsets: separately allocated 8 MB Float64Arrays share their 4 KB page offset and
 * slowed a fused loop 2× (4K aliasing); starting every column at a different page offset avoids it.
 */

/** The page size whose offsets must differ between columns (4K aliasing of loads and stores). */
export const ALIASING_PAGE = 4096;

/** Bytes between the page offsets of consecutive columns: 3 cache lines, so that 64 columns cover all 64 lines of a page. */
const STAGGER = 192;

/** Cache lines in a page: after that many columns, the offsets shift by one element (8 bytes) and go round again. */
const LINES_PER_PAGE = ALIASING_PAGE / 64;

/**
 * The page offset (in bytes) of column `k`: cache-line aligned and all different for the first 64
 * columns, then 8-byte aligned and still all different up to 512 columns (4096 / 8; beyond that
 * two columns must share an offset).
 */
export function columnPageOffset(k: number): number {
  return (((k % LINES_PER_PAGE) * STAGGER) % ALIASING_PAGE) + 8 * (Math.floor(k / LINES_PER_PAGE) % 8);
}

/** The byte offsets of `count` columns of `bytes` bytes each, packed in order, and the buffer size they need. */
function layout(bytes: number, count: number): { starts: number[]; size: number } {
  const starts: number[] = [];
  let end = 0;
  for (let k = 0; k < count; k++) {
    const start = end + ((columnPageOffset(k) - (end % ALIASING_PAGE) + ALIASING_PAGE) % ALIASING_PAGE);
    starts.push(start);
    end = start + bytes;
  }
  return { starts, size: end };
}

/**
 * `count` zeroed Float64Array columns of `rows` values each, all views of one ArrayBuffer, laid
 * out so that no two columns start at the same offset modulo 4096 (for up to 512 columns).
 */
export function allocateFloat64Columns(rows: number, count: number): Float64Array[] {
  if (!Number.isInteger(rows) || rows < 0) throw new RangeError(`allocateFloat64Columns: rows must be a non-negative integer, got ${rows}`);
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`allocateFloat64Columns: count must be a non-negative integer, got ${count}`);
  const { starts, size } = layout(rows * Float64Array.BYTES_PER_ELEMENT, count);
  const buffer = new ArrayBuffer(size);
  return starts.map((start) => new Float64Array(buffer, start, rows));
}

/**
 * A column of `rows` copies of `initial`, built as a packed (hole-free) array so V8 keeps its fast
 * elements kind. `Array.from` with a length allocates it once at its size; pushing grew it ~30
 * times, and on a machine where fresh memory costs a page fault per 4 KB that was twice the work
 * (1M rows: 16 MB of discarded backing stores).
 */
export function newColumn<T>(rows: number, initial: T): T[] {
  return Array.from({ length: rows }, () => initial);
}
