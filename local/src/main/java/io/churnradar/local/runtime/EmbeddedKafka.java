package io.churnradar.local.runtime;

import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka broker in this JVM: one combined KRaft broker/controller from Kafka's own test kit
 * (internal API of kafka-test-common-runtime 4.2.0), its log dirs in a temp folder removed on close.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private final KafkaClusterTestKit cluster;
    private final ScratchDir scratch;
    private final String bootstrapServers;

    private EmbeddedKafka(KafkaClusterTestKit cluster, ScratchDir scratch) {
        this.cluster = cluster;
        this.scratch = scratch;
        this.bootstrapServers = cluster.bootstrapServers();
    }

    public static EmbeddedKafka start() throws Exception {
        // Should the JVM exit meanwhile, its hook waits for the start to finish, then stops the broker and deletes its folder.
        return RunGuard.creating(EmbeddedKafka::startNow);
    }

    private static EmbeddedKafka startNow() throws Exception {
        ScratchDir scratch = ScratchDir.create("churn-radar-kafka-");
        KafkaClusterTestKit cluster = null;
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBaseDirectory(scratch.root())
                    .build();
            cluster = new KafkaClusterTestKit.Builder(nodes)
                    // One broker: the internal topics cannot have the default 3 replicas.
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                    .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                    // 50 partitions each (the defaults) take seconds to create on first use.
                    .setConfigProp("offsets.topic.num.partitions", "2")
                    .setConfigProp("transaction.state.log.num.partitions", "2")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("auto.create.topics.enable", "false")
                    // Demo events and alerts carry event times weeks in the past: keep them regardless of age.
                    .setConfigProp("log.retention.ms", "-1")
                    .build();
            formatQuietly(cluster);
            cluster.startup();
            cluster.waitForReadyBrokers();
            EmbeddedKafka kafka = new EmbeddedKafka(cluster, scratch);
            // Stopped before its folder is deleted should the JVM exit while it runs (RunGuard).
            RunGuard.running(kafka);
            kafka.warmUpCoordinators();
            return kafka;
        } catch (Exception e) {
            if (cluster != null) closeQuietly(cluster);
            scratch.close();
            throw e;
        }
    }

    /**
     * Creates the broker's offsets and transaction-state topics now rather than on first use, which takes
     * seconds: otherwise the job's first offset commit fails and its first transaction (the first alerts) waits.
     */
    private void warmUpCoordinators() throws Exception {
        try (Admin admin = admin()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                try {
                    admin.listConsumerGroupOffsets("churn-radar-warm-up").all().get(30, TimeUnit.SECONDS);
                    break;
                } catch (ExecutionException e) {
                    if (System.nanoTime() > deadline) throw e;
                    Thread.sleep(100);
                }
            }
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "churn-radar-warm-up");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    /** Creates the topics and waits until each has a leader. */
    public void createTopics(Collection<String> names, int partitions) throws Exception {
        createTopics(names, partitions, Map.of());
    }

    /** Creates the topics with these topic configs (e.g. cleanup.policy=compact) and waits until each has a leader. */
    public void createTopics(Collection<String> names, int partitions, Map<String, String> configs) throws Exception {
        try (Admin admin = admin()) {
            List<NewTopic> topics = names.stream().map(n -> new NewTopic(n, partitions, (short) 1).configs(configs)).toList();
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                if (allHaveLeaders(admin, names, partitions)) return;
                if (System.nanoTime() > deadline) throw new IllegalStateException("topics have no leader after 60 s: " + names);
                Thread.sleep(100);
            }
        }
    }

    private static boolean allHaveLeaders(Admin admin, Collection<String> names, int partitions) throws Exception {
        try {
            return admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
                    .allMatch(d -> d.partitions().size() == partitions
                            && d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
        } catch (ExecutionException e) {
            // Just created: the metadata may not have reached the broker yet.
            if (e.getCause() instanceof UnknownTopicOrPartitionException) return false;
            throw e;
        }
    }

    @Override
    public void close() throws Exception {
        RunGuard.stopped(this);
        try {
            cluster.close();
        } finally {
            scratch.close();
        }
    }

    /** Kafka's storage formatter prints its progress to System.out, in the middle of the demo's output. */
    private static void formatQuietly(KafkaClusterTestKit cluster) throws Exception {
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            cluster.format();
        } finally {
            System.setOut(stdout);
        }
    }

    private static void closeQuietly(KafkaClusterTestKit cluster) {
        try {
            cluster.close();
        } catch (Exception ignored) {
            // already failing; the original error matters more
        }
    }
}
