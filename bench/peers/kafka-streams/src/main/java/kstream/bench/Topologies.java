package kstream.bench;

import java.util.Arrays;
import java.util.List;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;

/** The benchmark topologies; bench/peers/topologies.ts builds the same ones in kstream. */
final class Topologies {
  private Topologies() {}

  static List<String> inputs(String name, String prefix) {
    return name.equals("join") ? List.of(prefix + "-clicks", prefix + "-users") : List.of(prefix + "-lines");
  }

  static Topology build(String name, String prefix) {
    StreamsBuilder b = new StreamsBuilder();
    switch (name) {
      case "wordcount" -> b.<String, String>stream(prefix + "-lines")
          .flatMapValues(line -> Arrays.stream(line.toLowerCase().split("\\W+")).filter(w -> !w.isEmpty()).toList())
          .groupBy((k, w) -> w, Grouped.with(Serdes.String(), Serdes.String()))
          .count(Materialized.as("counts-store"))
          .toStream()
          .to(prefix + "-out", Produced.with(Serdes.String(), Serdes.Long()));
      case "windowed" -> b.<String, String>stream(prefix + "-lines")
          .flatMapValues(line -> Arrays.stream(line.toLowerCase().split("\\W+")).filter(w -> !w.isEmpty()).toList())
          .groupBy((k, w) -> w, Grouped.with(Serdes.String(), Serdes.String()))
          .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMinutes(1)))
          .count(Materialized.as("windowed-counts"))
          .toStream()
          .map((wk, n) -> KeyValue.pair(wk.key() + "@" + wk.window().start(), n))
          .to(prefix + "-out", Produced.with(Serdes.String(), Serdes.Long()));
      case "join" -> b.<String, String>stream(prefix + "-clicks")
          .join(b.table(prefix + "-users", Consumed.with(Serdes.String(), Serdes.String()), Materialized.as("users-store")),
              (page, region) -> page + "@" + region)
          .to(prefix + "-out", Produced.with(Serdes.String(), Serdes.String()));
      default -> throw new IllegalArgumentException("unknown topology " + name + " (wordcount, windowed, join)");
    }
    return b.build();
  }
}
