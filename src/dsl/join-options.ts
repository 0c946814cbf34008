import type { Serde } from '../serde/serde.js';

/** A joiner of two values; left/outer joins pass null for a missing side. */
export type ValueJoiner<V1, V2, VR> = (value1: V1, value2: V2) => VR;
/** A joiner that also sees the (read-only) key. */
export type ValueJoinerWithKey<K, V1, V2, VR> = (key: K, value1: V1, value2: V2) => VR;

/**
 * Calls a joiner declared as (value1, value2) or (key, value1, value2), told apart by the number
 * of parameters it declares (as the DSL's value mappers are).
 */
export function joinerWithKey<K, V1, V2, VR>(joiner: ValueJoiner<V1, V2, VR> | ValueJoinerWithKey<K, V1, V2, VR>): ValueJoinerWithKey<K, V1, V2, VR> {
  if (joiner.length >= 3) return joiner as ValueJoinerWithKey<K, V1, V2, VR>;
  const j = joiner as ValueJoiner<V1, V2, VR>;
  return (_key, v1, v2) => j(v1, v2);
}

/** Serdes and name of a stream-table join (Kafka Streams' Joined). */
export class Joined<K, V, VO> {
  private constructor(
    readonly keySerde?: Serde<K>,
    readonly valueSerde?: Serde<V>,
    readonly otherValueSerde?: Serde<VO>,
    readonly name?: string,
  ) {}

  static with<K, V, VO>(keySerde: Serde<K> | undefined, valueSerde: Serde<V> | undefined, otherValueSerde?: Serde<VO>, name?: string): Joined<K, V, VO> {
    return new Joined(keySerde, valueSerde, otherValueSerde, name);
  }

  static keySerde<K, V = unknown, VO = unknown>(serde: Serde<K>): Joined<K, V, VO> {
    return new Joined<K, V, VO>(serde);
  }

  static valueSerde<V, K = unknown, VO = unknown>(serde: Serde<V>): Joined<K, V, VO> {
    return new Joined<K, V, VO>(undefined, serde);
  }

  static otherValueSerde<VO, K = unknown, V = unknown>(serde: Serde<VO>): Joined<K, V, VO> {
    return new Joined<K, V, VO>(undefined, undefined, serde);
  }

  static as<K, V, VO>(name: string): Joined<K, V, VO> {
    return new Joined<K, V, VO>(undefined, undefined, undefined, name);
  }

  withKeySerde<NK>(serde: Serde<NK>): Joined<NK, V, VO> {
    return new Joined(serde, this.valueSerde, this.otherValueSerde, this.name);
  }

  withValueSerde<NV>(serde: Serde<NV>): Joined<K, NV, VO> {
    return new Joined(this.keySerde, serde, this.otherValueSerde, this.name);
  }

  withOtherValueSerde<NVO>(serde: Serde<NVO>): Joined<K, V, NVO> {
    return new Joined(this.keySerde, this.valueSerde, serde, this.name);
  }

  withName(name: string): Joined<K, V, VO> {
    return new Joined(this.keySerde, this.valueSerde, this.otherValueSerde, name);
  }
}

/** Serdes, names and store settings of a stream-stream join (Kafka Streams' StreamJoined). */
export class StreamJoined<K, V1, V2> {
  private constructor(
    readonly keySerde?: Serde<K>,
    readonly valueSerde?: Serde<V1>,
    readonly otherValueSerde?: Serde<V2>,
    readonly name?: string,
    readonly storeName?: string,
    readonly loggingEnabled = true,
    readonly logConfig: Readonly<Record<string, string>> = {},
    readonly storeType: 'persistent' | 'in-memory' = 'persistent',
  ) {}

  private copy(changes: Partial<StreamJoined<any, any, any>>): StreamJoined<any, any, any> {
    return Object.assign(Object.create(StreamJoined.prototype), this, changes) as StreamJoined<any, any, any>;
  }

  static with<K, V1, V2>(keySerde: Serde<K> | undefined, valueSerde: Serde<V1> | undefined, otherValueSerde: Serde<V2> | undefined): StreamJoined<K, V1, V2> {
    return new StreamJoined(keySerde, valueSerde, otherValueSerde);
  }

  /** Names the join's processors (and repartition topics); stores keep generated names unless withStoreName. */
  static as<K, V1, V2>(name: string): StreamJoined<K, V1, V2> {
    return new StreamJoined<K, V1, V2>(undefined, undefined, undefined, name);
  }

  withName(name: string): StreamJoined<K, V1, V2> {
    return this.copy({ name });
  }

  /** Base name of the join stores (`<name>-this-join-store`, `<name>-other-join-store`, ...). */
  withStoreName(storeName: string): StreamJoined<K, V1, V2> {
    return this.copy({ storeName });
  }

  withKeySerde<NK>(serde: Serde<NK>): StreamJoined<NK, V1, V2> {
    return this.copy({ keySerde: serde });
  }

  withValueSerde<NV>(serde: Serde<NV>): StreamJoined<K, NV, V2> {
    return this.copy({ valueSerde: serde });
  }

  withOtherValueSerde<NV>(serde: Serde<NV>): StreamJoined<K, V1, NV> {
    return this.copy({ otherValueSerde: serde });
  }

  withLoggingEnabled(config: Record<string, string> = {}): StreamJoined<K, V1, V2> {
    return this.copy({ loggingEnabled: true, logConfig: { ...config } });
  }

  withLoggingDisabled(): StreamJoined<K, V1, V2> {
    return this.copy({ loggingEnabled: false });
  }

  /** Window stores in memory instead of LevelDB (Kafka Streams' withDslStoreSuppliers / in-memory suppliers). */
  withStoreType(type: 'persistent' | 'in-memory' | 'rocksdb' | 'leveldb'): StreamJoined<K, V1, V2> {
    return this.copy({ storeType: type === 'in-memory' ? 'in-memory' : 'persistent' });
  }
}
