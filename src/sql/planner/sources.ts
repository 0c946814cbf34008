/**
 * Source topics of the queries built on one StreamsBuilder. Kafka Streams lets one topology read a
 * topic through one source node only, so queries that read the same topic share its source node:
 * `builder.stream(topic, Consumed(key serde, value serde, timestamp extractor))`. When sources
 * declared on one topic decode it differently (other value format or schema, other TIMESTAMP
 * column), the shared node reads the values as bytes and each declaration decodes them itself.
 */
import { Consumed } from '../../dsl/options.js';
import type { KStream } from '../../dsl/kstream.js';
import type { RowStream } from './context.js';
import type { StreamsBuilder } from '../../dsl/streams-builder.js';
import type { FixedKeyProcessor, FixedKeyProcessorContext } from '../../processor/api.js';
import type { FixedKeyRecord } from '../../processor/record.js';
import type { Serde } from '../../serde/serde.js';
import { Serdes } from '../../serde/serdes.js';
import type { OffsetReset } from '../../topology/nodes.js';
import { formatSchema } from '../analyzer/schema.js';
import type { ProcessingLogger } from '../expr/compile.js';
import type { SourceInfo } from '../analyzer/logical-plan.js';
import { topicSerdes, type Row } from './serdes.js';
import { columnTimestampExtractor, timestampReader } from './timestamps.js';

function keySignature(s: SourceInfo): string {
  return JSON.stringify([s.keyFormat, formatSchema({ key: s.schema.key, value: [] }), s.window ?? null]);
}

function valueSignature(s: SourceInfo): string {
  return JSON.stringify([s.valueFormat, formatSchema({ key: [], value: s.schema.value }), s.timestampColumn ?? null]);
}

interface TopicEntry {
  readonly key: string;
  readonly values: Set<string>;
  stream?: KStream<any, any>;
}

export interface SourceOptions {
  readonly offsetReset?: OffsetReset;
  readonly logger: ProcessingLogger;
}

export class SourceRegistry {
  private readonly topics = new Map<string, TopicEntry>();
  private readonly decoded = new Map<string, RowStream>();

  constructor(private readonly builder: StreamsBuilder) {}

  /** Declares every source the builder's queries will read, before any is built. */
  declare(sources: readonly SourceInfo[]): void {
    for (const s of sources) {
      const entry = this.topics.get(s.topic);
      if (entry === undefined) {
        this.topics.set(s.topic, { key: keySignature(s), values: new Set([valueSignature(s)]) });
        continue;
      }
      if (entry.key !== keySignature(s)) {
        throw new Error(`topic '${s.topic}' is declared with two different key formats or key schemas; one run cannot read it both ways`);
      }
      entry.values.add(valueSignature(s));
    }
  }

  /** The decoded stream of a source: keys as rows (or windowed rows), values as value-column rows. */
  stream(source: SourceInfo, options: SourceOptions): RowStream {
    this.declare([source]);
    const entry = this.topics.get(source.topic)!;
    const signature = valueSignature(source);
    const cached = this.decoded.get(`${source.topic}\u0000${signature}`);
    if (cached !== undefined) return cached;
    const serdes = topicSerdes(source.schema, source.keyFormat, source.valueFormat, source.window);
    const shared = entry.values.size === 1;
    if (entry.stream === undefined) {
      let consumed: Consumed<any, any> = Consumed.with(serdes.key, shared ? serdes.value : (Serdes.Bytes() as Serde<any>));
      if (shared && source.timestampColumn) {
        const tc = source.timestampColumn;
        consumed = consumed.withTimestampExtractor(columnTimestampExtractor(tc.index, source.schema.key.length, tc.format, options.logger));
      }
      if (options.offsetReset !== undefined) consumed = consumed.withOffsetResetPolicy(options.offsetReset);
      entry.stream = this.builder.stream(source.topic, consumed);
    }
    let stream: RowStream = entry.stream;
    if (!shared) {
      const valueSerde = serdes.value;
      const tc = source.timestampColumn;
      const keyCount = source.schema.key.length;
      const logger = options.logger;
      stream = entry.stream.processValues(() => new DecodeValueProcessor(source.topic, valueSerde, tc ? { index: tc.index, keyCount, format: tc.format } : undefined, logger));
    }
    this.decoded.set(`${source.topic}\u0000${signature}`, stream);
    return stream;
  }
}

/** Decodes value bytes for one declaration of a shared topic; undecodable records are skipped. */
class DecodeValueProcessor implements FixedKeyProcessor<unknown, Buffer | null, Row | null> {
  private context!: FixedKeyProcessorContext<unknown, Row | null>;
  private readonly readTimestamp: ((v: unknown) => number) | undefined;

  constructor(
    private readonly topic: string,
    private readonly serde: Serde<Row>,
    private readonly timestamp: { index: number; keyCount: number; format: string | undefined } | undefined,
    private readonly logger: ProcessingLogger,
  ) {
    this.readTimestamp = timestamp ? timestampReader(timestamp.format) : undefined;
  }

  init(context: FixedKeyProcessorContext<unknown, Row | null>): void {
    this.context = context;
  }

  process(record: FixedKeyRecord<unknown, Buffer | null>): void {
    let row: Row | null;
    try {
      row = this.serde.deserialize(record.value, this.topic);
    } catch (error) {
      this.logger.error({ message: `Failed to deserialize value from topic ${this.topic}: ${(error as Error).message}`, expression: '', error });
      return;
    }
    let out = record.withValue(row);
    if (this.timestamp !== undefined) {
      const { index, keyCount } = this.timestamp;
      try {
        const src = index < keyCount ? (record.key as Row | null) : row;
        if (src === null) throw new Error('no row to read the timestamp column from');
        const ts = this.readTimestamp!(src[index < keyCount ? index : index - keyCount]);
        if (!(ts >= 0)) throw new Error(`invalid timestamp ${ts}`);
        out = out.withTimestamp(ts);
      } catch (error) {
        this.logger.error({ message: `Failed to extract timestamp from row: ${(error as Error).message}`, expression: 'TIMESTAMP', error });
        return;
      }
    }
    this.context.forward(out);
  }
}
