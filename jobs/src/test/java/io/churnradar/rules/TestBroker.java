package io.churnradar.rules;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;

/** One real KRaft broker in this JVM (Kafka's own test kit), with the few client operations the tests need. */
final class TestBroker implements AutoCloseable {
    private final KafkaClusterTestKit cluster;
    private final KafkaProducer<byte[], byte[]> producer;

    private TestBroker(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static TestBroker start(Path dir) throws Exception {
        return new TestBroker(io.churnradar.testing.KafkaBroker.startCluster(dir));
    }

    String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    /** Creates one-partition topics, compacted where named so, and waits until each has a leader. */
    void createTopics(List<String> names, List<String> compacted) throws Exception {
        try (Admin admin = admin()) {
            List<NewTopic> topics = new ArrayList<>();
            for (String n : names) {
                NewTopic t = new NewTopic(n, 1, (short) 1);
                if (compacted.contains(n)) t.configs(Map.of("cleanup.policy", "compact"));
                topics.add(t);
            }
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
            await(Duration.ofSeconds(60), "leaders of " + names, () -> {
                try {
                    return admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
                            .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof UnknownTopicOrPartitionException) return false;
                    throw new IllegalStateException(e);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    RecordMetadata send(String topic, String key, byte[] value) throws Exception {
        return producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)).get(30, TimeUnit.SECONDS);
    }

    RecordMetadata send(String topic, String key, SpecificRecord value) throws Exception {
        return send(topic, key, io.churnradar.ingest.AvroEvents.encode(value));
    }

    /** A read_committed reader of one topic from its beginning, as a downstream consumer of the job reads it. */
    Reader reader(String topic) {
        return new Reader(bootstrapServers(), topic);
    }

    static void await(Duration timeout, String what, BooleanSupplier done) throws Exception {
        io.churnradar.testing.Deadline.in(timeout).pollUntil(what, done::getAsBoolean);
    }

    @Override
    public void close() throws Exception {
        producer.close(Duration.ofSeconds(5));
        cluster.close();
    }

    /** Everything committed to one topic so far, read with a deadline. */
    static final class Reader implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();

        Reader(String bootstrapServers, String topic) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
        }

        /** Polls until at least {@code n} records were read in all, or fails after the timeout, or when {@code failed} says so. */
        List<ConsumerRecord<byte[], byte[]>> awaitCount(int n, Duration timeout, Runnable failFast) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < n) {
                failFast.run();
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("timed out after " + timeout + " with " + records.size() + " of " + n + " records");
                }
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
            return List.copyOf(records);
        }

        /** What has been read so far, after one more poll. */
        List<ConsumerRecord<byte[], byte[]>> readNow() {
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            return List.copyOf(records);
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
