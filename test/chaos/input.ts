/**
 * The chaos test's input, made tick by tick at a steady rate while the workers run:
 * - lines: key a user (`u<n>`), value 1–5 words; event time advances by 1 ms per record made, and a few
 *   lines are out of order by up to twice the window grace (some inside the grace, some late);
 * - orders: key a product (`p<n>`), value a unique order id;
 * - prices: the table, key a product, value its version (`v<n>`). Every update gets an event time
 *   below that of every order made after it, and is appended (and acknowledged) before them.
 */
import type { ProducedRecord } from '../../src/log/types.js';
import { partitionForKey } from '../../src/log/murmur2.js';
import { mulberry32 } from '../helpers/prng.js';
import { WINDOW_GRACE_MS } from './windows.js';

export interface ChaosTopics {
  readonly lines: string;
  readonly orders: string;
  readonly prices: string;
  readonly wordcount: string;
  readonly windowed: string;
  readonly joined: string;
}

export function chaosTopics(prefix: string): ChaosTopics {
  return {
    lines: `${prefix}-lines`,
    orders: `${prefix}-orders`,
    prices: `${prefix}-prices`,
    wordcount: `${prefix}-wordcount`,
    windowed: `${prefix}-windowed`,
    joined: `${prefix}-joined`,
  };
}

/** The count stores' changelogs (the application creates them; at_least_once: counts whose output a crash lost are there). */
export function chaosChangelogs(prefix: string): { readonly wordCounts: string; readonly windows: string } {
  return { wordCounts: `${prefix}-app-word-counts-changelog`, windows: `${prefix}-app-user-windows-changelog` };
}

/** The run's seeded generator, so that its input and faults repeat with its seed. */
export const seededRandom = mulberry32;

const USERS = 400;
const PRODUCTS = 100;
const VOCABULARY = 3000;
const ORDER_CHANCE = 0.1;
const PRICE_UPDATE_CHANCE = 0.005;
const OUT_OF_ORDER_CHANCE = 0.03;

export interface Tick {
  /** Table updates: append these first. */
  readonly prices: ProducedRecord[];
  /** Lines and orders. */
  readonly events: ProducedRecord[];
}

export class InputGenerator {
  private readonly random: () => number;
  private clock: number;
  private orderSeq = 0;
  private readonly versions = new Array<number>(PRODUCTS).fill(0);
  linesMade = 0;

  constructor(
    readonly topics: ChaosTopics,
    private readonly partitions: number,
    seed: number,
    timeBase: number,
  ) {
    this.random = seededRandom(seed);
    this.clock = timeBase;
  }

  /** Version 0 of every product, before any order. */
  initialPrices(): ProducedRecord[] {
    const out: ProducedRecord[] = [];
    for (let p = 0; p < PRODUCTS; p++) out.push(this.record(this.topics.prices, `p${p}`, 'v0', this.clock++));
    return out;
  }

  /** The next `lines` lines with their orders and price updates. */
  tick(lines: number): Tick {
    const r = this.random;
    const prices: ProducedRecord[] = [];
    for (let i = 0; i < lines; i++) {
      if (r() < PRICE_UPDATE_CHANCE) {
        const p = Math.floor(r() * PRODUCTS);
        prices.push(this.record(this.topics.prices, `p${p}`, `v${++this.versions[p]!}`, this.clock++));
      }
    }
    const events: ProducedRecord[] = [];
    for (let i = 0; i < lines; i++) {
      const ts = this.clock++;
      const late = r() < OUT_OF_ORDER_CHANCE ? Math.floor(r() * 2 * WINDOW_GRACE_MS) : 0;
      events.push(this.record(this.topics.lines, `u${Math.floor(r() * USERS)}`, this.line(), ts - late));
      if (r() < ORDER_CHANCE) events.push(this.record(this.topics.orders, `p${Math.floor(r() * PRODUCTS)}`, `o${this.orderSeq++}`, this.clock++));
    }
    this.linesMade += lines;
    return { prices, events };
  }

  private line(): string {
    const r = this.random;
    const n = 1 + Math.floor(r() * 5);
    const words: string[] = [];
    // skewed: a few words are frequent (long count sequences), most are rare
    for (let i = 0; i < n; i++) {
      const w = `w${Math.floor(VOCABULARY * r() * r()).toString(36)}`;
      words.push(r() < 0.1 ? w.toUpperCase() : w);
    }
    return words.join(r() < 0.5 ? ' ' : ', ');
  }

  private record(topic: string, key: string, value: string, timestamp: number): ProducedRecord {
    const k = Buffer.from(key);
    return { topic, partition: partitionForKey(k, this.partitions), key: k, value: Buffer.from(value), timestamp };
  }
}
