package io.churnradar.local.demo;

import io.churnradar.config.JobSettings;
import io.churnradar.ingest.EventType;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Plays a {@link DemoScenario} into the four event topics in accelerated simulated time: Avro
 * single-object-encoded values keyed by account id, in event-time order, {@code speed} simulated seconds
 * per real second.
 */
public final class DemoTraffic implements AutoCloseable {
    private final DemoScenario scenario;
    private final double speed;
    private final Map<EventType, String> topics = new EnumMap<>(EventType.class);
    private final KafkaProducer<byte[], byte[]> producer;
    private final PrintStream out;
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
    private volatile boolean stopped;

    public DemoTraffic(String bootstrapServers, JobSettings settings, DemoScenario scenario, double speed, PrintStream out) {
        this.scenario = scenario;
        this.speed = speed;
        this.out = out;
        for (EventType t : EventType.values()) topics.put(t, settings.topicOf(t));
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "churn-radar-demo-traffic");
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends the whole simulated period, paced to the speed; returns early after {@link #stop()}. */
    public void run() throws Exception {
        long realStart = System.nanoTime();
        for (int h = 0; h < scenario.hours() && !stopped; h++) {
            for (DemoScenario.Outgoing o : scenario.hour(h)) {
                long due = realStart + (long) ((o.time() - scenario.start) * 1_000_000.0 / speed);
                long wait = due - System.nanoTime();
                if (wait > 2_000_000) Thread.sleep(wait / 1_000_000);
                if (stopped) break;
                producer.send(new ProducerRecord<>(topics.get(o.type()), null, o.time(), DemoScenario.key(o.accountId()), o.value()),
                        (meta, e) -> {
                            if (e != null) sendFailure.compareAndSet(null, e);
                        });
                (o.malformed() ? malformed : events).incrementAndGet();
            }
            if (sendFailure.get() != null) throw new IllegalStateException("cannot send to Kafka", sendFailure.get());
            if ((h + 1) % (24 * 7) == 0) {
                out.printf("  ... simulated %s (day %d of %d), %,d events sent%n",
                        LocalDate.ofInstant(Instant.ofEpochMilli(scenario.start + (h + 1) * DemoScenario.HOUR_MS), ZoneOffset.UTC),
                        (h + 1) / 24, scenario.days, events.get());
            }
        }
        producer.flush();
        if (sendFailure.get() != null) throw new IllegalStateException("cannot send to Kafka", sendFailure.get());
    }

    public void stop() {
        stopped = true;
    }

    public long events() {
        return events.get();
    }

    public long malformed() {
        return malformed.get();
    }

    /** How long the simulated period takes in real time at this speed. */
    public static Duration realDuration(int days, double speed) {
        return Duration.ofMillis((long) (days * 86_400_000.0 / speed));
    }

    @Override
    public void close() {
        stopped = true;
        producer.close(Duration.ofSeconds(5));
    }
}
