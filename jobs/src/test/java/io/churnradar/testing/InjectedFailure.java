package io.churnradar.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * Failure injection for a job under test, through plain Kafka client settings, so that the job runs
 * exactly as wired in production ({@link #clientProperties}):
 *
 * <ul>
 *   <li>a <b>gate</b> on the job's consumers ({@code interceptor.classes}): a poll that returns a record
 *       with a timestamp at or after {@code gateAt} waits until the test {@link #openGate opens} it.
 *       The fetcher thread waits, not the task: checkpoints go on meanwhile;
 *   <li>a <b>failure</b> in the job's producers ({@code partitioner.class}): once {@link #arm armed},
 *       the next record sent to {@code failTopic} throws from {@code KafkaProducer.send}, which fails
 *       the sink task mid-transaction. It throws once per {@link #reset}.
 * </ul>
 *
 * State is static because Kafka instantiates these classes by name inside the job's tasks (same JVM).
 */
public final class InjectedFailure {
    private static volatile long gateAt = Long.MAX_VALUE;
    private static volatile String failTopic;
    private static volatile CountDownLatch gate = new CountDownLatch(0);
    private static final AtomicBoolean GATE_REACHED = new AtomicBoolean();
    private static final AtomicBoolean GATE_TIMED_OUT = new AtomicBoolean();
    private static final AtomicBoolean ARMED = new AtomicBoolean();
    private static final AtomicBoolean THROWN = new AtomicBoolean();
    private static final AtomicInteger SENT_TO_FAIL_TOPIC = new AtomicInteger();
    private static volatile int sentWhenArmed = -1;
    /** What the job's clients did, in order: polls (records@newest timestamp, "!" at the gate) and sends. */
    private static final ConcurrentLinkedQueue<String> TRACE = new ConcurrentLinkedQueue<>();
    private static final Duration MAX_GATE_WAIT = Duration.ofSeconds(90);

    private InjectedFailure() {}

    /** Gate at {@code gateAtMillis} (record timestamps), fail once on {@code topic} after {@link #arm()}. */
    public static void reset(long gateAtMillis, String topic) {
        gateAt = gateAtMillis;
        failTopic = topic;
        gate = new CountDownLatch(1);
        GATE_REACHED.set(false);
        GATE_TIMED_OUT.set(false);
        ARMED.set(false);
        THROWN.set(false);
        SENT_TO_FAIL_TOPIC.set(0);
        sentWhenArmed = -1;
        TRACE.clear();
    }

    /** For failure messages: counts and the trace of polls and sends. */
    public static String diagnostics() {
        return "sentWhenArmed=" + sentWhenArmed + " sent=" + SENT_TO_FAIL_TOPIC.get() + " trace=" + TRACE;
    }

    /** Switches everything off. */
    public static void disable() {
        gateAt = Long.MAX_VALUE;
        failTopic = null;
        gate.countDown();
    }

    /** The Kafka client settings that install the gate and the failure (consumers ignore the partitioner). */
    public static Map<String, String> clientProperties() {
        return Map.of(
                "interceptor.classes", Gate.class.getName(),
                "partitioner.class", FailOnce.class.getName());
    }

    public static boolean gateReached() {
        return GATE_REACHED.get();
    }

    public static boolean gateTimedOut() {
        return GATE_TIMED_OUT.get();
    }

    public static void arm() {
        sentWhenArmed = SENT_TO_FAIL_TOPIC.get();
        ARMED.set(true);
    }

    public static void openGate() {
        gate.countDown();
    }

    public static boolean thrown() {
        return THROWN.get();
    }

    /** Records the job handed to the producer for the fail topic, including the one that failed. */
    public static int sentToFailTopic() {
        return SENT_TO_FAIL_TOPIC.get();
    }

    /** Consumer side: holds back the first poll that reaches the gate. Producer side: does nothing. */
    public static final class Gate implements ConsumerInterceptor<byte[], byte[]>, ProducerInterceptor<byte[], byte[]> {
        @Override
        public ConsumerRecords<byte[], byte[]> onConsume(ConsumerRecords<byte[], byte[]> records) {
            if (gate.getCount() == 0) return records;
            boolean reaches = false;
            for (ConsumerRecord<byte[], byte[]> r : records) {
                if (r.timestamp() >= gateAt) {
                    reaches = true;
                    break;
                }
            }
            long max = Long.MIN_VALUE;
            for (ConsumerRecord<byte[], byte[]> r : records) max = Math.max(max, r.timestamp());
            if (!records.isEmpty()) {
                TRACE.add(System.identityHashCode(this) + ":" + records.count() + "@" + Instant.ofEpochMilli(max) + (reaches ? "!" : ""));
            }
            if (reaches) {
                GATE_REACHED.set(true);
                try {
                    if (!gate.await(MAX_GATE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) GATE_TIMED_OUT.set(true);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return records;
        }

        @Override
        public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

        @Override
        public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
            return record;
        }

        @Override
        public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

        @Override
        public void close() {}

        @Override
        public void configure(Map<String, ?> configs) {}
    }

    /** Partitions by key as Kafka's default does; throws once when armed. */
    public static final class FailOnce implements Partitioner {
        @Override
        public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
            if (topic.equals(failTopic)) {
                SENT_TO_FAIL_TOPIC.incrementAndGet();
                TRACE.add(ARMED.get() ? "send(armed)" : "send");
                if (ARMED.get() && THROWN.compareAndSet(false, true)) {
                    throw new IllegalStateException("injected failure: sink task dies while writing to " + topic);
                }
            }
            int n = cluster.partitionCountForTopic(topic);
            return keyBytes == null ? 0 : Utils.toPositive(Utils.murmur2(keyBytes)) % n;
        }

        @Override
        public void close() {}

        @Override
        public void configure(Map<String, ?> configs) {}
    }
}
