package kstream.differential;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Runs differential test cases through Kafka Streams' TopologyTestDriver.
 *
 *   java -cp ... kstream.differential.Main in.json out.json   one batch from a file to a file
 *   java -cp ... kstream.differential.Main --serve            one batch per stdin line, one result line each
 *
 * A batch is {"cases": [{"id", "topology", "inputs": [topic...], "outputs": [{"topic", "value": "string"|"long"}],
 * "steps": [{"topic", "key", "value", "timestamp"} | {"wallClockMs"}]}]}; the result is {"results": [{"id",
 * "records": [{"step", "topic", "key", "value", "timestamp"}], "error"}]}. After each step every output topic is
 * read, in the order the case lists them.
 */
public final class Main {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("--serve")) {
            serve();
            return;
        }
        if (args.length != 2) {
            System.err.println("usage: Main <in.json> <out.json> | Main --serve");
            System.exit(2);
        }
        JsonNode batch = JSON.readTree(new File(args[0]));
        Files.writeString(new File(args[1]).toPath(), JSON.writeValueAsString(runBatch(batch)));
    }

    private static void serve() throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) continue;
            out.println(JSON.writeValueAsString(runBatch(JSON.readTree(line))));
        }
    }

    static ObjectNode runBatch(JsonNode batch) throws Exception {
        ObjectNode result = JSON.createObjectNode();
        ArrayNode results = result.putArray("results");
        for (JsonNode c : batch.get("cases")) results.add(runCase(c));
        return result;
    }

    private static ObjectNode runCase(JsonNode c) throws Exception {
        ObjectNode result = JSON.createObjectNode();
        result.put("id", c.get("id").asText());
        ArrayNode records = result.putArray("records");
        File stateDir = Files.createTempDirectory("kstream-differential-").toFile();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "differential");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.getAbsolutePath());
        if (c.has("config")) c.get("config").fields().forEachRemaining(e -> props.put(e.getKey(), e.getValue().asText()));
        try (TopologyTestDriver driver = new TopologyTestDriver(Topologies.build(c.get("topology").asText()), props, Instant.ofEpochMilli(0))) {
            Map<String, TestInputTopic<String, String>> inputs = new LinkedHashMap<>();
            for (JsonNode t : c.get("inputs")) {
                inputs.put(t.asText(), driver.createInputTopic(t.asText(), Serdes.String().serializer(), Serdes.String().serializer()));
            }
            List<String> outputNames = new ArrayList<>();
            List<TestOutputTopic<String, ?>> outputs = new ArrayList<>();
            for (JsonNode o : c.get("outputs")) {
                String topic = o.get("topic").asText();
                outputNames.add(topic);
                outputs.add("long".equals(o.get("value").asText())
                    ? driver.createOutputTopic(topic, Serdes.String().deserializer(), Serdes.Long().deserializer())
                    : driver.createOutputTopic(topic, Serdes.String().deserializer(), Serdes.String().deserializer()));
            }
            int step = 0;
            for (JsonNode s : c.get("steps")) {
                if (s.has("wallClockMs")) {
                    driver.advanceWallClockTime(java.time.Duration.ofMillis(s.get("wallClockMs").asLong()));
                } else {
                    String key = s.get("key").isNull() ? null : s.get("key").asText();
                    String value = s.get("value").isNull() ? null : s.get("value").asText();
                    inputs.get(s.get("topic").asText()).pipeInput(key, value, s.get("timestamp").asLong());
                }
                for (int i = 0; i < outputs.size(); i++) {
                    for (TestRecord<String, ?> r : outputs.get(i).readRecordsToList()) {
                        ObjectNode rec = records.addObject();
                        rec.put("step", step);
                        rec.put("topic", outputNames.get(i));
                        rec.set("key", JSON.valueToTree(r.key()));
                        rec.set("value", JSON.valueToTree(r.value()));
                        rec.put("timestamp", r.timestamp());
                    }
                }
                step++;
            }
        } catch (RuntimeException e) {
            result.put("error", e.toString() + (e.getCause() != null ? " caused by " + e.getCause() : ""));
        } finally {
            deleteRecursively(stateDir);
        }
        return result;
    }

    private static void deleteRecursively(File f) {
        File[] children = f.listFiles();
        if (children != null) for (File child : children) deleteRecursively(child);
        f.delete();
    }
}
