import { describe, expect, it } from 'vitest';
import { KeyValue, Materialized, Produced, Serdes, StreamsBuilder } from 'kstream';

// These checks run at compile time (`npm run typecheck`, part of `npm test`): every line marked
// with a ts-expect-error directive must fail to type-check, or the type check fails.
describe('the DSL is typed end to end', () => {
  it('rejects mappers and serdes of the wrong type at compile time', () => {
    const b = new StreamsBuilder();
    const lines = b.stream<string, string>('in');
    const lengths = lines.mapValues((v) => v.length);
    // @ts-expect-error: the values are numbers now
    lengths.mapValues((v) => v.toUpperCase());
    // @ts-expect-error: a Long serde cannot write string values
    lines.to('out', Produced.with(Serdes.String(), Serdes.Long()));
    // @ts-expect-error: map must return a key-value pair
    lines.map((k, v) => v);
    const swapped = lines.map((k, v) => KeyValue.pair(v.length, k));
    // @ts-expect-error: keys are numbers after the swap
    swapped.filter((k) => k.startsWith('a'));
    const counts = lines.groupBy((_k, v) => v).count(Materialized.as<string, number>('c'));
    // @ts-expect-error: counts are numbers
    counts.toStream().to('counts', Produced.with(Serdes.String(), Serdes.String()));
    counts.toStream().to('counts', Produced.with(Serdes.String(), Serdes.Long()));
    expect(b.build().subtopologies().length).toBe(2);
  });
});
