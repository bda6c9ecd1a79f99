/**
 * Exact sums of doubles, for aggregates whose result must not depend on the order of the values
 * or on how a frame was reached (a batch window slides over a group, adding a value at one end
 * and removing one at the other; an online request sums the frame it is given). A sum is kept as
 * non-overlapping partials (Shewchuk's expansions, the algorithm of Python's `math.fsum`), to
 * which adding or subtracting a double is exact; `round` gives the correctly rounded value of the
 * exact sum. NaN and infinities are counted apart, so that removing them is exact too.
 * Finite values are assumed small enough that no partial overflows (|x| < 2^1000 or so).
 */

/** An exact running sum of doubles. */
export class ExactSum {
  private partials: Partials = { values: new Float64Array(8), count: 0 };
  private nans = 0;
  private posInf = 0;
  private negInf = 0;

  /** Adds `x` (or subtracts it, with `sign` -1) exactly. */
  add(x: number, sign: 1 | -1 = 1): void {
    if (x !== x) this.nans += sign;
    else if (x === Infinity) this.posInf += sign;
    else if (x === -Infinity) this.negInf += sign;
    else growExpansion(this.partials, sign * x);
  }

  /** Adds every part of another exact sum scaled by `factor` (an integer below 2^26 in magnitude), exactly. */
  addScaled(other: ExactSum, factor: number): void {
    this.nans += other.nans;
    if (factor >= 0) {
      this.posInf += other.posInf;
      this.negInf += other.negInf;
    } else {
      this.posInf += other.negInf;
      this.negInf += other.posInf;
    }
    for (const p of other.canonical()) addProduct(this.partials, p, factor);
  }

  /** Adds the exact square of another exact sum, negated (`-other²`). */
  subtractSquare(other: ExactSum): void {
    if (other.nans > 0 || other.posInf > 0 || other.negInf > 0) this.nans++;
    const p = other.canonical();
    for (let i = 0; i < p.length; i++) for (let j = 0; j < p.length; j++) addProduct(this.partials, p[i]!, -p[j]!);
  }

  /** Adds x² exactly. */
  addSquare(x: number, sign: 1 | -1 = 1): void {
    if (x !== x || x === Infinity || x === -Infinity) this.add(x * x, sign);
    else addProduct(this.partials, x, sign * x);
  }

  /** The exact sum, correctly rounded to a double (NaN if it holds NaN or both infinities). */
  round(): number {
    if (this.nans > 0 || (this.posInf > 0 && this.negInf > 0)) return NaN;
    if (this.posInf > 0) return Infinity;
    if (this.negInf > 0) return -Infinity;
    return roundExpansion(this.partials);
  }

  /**
   * The exact sum as a sequence that depends only on its value, not on how it was reached:
   * the rounded sum, then the rounded remainder, and so on. Products are taken of these, so
   * that their roundings (which underflow can cause) are the same whatever the history.
   */
  private canonical(): number[] {
    const rest: Partials = { values: this.partials.values.slice(), count: this.partials.count };
    const out: number[] = [];
    while (rest.count > 0) {
      const h = roundExpansion(rest);
      out.push(h);
      growExpansion(rest, -h);
    }
    return out;
  }
}

/** Non-overlapping partials in increasing magnitude: `values[0 … count]`. */
interface Partials {
  values: Float64Array;
  count: number;
}

/** Adds x to non-overlapping partials, keeping them non-overlapping and free of zeros (fsum's inner loop). */
function growExpansion(partials: Partials, x: number): void {
  const values = partials.values;
  let i = 0;
  for (let j = 0; j < partials.count; j++) {
    let y = values[j]!;
    if (Math.abs(x) < Math.abs(y)) {
      const t = x;
      x = y;
      y = t;
    }
    const hi = x + y;
    const lo = y - (hi - x);
    if (lo !== 0) values[i++] = lo;
    x = hi;
  }
  if (x !== 0) {
    if (i === values.length) {
      partials.values = new Float64Array(2 * i);
      partials.values.set(values);
    }
    partials.values[i++] = x;
  }
  partials.count = i;
}

const SPLITTER = 134217729; // 2^27 + 1

/** Adds a·b exactly: the rounded product and its error (Dekker's product with Veltkamp's split). */
function addProduct(partials: Partials, a: number, b: number): void {
  const p = a * b;
  let t = SPLITTER * a;
  const ahi = t - (t - a);
  const alo = a - ahi;
  t = SPLITTER * b;
  const bhi = t - (t - b);
  const blo = b - bhi;
  const err = alo * blo - (p - ahi * bhi - alo * bhi - ahi * blo);
  growExpansion(partials, p);
  if (err !== 0) growExpansion(partials, err);
}

/** The correctly rounded value of non-overlapping partials in increasing magnitude (fsum's final step). */
function roundExpansion(expansion: Partials): number {
  const partials = expansion.values;
  let n = expansion.count;
  if (n === 0) return 0;
  let hi = partials[--n]!;
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = partials[--n]!;
    hi = x + y;
    const yr = hi - x;
    lo = y - yr;
    if (lo !== 0) break;
  }
  // Half-way case: round the way the remaining partials say.
  if (n > 0 && ((lo < 0 && partials[n - 1]! < 0) || (lo > 0 && partials[n - 1]! > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi;
}
