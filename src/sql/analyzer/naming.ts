/**
 * Generated column names, as ksqlDB's ColumnNames: KSQL_COL_0, KSQL_COL_1, ... for unnamed
 * expressions, the field name (then FIELD_1, FIELD_2, ...) for struct dereferences, ROWKEY
 * (then ROWKEY_1, ...) for synthetic join keys, and <ALIAS>_<COLUMN> for clashing join columns.
 * Numbers already used by source columns (e.g. a source column named KSQL_COL_0) are skipped.
 */

export const GENERATED_PREFIX = 'KSQL_COL';
export const SYNTHETIC_KEY_PREFIX = 'ROWKEY';

const NUMBERED = /^(.*?)(?:_(\d+))?$/;

function split(name: string): { prefix: string; number: number } {
  const m = NUMBERED.exec(name)!;
  return { prefix: m[1]!, number: m[2] === undefined ? 0 : Number(m[2]) };
}

class Generator {
  private next = 0;
  constructor(
    private readonly prefix: string,
    private readonly used: ReadonlySet<number>,
    private readonly dropZero: boolean,
  ) {}
  take(): string {
    let idx: number;
    do idx = this.next++;
    while (this.used.has(idx));
    return idx === 0 && this.dropZero ? this.prefix : `${this.prefix}_${idx}`;
  }
}

/** One generator per query: names handed out are unique within the SELECT. */
export class ColumnAliasGenerator {
  private readonly used = new Map<string, Set<number>>();
  private readonly generators = new Map<string, Generator>();

  /** `sourceColumnNames`: every key and value column name of every source of the query. */
  constructor(sourceColumnNames: Iterable<string>) {
    for (const name of sourceColumnNames) {
      const { prefix, number } = split(name);
      let set = this.used.get(prefix);
      if (!set) this.used.set(prefix, (set = new Set()));
      set.add(number);
    }
  }

  private generator(prefix: string): Generator {
    let g = this.generators.get(prefix);
    if (!g) {
      g = new Generator(prefix, this.used.get(prefix) ?? new Set(), prefix !== GENERATED_PREFIX);
      this.generators.set(prefix, g);
    }
    return g;
  }

  /** KSQL_COL_n for an expression that is neither a column nor a struct field. */
  nextGenerated(): string {
    return this.generator(GENERATED_PREFIX).take();
  }

  /** The name for `x->FIELD`: FIELD, or FIELD_n if taken. */
  forStructField(field: string): string {
    return this.generator(split(field).prefix).take();
  }
}

/** ROWKEY unless a source already has a ROWKEY column (then ROWKEY_1, ...). */
export function syntheticKeyName(sourceColumnNames: Iterable<string>): string {
  const used = new Set<number>();
  for (const name of sourceColumnNames) {
    const { prefix, number } = split(name);
    if (prefix === SYNTHETIC_KEY_PREFIX) used.add(number);
  }
  return new Generator(SYNTHETIC_KEY_PREFIX, used, true).take();
}

/** <ALIAS>_<COLUMN>, used for join columns. */
export function joinColumnAlias(alias: string, column: string): string {
  return `${alias}_${column}`;
}
