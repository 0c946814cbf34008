// Describes a consumer group with Kafka's own AdminClient (run with the broker's jars:
// java -cp "<kafka libs>/*" GroupInfo.java <bootstrap> <group> <topic>), as Kafka's tools see it.
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

public class GroupInfo {
  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    try (Admin admin = Admin.create(props)) {
      ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(args[1])).describedGroups().get(args[1]).get();
      Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(args[1]).partitionsToOffsetAndMetadata().get();
      long sum = 0;
      StringBuilder parts = new StringBuilder();
      for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
        if (!e.getKey().topic().equals(args[2])) continue;
        sum += e.getValue().offset();
        parts.append(' ').append(e.getKey().partition()).append('=').append(e.getValue().offset());
      }
      System.out.println("group " + d.groupId() + ": state " + d.state() + ", partition assignor " + d.partitionAssignor()
          + ", " + d.members().size() + " members, committed on " + args[2] + ":" + parts + " (sum " + sum + ")");
    }
  }
}
