import type { KStream } from './kstream.js';
import { BranchProcessor, PassThroughProcessor } from './processors/stateless.js';

/** Options of one branch of split() (Kafka Streams' Branched). */
export class Branched<K, V> {
  private constructor(
    readonly name?: string,
    readonly chain?: (stream: KStream<K, V>) => KStream<any, any> | null | undefined | void,
    readonly consumer?: (stream: KStream<K, V>) => void,
  ) {}

  static as<K, V>(name: string): Branched<K, V> {
    return new Branched<K, V>(name);
  }

  static withFunction<K, V>(chain: (stream: KStream<K, V>) => KStream<any, any> | null | undefined, name?: string): Branched<K, V> {
    return new Branched<K, V>(name, chain);
  }

  static withConsumer<K, V>(consumer: (stream: KStream<K, V>) => void, name?: string): Branched<K, V> {
    return new Branched<K, V>(name, undefined, consumer);
  }
}

/** The result of KStream.split(): add branches, then end with defaultBranch() or noDefaultBranch(). */
export class BranchedKStream<K, V> {
  private readonly predicates: Array<(key: K, value: V) => boolean> = [];
  private readonly childNames: string[] = [];
  private readonly result = new Map<string, KStream<any, any>>();
  private defaultChild: string | null = null;
  private done = false;

  /** @internal */
  constructor(
    private readonly parent: KStream<K, V>,
    private readonly splitterName: string,
  ) {
    const builder = parent.builder;
    builder.topology.addProcessor(
      splitterName,
      () => new BranchProcessor(this.predicates, this.childNames, this.defaultChild),
      parent.nodeName,
    );
  }

  private addChild(suffix: string, branched: Branched<K, V> | undefined): string {
    if (this.done) throw new Error('this split() already ended with defaultBranch() or noDefaultBranch()');
    const builder = this.parent.builder;
    const name = this.splitterName + (branched?.name ?? suffix);
    builder.newProcessorName(name);
    builder.topology.addProcessor(name, () => new PassThroughProcessor(), this.splitterName);
    const KStreamCtor = this.parent.constructor as new (...args: any[]) => KStream<K, V>;
    const stream = new KStreamCtor(builder, name, this.parent.keySerde, this.parent.valueSerde, this.parent.repartitionRequired);
    if (branched?.consumer !== undefined) {
      branched.consumer(stream);
    } else if (branched?.chain !== undefined) {
      const out = branched.chain(stream);
      if (out !== null && out !== undefined) this.result.set(name, out as KStream<any, any>);
    } else {
      this.result.set(name, stream);
    }
    return name;
  }

  branch(predicate: (key: K, value: V) => boolean, branched?: Branched<K, V>): this {
    this.predicates.push(predicate);
    this.childNames.push(this.addChild(String(this.predicates.length), branched));
    return this;
  }

  defaultBranch(branched?: Branched<K, V>): Map<string, KStream<any, any>> {
    this.defaultChild = this.addChild('0', branched);
    this.done = true;
    return this.result;
  }

  noDefaultBranch(): Map<string, KStream<any, any>> {
    this.done = true;
    return this.result;
  }
}
