import type { ProcessorContext } from '../processor/api.js';
import type { InternalKeyValueStore } from '../state/key-value-store.js';
import type { ValueAndTimestamp } from '../state/store.js';
import { TopologyError } from '../topology/topology.js';
import type { KTable } from './ktable.js';

/** Reads a table's current value of a key (Kafka Streams' KTableValueGetter). */
export interface ValueGetter<K, V> {
  get(key: K): ValueAndTimestamp<V> | null;
}

/**
 * How a processor reads a table by key (Kafka Streams' KTableValueGetterSupplier): the stores the
 * processor must be connected to, and a getter made in the processor's init().
 */
export interface ValueGetterSupplier<K, V> {
  storeNames(): string[];
  create(context: ProcessorContext<any, any>): ValueGetter<K, V>;
}

function storeGetter<K, V>(storeName: string): ValueGetterSupplier<K, V> {
  return {
    storeNames: () => [storeName],
    create(context) {
      const store = context.getStateStore<InternalKeyValueStore<K, V>>(storeName);
      return { get: (key) => store.getWithTimestamp(key) };
    },
  };
}

/**
 * The value getter of a table: its own store when it has one (a source table's reserved store is
 * attached now, as Kafka Streams forces it), else a view computed from its parent's getter.
 */
export function valueGetterSupplier<K, V>(table: KTable<K, V>): ValueGetterSupplier<K, V> {
  if (table.windowCloseMs !== null) {
    throw new TopologyError(`table '${table.nodeName}' is windowed: joining windowed tables is not supported`);
  }
  const own = table.queryableStoreName;
  if (own !== null) return storeGetter(own);
  if (table.origin.kind === 'source') return storeGetter(table.materialize());
  if (table.valueGetterOverride !== null) return table.valueGetterOverride as ValueGetterSupplier<K, V>;
  throw new TopologyError(`the values of table '${table.nodeName}' cannot be looked up by key; materialize it (Materialized.as(...)) to join it`);
}

/** Value getter of an unmaterialized KTable.filter: the parent's value if it passes (Kafka Streams' KTableFilter getter). */
export function filterValueGetter<K, V>(parent: KTable<K, V>, predicate: (key: K, value: V) => boolean, negate: boolean): ValueGetterSupplier<K, V> {
  let parentSupplier: ValueGetterSupplier<K, V> | null = null;
  const supplier = () => (parentSupplier ??= valueGetterSupplier(parent));
  return {
    storeNames: () => supplier().storeNames(),
    create(context) {
      const getter = supplier().create(context);
      return {
        get(key) {
          const vt = getter.get(key);
          if (vt === null || vt.value === null) return null;
          return predicate(key, vt.value) !== negate ? vt : null;
        },
      };
    },
  };
}

/** Value getter of an unmaterialized KTable.mapValues: the parent's value mapped, same timestamp. */
export function mapValuesValueGetter<K, V, VR>(parent: KTable<K, V>, mapper: (value: V, key: K) => VR): ValueGetterSupplier<K, VR> {
  let parentSupplier: ValueGetterSupplier<K, V> | null = null;
  const supplier = () => (parentSupplier ??= valueGetterSupplier(parent));
  return {
    storeNames: () => supplier().storeNames(),
    create(context) {
      const getter = supplier().create(context);
      return {
        get(key) {
          const vt = getter.get(key);
          if (vt === null || vt.value === null) return null;
          const mapped = mapper(vt.value, key);
          return mapped === null || mapped === undefined ? null : { value: mapped, timestamp: vt.timestamp };
        },
      };
    },
  };
}
