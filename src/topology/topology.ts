import type { Serde } from '../serde/serde.js';
import type { ProcessorSupplier } from '../processor/api.js';
import type { StoreBuilder } from '../state/managed-store.js';
import type {
  InternalTopicDef,
  NodeDef,
  OffsetReset,
  ProcessorNodeDef,
  SinkNodeDef,
  SourceNodeDef,
  StreamPartitioner,
  TimestampExtractor,
  TopicNameExtractor,
} from './nodes.js';
import { describeTopology, type TopologyDescription } from './describe.js';

export class TopologyError extends Error {
  override readonly name = 'TopologyError';
}

export interface SourceOptions {
  keySerde?: Serde<any>;
  valueSerde?: Serde<any>;
  timestampExtractor?: TimestampExtractor;
  offsetReset?: OffsetReset;
}

export interface SinkOptions<K = any, V = any> {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  partitioner?: StreamPartitioner<K, V>;
}

/** A connected part of the topology; one task per partition runs it. */
export interface Subtopology {
  readonly id: number;
  /** Node names in the order they were added. */
  readonly nodes: readonly string[];
  /** Logical names of the topics its sources read (internal topics without the application id). */
  readonly sourceTopics: readonly string[];
  readonly stores: readonly string[];
}

/**
 * The processor graph (Kafka Streams' Topology): sources, processors and sinks, state stores, and
 * the internal topics that split it into sub-topologies. Built by hand or by the StreamsBuilder.
 */
export class Topology {
  /** @internal */ readonly nodes = new Map<string, NodeDef>();
  /** @internal */ readonly storeBuilders = new Map<string, StoreBuilder>();
  /** @internal */ readonly internalTopics = new Map<string, InternalTopicDef>();
  /** @internal Groups of topics whose partitions must line up (join inputs). */
  readonly copartitionGroups: string[][] = [];
  private readonly sourceTopics = new Map<string, string>();
  private cachedSubtopologies: Subtopology[] | null = null;

  private addNode(node: NodeDef): void {
    if (this.nodes.has(node.name)) throw new TopologyError(`a processor named '${node.name}' was already added`);
    this.nodes.set(node.name, node);
    this.cachedSubtopologies = null;
  }

  private connect(child: string, parents: readonly string[]): void {
    if (parents.length === 0 && this.nodes.get(child)!.kind !== 'source') {
      throw new TopologyError(`'${child}' needs at least one parent`);
    }
    for (const p of parents) {
      const parent = this.nodes.get(p);
      if (parent === undefined) throw new TopologyError(`parent '${p}' of '${child}' is not in the topology`);
      if (parent.kind === 'sink') throw new TopologyError(`sink '${p}' cannot have children`);
      if (p === child) throw new TopologyError(`'${child}' cannot be its own parent`);
      parent.children.push(child);
    }
  }

  addSource(name: string, topics: string | readonly string[], options: SourceOptions = {}): this {
    const list = typeof topics === 'string' ? [topics] : [...topics];
    if (list.length === 0) throw new TopologyError(`source '${name}' must read at least one topic`);
    for (const t of list) {
      const other = this.sourceTopics.get(t);
      if (other !== undefined) throw new TopologyError(`topic '${t}' is already read by source '${other}'`);
    }
    const node: SourceNodeDef = { kind: 'source', name, topics: list, ...options, children: [] };
    this.addNode(node);
    for (const t of list) this.sourceTopics.set(t, name);
    return this;
  }

  addProcessor(name: string, supplier: ProcessorSupplier<any, any, any, any>, ...parentNames: string[]): this {
    const node: ProcessorNodeDef = { kind: 'processor', name, parents: [...parentNames], supplier, stores: [], children: [] };
    this.addNode(node);
    this.connect(name, parentNames);
    return this;
  }

  addSink<K, V>(name: string, topic: string | TopicNameExtractor<K, V>, options: SinkOptions<K, V> = {}, ...parentNames: string[]): this {
    const node: SinkNodeDef = { kind: 'sink', name, parents: [...parentNames], topic, ...options, children: [] };
    this.addNode(node);
    this.connect(name, parentNames);
    return this;
  }

