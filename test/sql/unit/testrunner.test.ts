import { describe, expect, it } from 'vitest';
import { JsonNumber } from '../../../src/sql/serde/json-text.js';
import { compareOutputs, matchesValue } from '../../../src/sql/testrunner/compare.js';
import { parseInputFile, parseOutputFile, TestFileError, type TestRecord } from '../../../src/sql/testrunner/files.js';
import { runTestCase, type TestDriver } from '../../../src/sql/testrunner/runner.js';
import type { ActualRecord, CapturedRecord } from '../../../src/sql/testrunner/topics.js';
import { decodeOutput, encodeInput } from '../../../src/sql/testrunner/topics.js';
import { Decimal } from '../../../src/sql/types/decimal.js';
import { BIGINT, decimal, INTEGER, STRING } from '../../../src/sql/types/sql-type.js';

describe('test files', () => {
  it('parses inputs and outputs with exact numbers, windows and headers', () => {
    const inputs = parseInputFile('{"inputs":[{"topic":"t","key":1,"value":{"A":1.10},"timestamp":5,"headers":[{"KEY":"h","VALUE":"AQI="}]}]}');
    expect(inputs).toEqual([{ topic: 't', key: new JsonNumber('1'), value: { A: new JsonNumber('1.10') }, timestamp: 5, headers: [{ key: 'h', value: 'AQI=' }] }]);
    const outputs = parseOutputFile('{"outputs":[{"topic":"o","key":"k","value":null,"window":{"start":0,"end":1000,"type":"time"}}]}');
    expect(outputs[0]).toEqual({ topic: 'o', key: 'k', value: null, window: { start: 0, end: 1000, type: 'TIME' } });
  });
  it('rejects malformed files', () => {
    expect(() => parseInputFile('{"inputs":[{"key":1}]}', 'in.json')).toThrow(new TestFileError('File name: in.json Message: test file is missing the field: topic (record 0)'));
    expect(() => parseOutputFile('{"nope":[]}', 'out.json')).toThrow('File name: out.json Message: missing "outputs" array');
    expect(() => parseOutputFile('{', 'out.json')).toThrow(TestFileError);
  });
});

describe('comparison rules', () => {
  it('compares numbers like ksql-test-runner', () => {
    expect(matchesValue(1, 1)).toBe(true);
    expect(matchesValue(1, 1.0000001)).toBe(true);
    expect(matchesValue(new JsonNumber('1.0'), 1)).toBe(true);
    expect(matchesValue(new JsonNumber('123456789012345678'), 123456789012345678n)).toBe(true);
    expect(matchesValue(new JsonNumber('10.10'), Decimal.parse('10.10'))).toBe(true);
    expect(matchesValue(new JsonNumber('10.1'), Decimal.parse('10.10'))).toBe(false);
    expect(matchesValue(10, Decimal.parse('10'))).toBe(true);
    expect(matchesValue(10, Decimal.parse('10.00'))).toBe(false);
    expect(matchesValue('10.10', Decimal.parse('10.10'))).toBe(true);
  });
  it('compares objects by field count and case-insensitive names', () => {
    expect(matchesValue({ a: 1 }, { A: 1 })).toBe(true);
    expect(matchesValue({ A: 1 }, { A: 1, B: null })).toBe(false);
    expect(matchesValue({ M: { k: 1 } }, { M: new Map([['k', 1]]) })).toBe(true);
    expect(matchesValue([1, null], [1, null])).toBe(true);
    expect(matchesValue('AQI=', Buffer.from([1, 2]))).toBe(true);
    expect(matchesValue(null, null)).toBe(true);
    expect(matchesValue(true, 'true')).toBe(false);
  });

  const actual = (over: Partial<ActualRecord>): ActualRecord => ({ topic: 'o', key: 1, value: { A: 1 }, timestamp: 10, keyText: '1', valueText: '{"A":1}', headers: [], ...over });
  const expected = (over: Partial<TestRecord>): TestRecord => ({ topic: 'o', key: 1, value: { A: 1 }, timestamp: 10, ...over });

  it('checks counts per topic and reports actual records', () => {
    const f = compareOutputs([expected({}), expected({})], [actual({})], false);
    expect(f!.message).toBe('Topic o. Expected <2> records but it was <1>\nActual records: \n<1, {"A":1}> with timestamp=10 and headers=[]');
  });
  it('reports the first differing record', () => {
    const f = compareOutputs([expected({ value: { A: 2 } })], [actual({})], false);
    expect(f!.message).toBe("Topic 'o', message 0: Expected <1, {\"A\":2}> with timestamp=10 and headers=[] but was <1, {\"A\":1}> with timestamp=10 and headers=[]");
  });
  it('checks timestamps, allowing 0 when only INSERT VALUES produced input', () => {
    expect(compareOutputs([expected({ timestamp: 11 })], [actual({})], false)).toBeDefined();
    expect(compareOutputs([expected({ timestamp: 0 })], [actual({})], true)).toBeUndefined();
    const { timestamp: _t, ...noTimestamp } = expected({});
    expect(compareOutputs([noTimestamp], [actual({})], false)).toBeUndefined();
  });
  it('checks windows', () => {
    const w = { start: 0, end: 1000, type: 'TIME' as const };
    expect(compareOutputs([expected({ window: w })], [actual({ window: w })], false)).toBeUndefined();
    expect(compareOutputs([expected({ window: w })], [actual({ window: { ...w, end: 2000 } })], false)).toBeDefined();
  });
});

