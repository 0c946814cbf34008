/**
 * Exact decimal numbers for SQL DECIMAL(p, s): an unscaled bigint and a scale, like Java's
 * BigDecimal (value = unscaled × 10^-scale). Immutable. Arithmetic follows ksqlDB, which computes
 * with MathContext(precision, UNNECESSARY) and setScale(scale): a result that would need rounding
 * is an error (ArithmeticError), which the expression evaluator turns into null + a processing log.
 */

export class ArithmeticError extends Error {
  override readonly name = 'ArithmeticError';
}

const TEN = 10n;
const pow10Cache: bigint[] = [];

export function pow10(n: number): bigint {
  if (n < 64) {
    let v = pow10Cache[n];
    if (v === undefined) {
      v = TEN ** BigInt(n);
      pow10Cache[n] = v;
    }
    return v;
  }
  return TEN ** BigInt(n);
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v;
}

/** Number of decimal digits of |v| (1 for zero). */
export function digitCount(v: bigint): number {
  const a = abs(v);
  return a === 0n ? 1 : a.toString().length;
}

export type RoundingMode = 'HALF_UP' | 'HALF_EVEN' | 'DOWN' | 'FLOOR' | 'CEILING' | 'UNNECESSARY';

/** Divides and rounds to an integer with the given mode. */
function divRound(n: bigint, d: bigint, mode: RoundingMode): bigint {
  if (d === 0n) throw new ArithmeticError('Division by zero');
  const q = n / d; // truncates toward zero
  const r = n % d;
  if (r === 0n) return q;
  const negative = n < 0n !== d < 0n;
  const twice = abs(r) * 2n;
  const ad = abs(d);
  switch (mode) {
    case 'UNNECESSARY':
      throw new ArithmeticError('Rounding necessary');
    case 'DOWN':
      return q;
    case 'FLOOR':
      return negative ? q - 1n : q;
    case 'CEILING':
      return negative ? q : q + 1n;
    case 'HALF_EVEN':
      if (twice > ad || (twice === ad && q % 2n !== 0n)) return negative ? q - 1n : q + 1n;
      return q;
    case 'HALF_UP':
    default:
      if (twice >= ad) return negative ? q - 1n : q + 1n;
      return q;
  }
}

export class Decimal {
  constructor(
    readonly unscaled: bigint,
    readonly scale: number,
  ) {}

  static readonly ZERO = new Decimal(0n, 0);

  /** Parses plain or exponent notation ("1.50", "-3", "1e3", ".5"). Throws on bad input. */
  static parse(text: string): Decimal {
    const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
    if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new ArithmeticError(`Invalid decimal: ${text}`);
    const intPart = m[2] ?? '';
    const frac = m[3] ?? '';
    const exp = m[4] ? Number(m[4]) : 0;
    let unscaled = BigInt((intPart + frac) || '0');
    if (m[1] === '-') unscaled = -unscaled;
    let scale = frac.length - exp;
    if (scale < 0) {
      unscaled *= pow10(-scale);
      scale = 0;
    }
    return new Decimal(unscaled, scale);
  }

  static fromBigInt(v: bigint): Decimal {
    return new Decimal(v, 0);
  }

  /**
   * Exact decimal of a double's shortest decimal representation (as Java's BigDecimal.valueOf).
   * Throws for NaN and infinities.
   */
  static fromNumber(v: number): Decimal {
    if (!Number.isFinite(v)) throw new ArithmeticError(`Cannot convert ${v} to DECIMAL`);
    return Decimal.parse(String(v));
  }

  /** Number of significant digits of the unscaled value (Java's precision()). */
  precision(): number {
    return digitCount(this.unscaled);
  }

  signum(): number {
    return this.unscaled === 0n ? 0 : this.unscaled < 0n ? -1 : 1;
  }

  setScale(scale: number, mode: RoundingMode = 'UNNECESSARY'): Decimal {
    if (scale === this.scale) return this;
    if (scale > this.scale) return new Decimal(this.unscaled * pow10(scale - this.scale), scale);
    return new Decimal(divRound(this.unscaled, pow10(this.scale - scale), mode), scale);
  }

