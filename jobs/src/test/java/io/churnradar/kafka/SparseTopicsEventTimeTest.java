package io.churnradar.kafka;

import static io.churnradar.kafka.Scenario.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.StreamingJob;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.config.JobSettings;
import io.churnradar.events.FeedbackEvent;
import io.churnradar.events.LoginEvent;
import io.churnradar.events.PaymentEvent;
import io.churnradar.events.PaymentStatus;
import io.churnradar.events.SurveyType;
import io.churnradar.events.UsageEvent;
import io.churnradar.ingest.AvroEvents;
import io.churnradar.testing.Deadline;
import io.churnradar.testing.FlinkTestCluster;
import io.churnradar.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Event time on a running (unbounded) job whose topics are not all busy: topics never written, a topic
 * written once and then silent, and a topic whose records are there at start but reach the job late; and
 * the end of a bounded replay over topics most of them empty.
 * The default idleness is 10 minutes here, so that an alert that needs event time to move can only
 * arrive within these tests' deadlines if the partitions that hold nothing stop holding event time
 * back by another way than the idleness timeout.
 */
class SparseTopicsEventTimeTest {
    private static final int PARALLELISM = 2;
    private static final Duration LONG_IDLENESS = Duration.ofMinutes(10);

    @RegisterExtension
    @Order(1)
    static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension(PARALLELISM);

    /**
     * Support tickets, payments and subscriptions are never written; feedback gets one answer at start
     * and nothing after (its own idleness: 2 s). Logins and usage then move event time past an
     * inactivity deadline: the alert arrives although no partition waited out the 10-minute idleness.
     * The quiet partitions then get events again and count as active: their events are on time.
     */
    @Test
    void anInactivityAlertDoesNotWaitForNeverWrittenOrSilentTopics() throws Exception {
        JobSettings s = unbounded("sparse");
        s.idlenessByTopic.put(s.feedbackTopic, Duration.ofSeconds(2));
        KafkaJobRun.createTopics(KAFKA, s, 1);
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.producer()) {
            send(producer, s.loginTopic, login("quiet", "q-1", at(1, 6)));
            send(producer, s.feedbackTopic, nps("clock", "f-0", at(0, 10), 9));
            send(producer, s.loginTopic, login("clock", "cl-1", at(1, 12)));
            send(producer, s.usageTopic, usage("clock", "cu-1", at(1, 12)));
        }

        JobClient job = KafkaJobRun.environment(s, PARALLELISM, new Configuration()).executeAsync(StreamingJob.JOB_NAME);
        try {
            // The history read (its offsets committed on a checkpoint): the figure below is the job's, not its start's.
            Deadline.in(Duration.ofSeconds(90)).pollUntil("the history to be read", () -> historyCommitted(s));
            // The proving data: days pass for the clock account, the quiet one's 14 days without a login run out on day 15.
            long proved = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = KAFKA.producer()) {
                for (int d = 2; d <= 16; d++) {
                    send(producer, s.loginTopic, login("clock", "cl-" + d, at(d, 12)));
                    send(producer, s.usageTopic, usage("clock", "cu-" + d, at(d, 12)));
                }
            }
            // Far below the 10-minute idleness: met only if the never-written and the silent partitions stopped holding.
            Deadline deadline = Deadline.in(Duration.ofSeconds(40));
            awaitAlert(s, "quiet", "INACTIVITY", deadline, IsolationLevel.READ_UNCOMMITTED);
            double decided = (System.nanoTime() - proved) / 1e9;
            RiskAlert inactivity = awaitAlert(s, "quiet", "INACTIVITY", deadline, IsolationLevel.READ_COMMITTED);
            double committed = (System.nanoTime() - proved) / 1e9;
            assertThat(inactivity.getDetectedAt()).isEqualTo(at(15, 6));
            assertThat(inactivity.getEvidence()).doesNotContainKey("late");
            System.out.printf("[event-time] INACTIVITY written %.1f s and committed %.1f s after the proving data"
                    + " (3 topics never written, feedback silent with idleness 2s, default idleness %s)%n",
                    decided, committed, LONG_IDLENESS);

