package kstream.differential;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Aggregator;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Reducer;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.SlidingWindows;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.ValueJoiner;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.SessionStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The named topologies of the differential suite, built with Kafka Streams' DSL. Each has a twin of
 * the same name in ../../../../../topologies.ts; the two must stay the same topology. Input values
 * are strings like "b3" (a letter and a digit); helpers below are null-safe because inputs carry null
 * values on every topic.
 */
final class Topologies {
    private Topologies() {}

    static final ValueJoiner<String, String, String> JOINER = (l, r) -> l + "+" + r;

    static long digit(String v) {
        if (v == null || v.isEmpty()) return 0;
        char c = v.charAt(v.length() - 1);
        return c >= '0' && c <= '9' ? c - '0' : 0;
    }

    static String windowKey(Windowed<String> w) {
        return w.key() + "@" + w.window().start() + "/" + w.window().end();
    }

    static String first(String v) {
        return v == null || v.isEmpty() ? "_" : v.substring(0, 1);
    }

    private static Materialized<String, Long, KeyValueStore<Bytes, byte[]>> longKv() {
        return Materialized.with(Serdes.String(), Serdes.Long());
    }

    private static Materialized<String, Long, WindowStore<Bytes, byte[]>> longWindow() {
        return Materialized.with(Serdes.String(), Serdes.Long());
    }

    private static Materialized<String, Long, SessionStore<Bytes, byte[]>> longSession() {
        return Materialized.with(Serdes.String(), Serdes.Long());
    }

    private static final Produced<String, Long> LONG_OUT = Produced.with(Serdes.String(), Serdes.Long());
    private static final Produced<String, String> STRING_OUT = Produced.with(Serdes.String(), Serdes.String());
    private static final Reducer<String> CONCAT = (a, v) -> a + "," + v;
    private static final Aggregator<String, String, Long> SUM = (k, v, agg) -> agg + digit(v);

