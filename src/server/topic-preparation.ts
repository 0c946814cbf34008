/**
 * The topics a statement needs, as ksqlDB checks and creates them before it accepts the statement:
 * a CREATE without AS needs its topic (created when missing if PARTITIONS is given), a CREATE ...
 * AS SELECT gets its sink topic (PARTITIONS, else its first source's partitions). Errors are
 * ksqlDB's messages at the statement's position. INSERT ... VALUES records go to their partition.
 */
import { partitionForKey } from '../log/murmur2.js';
import type { Log, ProducedRecord } from '../log/types.js';
import { SqlError } from '../sql/errors.js';
import type { ScriptPlan } from '../sql/planner/script.js';

/** Checks every topic the script declares against the log, then creates the missing ones. */
export async function createScriptTopics(script: ScriptPlan, log: Log): Promise<Map<string, number>> {
  const admin = log.admin();
  const names = [...script.topics.flatMap((t) => [t.topic, ...(t.sinkOf?.sources.map((s) => s.topic) ?? [])]), ...script.inserts.map((i) => i.record.topic)];
  const described = await admin.describeTopics([...new Set(names)]);
  const partitions = new Map<string, number>();
  for (const [name, d] of described) partitions.set(name, d.partitions);
  const mismatch = (topic: string, expected: number, actual: number, pos: SqlError['pos']) =>
    new SqlError(`A Kafka topic with the name '${topic}' already exists, with different partition/replica configuration than required. KSQL expects ${expected} partitions (topic has ${actual}).`, pos);
  const toCreate: { name: string; partitions: number }[] = [];
  for (const t of script.topics) {
    const existing = partitions.get(t.topic);
    if (existing !== undefined) {
      if (t.partitions !== undefined && t.partitions !== existing) throw mismatch(t.topic, t.partitions, existing, t.statement.pos);
      continue;
    }
    if (t.sinkOf === undefined && t.partitions === undefined) {
      throw new SqlError(
        `Topic '${t.topic}' does not exist. If you want to create a new topic for the ${t.source.type.toLowerCase()} please re-run the statement providing the required 'PARTITIONS' configuration in the WITH clause (and optionally 'REPLICAS').`,
        t.statement.pos,
      );
    }
    const first = t.sinkOf?.sources[0];
    const n = t.partitions ?? (first ? partitions.get(first.topic) : undefined) ?? 1;
    partitions.set(t.topic, n);
    toCreate.push({ name: t.topic, partitions: n });
  }
  if (toCreate.length > 0) await admin.createTopics(toCreate);
  return partitions;
}

/** The script's INSERT ... VALUES records, each on the partition of its key (keyless: round robin). */
export function insertRecords(script: ScriptPlan, partitions: ReadonlyMap<string, number>, now: number): ProducedRecord[] {
  let roundRobin = 0;
  return script.inserts.map((ins) => {
    const r = ins.record;
    const n = partitions.get(r.topic) ?? 1;
    const partition = r.key === null ? roundRobin++ % n : partitionForKey(r.key, n);
    return { topic: r.topic, partition, key: r.key, value: r.value, timestamp: ins.timestamp ?? now };
  });
}
