package io.churnradar.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real single-node Kafka broker (KRaft, broker and controller combined) for one test class:
 * {@code @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();}. Started before the
 * first test, closed after the last; its settings allow transactions on one broker.
 */
public final class KafkaBroker implements BeforeAllCallback, AfterAllCallback {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private KafkaClusterTestKit cluster;
    private Admin admin;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        cluster = startCluster(null);
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        admin = Admin.create(p);
    }

    /**
     * One KRaft broker (combined with its controller) ready for transactions, the way every test of
     * ours needs it; {@code baseDirectory} null lets the test kit choose a temp folder.
     */
    public static KafkaClusterTestKit startCluster(java.nio.file.Path baseDirectory) throws Exception {
        return startCluster(baseDirectory, Map.of());
    }

    /**
     * The same broker with {@code moreSettings} on top of ours: a test of Kafka security adds its own
     * listener (TLS, SASL) beside the test kit's plain-text ones, which the broker keeps for itself.
     */
    public static KafkaClusterTestKit startCluster(java.nio.file.Path baseDirectory, Map<String, String> moreSettings)
            throws Exception {
        TestKitNodes.Builder nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1);
        if (baseDirectory != null) nodes.setBaseDirectory(baseDirectory);
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes.build())
                // One broker: the internal topics cannot have the default three replicas.
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "1")
                .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("auto.create.topics.enable", "false")
                // Test events are dated in the past: time retention would delete them at once.
                .setConfigProp("log.retention.ms", "-1");
        moreSettings.forEach(builder::setConfigProp);
        KafkaClusterTestKit cluster = builder.build();
        java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream())); // the storage formatter talks
        try {
            cluster.format();
        } finally {
            System.setOut(stdout);
        }
        cluster.startup();
        cluster.waitForReadyBrokers();
        return cluster;
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (admin != null) admin.close(Duration.ofSeconds(10));
        if (cluster != null) cluster.close();
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    public Admin admin() {
        return admin;
    }

    /**
     * Creates the topics (name to partition count), without time retention, and waits until every
     * partition has a leader.
     */
    public void createTopics(Map<String, Integer> partitionsByTopic) throws Exception {
        // Test data is timestamped in the past (events at their event time, alerts at detectedAt): with
        // the default 7-day time retention the broker would delete it within seconds of the write.
        List<NewTopic> topics = partitionsByTopic.entrySet().stream()
                .map(e -> new NewTopic(e.getKey(), e.getValue(), (short) 1).configs(Map.of("retention.ms", "-1")))
                .collect(Collectors.toList());
        admin.createTopics(topics).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        Deadline deadline = Deadline.in(TIMEOUT);
        deadline.pollUntil("leaders for " + partitionsByTopic.keySet(), () -> {
            java.util.Map<String, org.apache.kafka.clients.admin.TopicDescription> described;
            try {
                described = admin.describeTopics(partitionsByTopic.keySet()).allTopicNames().get();
            } catch (java.util.concurrent.ExecutionException e) {
                // Metadata of a topic just created may not have reached the broker answering yet.
                if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) return false;
                throw e;
            }
            return described.values().stream().allMatch(d ->
                    d.partitions().size() == partitionsByTopic.get(d.name())
                            && d.partitions().stream().allMatch(pi -> pi.leader() != null && !pi.leader().isEmpty()));
        });
    }

    /** A plain (idempotent, acks=all) producer of raw bytes. */
    public KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Every record of the topic, from the beginning up to its end as seen at the call (the last
     * stable offset for {@code READ_COMMITTED}), in partition then offset order.
     */
    public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, IsolationLevel isolation) throws Exception {
        Properties client = new Properties();
        client.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return readAll(client, topic, isolation);
    }

    /**
     * The same through a consumer of {@code client}'s settings (its broker and, for a test of Kafka
     * security, its listener's protocol and credentials).
     */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(Properties client, String topic, IsolationLevel isolation)
            throws Exception {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, TIMEOUT).stream()
                    .map(pi -> new TopicPartition(topic, pi.partition()))
                    .sorted((a, b) -> Integer.compare(a.partition(), b.partition()))
                    .collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> byPartition = new HashMap<>();
            Deadline deadline = Deadline.in(TIMEOUT);
            while (!reachedEnd(consumer, end)) {
                deadline.check(() -> "reading " + topic + " up to " + end);
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    byPartition.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new ArrayList<>()).add(r);
                }
            }
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                for (ConsumerRecord<byte[], byte[]> r : byPartition.getOrDefault(tp, List.of())) {
                    if (r.offset() < end.get(tp)) out.add(r);
                }
            }
            return out;
        }
    }

    /** Log start, high watermark and open transactions of a topic, for failure messages. */
    public String describe(String topic) {
        try {
            var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
            StringBuilder sb = new StringBuilder(topic);
            for (var p : partitions) {
                TopicPartition tp = new TopicPartition(topic, p.partition());
                long start = admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.earliest())).all().get().get(tp).offset();
                long hw = admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).all().get().get(tp).offset();
                long lso = admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()),
                        new org.apache.kafka.clients.admin.ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get().get(tp).offset();
                sb.append(" p").append(p.partition()).append("[start=").append(start).append(" hw=").append(hw).append(" lso=").append(lso).append(']');
            }
            sb.append(" transactions=").append(admin.listTransactions().all().get().stream()
                    .map(t -> t.transactionalId() + ":" + t.state()).sorted().collect(Collectors.toList()));
            return sb.toString();
        } catch (Exception e) {
            return topic + ": " + e;
        }
    }

    private static boolean reachedEnd(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        Set<TopicPartition> assigned = consumer.assignment();
        for (TopicPartition tp : assigned) {
            if (consumer.position(tp) < end.get(tp)) return false;
        }
        return true;
    }
}
