import type { Processor, ProcessorContext } from '../../processor/api.js';
import { StreamRecord } from '../../processor/record.js';
import type { KeyValue } from '../../state/store.js';

/** Base for the DSL's stateless processors: keeps the context. */
abstract class Forwarding<KIn, VIn, KOut, VOut> implements Processor<KIn, VIn, KOut, VOut> {
  protected context!: ProcessorContext<KOut, VOut>;
  init(context: ProcessorContext<KOut, VOut>): void {
    this.context = context;
  }
  abstract process(record: StreamRecord<KIn, VIn>): void;
}

export class FilterProcessor<K, V> extends Forwarding<K, V, K, V> {
  constructor(
    private readonly predicate: (key: K, value: V) => boolean,
    private readonly negate: boolean,
  ) {
    super();
  }
  process(record: StreamRecord<K, V>): void {
    if (this.predicate(record.key, record.value) !== this.negate) this.context.forward(record);
  }
}

export class MapProcessor<K, V, KR, VR> extends Forwarding<K, V, KR, VR> {
  constructor(private readonly mapper: (key: K, value: V) => KeyValue<KR, VR>) {
    super();
  }
  process(record: StreamRecord<K, V>): void {
    const kv = this.mapper(record.key, record.value);
    this.context.forward(new StreamRecord(kv[0], kv[1], record.timestamp, record.headers));
  }
}

export class SelectKeyProcessor<K, V, KR> extends Forwarding<K, V, KR, V> {
  constructor(private readonly mapper: (key: K, value: V) => KR) {
    super();
  }
  process(record: StreamRecord<K, V>): void {
    this.context.forward(record.withKey(this.mapper(record.key, record.value)));
  }
}

/**
 * Value mappers take the value first and the key second, like Map.prototype.forEach, so that
 * `(v) => ...` and `(v, k) => ...` are both typed exactly (TypeScript cannot pick between
 * overloads that differ only in callback arity).
 */
export type ValueMapper<K, V, VR> = (value: V, key: K) => VR;

export class MapValuesProcessor<K, V, VR> extends Forwarding<K, V, K, VR> {
  constructor(private readonly mapper: ValueMapper<K, V, VR>) {
    super();
  }
  process(record: StreamRecord<K, V>): void {
    this.context.forward(record.withValue(this.mapper(record.value, record.key)));
  }
}

export class FlatMapProcessor<K, V, KR, VR> extends Forwarding<K, V, KR, VR> {
  constructor(private readonly mapper: (key: K, value: V) => Iterable<KeyValue<KR, VR>>) {
    super();
  }
  process(record: StreamRecord<K, V>): void {
    for (const kv of this.mapper(record.key, record.value)) {
      this.context.forward(new StreamRecord(kv[0], kv[1], record.timestamp, record.headers));
    }
  }
}

export class FlatMapValuesProcessor<K, V, VR> extends Forwarding<K, V, K, VR> {
  constructor(private readonly mapper: ValueMapper<K, V, Iterable<VR>>) {
    super();
  }
  process(record: StreamRecord<K, V>): void {
    const out = this.mapper(record.value, record.key);
    if (Array.isArray(out)) {
      for (let i = 0; i < out.length; i++) this.context.forward(record.withValue(out[i] as VR));
      return;
    }
    for (const v of out) this.context.forward(record.withValue(v));
  }
}

export class PeekProcessor<K, V> extends Forwarding<K, V, K, V> {
  constructor(private readonly action: (key: K, value: V) => void) {
    super();
  }
  process(record: StreamRecord<K, V>): void {
    this.action(record.key, record.value);
    this.context.forward(record);
  }
}

export class ForeachProcessor<K, V> implements Processor<K, V> {
  constructor(private readonly action: (key: K, value: V) => void) {}
  process(record: StreamRecord<K, V>): void {
    this.action(record.key, record.value);
  }
}

export class PassThroughProcessor<K, V> extends Forwarding<K, V, K, V> {
  process(record: StreamRecord<K, V>): void {
    this.context.forward(record);
  }
}

/** Routes each record to the first branch whose predicate accepts it (or to the default branch). */
export class BranchProcessor<K, V> extends Forwarding<K, V, K, V> {
  constructor(
    private readonly predicates: ReadonlyArray<(key: K, value: V) => boolean>,
    private readonly childNames: readonly string[],
    private readonly defaultChild: string | null,
  ) {
    super();
  }
  process(record: StreamRecord<K, V>): void {
    for (let i = 0; i < this.predicates.length; i++) {
      if (this.predicates[i]!(record.key, record.value)) {
        this.context.forward(record, this.childNames[i]);
        return;
      }
    }
    if (this.defaultChild !== null) this.context.forward(record, this.defaultChild);
  }
}
