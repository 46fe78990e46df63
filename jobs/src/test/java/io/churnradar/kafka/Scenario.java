package io.churnradar.kafka;

import io.churnradar.config.JobSettings;
import io.churnradar.events.LoginEvent;
import io.churnradar.events.PaymentEvent;
import io.churnradar.events.PaymentStatus;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.events.SubscriptionEvent;
import io.churnradar.events.SupportTicketEvent;
import io.churnradar.events.TicketPriority;
import io.churnradar.events.TicketStatus;
import io.churnradar.events.UsageEvent;
import io.churnradar.ingest.AvroEvents;
import io.churnradar.ingest.EventJson;
import io.churnradar.ingest.EventType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Input records planned for a test, in the order they are sent: events (Avro single-object, keyed by
 * account, Kafka timestamp = event time) and raw records (anything, e.g. garbage bytes). The same
 * events can be written as the backtest's JSON Lines.
 */
final class Scenario {
    static final Instant DAY0 = Instant.parse("2026-03-02T00:00:00Z");

    /** One record to send. {@code event} is null for a raw record; {@code partition} null means "by key". */
    static final class Planned {
        final long sendAt;
        final int seq;
        final EventType topicType;
        final String key;
        final Integer partition;
        final SpecificRecord event;
        final byte[] value;
        final String label;
        RecordMetadata sent;

        Planned(long sendAt, int seq, EventType topicType, String key, Integer partition, SpecificRecord event, byte[] value,
                String label) {
            this.sendAt = sendAt;
            this.seq = seq;
            this.topicType = topicType;
            this.key = key;
            this.partition = partition;
            this.event = event;
            this.value = value;
            this.label = label;
        }

        byte[] keyBytes() {
            return key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        }
    }

    private final List<Planned> planned = new ArrayList<>();

    static Instant at(int day, int hour) {
        return DAY0.plus(Duration.ofDays(day)).plus(Duration.ofHours(hour));
    }

    static Instant at(int day, int hour, int minute) {
        return at(day, hour).plus(Duration.ofMinutes(minute));
    }

    // ----- events -----

    LoginEvent login(String account, String id, Instant t, Integer partition) {
        LoginEvent e = LoginEvent.newBuilder().setEventId(id).setAccountId(account).setEventTime(t).setUserId("u-" + account).build();
        add(t.toEpochMilli(), EventType.LOGIN, account, partition, e, id);
        return e;
    }

    UsageEvent usage(String account, String id, Instant t, String feature, double quantity, Integer partition) {
        UsageEvent e = UsageEvent.newBuilder().setEventId(id).setAccountId(account).setEventTime(t).setUserId("u-" + account)
                .setFeature(feature).setQuantity(quantity).build();
        add(t.toEpochMilli(), EventType.USAGE, account, partition, e, id);
        return e;
    }

    SupportTicketEvent ticket(String account, String id, Instant t, String ticketId, TicketStatus status, Integer partition) {
        SupportTicketEvent e = SupportTicketEvent.newBuilder().setEventId(id).setAccountId(account).setEventTime(t)
                .setTicketId(ticketId).setStatus(status).setPriority(TicketPriority.NORMAL).build();
        add(t.toEpochMilli(), EventType.SUPPORT_TICKET, account, partition, e, id);
        return e;
    }

    PaymentEvent payment(String account, String id, Instant t, PaymentStatus status, String failureCode, Integer partition) {
        PaymentEvent e = PaymentEvent.newBuilder().setEventId(id).setAccountId(account).setEventTime(t).setStatus(status)
                .setAmountMinor(4900).setCurrency("EUR").setInvoiceId("inv-" + id)
                .setFailureCode(failureCode).setCardExpiry("2027-11").build();
        add(t.toEpochMilli(), EventType.PAYMENT, account, partition, e, id);
        return e;
    }

    SubscriptionEvent subscription(String account, String id, Instant t, SubscriptionAction action, String plan, Long mrrMinor,
            String reason, Integer partition) {
        SubscriptionEvent e = SubscriptionEvent.newBuilder().setEventId(id).setAccountId(account).setEventTime(t).setAction(action)
                .setPlan(plan).setMrrMinor(mrrMinor).setReason(reason).build();
        add(t.toEpochMilli(), EventType.SUBSCRIPTION, account, partition, e, id);
        return e;
    }

    /** Sends an already planned event again (same id and content), positioned as if sent at {@code sendAt}. */
    Planned resend(SpecificRecord event, Instant sendAt, String label) {
        Planned original = planned.stream().filter(p -> p.event == event).findFirst().orElseThrow();
        return add(sendAt.toEpochMilli(), original.topicType, original.key, original.partition, event, label);
    }

    /** A record that is not a valid event of the topic, sent as if at {@code sendAt}. */
    Planned raw(EventType topic, String key, byte[] value, Instant sendAt, String label) {
        Planned p = new Planned(sendAt.toEpochMilli(), planned.size(), topic, key, null, null, value, label);
        planned.add(p);
        return p;
    }

    private Planned add(long sendAt, EventType type, String key, Integer partition, SpecificRecord e, String label) {
        Planned p = new Planned(sendAt, planned.size(), type, key, partition, e, AvroEvents.encode(e), label);
        planned.add(p);
        return p;
    }

    /** Everything, in send order: by send time, then as planned. */
    List<Planned> inSendOrder() {
        List<Planned> out = new ArrayList<>(planned);
        out.sort(Comparator.<Planned>comparingLong(p -> p.sendAt).thenComparingInt(p -> p.seq));
        return out;
    }

    static String topic(JobSettings s, EventType type) {
        return s.topicOf(type);
    }

    /** Sends every record in order, each acknowledged before the next (so each partition is in send order). */
    void produce(KafkaProducer<byte[], byte[]> producer, JobSettings s) throws Exception {
        for (Planned p : inSendOrder()) {
            long ts = p.event != null ? ((Instant) p.event.get(p.event.getSchema().getField("eventTime").pos())).toEpochMilli() : p.sendAt;
            p.sent = producer.send(new ProducerRecord<>(topic(s, p.topicType), p.partition, ts, p.keyBytes(), p.value))
                    .get(30, TimeUnit.SECONDS);
        }
        producer.flush();
    }

    /** The events (not raw records) as the backtest's JSON Lines, in send order, through the job's own
     * conversions: every field the streaming job reads. */
    void writeJsonLines(Path file) throws Exception {
        List<String> lines = new ArrayList<>();
        for (Planned p : inSendOrder()) {
            if (p.event != null) lines.add(EventJson.toJson(AvroEvents.toAccountEvent(p.event)));
        }
        Files.write(file, lines, StandardCharsets.UTF_8);
    }
}