  addStateStore(builder: StoreBuilder, ...processorNames: string[]): this {
    if (this.storeBuilders.has(builder.name)) throw new TopologyError(`a state store named '${builder.name}' was already added`);
    this.storeBuilders.set(builder.name, builder);
    for (const p of processorNames) this.connectProcessorAndStateStores(p, builder.name);
    this.cachedSubtopologies = null;
    return this;
  }

  connectProcessorAndStateStores(processorName: string, ...storeNames: string[]): this {
    if (storeNames.length === 0) return this;
    const node = this.nodes.get(processorName);
    if (node === undefined || node.kind !== 'processor') throw new TopologyError(`'${processorName}' is not a processor of this topology`);
    for (const s of storeNames) {
      if (!this.storeBuilders.has(s)) throw new TopologyError(`state store '${s}' is not in the topology`);
      if (!node.stores.includes(s)) node.stores.push(s);
    }
    this.cachedSubtopologies = null;
    return this;
  }

  /** @internal Marks a topic as internal: its physical name is `<application.id>-<name>`. */
  addInternalTopic(def: InternalTopicDef): void {
    this.internalTopics.set(def.name, def);
  }

  /** @internal */
  addCopartitionGroup(topics: string[]): void {
    this.copartitionGroups.push(topics);
  }

  /** @internal */
  node(name: string): NodeDef {
    const n = this.nodes.get(name);
    if (n === undefined) throw new TopologyError(`no node named '${name}'`);
    return n;
  }

  /** Sub-topologies: nodes connected by edges or by shared stores, numbered in order of appearance. */
  subtopologies(): Subtopology[] {
    if (this.cachedSubtopologies !== null) return this.cachedSubtopologies;
    const names = [...this.nodes.keys()];
    const index = new Map(names.map((n, i) => [n, i]));
    const parent = names.map((_, i) => i);
    const find = (i: number): number => {
      while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
      return i;
    };
    const union = (a: number, b: number) => {
      const ra = find(a);
      const rb = find(b);
      if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
    };
    const storeOwner = new Map<string, number>();
    for (const node of this.nodes.values()) {
      const i = index.get(node.name)!;
      for (const c of node.children) union(i, index.get(c)!);
      if (node.kind === 'processor') {
        for (const s of node.stores) {
          const owner = storeOwner.get(s);
          if (owner === undefined) storeOwner.set(s, i);
          else union(owner, i);
        }
      }
    }
    const groups = new Map<number, string[]>();
    for (const n of names) {
      const root = find(index.get(n)!);
      let g = groups.get(root);
      if (g === undefined) groups.set(root, (g = []));
      g.push(n);
    }
    const result: Subtopology[] = [];
    for (const nodes of groups.values()) {
      const sourceTopics: string[] = [];
      const stores: string[] = [];
      for (const n of nodes) {
        const node = this.nodes.get(n)!;
        if (node.kind === 'source') sourceTopics.push(...node.topics);
        if (node.kind === 'processor') for (const s of node.stores) if (!stores.includes(s)) stores.push(s);
      }
      result.push({ id: result.length, nodes, sourceTopics, stores });
    }
    this.cachedSubtopologies = result;
    return result;
  }

  /** @internal Checks what can only be checked once the graph is complete. */
  validate(): void {
    for (const st of this.subtopologies()) {
      if (st.sourceTopics.length === 0) {
        throw new TopologyError(`processors ${st.nodes.map((n) => `'${n}'`).join(', ')} are not connected to any source`);
      }
    }
    for (const [name] of this.storeBuilders) {
      const users = [...this.nodes.values()].filter((n) => n.kind === 'processor' && n.stores.includes(name));
      if (users.length === 0) throw new TopologyError(`state store '${name}' is not connected to any processor`);
    }
  }

  describe(): TopologyDescription {
    return describeTopology(this);
  }
}
