import type { Serde } from '../serde/serde.js';
import { OuterJoinStoreBuilder } from '../state/outer-join-store.js';
import { WindowStoreBuilder } from '../state/window-store.js';
import type { Topology } from '../topology/topology.js';
import { TopologyError } from '../topology/topology.js';
import { KStream } from './kstream.js';
import { KTable } from './ktable.js';
import { type Joined, type StreamJoined, type ValueJoiner, type ValueJoinerWithKey, joinerWithKey } from './join-options.js';
import type { Materialized, Named } from './options.js';
import {
  JoinTimeTrackers,
  JoinWindowProcessor,
  StreamStreamJoinProcessor,
  StreamTableJoinProcessor,
  TableJoinMergeProcessor,
  type TableJoinKind,
  TableTableJoinProcessor,
} from './processors/join.js';
import { PassThroughProcessor } from './processors/stateless.js';
import { TableProcessorConfig } from './processors/support.js';
import { relaxNullKeyFilters, repartitionThrough } from './repartition.js';
import type { StreamsBuilder } from './streams-builder.js';
import { internalSerde, keyValueStoreFor } from './stores.js';
import { type ValueGetterSupplier, valueGetterSupplier } from './value-getter.js';
import type { JoinWindows } from './windows.js';

export type JoinKind = 'inner' | 'left' | 'outer';

function pad(index: string): string {
  return index.slice(-10);
}

/** Logical topics read by the source nodes feeding `node` (within its sub-topology). */
export function sourceTopicsOf(topology: Topology, node: string): string[] {
  const topics = new Set<string>();
  const seen = new Set<string>();
  const stack = [node];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const def = topology.node(name);
    if (def.kind === 'source') for (const t of def.topics) topics.add(t);
    else stack.push(...def.parents);
  }
  return [...topics];
}

const repartitionCache = new WeakMap<StreamsBuilder, Map<string, string>>();

/**
 * The node a join reads a stream from: the stream itself, or a repartition topic when its key
 * changed (one per stream and name, reused by later joins as Kafka Streams does).
 */
function joinInput(stream: KStream<any, any>, prefix: string, keySerde: Serde<any> | undefined, valueSerde: Serde<any> | undefined): string {
  if (!stream.repartitionRequired) return stream.nodeName;
  let cache = repartitionCache.get(stream.builder);
  if (cache === undefined) repartitionCache.set(stream.builder, (cache = new Map()));
  const id = `${stream.nodeName}\u0000${prefix}`;
  const existing = cache.get(id);
  if (existing !== undefined) return existing;
  const source = repartitionThrough(stream.builder, stream.nodeName, prefix, internalSerde(keySerde), internalSerde(valueSerde), {});
  cache.set(id, source);
  return source;
}

/** Registers the join inputs' source topics as one co-partition group. */
function copartition(topology: Topology, ...nodes: string[]): void {
  const topics = new Set<string>();
  for (const n of nodes) for (const t of sourceTopicsOf(topology, n)) topics.add(t);
  topology.addCopartitionGroup([...topics]);
}

