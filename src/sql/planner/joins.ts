/**
 * JoinNode → DSL joins, as ksqlDB's StreamStreamJoinBuilder / StreamTableJoinBuilder /
 * TableTableJoinBuilder build them:
 * - a side whose join expression is not its key is re-keyed first (selectKey; the DSL join then
 *   repartitions it, keyed in the format of the side that keeps its key);
 * - STREAM_STREAM: JoinWindows before/after; with GRACE PERIOD `ofTimeDifferenceAndGrace`
 *   (unmatched rows of LEFT/RIGHT/FULL come out once the window closed), without it the legacy
 *   `JoinWindows.of` (unmatched rows come out at once, grace 24 h);
 * - RIGHT joins run as the right side's left join, the joined row keeping [left, right] order;
 * - the joined row is [...leftRow, ...rightRow, (join key when the key is synthetic)].
 */
import { JoinWindows } from '../../dsl/windows.js';
import { Joined, StreamJoined } from '../../dsl/join-options.js';
import { Named } from '../../dsl/options.js';
import type { FormatInfo } from '../analyzer/metastore.js';
import type { JoinNode, PlanNode } from '../analyzer/logical-plan.js';
import { asStream, asTable, type Holder, type QueryBuildContext, type RowStream, type RowTable } from './context.js';
import { buildForeignKeyJoin } from './foreign-key-join.js';
import { internalKeySerde, rowSerde, type Row } from './serdes.js';

type Joiner = (key: Row | null, left: Row | null, right: Row | null) => Row;

function firstSourceKeyFormat(n: PlanNode): FormatInfo {
  switch (n.kind) {
    case 'source':
      return n.source.keyFormat;
    case 'join':
      return firstSourceKeyFormat(n.left);
    default:
      return firstSourceKeyFormat(n.input);
  }
}

function rowJoiner(node: JoinNode): Joiner {
  const lw = node.left.schema.columns.length;
  const rw = node.right.schema.columns.length;
  const total = node.schema.columns.length;
  const synthetic = node.syntheticKey;
  return (key, left, right) => {
    const out = new Array<unknown>(total);
    for (let i = 0; i < lw; i++) out[i] = left === null ? null : (left[i] ?? null);
    for (let j = 0; j < rw; j++) out[lw + j] = right === null ? null : (right[j] ?? null);
    if (synthetic) out[lw + rw] = key === null || key === undefined ? null : (key[0] ?? null);
    return out;
  };
}

function rekey(stream: RowStream, node: JoinNode, side: 'Left' | 'Right', ctx: QueryBuildContext): RowStream {
  const expr = side === 'Left' ? node.leftKey : node.rightKey;
  return stream.selectKey((_k: unknown, row: Row | null) => (row === null ? null : [expr.evaluate(row)]), Named.as(ctx.name(`${node.id === 'Join' ? '' : `${node.id}-`}${side}SourceKeyed-SelectKey`)));
}

export function buildJoin(node: JoinNode, left: Holder, right: Holder, ctx: QueryBuildContext): Holder {
  if (node.foreignKey) return buildForeignKeyJoin(node, asTable(left, 'a foreign-key join'), asTable(right, 'a foreign-key join'), ctx);
  const keyColumns = [{ name: node.keyColumnName, type: node.leftKey.type ?? node.rightKey.type! }];
  const preferred = !node.rightRekey ? firstSourceKeyFormat(node.right) : !node.leftRekey ? firstSourceKeyFormat(node.left) : ctx.plan.sink.keyFormat;
  const keySerde = internalKeySerde(keyColumns, preferred);
  const joiner = rowJoiner(node);
  const swapped: Joiner = (key, right, left) => joiner(key, left, right);
  const name = ctx.name(node.id);
  switch (node.variant) {
    case 'STREAM_STREAM': {
      let l = asStream(left, 'a stream-stream join');
      let r = asStream(right, 'a stream-stream join');
      if (node.leftRekey) l = rekey(l, node, 'Left', ctx);
      if (node.rightRekey) r = rekey(r, node, 'Right', ctx);
      const w = node.within!;
      const windows = (w.graceMs !== undefined ? JoinWindows.ofTimeDifferenceAndGrace(w.beforeMs, w.graceMs) : JoinWindows.of(w.beforeMs)).after(w.afterMs);
      const joined = StreamJoined.with(keySerde, rowSerde(), rowSerde()).withName(name).withStoreName(name);
      let out: RowStream;
      switch (node.joinType) {
        case 'INNER':
          out = l.join(r, joiner, windows, joined);
          break;
        case 'LEFT':
          out = l.leftJoin(r, joiner, windows, joined);
          break;
        case 'RIGHT':
          out = r.leftJoin(l, swapped, windows, joined);
          break;
        case 'FULL':
          out = l.outerJoin(r, joiner, windows, joined);
          break;
      }
      return { kind: 'stream', stream: out };
    }
    case 'STREAM_TABLE': {
      let l = asStream(left, 'a stream-table join');
      const t = asTable(right, 'a stream-table join') as RowTable;
      if (node.leftRekey) l = rekey(l, node, 'Left', ctx);
      const joined = Joined.with<any, Row | null, Row>(keySerde, rowSerde(), rowSerde(), name);
      const out = node.joinType === 'LEFT' ? l.leftJoin(t, joiner, joined) : l.join(t, joiner, joined);
      return { kind: 'stream', stream: out };
    }
    case 'TABLE_TABLE': {
      const l = asTable(left, 'a table-table join');
      const r = asTable(right, 'a table-table join');
      const named = Named.as(name);
      let out: RowTable;
      switch (node.joinType) {
        case 'INNER':
          out = l.join(r, joiner, named);
          break;
        case 'LEFT':
          out = l.leftJoin(r, joiner, named);
          break;
        case 'RIGHT':
          out = r.leftJoin(l, swapped, named);
          break;
        case 'FULL':
          out = l.outerJoin(r, joiner, named);
          break;
      }
      return { kind: 'table', table: out };
    }
  }
}
