/** Runs a differential case through kstream's TopologyTestDriver, reading the outputs as the Java driver does. */
import { Serdes, TopologyTestDriver, type TestOutputTopic, silentLogger } from '../../src/index.js';
import { type Case, type CaseResult, type OutRecord, isWallClock } from './cases.js';
import { topologyByName } from './topologies.js';

export function runKstream(c: Case): CaseResult {
  const records: OutRecord[] = [];
  let driver: TopologyTestDriver | null = null;
  try {
    driver = new TopologyTestDriver(topologyByName(c.topology).build(), { 'application.id': 'differential', logger: silentLogger, ...c.config }, 0);
    const d = driver;
    const inputs = new Map(c.inputs.map((t) => [t, d.createInputTopic(t, Serdes.String(), Serdes.String())]));
    const outputs: Array<[string, TestOutputTopic<string, string | number>]> = c.outputs.map((o) => [
      o.topic,
      o.value === 'long' ? d.createOutputTopic(o.topic, Serdes.String(), Serdes.Long()) : d.createOutputTopic(o.topic, Serdes.String(), Serdes.String()),
    ]);
    c.steps.forEach((s, step) => {
      if (isWallClock(s)) d.advanceWallClockTime(s.wallClockMs);
      else inputs.get(s.topic)!.pipeInput(s.key, s.value, s.timestamp);
      for (const [topic, out] of outputs) {
        for (const r of out.readRecordsToList()) records.push({ step, topic, key: r.key, value: r.value, timestamp: r.timestamp });
      }
    });
    return { id: c.id, records };
  } catch (err) {
    return { id: c.id, records, error: String((err as Error).message ?? err) };
  } finally {
    driver?.close();
  }
}
