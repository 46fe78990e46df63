package io.churnradar.bench;

import io.churnradar.config.JobSettings;
import io.churnradar.events.LoginEvent;
import io.churnradar.events.PaymentEvent;
import io.churnradar.events.PaymentStatus;
import io.churnradar.events.UsageEvent;
import io.churnradar.ingest.AvroEvents;
import io.churnradar.ingest.EventType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The latency mode's input: usage and login events with, at a fixed share, payments that each trigger one
 * alert at once. A payment of an account alternates FAILED (PAYMENT_FAILED raised) and SUCCEEDED (resolved),
 * so every payment raises or resolves an episode; its invoice id, which the alert's evidence carries, names
 * it, and {@link AlertLatencyReader} finds the production time by it. Event times are the wall clock, strictly
 * rising per account (a success dated at the millisecond of the failure before it would settle nothing).
 * Usage and logins alone raise no alert within minutes: every other signal needs days of history.
 */
final class LatencyTraffic implements AutoCloseable {
    private static final String[] FEATURES = {"reports", "dashboards", "exports", "api", "alerts", "sharing"};

    private final KafkaProducer<byte[], byte[]> producer;
    private final String paymentTopic;
    private final String usageTopic;
    private final String loginTopic;
    private final double alertShare;
    private final String[] accounts;
    private final boolean[] failureOpen;
    private final long[] lastEventTime;
    private final Random rnd;
    private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
    private long seq;

    LatencyTraffic(String bootstrapServers, JobSettings settings, int accounts, double alertShare, long seed) {
        this.paymentTopic = settings.topicOf(EventType.PAYMENT);
        this.usageTopic = settings.topicOf(EventType.USAGE);
        this.loginTopic = settings.topicOf(EventType.LOGIN);
        this.alertShare = alertShare;
        this.accounts = new String[accounts];
        for (int a = 0; a < accounts; a++) this.accounts[a] = "acct-" + a;
        this.failureOpen = new boolean[accounts];
        this.lastEventTime = new long[accounts];
        this.rnd = new Random(seed);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // Short: what a latency-minded producer does; batches still form under load.
        p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "churn-radar-bench-latency");
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Where the production time of an alert-triggering event goes: its invoice id and System.nanoTime() at send. */
    interface Triggers {
        void produced(String invoiceId, long nanos);
    }

    /** Sends {@code count} events as fast as the producer takes them; returns the events sent. */
    long burst(long count, Triggers triggers) {
        for (long i = 0; i < count; i++) sendOne(triggers);
        producer.flush();
        check();
        return count;
    }

    /**
     * Sends at {@code rate} events per second for {@code nanos}, open loop: event n is due at start + n / rate,
     * whatever the job or the broker do meanwhile (a sender that waits for the system would hide its stalls);
     * earlier when {@code stop} says so.
     * @return the events sent
     */
    long paced(double rate, long nanos, java.util.function.BooleanSupplier stop, Triggers triggers) {
        long start = System.nanoTime();
        return pace(rate, start, 0, start + nanos, stop, triggers);
    }

    /**
     * Sends events none of which raises an alert (usage, logins, and payments that succeed where no failure is
     * open), open loop at {@code rate} from {@code start} ({@code sentBefore} of them sent already) until
     * {@code untilNanos}: the stream going on after a step, as a live one does. In event-time order an event applies
     * only once newer events move the watermark past it, so without it the alerts of a step's last seconds would
     * wait for the next step.
     * @return the events sent in this call
     */
    long filler(double rate, long start, long sentBefore, long untilNanos) {
        return pace(rate, start, sentBefore, untilNanos, () -> false, null);
    }

    /** Event n is due at start + n / rate; {@code triggers} null: events that raise no alert. */
    private long pace(double rate, long start, long sentBefore, long untilNanos, java.util.function.BooleanSupplier stop,
            Triggers triggers) {
        long sent = 0;
        for (long now = System.nanoTime(); now < untilNanos && !stop.getAsBoolean(); now = System.nanoTime()) {
            long due = (long) ((now - start) / 1e9 * rate) - sentBefore;
            while (sent < due) {
                sendOne(triggers);
                sent++;
            }
            check();
            LockSupport.parkNanos(200_000);
        }
        producer.flush();
        check();
        return sent;
    }

    /** One event of a random account; {@code triggers} null: one that raises no alert. */
    private void sendOne(Triggers triggers) {
        int a = rnd.nextInt(accounts.length);
        String acct = accounts[a];
        long t = Math.max(System.currentTimeMillis(), lastEventTime[a] + 1);
        lastEventTime[a] = t;
        String id = "lat-" + (++seq);
        Instant at = Instant.ofEpochMilli(t);
        byte[] key = acct.getBytes(StandardCharsets.UTF_8);
        double r = rnd.nextDouble();
        if (r < alertShare && triggers == null && !failureOpen[a]) {
            // Filler keeps the payment partitions moving too (no wait for their idleness): a success settles nothing.
            send(paymentTopic, t, key, AvroEvents.encode(PaymentEvent.newBuilder().setEventId(id).setAccountId(acct).setEventTime(at)
                    .setStatus(PaymentStatus.SUCCEEDED).setAmountMinor(4900).setCurrency("EUR").setInvoiceId("inv-" + id).build()));
        } else if (r < alertShare && triggers != null) {
            PaymentStatus status = failureOpen[a] ? PaymentStatus.SUCCEEDED : PaymentStatus.FAILED;
            failureOpen[a] = !failureOpen[a];
            String invoice = "inv-" + id;
            byte[] value = AvroEvents.encode(PaymentEvent.newBuilder().setEventId(id).setAccountId(acct).setEventTime(at)
                    .setStatus(status).setAmountMinor(4900).setCurrency("EUR").setInvoiceId(invoice)
                    .setFailureCode(status == PaymentStatus.FAILED ? "card_declined" : null).build());
            triggers.produced(invoice, System.nanoTime());
            send(paymentTopic, t, key, value);
        } else if (r < alertShare + (1 - alertShare) * 0.8) {
            send(usageTopic, t, key, AvroEvents.encode(UsageEvent.newBuilder().setEventId(id).setAccountId(acct).setEventTime(at)
                    .setFeature(FEATURES[rnd.nextInt(FEATURES.length)]).setQuantity(1 + rnd.nextInt(5)).build()));
        } else {
            send(loginTopic, t, key, AvroEvents.encode(LoginEvent.newBuilder().setEventId(id).setAccountId(acct).setEventTime(at).build()));
        }
    }

    private void send(String topic, long t, byte[] key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, null, t, key, value), (meta, e) -> {
            if (e != null) sendFailure.compareAndSet(null, e);
        });
    }

    private void check() {
        if (sendFailure.get() != null) throw new IllegalStateException("cannot send to Kafka", sendFailure.get());
    }

    @Override
    public void close() {
        producer.close();
    }
}