/** KStream–KStream join (Kafka Streams' KStreamImpl.doJoin + KStreamImplJoin). */
export function streamStreamJoin<K, V1, V2, VR>(
  left: KStream<K, V1>,
  right: KStream<K, V2>,
  joinerArg: ValueJoiner<V1, V2, VR> | ValueJoinerWithKey<K, V1, V2, VR>,
  windows: JoinWindows,
  streamJoined: StreamJoined<K, V1, V2> | undefined,
  kind: JoinKind,
): KStream<K, VR> {
  if (left.builder !== right.builder) throw new TopologyError('cannot join streams of different builders');
  const builder = left.builder;
  const t = builder.topology;
  const joiner = joinerWithKey<K, V1 | null, V2 | null, VR>(joinerArg as ValueJoinerWithKey<K, V1 | null, V2 | null, VR>);
  const name = streamJoined?.name;
  const keySerde = streamJoined?.keySerde ?? left.keySerde;
  const leftValueSerde = streamJoined?.valueSerde ?? left.valueSerde;
  const rightValueSerde = streamJoined?.otherValueSerde ?? right.valueSerde;

  const leftNode = joinInput(left, name !== undefined ? `${name}-left` : left.nodeName, streamJoined?.keySerde ?? left.keySerde, leftValueSerde);
  const rightNode = joinInput(right, name !== undefined ? `${name}-right` : right.nodeName, streamJoined?.keySerde ?? right.keySerde, rightValueSerde);
  copartition(t, leftNode, rightNode);

  const leftOuter = kind !== 'inner';
  const rightOuter = kind === 'outer';
  const named = (suffix: string, prefix: string): string => {
    const generated = builder.newProcessorName(prefix);
    return name !== undefined ? name + suffix : generated;
  };
  const thisWindowedName = named('-this-windowed', 'KSTREAM-WINDOWED-');
  const otherWindowedName = named('-other-windowed', 'KSTREAM-WINDOWED-');
  const joinThisGenerated = builder.newProcessorName(rightOuter ? 'KSTREAM-OUTERTHIS-' : 'KSTREAM-JOINTHIS-');
  const joinOtherGenerated = builder.newProcessorName(leftOuter ? 'KSTREAM-OUTEROTHER-' : 'KSTREAM-JOINOTHER-');
  const thisSuffix = rightOuter ? '-outer-this-join' : '-this-join';
  const otherSuffix = leftOuter ? '-outer-other-join' : '-other-join';
  const joinThisName = name !== undefined ? name + thisSuffix : joinThisGenerated;
  const joinOtherName = name !== undefined ? name + otherSuffix : joinOtherGenerated;
  const mergeName = named('-merge', 'KSTREAM-MERGE-');

  const storeBase = streamJoined?.storeName;
  const thisStoreName = `${storeBase !== undefined ? storeBase + thisSuffix : joinThisGenerated}-store`;
  const otherStoreName = `${storeBase !== undefined ? storeBase + otherSuffix : joinOtherGenerated}-store`;
  const outerStoreName = !leftOuter || !windows.spuriousResultFixEnabled
    ? null
    : storeBase !== undefined
      ? `${storeBase}${rightOuter ? '-outer-shared-join' : '-left-shared-join'}-store`
      : `KSTREAM-OUTERSHARED-${pad(joinThisGenerated)}-store`;

  const retention = windows.size() + windows.graceMs;
  const persistent = streamJoined?.storeType !== 'in-memory';
  const bucket = Math.max(1, Math.ceil((windows.size() + 1) / 2));
  const windowStore = <V>(storeName: string, valueSerde: Serde<V> | undefined) => {
    const b = new WindowStoreBuilder<K, V>(storeName, persistent, retention, windows.size(), true, internalSerde(keySerde), internalSerde(valueSerde), false);
    b.withIndexBucket(bucket);
    if (streamJoined?.loggingEnabled === false) b.withLoggingDisabled();
    else b.withLoggingEnabled({ ...(streamJoined?.logConfig ?? {}) });
    return b;
  };

  const trackers = new JoinTimeTrackers();
  const kSerde = internalSerde(keySerde);
  const lSerde = internalSerde(leftValueSerde);
  const rSerde = internalSerde(rightValueSerde);

  t.addProcessor(thisWindowedName, () => new JoinWindowProcessor<K, V1>(thisStoreName), leftNode);
  t.addStateStore(windowStore(thisStoreName, leftValueSerde), thisWindowedName);
  t.addProcessor(otherWindowedName, () => new JoinWindowProcessor<K, V2>(otherStoreName), rightNode);
  t.addStateStore(windowStore(otherStoreName, rightValueSerde), otherWindowedName);
  t.addProcessor(
    joinThisName,
    () =>
      new StreamStreamJoinProcessor<K, V1, V2, VR>({
        otherStoreName,
        outerStoreName,
        isLeftSide: true,
        joinBeforeMs: windows.beforeMs,
        joinAfterMs: windows.afterMs,
        windows,
        joiner,
        outer: leftOuter,
        trackers,
        keySerde: kSerde,
        thisValueSerde: lSerde,
        otherValueSerde: rSerde,
      }),
    thisWindowedName,
  );
  t.connectProcessorAndStateStores(joinThisName, otherStoreName);
  if (outerStoreName !== null) {
    const outer = new OuterJoinStoreBuilder(outerStoreName);
    if (streamJoined?.loggingEnabled === false) outer.withLoggingDisabled();
    t.addStateStore(outer, joinThisName);
  }
  t.addProcessor(
    joinOtherName,
    () =>
      new StreamStreamJoinProcessor<K, V2, V1, VR>({
        otherStoreName: thisStoreName,
        outerStoreName,
        isLeftSide: false,
        joinBeforeMs: windows.afterMs,
        joinAfterMs: windows.beforeMs,
        windows,
        joiner: (k, v2, v1) => joiner(k, v1, v2),
        outer: rightOuter,
        trackers,
        keySerde: kSerde,
        thisValueSerde: rSerde,
        otherValueSerde: lSerde,
      }),
    otherWindowedName,
  );
  t.connectProcessorAndStateStores(joinOtherName, thisStoreName);
  if (outerStoreName !== null) t.connectProcessorAndStateStores(joinOtherName, outerStoreName);
  t.addProcessor(mergeName, () => new PassThroughProcessor(), joinThisName, joinOtherName);
  if (leftOuter) relaxNullKeyFilters(t, [leftNode, rightNode]);
  return new KStream<K, VR>(builder, mergeName, streamJoined?.keySerde, undefined, false);
}

