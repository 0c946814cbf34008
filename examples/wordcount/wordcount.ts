// Kafka Streams' WordCountDemo in kstream: count the words of each line of text.
import { Grouped, Materialized, Produced, Serdes, StreamsBuilder, type Topology } from 'kstream';

export const config = {
  'application.id': 'streams-wordcount',
};

export default function wordcount(): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream<string | null, string>('streams-plaintext-input')
    .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter((word) => word.length > 0))
    .groupBy((_key, word) => word, Grouped.with(Serdes.String(), Serdes.String()))
    .count(Materialized.as<string, number>('counts-store'))
    .toStream()
    .to('streams-wordcount-output', Produced.with(Serdes.String(), Serdes.Long()));
  return builder.build();
}
