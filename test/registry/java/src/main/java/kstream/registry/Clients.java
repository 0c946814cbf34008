package kstream.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.apicurio.registry.serde.jsonschema.JsonSchemaKafkaDeserializer;
import io.apicurio.registry.serde.jsonschema.JsonSchemaKafkaSerializer;
import io.apicurio.registry.serde.protobuf.ProtobufKafkaDeserializer;
import io.apicurio.registry.serde.protobuf.ProtobufKafkaSerializer;
import io.apicurio.registry.utils.protobuf.schema.FileDescriptorUtils;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * An independent producer and consumer for kstream's registry tests, with Apicurio Registry's Kafka serdes set to
 * the Confluent wire format: magic byte 0, a 4-byte id (the content id, which is the id of the registry's
 * Confluent-compatible API), and for Protobuf the message indexes instead of Apicurio's type reference.
 *
 * <pre>
 *   produce BOOTSTRAP REGISTRY_V3_URL TOPIC AVRO|PROTOBUF|JSON_SR SCHEMA_FILE   (stdin: {"key": "...", "value": {...}} lines)
 *   consume BOOTSTRAP REGISTRY_V3_URL TOPIC AVRO|PROTOBUF|JSON_SR COUNT TIMEOUT_MS [MESSAGE]   (stdout: {"key": ..., "value": ...} lines)
 * </pre>
 *
 * Avro and Protobuf schemas are registered by the serializer from the data (under TOPIC-value); a JSON Schema must
 * be registered before (the serializer looks the latest one up). Every error exits non-zero with one line on stderr.
 *
 * Protobuf consumer: Apicurio 3.1.7's Protobuf deserializer skips Confluent's message indexes unread, so it is told
 * the message to read (MESSAGE, default ConnectDefault1, the name ksqlDB gives a sink's message) through its own
 * message-type header (apicurio.value.msgType) and returns a DynamicMessage of that type from the schema the record's id
 * names. Without both, it finds no type, or takes the name for a Java class.
 */
public final class Clients {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) {
    try {
      if (args.length == 5 + 1 && args[0].equals("produce")) produce(args[1], args[2], args[3], args[4], Path.of(args[5]));
      else if ((args.length == 6 + 1 || args.length == 7 + 1) && args[0].equals("consume")) {
        consume(args[1], args[2], args[3], args[4], Integer.parseInt(args[5]), Long.parseLong(args[6]), args.length > 7 ? args[7] : "ConnectDefault1");
      } else throw new IllegalArgumentException("usage: produce BOOTSTRAP URL TOPIC FORMAT SCHEMA_FILE | consume BOOTSTRAP URL TOPIC FORMAT COUNT TIMEOUT_MS [MESSAGE]");
      System.exit(0);
    } catch (Throwable t) {
      Throwable root = t;
      while (root.getCause() != null && root.getCause() != root) root = root.getCause();
      System.err.println("registry-clients: " + t + (root != t ? " (cause: " + root + ")" : ""));
      System.exit(1);
    }
  }

  private static Map<String, Object> serdeConfig(String registryUrl, String format, boolean serializer) {
    Map<String, Object> c = new HashMap<>();
    c.put("apicurio.registry.url", registryUrl);
    c.put("apicurio.registry.use-id", "contentId");
    c.put("apicurio.registry.id-handler", "io.apicurio.registry.serde.Default4ByteIdHandler");
    c.put("apicurio.registry.headers.enabled", false);
    if (serializer) {
      boolean registersFromData = !format.equals("JSON_SR");
      c.put("apicurio.registry.auto-register", registersFromData);
      c.put("apicurio.registry.find-latest", !registersFromData);
    }
    if (format.equals("PROTOBUF")) {
      c.put("apicurio.registry.serde.send-indexes", true);
      c.put("apicurio.registry.serde.send-type-ref", false);
      c.put("apicurio.registry.serde.read-indexes", true);
      c.put("apicurio.registry.serde.read-type-ref", false);
      if (!serializer) c.put("apicurio.registry.deserializer.value.return-class", DynamicMessage.class.getName());
    }
    return c;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void produce(String bootstrap, String registryUrl, String topic, String format, Path schemaFile) throws Exception {
    String schemaText = Files.readString(schemaFile, StandardCharsets.UTF_8);
    Serializer serializer = switch (format) {
      case "AVRO" -> new AvroKafkaSerializer<>();
      case "PROTOBUF" -> new ProtobufKafkaSerializer<>();
      case "JSON_SR" -> new JsonSchemaKafkaSerializer<>();
      default -> throw new IllegalArgumentException("unknown format " + format);
    };
    serializer.configure(serdeConfig(registryUrl, format, true), false);
    Schema avroSchema = format.equals("AVRO") ? new Schema.Parser().parse(schemaText) : null;
    Descriptors.Descriptor protoType = format.equals("PROTOBUF")
        ? FileDescriptorUtils.protoFileToFileDescriptor(schemaText, "input.proto", Optional.empty()).getMessageTypes().get(0)
        : null;

    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", bootstrap);
    props.put("acks", "all");
    props.put("max.block.ms", 30_000);
    try (KafkaProducer<String, Object> producer = new KafkaProducer<>(props, new StringSerializer(), serializer)) {
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.isBlank()) continue;
        Map<String, Object> rec = JSON.readValue(line, Map.class);
        String valueJson = JSON.writeValueAsString(rec.get("value"));
        Object value = switch (format) {
          case "AVRO" -> new GenericDatumReader<GenericData.Record>(avroSchema).read(null, DecoderFactory.get().jsonDecoder(avroSchema, valueJson));
          case "PROTOBUF" -> {
            DynamicMessage.Builder b = DynamicMessage.newBuilder(protoType);
            JsonFormat.parser().merge(valueJson, b);
            yield b.build();
          }
          default -> JSON.readTree(valueJson);
        };
        sent.add(producer.send(new ProducerRecord<>(topic, (String) rec.get("key"), value)));
      }
      for (java.util.concurrent.Future<?> f : sent) f.get();
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void consume(String bootstrap, String registryUrl, String topic, String format, int count, long timeoutMs, String message) throws Exception {
    Deserializer apicurio = switch (format) {
      case "AVRO" -> new AvroKafkaDeserializer<>();
      case "PROTOBUF" -> new ProtobufKafkaDeserializer<>();
      case "JSON_SR" -> new JsonSchemaKafkaDeserializer<>();
      default -> throw new IllegalArgumentException("unknown format " + format);
    };
    apicurio.configure(serdeConfig(registryUrl, format, false), false);
    Deserializer deserializer = format.equals("PROTOBUF") ? withMessageTypeHeader(apicurio, message) : apicurio;
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", bootstrap);
    props.put("isolation.level", "read_committed");
    props.put("enable.auto.commit", false);
    try (KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(props, new StringDeserializer(), deserializer)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofMillis(timeoutMs)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      if (partitions.isEmpty()) throw new IllegalStateException("topic " + topic + " does not exist");
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.currentTimeMillis() + timeoutMs;
      int seen = 0;
      while (seen < count) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) throw new IllegalStateException("read " + seen + " of " + count + " records from " + topic + " within " + timeoutMs + " ms");
        for (ConsumerRecord<String, Object> r : consumer.poll(Duration.ofMillis(Math.min(left, 500)))) {
          Map<String, Object> out = new HashMap<>();
          out.put("key", r.key());
          out.put("value", JSON.readTree(toJson(r.value())));
          System.out.println(JSON.writeValueAsString(out));
          seen++;
        }
      }
      System.out.flush();
    }
  }

  /** The deserializer, given each record's headers plus Apicurio's Protobuf type header naming the message. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Deserializer<Object> withMessageTypeHeader(Deserializer inner, String message) {
    return new Deserializer<Object>() {
      @Override
      public Object deserialize(String topic, byte[] data) {
        return deserialize(topic, new RecordHeaders(), data);
      }

      @Override
      public Object deserialize(String topic, Headers headers, byte[] data) {
        RecordHeaders withType = new RecordHeaders(headers.toArray());
        withType.remove("apicurio.value.msgType");
        withType.add("apicurio.value.msgType", message.getBytes(StandardCharsets.UTF_8));
        return inner.deserialize(topic, withType, data);
      }
    };
  }

  private static String toJson(Object value) throws Exception {
    if (value == null) return "null";
    if (value instanceof Message m) return JsonFormat.printer().preservingProtoFieldNames().alwaysPrintFieldsWithNoPresence().print(m);
    if (value instanceof GenericData.Record r) return GenericData.get().toString(r);
    return JSON.writeValueAsString(value);
  }
}