  /** The value with the other's scale aligned: both unscaled values at max(scale). */
  private static align(a: Decimal, b: Decimal): [bigint, bigint, number] {
    if (a.scale === b.scale) return [a.unscaled, b.unscaled, a.scale];
    if (a.scale > b.scale) return [a.unscaled, b.unscaled * pow10(a.scale - b.scale), a.scale];
    return [a.unscaled * pow10(b.scale - a.scale), b.unscaled, b.scale];
  }

  add(o: Decimal): Decimal {
    const [x, y, s] = Decimal.align(this, o);
    return new Decimal(x + y, s);
  }

  subtract(o: Decimal): Decimal {
    const [x, y, s] = Decimal.align(this, o);
    return new Decimal(x - y, s);
  }

  multiply(o: Decimal): Decimal {
    return new Decimal(this.unscaled * o.unscaled, this.scale + o.scale);
  }

  negate(): Decimal {
    return new Decimal(-this.unscaled, this.scale);
  }

  abs(): Decimal {
    return this.unscaled < 0n ? this.negate() : this;
  }

  /** Quotient at exactly `scale` digits, rounded with `mode`. */
  divide(o: Decimal, scale: number, mode: RoundingMode): Decimal {
    if (o.unscaled === 0n) throw new ArithmeticError('Division by zero');
    // this/o = (a × 10^-sa) / (b × 10^-sb); at result scale s: q = a × 10^(s - sa + sb) / b
    const shift = scale - this.scale + o.scale;
    const n = shift >= 0 ? this.unscaled * pow10(shift) : this.unscaled;
    const d = shift >= 0 ? o.unscaled : o.unscaled * pow10(-shift);
    return new Decimal(divRound(n, d, mode), scale);
  }

  /** Remainder with the sign of the dividend (Java's BigDecimal.remainder). */
  remainder(o: Decimal): Decimal {
    if (o.unscaled === 0n) throw new ArithmeticError('Division by zero');
    const [x, y, s] = Decimal.align(this, o);
    return new Decimal(x % y, s);
  }

  compareTo(o: Decimal): number {
    const [x, y] = Decimal.align(this, o);
    return x < y ? -1 : x > y ? 1 : 0;
  }

  /** Numeric equality ignoring scale (1.0 equals 1.00). */
  equalsValue(o: Decimal): boolean {
    return this.compareTo(o) === 0;
  }

  toNumber(): number {
    return Number(this.toString());
  }

  /** Plain notation with exactly `scale` fraction digits, like BigDecimal.toPlainString(). */
  toString(): string {
    const negative = this.unscaled < 0n;
    let digits = abs(this.unscaled).toString();
    if (this.scale <= 0) return (negative ? '-' : '') + digits + '0'.repeat(-this.scale);
    if (digits.length <= this.scale) digits = '0'.repeat(this.scale - digits.length + 1) + digits;
    const cut = digits.length - this.scale;
    return `${negative ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut)}`;
  }

  toJSON(): string {
    return this.toString();
  }

  /** Integer part truncated toward zero. */
  toBigInt(): bigint {
    return this.scale <= 0 ? this.unscaled * pow10(-this.scale) : this.unscaled / pow10(this.scale);
  }

  /** True when |value| < 10^(precision - scale), i.e. the value fits DECIMAL(precision, scale). */
  fitsPrecision(precision: number, scale: number): boolean {
    const digits = precision - scale;
    const limit = new Decimal(pow10(digits), 0);
    return this.abs().compareTo(limit) < 0;
  }
}

/**
 * Casts to DECIMAL(precision, scale) the way ksqlDB's DecimalUtil.cast does: overflow of the
 * integer digits is an error, extra fraction digits are rounded HALF_UP.
 */
export function fitDecimal(v: Decimal, precision: number, scale: number): Decimal {
  if (!v.fitsPrecision(precision, scale)) {
    throw new ArithmeticError(
      `Numeric field overflow: A field with precision ${precision} and scale ${scale} must round to an absolute value less than 10^${precision - scale}. Got ${v.toString()}`,
    );
  }
  return v.setScale(scale, 'HALF_UP');
}
