/**
 * Table-table joins on a foreign key (left table's expression = right table's primary key), with
 * the emission rules of Kafka Streams' KTable foreign-key join (KIP-213) that ksqlDB uses:
 * - a left update looks the right row up by its foreign key: matched → joined row; unmatched →
 *   LEFT: joined with nulls, INNER: nothing for a new row, a tombstone for a row whose foreign key
 *   changed (it must retract the previous result); a left delete → tombstone;
 * - a right update re-joins every left row that refers to it (in left-key order); a right delete
 *   → INNER: tombstones, LEFT: rows joined with nulls.
 *
 * The DSL has no foreign-key join yet, so this is built with the Processor API: both tables'
 * update streams go through single-partition repartition topics into one processor that keeps
 * the left rows, the right rows and the foreign key → left keys index in its own stores. This is
 * exact on any partitioning (one task does the join) at the price of the join's parallelism.
 */
import { Named, Materialized, Repartitioned } from '../../dsl/options.js';
import type { Processor, ProcessorContext } from '../../processor/api.js';
import { StreamRecord } from '../../processor/record.js';
import type { InternalKeyValueStore } from '../../state/key-value-store.js';
import { Stores } from '../../state/stores.js';
import type { Serde } from '../../serde/serde.js';
import type { CompiledExpression } from '../expr/compile.js';
import type { JoinNode, PlanNode, SourceInfo } from '../analyzer/logical-plan.js';
import type { Holder, QueryBuildContext, RowStream, RowTable } from './context.js';
import { internalKeySerde, rowSerde, type Row } from './serdes.js';

type Side = 'L' | 'R';
type Tagged = [Side, Row | null];

interface FkStores {
  readonly left: string;
  readonly right: string;
  readonly index: string;
}

function firstSource(n: PlanNode): SourceInfo {
  if (n.kind === 'source') return n.source;
  if (n.kind === 'join') return firstSource(n.left);
  return firstSource(n.input);
}

function sameKey(a: Row | null, b: Row | null, serde: Serde<Row>): boolean {
  if (a === null || b === null) return a === b;
  const x = serde.serialize(a);
  const y = serde.serialize(b);
  return x === null || y === null ? x === y : x.equals(y);
}

class ForeignKeyJoinProcessor implements Processor<Row, Tagged, Row, Row | null> {
  private context!: ProcessorContext<Row, Row | null>;
  private left!: InternalKeyValueStore<Row, Row>;
  private right!: InternalKeyValueStore<Row, Row>;
  private index!: InternalKeyValueStore<Row, Row[]>;

  constructor(
    private readonly stores: FkStores,
    private readonly foreignKey: CompiledExpression,
    private readonly leftJoin: boolean,
    private readonly join: (left: Row, right: Row | null) => Row,
    /** Orders left keys as Kafka Streams' prefix scan does (by their serialized bytes). */
    private readonly leftKeySerde: Serde<Row>,
    private readonly fkSerde: Serde<Row>,
  ) {}

  init(context: ProcessorContext<Row, Row | null>): void {
    this.context = context;
    this.left = context.getStateStore(this.stores.left);
    this.right = context.getStateStore(this.stores.right);
    this.index = context.getStateStore(this.stores.index);
  }

  private fkOf(row: Row | null): Row | null {
    if (row === null) return null;
    const fk = this.foreignKey.evaluate(row);
    return fk === null || fk === undefined ? null : [fk];
  }

  process(record: StreamRecord<Row, Tagged>): void {
    const [side, row] = record.value;
    if (record.key === null || record.key === undefined) return;
    if (side === 'L') this.leftUpdate(record.key, row, record);
    else this.rightUpdate(record.key, row, record);
  }

  private emit(key: Row, value: Row | null, record: StreamRecord<unknown, unknown>): void {
    this.context.forward(new StreamRecord(key, value, record.timestamp, record.headers));
  }

  private subscribe(fk: Row, key: Row): void {
    const list = this.index.get(fk) ?? [];
    const bytes = this.leftKeySerde.serialize(key)!;
    if (list.some((k) => this.leftKeySerde.serialize(k)!.equals(bytes))) return;
    const next = [...list, key].sort((a, b) => Buffer.compare(this.leftKeySerde.serialize(a)!, this.leftKeySerde.serialize(b)!));
    this.index.put(fk, next);
  }

