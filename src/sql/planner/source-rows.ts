/**
 * Turns a decoded source record into the source row the query's expressions read:
 * [...key columns, ...value columns, ROWTIME, ROWPARTITION, ROWOFFSET, (WINDOWSTART, WINDOWEND)]
 * (ksqlDB's AddKeyAndPseudoColumns). A null value stays null: a stream passes it on (projections
 * of it are null, filters drop it), a table reads it as a delete.
 */
import type { FixedKeyProcessor, FixedKeyProcessorContext } from '../../processor/api.js';
import type { FixedKeyRecord } from '../../processor/record.js';
import { Windowed } from '../../common/windowed.js';
import type { Row } from './serdes.js';

export class SourceRowProcessor implements FixedKeyProcessor<unknown, Row | null, Row | null> {
  private context!: FixedKeyProcessorContext<unknown, Row | null>;
  private readonly width: number;

  constructor(
    private readonly keyCount: number,
    private readonly valueCount: number,
    private readonly windowed: boolean,
  ) {
    this.width = keyCount + valueCount + 3 + (windowed ? 2 : 0);
  }

  init(context: FixedKeyProcessorContext<unknown, Row | null>): void {
    this.context = context;
  }

  process(record: FixedKeyRecord<unknown, Row | null>): void {
    const value = record.value;
    if (value === null || value === undefined) {
      this.context.forward(record.withValue(null));
      return;
    }
    const row = new Array<unknown>(this.width);
    const k = this.keyCount;
    const windowedKey = this.windowed ? (record.key as Windowed<Row | null> | null) : null;
    const key = (this.windowed ? windowedKey?.key : record.key) as Row | null | undefined;
    for (let i = 0; i < k; i++) row[i] = key ? (key[i] ?? null) : null;
    const v = this.valueCount;
    for (let i = 0; i < v; i++) row[k + i] = value[i] ?? null;
    const meta = this.context.recordMetadata();
    let at = k + v;
    row[at++] = BigInt(record.timestamp);
    row[at++] = meta === null ? null : meta.partition;
    row[at++] = meta === null ? null : BigInt(meta.offset);
    if (this.windowed) {
      row[at++] = windowedKey ? BigInt(windowedKey.window.start) : null;
      row[at++] = windowedKey ? BigInt(windowedKey.window.end) : null;
    }
    this.context.forward(record.withValue(row));
  }
}