            // Idle partitions become active again: a never-written topic's and the silent topic's next events are on time.
            try (KafkaProducer<byte[], byte[]> producer = KAFKA.producer()) {
                send(producer, s.feedbackTopic, nps("quiet", "f-16", at(16, 13), 3));
                send(producer, s.paymentTopic, payment("quiet", "p-16", at(16, 14), PaymentStatus.FAILED));
            }
            RiskAlert detractor = awaitAlert(s, "quiet", "NPS_DETRACTOR", Duration.ofSeconds(60));
            RiskAlert failed = awaitAlert(s, "quiet", "PAYMENT_FAILED", Duration.ofSeconds(60));
            assertThat(detractor.getDetectedAt()).isEqualTo(at(16, 13));
            assertThat(failed.getDetectedAt()).isEqualTo(at(16, 14));
            assertThat(detractor.getEvidence()).doesNotContainKey("late");
            assertThat(failed.getEvidence()).doesNotContainKey("late");
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * The race of the never-written rule: a partition that has records at start, but whose first fetch
     * comes late (here held back by a consumer interceptor), must hold event time back until they come.
     * Had it been taken for empty, the other topics would move event time 30 days ahead and its failed
     * payment of day 1 would be late (dated at the watermark, late=true).
     */
    @Test
    void recordsInAPartitionAtStartAreNotMadeLateWhileTheirFetchIsSlow() throws Exception {
        JobSettings s = unbounded("held");
        s.kafkaProperties.put("interceptor.classes", HoldTopic.class.getName());
        // Once its records are read the payments topic is silent: its own short idleness lets event time go on.
        s.idlenessByTopic.put(s.paymentTopic, Duration.ofSeconds(2));
        KafkaJobRun.createTopics(KAFKA, s, 1);
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.producer()) {
            send(producer, s.paymentTopic, payment("payer", "p-1", at(1, 11), PaymentStatus.FAILED));
            send(producer, s.loginTopic, login("quiet", "q-1", at(1, 6)));
            for (int d = 0; d <= 30; d++) {
                send(producer, s.loginTopic, login("clock", "cl-" + d, at(d, 12)));
                send(producer, s.usageTopic, usage("clock", "cu-" + d, at(d, 12)));
            }
        }
        HoldTopic.hold(s.paymentTopic);
        JobClient job = KafkaJobRun.environment(s, PARALLELISM, new Configuration()).executeAsync(StreamingJob.JOB_NAME);
        try {
            Deadline.in(Duration.ofSeconds(60)).pollUntil("the job to fetch the payments", HoldTopic.REACHED::get);
            // While the payments are held back, event time stays behind them: no alert that needs it beyond day 1.
            Deadline window = Deadline.in(Duration.ofSeconds(8));
            Deadline.in(Duration.ofSeconds(30)).pollUntil("8 s of watching", () -> {
                assertThat(find(s, "quiet", "INACTIVITY")).as("an alert of day 15 while day-1 payments are unread").isEmpty();
                return window.passed();
            });
            HoldTopic.release();

            RiskAlert failed = awaitAlert(s, "payer", "PAYMENT_FAILED", Duration.ofSeconds(60));
            assertThat(failed.getDetectedAt()).as("dated at the event, not at the watermark")
                    .isEqualTo(at(1, 11));
            assertThat(failed.getEvidence()).doesNotContainKey("late");
            RiskAlert inactivity = awaitAlert(s, "quiet", "INACTIVITY", Duration.ofSeconds(60));
            assertThat(inactivity.getDetectedAt()).isEqualTo(at(15, 6));
        } finally {
            HoldTopic.release();
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * A bounded replay (kafka.bounded: true) over topics most of them empty, at parallelism 2: one reader gets
     * only empty partitions, the other the logins. Had the first finished at once, its end of time, taken in by
     * the detectors after the logins' watermarks, would have swallowed them (the detectors saw nothing but the
     * end, and detected nothing after the last watermark short of it: no alert at all). Every reader ends at the
     * newest event time of all trailed by the bound, so the quiet account's inactivity deadline fires on day 15,
     * as in the backtest.
     */
    @Test
    void aBoundedReplayOverMostlyEmptyTopicsKeepsItsDeadlines() throws Exception {
        JobSettings s = KafkaJobRun.settings(KAFKA, "bounded-sparse");
        KafkaJobRun.createTopics(KAFKA, s, 1);
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.producer()) {
            send(producer, s.loginTopic, login("quiet", "q-1", at(1, 6)));
            for (int d = 1; d <= 16; d++) send(producer, s.loginTopic, login("clock", "cl-" + d, at(d, 12)));
        }
        KafkaJobRun.runToEnd(s, PARALLELISM);
        RiskAlert inactivity = find(s, "quiet", "INACTIVITY").orElseThrow(() -> new AssertionError("no INACTIVITY of quiet"));
        assertThat(inactivity.getDetectedAt()).isEqualTo(at(15, 6));
    }

    /**
     * A live job in event-time order whose topics all go quiet, the newest event a failed payment: once the
     * partitions have been quiet for their idleness (2 s here), they pass their newest events and the payment
     * applies. Before, the bound held it (event time stayed 5 s behind the newest event) until a later event came,
     * which on a quiet stream may take hours.
     */
    @Test
    void aQuietStreamAppliesItsLastEventsAfterItsIdleness() throws Exception {
        JobSettings s = KafkaJobRun.settings(KAFKA, "quiet-stream");
        s.bounded = false;
        s.idleness = Duration.ofSeconds(2);
        assertThat(s.eventOrdering.eventTimeOrder()).as("event-time order, the default").isTrue();
        KafkaJobRun.createTopics(KAFKA, s, 1);
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.producer()) {
            for (int d = 1; d <= 3; d++) send(producer, s.loginTopic, login("clock", "cl-" + d, at(d, 12)));
            send(producer, s.paymentTopic, payment("payer", "p-3", at(3, 12).plusSeconds(1), PaymentStatus.FAILED));
        }
        JobClient job = KafkaJobRun.environment(s, PARALLELISM, new Configuration()).executeAsync(StreamingJob.JOB_NAME);
        try {
            RiskAlert failed = awaitAlert(s, "payer", "PAYMENT_FAILED", Duration.ofSeconds(90));
            assertThat(failed.getDetectedAt()).isEqualTo(at(3, 12).plusSeconds(1));
            assertThat(failed.getEvidence()).doesNotContainKey("late");
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    private static JobSettings unbounded(String prefix) {
        JobSettings s = KafkaJobRun.settings(KAFKA, prefix);
        s.bounded = false;
        s.idleness = LONG_IDLENESS;
        // The alerts awaited are caused by the last events sent: in event-time order they would wait for later
        // events to move the watermark past them (docs/operations.md, "Event order"); this test is about idleness.
        s.eventOrdering = io.churnradar.detect.EventOrdering.arrival();
        return s;
    }

    private static RiskAlert awaitAlert(JobSettings s, String account, String signal, Duration timeout) throws Exception {
        return awaitAlert(s, account, signal, Deadline.in(timeout), IsolationLevel.READ_COMMITTED);
    }

    private static RiskAlert awaitAlert(JobSettings s, String account, String signal, Deadline deadline, IsolationLevel isolation)
            throws Exception {
        RiskAlert[] found = new RiskAlert[1];
        deadline.pollUntil(signal + " of " + account + " (" + isolation + ")", () -> {
            find(s, account, signal, isolation).ifPresent(a -> found[0] = a);
            return found[0] != null;
        });
        return found[0];
    }

    /** The job's committed offsets are past the history: 2 logins, 1 usage, 1 feedback answer. */
    private static boolean historyCommitted(JobSettings s) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed =
                KAFKA.admin().listConsumerGroupOffsets(s.groupId).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        Map<String, Long> history = Map.of(s.loginTopic, 2L, s.usageTopic, 1L, s.feedbackTopic, 1L);
        for (Map.Entry<String, Long> h : history.entrySet()) {
            OffsetAndMetadata o = committed.get(new TopicPartition(h.getKey(), 0));
            if (o == null || o.offset() < h.getValue()) return false;
        }
        return true;
    }

    private static Optional<RiskAlert> find(JobSettings s, String account, String signal) throws Exception {
        return find(s, account, signal, IsolationLevel.READ_COMMITTED);
    }

    private static Optional<RiskAlert> find(JobSettings s, String account, String signal, IsolationLevel isolation) throws Exception {
        List<RiskAlert> alerts = KafkaJobRun.alerts(KAFKA, s, isolation);
        return alerts.stream().filter(a -> a.getAccountId().equals(account) && a.getSignal().equals(signal)).findFirst();
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, SpecificRecord event) throws Exception {
        String account = event.get(event.getSchema().getField("accountId").pos()).toString();
        long t = ((Instant) event.get(event.getSchema().getField("eventTime").pos())).toEpochMilli();
        producer.send(new ProducerRecord<>(topic, null, t, account.getBytes(StandardCharsets.UTF_8), AvroEvents.encode(event)))
                .get(30, TimeUnit.SECONDS);
    }

    private static LoginEvent login(String account, String id, Instant t) {
        return LoginEvent.newBuilder().setEventId(id).setAccountId(account).setEventTime(t).setUserId("u-" + account).build();
    }

    private static UsageEvent usage(String account, String id, Instant t) {
        return UsageEvent.newBuilder().setEventId(id).setAccountId(account).setEventTime(t).setUserId("u-" + account)
                .setFeature("reports").setQuantity(3).build();
    }

    private static FeedbackEvent nps(String account, String id, Instant t, int score) {
        return FeedbackEvent.newBuilder().setEventId(id).setAccountId(account).setEventTime(t).setSurvey(SurveyType.NPS)
                .setScore(score).build();
    }

    private static PaymentEvent payment(String account, String id, Instant t, PaymentStatus status) {
        return PaymentEvent.newBuilder().setEventId(id).setAccountId(account).setEventTime(t).setStatus(status)
                .setAmountMinor(4900).setCurrency("EUR").setInvoiceId("inv-" + id)
                .setFailureCode(status == PaymentStatus.FAILED ? "card_declined" : null).setCardExpiry("2027-11").build();
    }

    /**
     * Holds back, in the job's consumer, the first poll that returns records of one topic, until the
     * test releases it: a fetch that is slow for that topic. The fetcher thread waits, not the task.
     * Static because Kafka instantiates it by name inside the job's tasks (same JVM); a producer
     * interceptor too, since the job's producers get the same client properties.
     */
    public static final class HoldTopic implements ConsumerInterceptor<byte[], byte[]>, ProducerInterceptor<byte[], byte[]> {
        static final AtomicBoolean REACHED = new AtomicBoolean();
        private static volatile String topic;
        private static volatile CountDownLatch released = new CountDownLatch(0);

        static void hold(String t) {
            REACHED.set(false);
            released = new CountDownLatch(1);
            topic = t;
        }

        static void release() {
            released.countDown();
        }

        @Override
        public ConsumerRecords<byte[], byte[]> onConsume(ConsumerRecords<byte[], byte[]> records) {
            if (released.getCount() == 0) return records;
            for (TopicPartition tp : records.partitions()) {
                if (tp.topic().equals(topic)) {
                    REACHED.set(true);
                    try {
                        released.await(90, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    break;
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
}
