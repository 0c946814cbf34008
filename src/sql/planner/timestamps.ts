/**
 * Record timestamps taken from columns, as ksqlDB's TimestampExtractionPolicy does:
 * - sources with WITH (TIMESTAMP='col' [, TIMESTAMP_FORMAT='fmt']) extract the record time from a
 *   BIGINT / TIMESTAMP column, or parse a STRING column with a Java DateTimeFormatter pattern;
 *   a null or unparsable value gives -1, which drops the record (LoggingTimestampExtractor);
 * - sinks with TIMESTAMP re-stamp each output record from a column of the output row.
 */
import type { ExtractorRecord, TimestampExtractor } from '../../topology/nodes.js';
import type { FixedKeyProcessor, FixedKeyProcessorContext } from '../../processor/api.js';
import type { FixedKeyRecord } from '../../processor/record.js';
import type { ProcessingLogger } from '../expr/compile.js';
import { patternOf } from '../time/date-time-format.js';
import { UTC } from '../time/zones.js';
import { Windowed } from '../../common/windowed.js';
import type { Row } from './serdes.js';

/** Turns a column value into epoch millis; throws when it cannot. */
export type TimestampReader = (value: unknown) => number;

export function timestampReader(format: string | undefined): TimestampReader {
  if (format === undefined) {
    return (v) => {
      if (v === null || v === undefined) throw new Error('timestamp column is null');
      return typeof v === 'bigint' ? Number(v) : (v as number);
    };
  }
  const pattern = patternOf(format);
  return (v) => {
    if (v === null || v === undefined) throw new Error('timestamp column is null');
    return pattern.parse(v as string, UTC);
  };
}

function keyRow(key: unknown): Row | null {
  if (key instanceof Windowed) return key.key as Row | null;
  return key as Row | null;
}

/**
 * The extractor of a source's TIMESTAMP column. `keyCount` is the number of key columns: index i
 * < keyCount reads key column i, otherwise value column i - keyCount.
 */
export function columnTimestampExtractor(index: number, keyCount: number, format: string | undefined, logger: ProcessingLogger): TimestampExtractor {
  const read = timestampReader(format);
  return (record: ExtractorRecord) => {
    try {
      const row = index < keyCount ? keyRow(record.key) : (record.value as Row | null);
      if (row === null || row === undefined) throw new Error('no row to read the timestamp column from');
      const ts = read(row[index < keyCount ? index : index - keyCount]);
      return Number.isFinite(ts) ? ts : -1;
    } catch (error) {
      logger.error({ message: `Failed to extract timestamp from row: ${(error as Error).message}`, expression: 'TIMESTAMP', error });
      return -1;
    }
  };
}

/**
 * Re-stamps output records from a column of the output: `fromKey` reads key column `index`,
 * otherwise value column `index` (ksqlDB's sink TimestampProcessorSupplier). Records whose
 * timestamp cannot be read are logged and dropped; a tombstone keeps the current stream time.
 */
export class SinkTimestampProcessor implements FixedKeyProcessor<unknown, Row | null, Row | null> {
  private context!: FixedKeyProcessorContext<unknown, Row | null>;
  private readonly read: TimestampReader;

  constructor(
    private readonly index: number,
    private readonly fromKey: boolean,
    format: string | undefined,
    private readonly logger: ProcessingLogger,
  ) {
    this.read = timestampReader(format);
  }

  init(context: FixedKeyProcessorContext<unknown, Row | null>): void {
    this.context = context;
  }

  process(record: FixedKeyRecord<unknown, Row | null>): void {
    try {
      let ts: number;
      if (record.value === null) {
        ts = this.context.currentStreamTimeMs();
      } else {
        const row = this.fromKey ? keyRow(record.key) : record.value;
        ts = this.read(row === null ? null : row[this.index]);
      }
      if (!(ts >= 0)) throw new Error(`invalid timestamp ${ts}`);
      this.context.forward(record.withTimestamp(ts));
    } catch (error) {
      this.logger.error({ message: `Error writing row with extracted timestamp: ${(error as Error).message}`, expression: 'TIMESTAMP', error });
    }
  }
}
