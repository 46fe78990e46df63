package io.churnradar.bench;

import io.churnradar.alerts.RiskAlert;
import io.churnradar.signals.Signal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the alerts topic twice, each in a thread of its own: {@code read_committed}, as every consumer of the
 * alerts must (the latency the issue asks for), and {@code read_uncommitted}, which sees an alert as soon as
 * the job's sink has written it, before the checkpoint commits it. Each PAYMENT_FAILED alert whose invoice was
 * registered by {@link #expect} records its latency, read time minus production time (both
 * {@link System#nanoTime()} of this JVM), once per reading, in its step's histogram (microseconds).
 */
final class AlertLatencyReader implements AutoCloseable {
    /** Up to an hour, 3 significant digits: a stuck alert must still fit. */
    private static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);

    /** The latencies of one step, each histogram written by its reader's thread only. */
    static final class Step {
        final Histogram committed = new Histogram(MAX_MICROS, 3);
        final Histogram uncommitted = new Histogram(MAX_MICROS, 3);
        final AtomicLong triggers = new AtomicLong();
        /** The same invoice read again (a committed duplicate would break exactly-once). */
        final AtomicLong duplicates = new AtomicLong();

        synchronized Histogram committedCopy() {
            return committed.copy();
        }

        synchronized Histogram uncommittedCopy() {
            return uncommitted.copy();
        }

        long committedCount() {
            synchronized (this) {
                return committed.getTotalCount();
            }
        }

        long uncommittedCount() {
            synchronized (this) {
                return uncommitted.getTotalCount();
            }
        }
    }

    private static final class Pending {
        final Step step;
        final long producedNanos;
        boolean committedSeen; // each flag is touched by one reader thread only
        boolean uncommittedSeen;

        Pending(Step step, long producedNanos) {
            this.step = step;
            this.producedNanos = producedNanos;
        }
    }

    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong otherAlerts = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private volatile boolean stopped;

    AlertLatencyReader(String bootstrapServers, String topic, List<TopicPartition> partitions) {
        threads.add(start(bootstrapServers, topic, partitions, true));
        threads.add(start(bootstrapServers, topic, partitions, false));
    }

    /** An alert-triggering event just produced, counted in {@code step}. */
    void expect(Step step, String invoiceId, long producedNanos) {
        step.triggers.incrementAndGet();
        pending.put(invoiceId, new Pending(step, producedNanos));
    }

    /** Alerts read committed that no registered event explains (the warm-up's, those of the rate probe in arrival order). */
    long otherAlerts() {
        return otherAlerts.get();
    }

    void check() {
        if (failure.get() != null) throw new IllegalStateException("reading the alerts failed", failure.get());
    }

    private Thread start(String bootstrapServers, String topic, List<TopicPartition> partitions, boolean committed) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committed ? "read_committed" : "read_uncommitted");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "churn-radar-bench-latency-" + (committed ? "committed" : "uncommitted"));
        // Hand each record over as soon as the broker has it: the default waits up to 500 ms for more bytes.
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Thread t = new Thread(() -> {
            try (consumer) {
                while (!stopped) {
                    var records = consumer.poll(Duration.ofMillis(100));
                    long readAt = System.nanoTime();
                    for (ConsumerRecord<byte[], byte[]> r : records) onAlert(r.value(), readAt, committed);
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, "bench-alerts-" + (committed ? "committed" : "uncommitted"));
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void onAlert(byte[] value, long readAt, boolean committed) throws Exception {
        RiskAlert a = RiskAlert.getDecoder().decode(value);
        String invoice = Signal.PAYMENT_FAILED.name().equals(a.getSignal()) ? a.getEvidence().get("invoiceId") : null;
        Pending p = invoice == null ? null : pending.get(invoice);
        if (p == null) {
            if (committed) otherAlerts.incrementAndGet();
            return;
        }
        long micros = Math.min(MAX_MICROS, Math.max(0, (readAt - p.producedNanos) / 1000));
        synchronized (p.step) {
            if (committed) {
                if (p.committedSeen) p.step.duplicates.incrementAndGet();
                else p.step.committed.recordValue(micros);
                p.committedSeen = true;
            } else if (!p.uncommittedSeen) {
                // An aborted transaction's alert may be read uncommitted and again after the retry: the first counts.
                p.step.uncommitted.recordValue(micros);
                p.uncommittedSeen = true;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        for (Thread t : threads) t.join(10_000);
    }
}
