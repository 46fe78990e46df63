package io.churnradar.kafka;

import static io.churnradar.kafka.Scenario.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.churnradar.alerts.DeadLetter;
import io.churnradar.config.JobSettings;
import io.churnradar.detect.ChurnDetector;
import io.churnradar.events.LoginEvent;
import io.churnradar.events.PaymentEvent;
import io.churnradar.events.PaymentStatus;
import io.churnradar.events.UsageEvent;
import io.churnradar.ingest.AvroEvents;
import io.churnradar.ingest.EventType;
import io.churnradar.testing.FlinkTestCluster;
import io.churnradar.testing.KafkaBroker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hostile records produced mid-stream among the planted signals, on a broker that, like Kafka 4.2 by
 * default, refuses record timestamps more than an hour ahead: each becomes a dead letter with its
 * reason, the job runs to its end, every record it writes carries a timestamp of the time of writing,
 * and the alerts are exactly the planted ones.
 */
class HostileStreamingTest {
    private static final int PARALLELISM = 2;

    @RegisterExtension
    @Order(1)
    static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension(PARALLELISM);

    @Test
    void hostileRecordsAreDeadLetteredAndThePlantedAlertsStayExactlyTheSame() throws Exception {
        JobSettings s = KafkaJobRun.settings(KAFKA, "hostile");
        s.maxRecordBytes = 4096;
        KafkaJobRun.createTopics(KAFKA, s, 2);
        PlantedSignals planted = new PlantedSignals(2);
        Scenario sc = planted.scenario;

        // Reasons by label; every record is sent mid-stream, between the planted events.
        Map<String, String> reasons = new LinkedHashMap<>();
        UsageEvent future = UsageEvent.newBuilder().setEventId("u-future").setAccountId(PlantedSignals.USAGE)
                .setEventTime(Instant.parse("2099-01-01T00:00:00Z")).setFeature("reports").setQuantity(10).build();
        sc.raw(EventType.USAGE, PlantedSignals.USAGE, AvroEvents.encode(future), at(10, 9, 45), "dated 2099");
        reasons.put("dated 2099", "eventTime 2099-01-01T00:00:00Z is more than 1h ahead of now");
        // The day-5 failure again, fifteen days later: its id is no longer kept, counted it would fail a paid account.
        PaymentEvent failed5 = PaymentEvent.newBuilder().setEventId("p-5").setAccountId(PlantedSignals.PAY).setEventTime(at(5, 11))
                .setStatus(PaymentStatus.FAILED).setAmountMinor(4900).setCurrency("EUR").setInvoiceId("inv-p-5")
                .setFailureCode("card_declined").setCardExpiry("2027-11").build();
        sc.raw(EventType.PAYMENT, PlantedSignals.PAY, AvroEvents.encode(failed5), at(20, 11, 30), "re-sent 15 days late");
        reasons.put("re-sent 15 days late", "too late to de-duplicate: eventTime 2026-03-07T11:00:00Z is more than 7d");
        // A login of an account active every day (its old ids are forgotten as event time passes), eighteen days late.
        LoginEvent clockLogin = LoginEvent.newBuilder().setEventId("clock-0-d2-login").setAccountId("clock-0").setEventTime(at(2, 12))
                .setUserId("u-clock-0").build();
        sc.raw(EventType.LOGIN, "clock-0", AvroEvents.encode(clockLogin), at(20, 13), "login re-sent 18 days late");
        reasons.put("login re-sent 18 days late", "too late to de-duplicate: eventTime 2026-03-04T12:00:00Z is more than 7d");
        byte[] big = new byte[100_000];
        Arrays.fill(big, (byte) 'x');
        sc.raw(EventType.LOGIN, PlantedSignals.QUIET, big, at(8, 8), "100 kB record");
        reasons.put("100 kB record", "too large: 100000 bytes, above limits.maxRecordBytes (4096); the first 4096 bytes are kept, sha256 ");
        UsageEvent huge = UsageEvent.newBuilder().setEventId("u-huge").setAccountId(PlantedSignals.USAGE).setEventTime(at(15, 9, 30))
                .setFeature("reports").setQuantity(1e308).build();
        sc.raw(EventType.USAGE, PlantedSignals.USAGE, AvroEvents.encode(huge), at(15, 9, 30), "usage 1e308");
        reasons.put("usage 1e308", "quantity 1.0E308 is above 1.0E12");
        LoginEvent control = LoginEvent.newBuilder().setEventId("l-ctl").setAccountId(PlantedSignals.QUIET + "\u0000")
                .setEventTime(at(9, 8)).build();
        sc.raw(EventType.LOGIN, PlantedSignals.QUIET, AvroEvents.encode(control), at(9, 8), "control character in the id");
        reasons.put("control character in the id", "accountId contains the control character U+0000");
        byte[] badUtf8 = AvroEvents.encode(LoginEvent.newBuilder().setEventId("l-utf8").setAccountId("acct-qu\u00e9t")
                .setEventTime(at(9, 9)).build());
        replace(badUtf8, "\u00e9".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xC3, (byte) 0x28});
        sc.raw(EventType.LOGIN, PlantedSignals.QUIET, badUtf8, at(9, 9), "invalid UTF-8 in the id");
        reasons.put("invalid UTF-8 in the id", "accountId contains invalid UTF-8 (U+FFFD)");