  private unsubscribe(fk: Row, key: Row): void {
    const list = this.index.get(fk);
    if (list === null) return;
    const bytes = this.leftKeySerde.serialize(key)!;
    const next = list.filter((k) => !this.leftKeySerde.serialize(k)!.equals(bytes));
    if (next.length === 0) this.index.delete(fk);
    else this.index.put(fk, next);
  }

  private leftUpdate(key: Row, row: Row | null, record: StreamRecord<Row, Tagged>): void {
    const old = this.left.get(key);
    const oldFk = this.fkOf(old);
    const newFk = this.fkOf(row);
    if (row === null) this.left.delete(key);
    else this.left.put(key, row);
    const fkChanged = !sameKey(oldFk, newFk, this.fkSerde);
    if (oldFk !== null && fkChanged) this.unsubscribe(oldFk, key);
    if (newFk !== null) this.subscribe(newFk, key);
    if (row === null) {
      if (old !== null) this.emit(key, null, record);
      return;
    }
    const match = newFk === null ? null : this.right.get(newFk);
    if (match !== null) return this.emit(key, this.join(row, match), record);
    // No right row: a left join still emits; an inner join retracts a result the old key may have made.
    if (this.leftJoin) return this.emit(key, this.join(row, null), record);
    if (old !== null && fkChanged) this.emit(key, null, record);
  }

  private rightUpdate(fk: Row, row: Row | null, record: StreamRecord<Row, Tagged>): void {
    if (row === null) this.right.delete(fk);
    else this.right.put(fk, row);
    const keys = this.index.get(fk);
    if (keys === null) return;
    for (const key of keys) {
      const leftRow = this.left.get(key);
      if (leftRow === null) continue;
      this.emit(key, row === null && !this.leftJoin ? null : this.join(leftRow, row), record);
    }
  }
}

export function buildForeignKeyJoin(node: JoinNode, left: RowTable, right: RowTable, ctx: QueryBuildContext): Holder {
  const builder = ctx.builder;
  const name = ctx.name(node.id);
  const lw = node.left.schema.columns.length;
  const rw = node.right.schema.columns.length;
  const total = node.schema.columns.length;
  const join = (l: Row, r: Row | null): Row => {
    const out = new Array<unknown>(total);
    for (let i = 0; i < lw; i++) out[i] = l[i] ?? null;
    for (let j = 0; j < rw; j++) out[lw + j] = r === null ? null : (r[j] ?? null);
    return out;
  };
  const codec = rowSerde<any>();
  const toSingle = (stream: RowStream, side: Side) =>
    stream
      .mapValues((row: Row | null): Tagged => [side, row], Named.as(ctx.name(`${node.id}-${side === 'L' ? 'Left' : 'Right'}-Tag`)))
      .repartition(Repartitioned.as<any, Tagged>(ctx.name(`${node.id}-${side === 'L' ? 'Left' : 'Right'}`)).withKeySerde(codec).withValueSerde(codec).withNumberOfPartitions(1));
  const merged = toSingle(left.toStream(), 'L').merge(toSingle(right.toStream(), 'R'));
  const stores: FkStores = { left: `${name}-Left-Store`, right: `${name}-Right-Store`, index: `${name}-Subscriptions` };
  for (const s of [stores.left, stores.right, stores.index]) {
    builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(s), codec, codec).withCachingDisabled());
  }
  const leftSource = firstSource(node.left);
  const leftKeySerde = internalKeySerde(leftSource.schema.key, leftSource.keyFormat);
  const fkSerde = internalKeySerde([{ name: node.keyColumnName, type: node.rightKey.type! }], firstSource(node.right).keyFormat);
  const joined = merged.process(
    () => new ForeignKeyJoinProcessor(stores, node.leftKey, node.joinType === 'LEFT', join, leftKeySerde, fkSerde),
    stores.left,
    stores.right,
    stores.index,
    Named.as(name),
  );
  const table = joined.toTable(Named.as(`${name}-Result`), Materialized.as<any, Row>(`${name}-Result-Store`).withKeySerde(codec).withValueSerde(codec));
  return { kind: 'table', table };
}