describe('record encoding', () => {
  const info = {
    topic: 't',
    schema: {
      key: [{ name: 'K', type: INTEGER, role: 'KEY' as const }],
      value: [
        { name: 'A', type: decimal(4, 2), role: 'VALUE' as const },
        { name: 'B', type: BIGINT, role: 'VALUE' as const },
      ],
    },
    keyFormat: { format: 'KAFKA' as const },
    valueFormat: { format: 'JSON' as const },
  };
  it('encodes test values in the topic formats', () => {
    const r = encodeInput({ topic: 't', key: 7, value: { A: new JsonNumber('1.50'), B: 2 }, timestamp: 3 }, info);
    expect(r.key!.toString('hex')).toBe('00000007');
    expect(r.value!.toString()).toBe('{"A":1.50,"B":2}');
    expect(r.timestamp).toBe(3);
    const tomb = encodeInput({ topic: 't', key: 7, value: null }, info);
    expect(tomb.value).toBeNull();
  });
  it('decodes output bytes into typed values', () => {
    const captured: CapturedRecord = { topic: 't', key: Buffer.from('00000007', 'hex'), value: Buffer.from('{"A":1.5,"B":2}'), timestamp: 1 };
    const a = decodeOutput(captured, info);
    expect(a.key).toBe(7);
    expect(a.value).toEqual({ A: Decimal.parse('1.50'), B: 2n });
    expect(matchesValue({ A: new JsonNumber('1.50'), B: 2 }, a.value)).toBe(true);
  });
  it('decodes DELIMITED values as text and windowed keys', () => {
    const d = { ...info, valueFormat: { format: 'DELIMITED' as const }, window: { type: 'TUMBLING' as const, sizeMs: 1000 }, keyFormat: { format: 'KAFKA' as const } };
    d.schema = { key: [{ name: 'K', type: STRING, role: 'KEY' as const }], value: info.schema.value };
    const key = Buffer.concat([Buffer.from('k'), Buffer.from('0000000000000000', 'hex')]);
    const a = decodeOutput({ topic: 't', key, value: Buffer.from('1.50,2'), timestamp: 0 }, d);
    expect(a).toMatchObject({ key: 'k', value: '1.50,2', window: { start: 0, end: 1000, type: 'TIME' } });
  });
});

/** A stand-in driver: copies records from the source topic to the sink topic unchanged. */
function echoDriver(from: string, to: string): TestDriver {
  const out: CapturedRecord[] = [];
  return {
    pipeRaw(topic, key, value, timestamp) {
      if (topic === from) out.push({ topic: to, key, value, timestamp });
    },
    capturedOutput: () => out,
  };
}

describe('runTestCase', () => {
  const statements = "CREATE STREAM input (id INT KEY, v STRING) WITH (KAFKA_TOPIC='in', VALUE_FORMAT='JSON');\nCREATE STREAM output AS SELECT * FROM input;";
  it('passes when outputs match', async () => {
    const r = await runTestCase(
      {
        name: 'echo',
        statements,
        statementsFile: 'statements.sql',
        inputs: [{ topic: 'in', key: 1, value: { V: 'a' }, timestamp: 5 }],
        outputs: [{ topic: 'OUTPUT', key: 1, value: { V: 'a' }, timestamp: 5 }],
      },
      () => echoDriver('in', 'OUTPUT'),
    );
    expect(r).toEqual({ passed: true, printed: '\t >>> Test passed!' });
  });
  it('fails with the difference', async () => {
    const r = await runTestCase(
      {
        name: 'echo',
        statements,
        statementsFile: 'statements.sql',
        inputs: [{ topic: 'in', key: 1, value: { V: 'a' }, timestamp: 5 }],
        outputs: [{ topic: 'OUTPUT', key: 1, value: { V: 'b' }, timestamp: 5 }],
      },
      () => echoDriver('in', 'OUTPUT'),
    );
    expect(r.passed).toBe(false);
    expect(r.printed).toBe('\t>>>>> Test failed: Topic \'OUTPUT\', message 0: Expected <1, {"V":"b"}> with timestamp=5 and headers=[] but was <1, {"V":"a"}> with timestamp=5 and headers=[]');
  });
  it('fails on invalid statements with the positioned error', async () => {
    const r = await runTestCase({ name: 'bad', statements: 'SELECT FROM x;', statementsFile: 'statements.sql', inputs: [], outputs: [] }, () => echoDriver('a', 'b'));
    expect(r.message).toBe("statements.sql:1:8: no viable alternative at input 'FROM'\nSELECT FROM x;\n       ^");
  });
});
