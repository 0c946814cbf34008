import type { Serde } from '../serde/serde.js';
import { SerdeError } from '../serde/serde.js';

/** A table update as KTable processors pass it on: the new value and (when asked for) the old one. */
export class Change<V> {
  constructor(
    readonly newValue: V | null,
    readonly oldValue: V | null,
  ) {}
}

const HAS_NEW = 1;
const HAS_OLD = 2;

/**
 * Serde for Change values on the repartition topic of a table grouping:
 * u8 flags | u32 newLength | new bytes | old bytes.
 */
export class ChangeSerde<V> implements Serde<Change<V>> {
  readonly name: string;
  constructor(private readonly inner: Serde<V>) {
    this.name = `change(${inner.name})`;
  }

  serialize(change: Change<V> | null, topic?: string): Buffer | null {
    if (change === null) return null;
    const n = change.newValue === null ? null : this.inner.serialize(change.newValue, topic);
    const o = change.oldValue === null ? null : this.inner.serialize(change.oldValue, topic);
    const out = Buffer.allocUnsafe(5 + (n?.length ?? 0) + (o?.length ?? 0));
    out[0] = (n !== null ? HAS_NEW : 0) | (o !== null ? HAS_OLD : 0);
    out.writeUInt32BE(n?.length ?? 0, 1);
    if (n !== null) n.copy(out, 5);
    if (o !== null) o.copy(out, 5 + (n?.length ?? 0));
    return out;
  }

  deserialize(data: Buffer | null, topic?: string): Change<V> | null {
    if (data === null) return null;
    if (data.length < 5) throw new SerdeError('truncated change record');
    const flags = data[0]!;
    const newLength = data.readUInt32BE(1);
    const newValue = flags & HAS_NEW ? this.inner.deserialize(data.subarray(5, 5 + newLength), topic) : null;
    const oldValue = flags & HAS_OLD ? this.inner.deserialize(data.subarray(5 + newLength), topic) : null;
    return new Change(newValue, oldValue);
  }
}
