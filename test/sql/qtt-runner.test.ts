/**
 * How kstream runs ksqlDB's QTT cases as ksql-test-runner does: the topic schemas it registers before a case
 * (the case's own and those CREATE statements with columns give), in the order of its java.util.HashMap of
 * topics, which fixes the schema ids the cases name; and a sink writing with a schema id read back field by
 * field of that schema.
 */
import { describe, expect, it } from 'vitest';
import { javaHashMapOrder } from '../../src/sql/testrunner/qtt-runner.js';
import { runQttJson } from './qtt-json.js';

describe('QTT runner', () => {
  it("orders topics as java.util.HashMap iterates them (checked against Java 17's HashMap, resize included)", () => {
    expect(javaHashMapOrder(['OUTPUT', 'input'])).toEqual(['input', 'OUTPUT']);
    const many = ['input', 'OUTPUT', 'test_topic', 'S2', 'left_topic', 'right_topic', 'OUTPUT_2', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'];
    expect(javaHashMapOrder(many).join(',')).toBe('OUTPUT_2,a,b,c,d,OUTPUT,e,f,g,h,i,j,k,left_topic,input,right_topic,test_topic,S2');
  });

  it('a source topic with columns (input) takes schema id 1 before the sink topic the case declares (OUTPUT: HashMap order), whose schema the CSAS writes with all its fields', async () => {
    const sinkSchema = { type: 'record', name: 'Out', fields: [{ name: 'amount', type: 'int' }, { name: 'note', type: ['null', 'string'], default: null }, { name: 'n', type: 'int', default: 7 }] };
    const outcome = await runQttJson({
      name: 'schema ids',
      statements: [
        "CREATE STREAM SRC (`k` INT KEY, `amount` INT) WITH (kafka_topic='input', value_format='AVRO');",
        "CREATE STREAM OUTPUT WITH (value_schema_id=2) AS SELECT * FROM SRC;",
      ],
      topics: [{ name: 'OUTPUT', valueSchema: sinkSchema, valueFormat: 'AVRO' }],
      inputs: [{ topic: 'input', key: 1, value: { amount: 5 } }],
      outputs: [{ topic: 'OUTPUT', key: 1, value: { amount: 5, note: null, n: 7 } }],
    });
    expect(outcome).toBe('passed');
  });
});