/** KStream–KTable join (Kafka Streams' KStreamImpl.join/leftJoin(KTable)). */
export function streamTableJoin<K, V, VT, VR>(
  stream: KStream<K, V>,
  table: KTable<K, VT>,
  joinerArg: ValueJoiner<V, VT, VR> | ValueJoinerWithKey<K, V, VT, VR>,
  joined: Joined<K, V, VT> | undefined,
  leftJoin: boolean,
): KStream<K, VR> {
  if (stream.builder !== table.builder) throw new TopologyError('cannot join a stream and a table of different builders');
  const builder = stream.builder;
  const t = builder.topology;
  const joiner = joinerWithKey<K, V, VT | null, VR>(joinerArg as ValueJoinerWithKey<K, V, VT | null, VR>);
  const input = joinInput(stream, joined?.name ?? stream.nodeName, joined?.keySerde ?? stream.keySerde, joined?.valueSerde ?? stream.valueSerde);
  copartition(t, input, table.nodeName);
  const generated = builder.newProcessorName(leftJoin ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-JOIN-');
  const name = joined?.name ?? generated;
  const getter = valueGetterSupplier(table);
  const storeNames = getter.storeNames();
  t.addProcessor(name, () => new StreamTableJoinProcessor<K, V, VT, VR>(getter, joiner, leftJoin), input);
  if (storeNames.length > 0) t.connectProcessorAndStateStores(name, ...storeNames);
  if (leftJoin) relaxNullKeyFilters(t, [input]);
  return new KStream<K, VR>(builder, name, joined?.keySerde ?? stream.keySerde, undefined, false);
}

/** Value getter of an unmaterialized table-table join result (Kafka Streams' KTableKTable*JoinValueGetter). */
function joinValueGetter<K, V1, V2, VR>(
  left: ValueGetterSupplier<K, V1>,
  right: ValueGetterSupplier<K, V2>,
  kind: JoinKind,
  joiner: ValueJoinerWithKey<K, V1 | null, V2 | null, VR>,
): ValueGetterSupplier<K, VR> {
  return {
    storeNames: () => [...new Set([...left.storeNames(), ...right.storeNames()])],
    create(context) {
      const l = left.create(context);
      const r = right.create(context);
      return {
        get(key) {
          const lv = l.get(key);
          if (kind !== 'outer' && lv === null) return null;
          const rv = r.get(key);
          if (kind === 'inner' && rv === null) return null;
          if (lv === null && rv === null) return null;
          const value = joiner(key, lv === null ? null : lv.value, rv === null ? null : rv.value);
          if (value === null || value === undefined) return null;
          return { value, timestamp: Math.max(lv?.timestamp ?? -1, rv?.timestamp ?? -1) };
        },
      };
    },
  };
}

/** KTable–KTable join (Kafka Streams' KTableImpl.doJoin). */
export function tableTableJoin<K, V1, V2, VR>(
  left: KTable<K, V1>,
  right: KTable<K, V2>,
  joinerArg: ValueJoiner<V1, V2, VR> | ValueJoinerWithKey<K, V1, V2, VR>,
  named: Named | undefined,
  materialized: Materialized<K, VR> | undefined,
  kind: JoinKind,
): KTable<K, VR> {
  if (left.builder !== right.builder) throw new TopologyError('cannot join tables of different builders');
  const builder = left.builder;
  const t = builder.topology;
  const joiner = joinerWithKey<K, V1 | null, V2 | null, VR>(joinerArg as ValueJoinerWithKey<K, V1 | null, V2 | null, VR>);
  // A Materialized without a name still materializes the result, under a generated name.
  const storeName = materialized === undefined ? null : (materialized.storeName ?? builder.newStoreName('KTABLE-MERGE-'));
  const leftOuter = kind !== 'inner';
  const rightOuter = kind === 'outer';
  if (leftOuter) left.enableSendingOldValues(true);
  if (rightOuter) right.enableSendingOldValues(true);
  const generatedMerge = builder.newProcessorName('KTABLE-MERGE-');
  const mergeName = named?.name ?? generatedMerge;
  const generatedThis = builder.newProcessorName('KTABLE-JOINTHIS-');
  const generatedOther = builder.newProcessorName('KTABLE-JOINOTHER-');
  const joinThisName = named !== undefined ? `${named.name}-join-this` : generatedThis;
  const joinOtherName = named !== undefined ? `${named.name}-join-other` : generatedOther;

  const leftGetter = valueGetterSupplier(left);
  const rightGetter = valueGetterSupplier(right);
  const thisKind: TableJoinKind = kind;
  const otherKind: TableJoinKind = kind === 'left' ? 'right' : kind;
  const config = new TableProcessorConfig();
  config.storeName = storeName;
  t.addProcessor(joinThisName, () => new TableTableJoinProcessor<K, V1, V2, VR>(rightGetter, thisKind, joiner, config), left.nodeName);
  t.addProcessor(joinOtherName, () => new TableTableJoinProcessor<K, V2, V1, VR>(leftGetter, otherKind, (k, v2, v1) => joiner(k, v1, v2), config), right.nodeName);
  t.addProcessor(mergeName, () => new TableJoinMergeProcessor<K, VR>(config), joinThisName, joinOtherName);
  t.connectProcessorAndStateStores(joinThisName, ...rightGetter.storeNames());
  t.connectProcessorAndStateStores(joinOtherName, ...leftGetter.storeNames());
  const keySerde = materialized?.keySerde ?? left.keySerde;
  const valueSerde = materialized?.valueSerde;
  if (storeName !== null) t.addStateStore(keyValueStoreFor(storeName, materialized, keySerde, valueSerde), mergeName);
  copartition(t, left.nodeName, right.nodeName);
  const table = new KTable<K, VR>(
    builder,
    mergeName,
    keySerde,
    valueSerde,
    config,
    storeName !== null ? { kind: 'materialized', storeName } : { kind: 'derived', parent: left, storeName: null },
  );
  // Downstream old values need both inputs' old values (Kafka Streams' KTableKTableJoinMerger).
  table.sendOldValuesOverride = () => {
    left.enableSendingOldValues(true);
    right.enableSendingOldValues(true);
    config.sendOldValues = true;
    return true;
  };
  if (storeName === null) table.valueGetterOverride = joinValueGetter(leftGetter, rightGetter, kind, joiner);
  return table;
}
