/**
 * Two group-coordinator requests in versions kafkajs 2.2.4 lacks (its newest are TxnOffsetCommit v1
 * and OffsetFetch v4), sent on kafkajs's connections:
 *
 * - TxnOffsetCommit v3 (KIP-447): offsets added to a transaction carry the consumer group's
 *   generation id, member id and group instance id, so the group coordinator rejects the offsets of
 *   a member that is no longer in that generation (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID,
 *   FENCED_INSTANCE_ID). This is what fences a zombie under exactly_once_v2, where one producer
 *   serves all of a worker's tasks and InitProducerId cannot fence per task.
 * - OffsetFetch v7 with require_stable: a partition with transactional offsets not yet completed
 *   answers UNSTABLE_OFFSET_COMMIT (retried by the caller) instead of an older offset, so a task's
 *   new owner never starts from before a transaction of the previous owner that will commit.
 *
 * Both are flexible versions (KIP-482): compact strings and arrays, a tagged-field section in each
 * structure and in the request header (v2; kafkajs writes header v1, so the body starts with the
 * header's empty tagged fields) and response header (v1; skipped before decoding).
 */
import { createRequire } from 'node:module';
import type { CommittedOffset, OffsetToCommit } from '../types.js';

const require = createRequire(import.meta.url);
type KEncoder = {
  writeInt8(v: number): KEncoder;
  writeInt16(v: number): KEncoder;
  writeInt32(v: number): KEncoder;
  writeInt64(v: string): KEncoder;
  writeBoolean(v: boolean): KEncoder;
  writeUVarInt(v: number): KEncoder;
  writeUVarIntString(v: string | null): KEncoder;
  buffer: Buffer;
};
type KDecoder = {
  readInt16(): number;
  readInt32(): number;
  readInt64(): { toString(): string };
  readUVarInt(): number;
  readUVarIntString(): string | null;
  readUVarIntArray<T>(reader: (d: KDecoder) => T): T[] | null;
  readTaggedFields(): unknown;
};
const Encoder = require('kafkajs/src/protocol/encoder') as new () => KEncoder;
const Decoder = require('kafkajs/src/protocol/decoder') as new (b: Buffer) => KDecoder;
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as { createErrorFromCode(code: number): Error & { type: string } };

const TXN_OFFSET_COMMIT = 28;
const OFFSET_FETCH = 9;

/** The consumer group member whose transaction commits offsets. */
export interface GroupMetadata {
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
}

/** A request as kafkajs's connection sends it. */
export interface ProtocolRequest<T> {
  request: { apiKey: number; apiVersion: number; apiName: string; encode: () => Promise<{ buf: Buffer; buffer: Buffer }> };
  /** kafkajs's connection decodes (reading `clientSideThrottleTime` of the result), then parses. */
  response: { decode(raw: Buffer): Promise<{ value: T; clientSideThrottleTime: number }>; parse(data: { value: T }): Promise<T> };
}

export type ProtocolResult<R> = R extends ProtocolRequest<infer T> ? T : never;

function groupBy<T extends { topic: string }>(items: readonly T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const i of items) {
    let l = m.get(i.topic);
    if (l === undefined) m.set(i.topic, (l = []));
    l.push(i);
  }
  return m;
}

function compactArray<T>(e: KEncoder, items: readonly T[], write: (item: T) => void): void {
  e.writeUVarInt(items.length + 1);
  for (const i of items) write(i);
}

function request<T>(apiKey: number, apiVersion: number, apiName: string, body: (e: KEncoder) => void, decode: (d: KDecoder) => T): ProtocolRequest<T> {
  return {
    request: {
      apiKey,
      apiVersion,
      apiName,
      encode: async () => {
        const e = new Encoder();
        e.writeUVarInt(0); // request header v2: no tagged fields
        body(e);
        e.writeUVarInt(0); // the body's tagged fields
        return { buf: e.buffer, buffer: e.buffer };
      },
    },
    response: {
      decode: async (raw: Buffer) => {
        const d = new Decoder(raw);
        d.readTaggedFields(); // response header v1
        return { value: decode(d), clientSideThrottleTime: 0 };
      },
      parse: async (data: { value: T }) => data.value,
    },
  };
}

/** Throws the first error code of a response, as kafkajs's own responses do. */
function check(code: number): void {
  if (code !== 0) throw createErrorFromCode(code);
}

export function txnOffsetCommitV3(args: {
  transactionalId: string;
  groupId: string;
  producerId: number;
  producerEpoch: number;
  member: GroupMetadata;
  offsets: readonly OffsetToCommit[];
}): ProtocolRequest<void> {
  return request(
    TXN_OFFSET_COMMIT,
    3,
    'TxnOffsetCommit',
    (e) => {
      e.writeUVarIntString(args.transactionalId);
      e.writeUVarIntString(args.groupId);
      e.writeInt64(String(args.producerId));
      e.writeInt16(args.producerEpoch);
      e.writeInt32(args.member.generationId);
      e.writeUVarIntString(args.member.memberId);
      e.writeUVarIntString(args.member.groupInstanceId);
      compactArray(e, [...groupBy(args.offsets)], ([topic, partitions]) => {
        e.writeUVarIntString(topic);
        compactArray(e, partitions, (p) => {
          e.writeInt32(p.partition);
          e.writeInt64(String(p.offset));
          e.writeInt32(-1); // committed leader epoch: unknown
          e.writeUVarIntString(p.metadata ?? null);
          e.writeUVarInt(0);
        });
        e.writeUVarInt(0);
      });
    },
    (d) => {
      d.readInt32(); // throttle time
      const codes: number[] = [];
      d.readUVarIntArray((t) => {
        t.readUVarIntString();
        t.readUVarIntArray((p) => {
          p.readInt32();
          codes.push(p.readInt16());
          p.readTaggedFields();
        });
        t.readTaggedFields();
      });
      for (const c of codes) check(c);
    },
  );
}

/** Committed offsets of the group by tpKey-like "topic/partition" (only partitions with an offset). */
export function offsetFetchV7Stable(groupId: string, topics: ReadonlyMap<string, readonly number[]>): ProtocolRequest<Array<{ topic: string; partition: number } & CommittedOffset>> {
  return request(
    OFFSET_FETCH,
    7,
    'OffsetFetch',
    (e) => {
      e.writeUVarIntString(groupId);
      compactArray(e, [...topics], ([topic, partitions]) => {
        e.writeUVarIntString(topic);
        compactArray(e, partitions, (p) => e.writeInt32(p));
        e.writeUVarInt(0);
      });
      e.writeBoolean(true); // require_stable
    },
    (d) => {
      d.readInt32(); // throttle time
      const out: Array<{ topic: string; partition: number } & CommittedOffset> = [];
      const codes: number[] = [];
      d.readUVarIntArray((t) => {
        const topic = t.readUVarIntString()!;
        t.readUVarIntArray((p) => {
          const partition = p.readInt32();
          const offset = Number(p.readInt64().toString());
          p.readInt32(); // leader epoch
          const metadata = p.readUVarIntString();
          codes.push(p.readInt16());
          p.readTaggedFields();
          if (offset >= 0) out.push(metadata === null || metadata === '' ? { topic, partition, offset } : { topic, partition, offset, metadata });
        });
        t.readTaggedFields();
      });
      codes.push(d.readInt16());
      for (const c of codes) check(c);
      return out;
    },
  );
}
