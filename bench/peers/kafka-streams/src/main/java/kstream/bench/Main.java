package kstream.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Runs one benchmark topology (Topologies.java) on a broker, with kstream's settings, and prints
 * one JSON line of measurements on stdout.
 *
 *   --mode idle   process what is in the input topics, stop once the group's committed offsets
 *                 reach the end of every input and repartition partition (kstream's --until-idle)
 *   --mode serve  print "ready" once running, process until stdin closes or SIGTERM
 *
 * Arguments: --mode, --bootstrap, --app-id, --topology, --guarantee, --commit-interval-ms,
 * --state-dir, --prefix (topic name prefix, see Topologies), --timeout-s.
 */
public final class Main {
  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < argv.length; i += 2) a.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
    String mode = a.getOrDefault("mode", "idle");
    String bootstrap = a.get("bootstrap");
    String appId = a.get("app-id");
    String topology = a.get("topology");
    String prefix = a.get("prefix");
    long timeoutMs = Long.parseLong(a.getOrDefault("timeout-s", "900")) * 1000L;

    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, a.getOrDefault("guarantee", "exactly_once_v2"));
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, a.getOrDefault("commit-interval-ms", "100"));
    p.put(StreamsConfig.STATE_DIR_CONFIG, a.get("state-dir"));
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    // kstream's record cache default (10 MiB) and its one thread per worker.
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 10 * 1024 * 1024L);
    p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");

    KafkaStreams streams = new KafkaStreams(Topologies.build(topology, prefix), p);
    CountDownLatch running = new CountDownLatch(1);
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.RUNNING) running.countDown();
    });
    streams.setUncaughtExceptionHandler(e -> {
      System.err.println("kafka-streams bench: " + e);
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_APPLICATION;
    });

    long started = System.nanoTime();
    streams.start();
    boolean done;
    if (mode.equals("serve")) {
      CountDownLatch stop = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        stop.countDown();
        streams.close(Duration.ofSeconds(30));
      }));
      running.await();
      System.out.println("ready");
      System.out.flush();
      Thread stdin = new Thread(() -> {
        try {
          while (System.in.read() >= 0) { /* until the runner closes stdin */ }
        } catch (IOException ignored) {
          // closed
        }
        stop.countDown();
      });
      stdin.setDaemon(true);
      stdin.start();
      stop.await();
      done = true;
    } else {
      done = waitUntilIdle(bootstrap, appId, Topologies.inputs(topology, prefix), started, timeoutMs);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    streams.close(Duration.ofSeconds(60));
    double cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    System.out.println(String.format(Locale.ROOT, "{\"runSeconds\":%.3f,\"cpuSeconds\":%.3f,\"peakRssMb\":%d,\"idle\":%b}", seconds, cpu, peakRssMb(), done));
    System.out.flush();
    System.exit(done ? 0 : 2);
  }

  /** VmHWM of this process (peak resident set), in MiB. */
  static long peakRssMb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
    }
    return -1;
  }

  /** True once every partition of the inputs and of the application's repartition topics is committed at its end. */
  static boolean waitUntilIdle(String bootstrap, String appId, List<String> inputs, long started, long timeoutMs) throws Exception {
    Properties ap = new Properties();
    ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(ap)) {
      while ((System.nanoTime() - started) / 1_000_000L < timeoutMs) {
        Thread.sleep(100);
        List<String> topics = new ArrayList<>(inputs);
        for (String t : admin.listTopics().names().get()) {
          if (t.startsWith(appId + "-") && t.endsWith("-repartition")) topics.add(t);
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get().values()) {
          d.partitions().forEach(pi -> latest.put(new TopicPartition(d.name(), pi.partition()), OffsetSpec.latest()));
        }
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get();
        boolean idle = true;
        for (var e : admin.listOffsets(latest).all().get().entrySet()) {
          long end = e.getValue().offset();
          OffsetAndMetadata c = committed.get(e.getKey());
          if (end > 0 && (c == null || c.offset() < end)) {
            idle = false;
            break;
          }
        }
        if (idle) return true;
      }
      return false;
    }
  }
}