        try (KafkaProducer<byte[], byte[]> producer = KAFKA.producer()) {
            // The broker refuses what the cluster refused: a record timestamped in 2099.
            ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> producer.send(
                    new ProducerRecord<>(s.deadLetterTopic, null, Instant.parse("2099-01-01T00:00:00Z").toEpochMilli(), null, new byte[1]))
                    .get(30, TimeUnit.SECONDS));
            assertThat(refused.getCause()).isInstanceOf(InvalidTimestampException.class);
            sc.produce(producer, s);
        }

        long start = System.currentTimeMillis();
        JobExecutionResult result = KafkaJobRun.runToEnd(s, PARALLELISM);
        long end = System.currentTimeMillis();

        long events = sc.inSendOrder().stream().filter(p -> p.event != null).count();
        assertThat(result.<Long>getAccumulatorResult(ChurnDetector.DUPLICATES)).as("re-sent events").isEqualTo(3L);
        assertThat(result.<Long>getAccumulatorResult(ChurnDetector.ACCEPTED)).as("distinct events").isEqualTo(events - 3);
        AlertAssertions.assertExactly(KafkaJobRun.alerts(KAFKA, s, IsolationLevel.READ_COMMITTED), PlantedSignals.expectedAlerts(),
                KAFKA.describe(s.alertsTopic));

        List<ConsumerRecord<byte[], byte[]>> deadRecords = KafkaJobRun.records(KAFKA, s.deadLetterTopic, IsolationLevel.READ_COMMITTED);
        List<DeadLetter> letters = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : deadRecords) letters.add(KafkaJobRun.deadLetter(r));
        assertThat(letters).hasSize(planted.malformed().size() + reasons.size());
        for (Scenario.Planned p : sc.inSendOrder()) {
            if (!reasons.containsKey(p.label)) continue;
            DeadLetter d = letters.stream()
                    .filter(l -> l.getSource().equals(Scenario.topic(s, p.topicType)) && l.getPartition() == p.sent.partition()
                            && l.getOffset() == p.sent.offset())
                    .findFirst().orElseThrow(() -> new AssertionError("no dead letter for " + p.label));
            assertThat(d.getReason()).as(p.label).startsWith(reasons.get(p.label));
            byte[] kept = p.value.length > s.maxRecordBytes ? Arrays.copyOf(p.value, s.maxRecordBytes) : p.value;
            assertThat(bytes(d.getPayload())).as("payload of %s", p.label).isEqualTo(kept);
        }

        // Every record written carries the time of writing, which the broker accepts, whatever the event time in its value.
        for (String topic : List.of(s.alertsTopic, s.accountHealthTopic, s.deadLetterTopic, s.commandsAuditTopic)) {
            List<ConsumerRecord<byte[], byte[]>> written = KafkaJobRun.records(KAFKA, topic, IsolationLevel.READ_COMMITTED);
            assertThat(written).as(topic).isNotEmpty();
            assertThat(written).as(topic).allSatisfy(r -> assertThat(r.timestamp()).isBetween(start, end));
        }
    }

    private static void replace(byte[] in, byte[] what, byte[] with) {
        for (int i = 0; i + what.length <= in.length; i++) {
            if (Arrays.equals(in, i, i + what.length, what, 0, what.length)) {
                System.arraycopy(with, 0, in, i, with.length);
                return;
            }
        }
        throw new IllegalArgumentException("not found");
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