    static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    private static Suppressed<Windowed<?>> untilWindowCloses() {
        return Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded());
    }

    /** "in" grouped by key, aggregated per window; the window is written into the output key. */
    private static <V> void windowed(StreamsBuilder b, Function<KGroupedStream<String, String>, KTable<Windowed<String>, V>> aggregate, Produced<String, V> produced) {
        aggregate.apply(b.<String, String>stream("in").groupByKey()).toStream().selectKey((w, v) -> windowKey(w)).to("out", produced);
    }

    private static void joins(StreamsBuilder b, String kind, JoinWindows w) {
        KStream<String, String> left = b.stream("left");
        KStream<String, String> right = b.stream("right");
        KStream<String, String> joined;
        switch (kind) {
            case "inner": joined = left.join(right, JOINER, w); break;
            case "left": joined = left.leftJoin(right, JOINER, w); break;
            default: joined = left.outerJoin(right, JOINER, w); break;
        }
        joined.to("out");
    }

    private static void tableJoins(StreamsBuilder b, String kind) {
        KTable<String, String> left = b.table("tleft");
        KTable<String, String> right = b.table("tright");
        KTable<String, String> joined;
        switch (kind) {
            case "inner": joined = left.join(right, JOINER); break;
            case "left": joined = left.leftJoin(right, JOINER); break;
            default: joined = left.outerJoin(right, JOINER); break;
        }
        joined.toStream().to("out");
    }

    /** Counts per key in a store; stream-time punctuation emits every count, wall-clock the total. */
    static final class PunctuatingCounter implements Processor<String, String, String, String> {
        private KeyValueStore<String, Long> store;
        private ProcessorContext<String, String> context;

        @Override
        public void init(ProcessorContext<String, String> context) {
            this.context = context;
            store = context.getStateStore("pcounts");
            context.schedule(Duration.ofMillis(10_000), PunctuationType.STREAM_TIME, ts -> {
                try (KeyValueIterator<String, Long> it = store.all()) {
                    while (it.hasNext()) {
                        KeyValue<String, Long> kv = it.next();
                        context.forward(new Record<>(kv.key, "st:" + kv.value, ts));
                    }
                }
            });
            context.schedule(Duration.ofMillis(60_000), PunctuationType.WALL_CLOCK_TIME, ts -> {
                long total = 0;
                try (KeyValueIterator<String, Long> it = store.all()) {
                    while (it.hasNext()) total += it.next().value;
                }
                context.forward(new Record<>("wall", "wc:" + total, ts));
            });
        }

        @Override
        public void process(Record<String, String> record) {
            if (record.key() == null) return;
            Long n = store.get(record.key());
            store.put(record.key(), (n == null ? 0 : n) + 1);
            context.forward(record.withValue("seen:" + record.value()));
        }
    }

    static Topology build(String name) {
        StreamsBuilder b = new StreamsBuilder();
        switch (name) {
            case "stateless-a": {
                b.<String, String>stream("in")
                    .filter((k, v) -> v == null || digit(v) % 3 != 0)
                    .mapValues(v -> v == null ? "N" : v + "!")
                    .flatMapValues((k, v) -> List.of(v, k == null ? "nk" : k))
                    .to("out");
                break;
            }
            case "stateless-b": {
                b.<String, String>stream("in")
                    .filterNot((k, v) -> k != null && k.equals("k3"))
                    .map((k, v) -> KeyValue.pair(v == null ? null : first(v), k))
                    .flatMap((k, v) -> {
                        List<KeyValue<String, String>> out = new ArrayList<>();
                        out.add(KeyValue.pair(k, v));
                        if (v != null && v.equals("k1")) out.add(KeyValue.pair(v, k));
                        return out;
                    })
                    .selectKey((k, v) -> k == null ? "nokey" : k + "s")
                    .peek((k, v) -> { })
                    .to("out");
                break;
            }
            case "branch-merge": {
                Map<String, KStream<String, String>> branches = b.<String, String>stream("in")
                    .split(org.apache.kafka.streams.kstream.Named.as("br-"))
                    .branch((k, v) -> v != null && v.startsWith("a"), Branched.as("a"))
                    .branch((k, v) -> digit(v) % 2 == 0, Branched.withConsumer(s -> s.mapValues(v -> "even:" + v).to("out-even")))
                    .defaultBranch(Branched.as("rest"));
                KStream<String, String> a = branches.get("br-a");
                KStream<String, String> rest = branches.get("br-rest");
                a.to("out-a");
                a.merge(rest).mapValues(v -> "m:" + v).to("out-merged");
                break;
            }
            case "repartition-count": {
                b.<String, String>stream("in")
                    .selectKey((k, v) -> first(v))
                    .repartition(Repartitioned.as("rekeyed"))
                    .groupByKey()
                    .count(longKv())
                    .toStream()
                    .to("out", LONG_OUT);
                break;
            }
            case "groupby-count": {
                b.<String, String>stream("in")
                    .groupBy((k, v) -> v == null ? null : first(v))
                    .count(longKv())
                    .toStream()
                    .to("out", LONG_OUT);
                break;
            }
            case "groupbykey-reduce": {
                b.<String, String>stream("in")
                    .groupByKey()
                    .reduce((a, v) -> a + "," + v)
                    .toStream()
                    .to("out");
                break;
            }
            case "groupbykey-aggregate": {
                b.<String, String>stream("in")
                    .groupByKey(Grouped.with(Serdes.String(), Serdes.String()))
                    .aggregate(() -> 100L, (k, v, agg) -> agg + digit(v), longKv())
                    .toStream()
                    .to("out", LONG_OUT);
                break;
            }
            case "table-ops": {
                b.<String, String>table("tin")
                    .filter((k, v) -> digit(v) != 5)
                    .mapValues(v -> v + "~")
                    .filterNot((k, v) -> v.startsWith("c"))
                    .toStream()
                    .to("out");
                break;
            }
            case "table-groupby-aggregate": {
                b.<String, String>table("tin")
                    .groupBy((k, v) -> KeyValue.pair(first(v), v))
                    .aggregate(() -> 0L, (k, v, agg) -> agg + digit(v), (k, v, agg) -> agg - digit(v), longKv())
                    .toStream()
                    .to("out", LONG_OUT);
                break;
            }
            case "table-groupby-count-reduce": {
                KTable<String, String> t = b.table("tin");
                t.groupBy((k, v) -> KeyValue.pair(first(v), v)).count(longKv()).toStream().to("out-count", LONG_OUT);
                t.groupBy((k, v) -> KeyValue.pair(first(v), String.valueOf(digit(v))))
                    .reduce((a, v) -> String.valueOf(Long.parseLong(a) + Long.parseLong(v)),
                            (a, v) -> String.valueOf(Long.parseLong(a) - Long.parseLong(v)))
                    .toStream()
                    .to("out-reduce");
                break;
            }
            case "to-table": {
                b.<String, String>stream("in")
                    .toTable()
                    .filter((k, v) -> digit(v) % 2 == 1)
                    .toStream()
                    .to("out");
                break;
            }
            case "tumbling-count-nograce":
                windowed(b, g -> g.windowedBy(TimeWindows.ofSizeWithNoGrace(ms(10_000))).count(longWindow()), LONG_OUT);
                break;
            case "tumbling-reduce-grace":
                windowed(b, g -> g.windowedBy(TimeWindows.ofSizeAndGrace(ms(10_000), ms(3_000))).reduce(CONCAT), STRING_OUT);
                break;
            case "hopping-aggregate":
                windowed(b, g -> g.windowedBy(TimeWindows.ofSizeAndGrace(ms(10_000), ms(2_000)).advanceBy(ms(5_000))).aggregate(() -> 0L, SUM, longWindow()), LONG_OUT);
                break;
            case "sliding-count":
                windowed(b, g -> g.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(ms(5_000), ms(3_000))).count(longWindow()), LONG_OUT);
                break;
            case "sliding-reduce":
                windowed(b, g -> g.windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(ms(4_000))).reduce(CONCAT), STRING_OUT);
                break;
            case "session-count":
                windowed(b, g -> g.windowedBy(SessionWindows.ofInactivityGapAndGrace(ms(5_000), ms(2_000))).count(longSession()), LONG_OUT);
                break;
            case "session-reduce":
                windowed(b, g -> g.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(ms(4_000))).reduce(CONCAT), STRING_OUT);
                break;
            case "session-aggregate":
                windowed(b, g -> g.windowedBy(SessionWindows.ofInactivityGapAndGrace(ms(5_000), ms(3_000))).aggregate(() -> 0L, SUM, (k, a1, a2) -> a1 + a2, longSession()), LONG_OUT);
                break;
            case "suppress-tumbling":
                windowed(b, g -> g.windowedBy(TimeWindows.ofSizeAndGrace(ms(10_000), ms(2_000))).count(longWindow()).suppress(untilWindowCloses()), LONG_OUT);
                break;
            case "suppress-session":
                // suppress needs the windowed key serde, which it takes from the store's serdes
                windowed(b, g -> g.windowedBy(SessionWindows.ofInactivityGapAndGrace(ms(5_000), ms(1_000)))
                    .reduce(CONCAT, Materialized.<String, String, SessionStore<Bytes, byte[]>>with(Serdes.String(), Serdes.String()))
                    .suppress(untilWindowCloses()), STRING_OUT);
                break;
            case "ss-inner": joins(b, "inner", JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(5_000), Duration.ofMillis(3_000))); break;
            case "ss-left": joins(b, "left", JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(5_000), Duration.ofMillis(3_000))); break;
            case "ss-outer": joins(b, "outer", JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(5_000), Duration.ofMillis(3_000))); break;
            case "ss-inner-nograce": joins(b, "inner", JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(4_000))); break;
            case "ss-left-nograce": joins(b, "left", JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(4_000))); break;
            case "ss-outer-nograce": joins(b, "outer", JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(4_000))); break;
            case "ss-inner-asym": joins(b, "inner", JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(5_000), Duration.ofMillis(2_000)).before(Duration.ofMillis(1_000))); break;
            case "ss-left-asym": joins(b, "left", JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(5_000), Duration.ofMillis(2_000)).after(Duration.ofMillis(2_000))); break;
            case "ss-outer-asym": joins(b, "outer", JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(6_000), Duration.ofMillis(2_000)).before(Duration.ofMillis(1_000))); break;
            case "ss-outer-asym-after": joins(b, "outer", JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(6_000), Duration.ofMillis(1_000)).after(Duration.ofMillis(0))); break;
            case "stream-table-join": {
                KTable<String, String> t = b.table("tright");
                b.<String, String>stream("left").join(t, JOINER).to("out");
                break;
            }
            case "stream-table-leftjoin": {
                KTable<String, String> t = b.table("tright");
                b.<String, String>stream("left").leftJoin(t, JOINER).to("out");
                break;
            }
            case "table-table-join": tableJoins(b, "inner"); break;
            case "table-table-leftjoin": tableJoins(b, "left"); break;
            case "table-table-outerjoin": tableJoins(b, "outer"); break;
            case "processor-punctuate": {
                b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("pcounts"), Serdes.String(), Serdes.Long()));
                b.<String, String>stream("in")
                    .process(PunctuatingCounter::new, "pcounts")
                    .to("out");
                break;
            }
            case "table-materialized-ops": {
                b.<String, String>table("tin")
                    .filter((k, v) -> digit(v) != 4, Materialized.as("filtered"))
                    .mapValues(v -> v + "^", Materialized.as("mapped"))
                    .toStream()
                    .to("out");
                break;
            }
            case "table-table-join-materialized": {
                KTable<String, String> left = b.table("tleft");
                KTable<String, String> right = b.table("tright");
                left.leftJoin(right, JOINER, Materialized.as("joined")).toStream().to("out");
                break;
            }
            case "stream-table-rekeyed": {
                KTable<String, String> t = b.table("tright");
                b.<String, String>stream("left")
                    .selectKey((k, v) -> "k" + (digit(v) % 4))
                    .leftJoin(t, JOINER)
                    .to("out");
                break;
            }
            case "ss-join-rekeyed": {
                KStream<String, String> left = b.<String, String>stream("left").selectKey((k, v) -> "k" + (digit(v) % 3));
                KStream<String, String> right = b.<String, String>stream("right").selectKey((k, v) -> "k" + (digit(v) % 3));
                left.leftJoin(right, JOINER, JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(3_000), Duration.ofMillis(1_000))).to("out");
                break;
            }
            case "process-values": {
                b.<String, String>stream("in")
                    .processValues(() -> new FixedKeyProcessor<String, String, String>() {
                        private FixedKeyProcessorContext<String, String> context;

                        @Override
                        public void init(FixedKeyProcessorContext<String, String> context) {
                            this.context = context;
                        }

                        @Override
                        public void process(FixedKeyRecord<String, String> record) {
                            context.forward(record.withValue(record.value() + "@" + record.timestamp()).withTimestamp(record.timestamp() + 1));
                        }
                    })
                    .to("out");
                break;
            }
            case "topic-extractor": {
                b.<String, String>stream("in")
                    .mapValues(v -> v == null ? "N" : v)
                    .to((k, v, ctx) -> digit(v) % 2 == 0 ? "out-even" : "out-odd");
                break;
            }
            case "merge-sources-count": {
                b.<String, String>stream("in")
                    .merge(b.<String, String>stream("in2"))
                    .groupByKey()
                    .count(longKv())
                    .toStream()
                    .to("out", LONG_OUT);
                break;
            }
            case "hopping-count-nograce":
                windowed(b, g -> g.windowedBy(TimeWindows.ofSizeWithNoGrace(ms(10_000)).advanceBy(ms(3_000))).count(longWindow()), LONG_OUT);
                break;
            case "sliding-aggregate-grace":
                windowed(b, g -> g.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(ms(3_000), ms(1_000))).aggregate(() -> 0L, SUM, longWindow()), LONG_OUT);
                break;
            case "count-table-join": {
                KTable<String, Long> counts = b.<String, String>stream("in").groupByKey().count(longKv());
                b.<String, String>stream("left")
                    .join(counts, (v, c) -> v + "#" + c)
                    .to("out");
                break;
            }
            case "flatmap-nullkeys-count": {
                b.<String, String>stream("in")
                    .flatMap((k, v) -> List.of(KeyValue.pair(digit(v) % 3 == 0 ? null : first(v), v), KeyValue.pair(k, v)))
                    .groupByKey()
                    .count(longKv())
                    .toStream()
                    .to("out", LONG_OUT);
                break;
            }
            case "aggregate-table-join": {
                KTable<String, Long> counts = b.<String, String>stream("in").groupByKey().count(longKv());
                KTable<String, Long> sums = b.<String, String>stream("in2").groupByKey().aggregate(() -> 0L, SUM, longKv());
                counts.outerJoin(sums, (c, t) -> c + "/" + t).toStream().to("out");
                break;
            }
            case "table-tostream-reduce": {
                b.<String, String>table("tin")
                    .toStream()
                    .groupByKey()
                    .reduce(CONCAT)
                    .toStream()
                    .to("out");
                break;
            }
            default:
                throw new IllegalArgumentException("unknown topology: " + name);
        }
        return b.build();
    }
}
