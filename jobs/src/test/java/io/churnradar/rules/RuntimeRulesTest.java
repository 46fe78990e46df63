package io.churnradar.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.StreamingJob;
import io.churnradar.alerts.AccountHealth;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.alerts.RulesDecision;
import io.churnradar.alerts.RulesStatus;
import io.churnradar.config.JobSettings;
import io.churnradar.config.Rules;
import io.churnradar.events.PaymentEvent;
import io.churnradar.events.PaymentStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rules that change while the job runs, end to end: a real KRaft broker, the real streaming job on a
 * MiniCluster with RocksDB, checkpoints, exactly-once sinks and no Kryo; every output read as a consumer
 * reads it (read_committed). Each rule set is published, and its status awaited, before the events that
 * must obey it are produced: a status is committed only with a checkpoint that every detector subtask
 * passed after the set, so the order of rules and events is certain.
 */
class RuntimeRulesTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(flinkConfig())
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @TempDir
    static Path tmp;

    private static TestBroker kafka;
    private final AtomicInteger payments = new AtomicInteger();

    static Configuration flinkConfig() {
        Configuration c = new Configuration();
        c.setString("pipeline.generic-types", "false");
        c.setString("state.backend.type", "rocksdb");
        c.setString("execution.checkpointing.interval", "300ms");
        c.setString("execution.checkpointing.min-pause", "100ms");
        c.setString("restart-strategy.type", "none"); // a failure must fail the test, not loop
        c.setString("parallelism.default", "2");
        return c;
    }

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = TestBroker.start(tmp.resolve("kafka"));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) kafka.close();
    }

    /** Settings of one test's job, on topics of its own. */
    private static JobSettings settings(String name) throws Exception {
        JobSettings s = liveJobSettings(kafka, name);
        // Each step sends one event and waits for its alert: in event-time order it would wait for later
        // events to move the watermark past it, which this live job never gets.
        s.eventOrdering = io.churnradar.detect.EventOrdering.arrival();
        return s;
    }

    /** Settings of a live job on topics of its own, created on {@code kafka} (RuntimeChurnModelTest's too). */
    static JobSettings liveJobSettings(TestBroker kafka, String name) throws Exception {
        JobSettings s = JobSettings.defaults();
        s.bootstrapServers = kafka.bootstrapServers();
        s.groupId = name;
        s.transactionalIdPrefix = name;
        s.startingOffsets = JobSettings.StartingOffsets.EARLIEST;
        s.idleness = Duration.ofSeconds(1);
        s.loginTopic = name + ".login";
        s.usageTopic = name + ".usage";
        s.supportTicketTopic = name + ".support-ticket";
        s.paymentTopic = name + ".payment";
        s.feedbackTopic = name + ".feedback";
        s.subscriptionTopic = name + ".subscription";
        s.alertsTopic = name + ".alerts";
        s.deadLetterTopic = name + ".dead-letter";
        s.rulesTopic = name + ".rules";
        s.rulesStatusTopic = name + ".rules-status";
        s.accountHealthTopic = name + ".account-health";
        s.commandsTopic = name + ".commands";
        s.commandsAuditTopic = name + ".commands-audit";
        s.playbookOutcomesTopic = name + ".playbook-outcomes";
        s.kpisTopic = name + ".kpis";
        List<String> topics = new ArrayList<>(s.eventTopics());
        topics.addAll(s.outputTopics());
        topics.add(s.rulesTopic);
        kafka.createTopics(topics, List.of(s.rulesTopic, s.accountHealthTopic));
        return s;
    }

    private static JobClient start(JobSettings s, Rules rules, String savepoint) throws Exception {
        Configuration conf = flinkConfig(); // the job's own settings: checkpoint interval, no Kryo
        if (savepoint != null) conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        StreamingJob.build(env, s, rules);
        return env.executeAsync(StreamingJob.JOB_NAME);
    }

    /** Fails the wait at once when the job is no longer running. */
    private static Runnable running(JobClient job) {
        return () -> {
            try {
                JobStatus status = job.getJobStatus().get(30, TimeUnit.SECONDS);
                if (status.isGloballyTerminalState()) {
                    Throwable cause = null;
                    try {
                        job.getJobExecutionResult().get(5, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        cause = e;
                    }
                    throw new AssertionError("the job stopped: " + status, cause);
                }
            } catch (AssertionError e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    private static void cancel(JobClient job) throws Exception {
        if (!job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    private void failedPayment(JobSettings s, String account) throws Exception {
        int n = payments.incrementAndGet();
        kafka.send(s.paymentTopic, account, PaymentEvent.newBuilder()
                .setEventId("pay-" + n)
                .setAccountId(account)
                .setEventTime(T0.plus(Duration.ofHours(n)))
                .setStatus(PaymentStatus.FAILED)
                .setAmountMinor(4900)
                .setCurrency("EUR")
                .setInvoiceId("inv-" + n)
                .setFailureCode("card_declined")
                .build());
    }

    private static void publish(JobSettings s, String rules) throws Exception {
        kafka.send(s.rulesTopic, "rules", rules.getBytes(StandardCharsets.UTF_8));
    }

    private static List<RulesStatus> statuses(List<ConsumerRecord<byte[], byte[]>> records) {
        List<RulesStatus> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            RulesStatus st = decode(() -> RulesStatus.getDecoder().decode(r.value()));
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(RulesStatusSerializer.key(st));
            out.add(st);
        }
        return out;
    }

    /** Alerts as "account signal status severity ruleVersion". */
    private static List<String> alerts(List<ConsumerRecord<byte[], byte[]>> records) {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            RiskAlert a = decode(() -> RiskAlert.getDecoder().decode(r.value()));
            out.add(String.join(" ", a.getAccountId(), a.getSignal(), a.getStatus().name(), a.getSeverity().name(), a.getRuleVersion()));
        }
        return out;
    }

    private interface Decoding<T> {
        T decode() throws Exception;
    }

    private static <T> T decode(Decoding<T> d) {
        try {
            return d.decode();
        } catch (Exception e) {
            throw new AssertionError("not a record of ours", e);
        }
    }

    @Test
    @Timeout(240)
    void ruleSetsAreValidatedAcknowledgedAndAppliedWithoutARestart() throws Exception {
        JobSettings s = settings("live");
        JobClient job = start(s, Rules.defaults(), null);
        try (TestBroker.Reader alertsTopic = kafka.reader(s.alertsTopic);
                TestBroker.Reader statusTopic = kafka.reader(s.rulesStatusTopic);
                TestBroker.Reader healthTopic = kafka.reader(s.accountHealthTopic)) {
            Runnable running = running(job);

            // The rules the job was started with.
            failedPayment(s, "acct-a");
            assertThat(alerts(alertsTopic.awaitCount(1, WAIT, running)))
                    .containsExactly("acct-a PAYMENT_FAILED RAISED HIGH default-1");

            // v2: raised at MEDIUM, CRITICAL at the 2nd failure in a row.
            publish(s, RuleTexts.V2);
            List<RulesStatus> st = statuses(statusTopic.awaitCount(1, WAIT, running));
            assertThat(st.get(0).getStatus()).isEqualTo(RulesDecision.APPLIED);
            assertThat(st.get(0).getVersion()).isEqualTo("v2");
            assertThat(st.get(0).getPreviousVersion()).isEqualTo("default-1");
            assertThat(st.get(0).getSourceOffset()).isZero();
            failedPayment(s, "acct-b");
            failedPayment(s, "acct-b");
            assertThat(alerts(alertsTopic.awaitCount(3, WAIT, running)).subList(1, 3)).containsExactly(
                    "acct-b PAYMENT_FAILED RAISED MEDIUM v2",
                    "acct-b PAYMENT_FAILED UPDATED CRITICAL v2");

            // An invalid set: rejected with each error's key path; v2 stays.
            publish(s, RuleTexts.BAD);
            st = statuses(statusTopic.awaitCount(2, WAIT, running));
            RulesStatus rejected = st.get(1);
            assertThat(rejected.getStatus()).isEqualTo(RulesDecision.REJECTED);
            assertThat(rejected.getVersion()).isEqualTo("v-bad");
            assertThat(RuleTexts.paths(rejected.getErrors())).containsExactlyInAnyOrderElementsOf(RuleTexts.BAD_PATHS);
            assertThat(rejected.getActiveVersion()).isEqualTo("v2");
            failedPayment(s, "acct-c");
            assertThat(alerts(alertsTopic.awaitCount(4, WAIT, running)).get(3)).isEqualTo("acct-c PAYMENT_FAILED RAISED MEDIUM v2");

            // v3: raised at LOW.
            publish(s, RuleTexts.V3);
            st = statuses(statusTopic.awaitCount(3, WAIT, running));
            assertThat(st.get(2).getStatus()).isEqualTo(RulesDecision.APPLIED);
            assertThat(st.get(2).getVersion()).isEqualTo("v3");
            assertThat(st.get(2).getPreviousVersion()).isEqualTo("v2");
            failedPayment(s, "acct-d");
            assertThat(alerts(alertsTopic.awaitCount(5, WAIT, running)).get(4)).isEqualTo("acct-d PAYMENT_FAILED RAISED LOW v3");

            assertThat(statuses(statusTopic.readNow())).extracting(RulesStatus::getStatus)
                    .containsExactly(RulesDecision.APPLIED, RulesDecision.REJECTED, RulesDecision.APPLIED);
            // Health updates, when the rules score accounts, are keyed by account and decode as AccountHealth.
            for (ConsumerRecord<byte[], byte[]> r : healthTopic.readNow()) {
                AccountHealth h = decode(() -> AccountHealth.getDecoder().decode(r.value()));
                assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(h.getAccountId());
            }
        } finally {
            cancel(job);
        }
    }

    @Test
    @Timeout(240)
    void theRulesInForceSurviveARestartFromASavepoint() throws Exception {
        JobSettings s = settings("restart");
        try (TestBroker.Reader alertsTopic = kafka.reader(s.alertsTopic);
                TestBroker.Reader statusTopic = kafka.reader(s.rulesStatusTopic)) {
            JobClient first = start(s, Rules.defaults(), null);
            String savepoint;
            try {
                publish(s, RuleTexts.V2);
                assertThat(statuses(statusTopic.awaitCount(1, WAIT, running(first))).get(0).getStatus())
                        .isEqualTo(RulesDecision.APPLIED);
                failedPayment(s, "acct-a");
                assertThat(alerts(alertsTopic.awaitCount(1, WAIT, running(first))))
                        .containsExactly("acct-a PAYMENT_FAILED RAISED MEDIUM v2");
                savepoint = first.stopWithSavepoint(false, tmp.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                        .get(120, TimeUnit.SECONDS);
            } finally {
                cancel(first);
            }

            // Restarted from the savepoint with the default rules as its --rules: v2 still rules.
            JobClient second = start(s, Rules.defaults(), savepoint);
            try {
                failedPayment(s, "acct-a");
                failedPayment(s, "acct-b");
                // Two accounts, perhaps on two subtasks: in either order.
                assertThat(alerts(alertsTopic.awaitCount(3, WAIT, running(second))).subList(1, 3)).containsExactlyInAnyOrder(
                        "acct-a PAYMENT_FAILED UPDATED CRITICAL v2",
                        "acct-b PAYMENT_FAILED RAISED MEDIUM v2");

                // The rules topic was not read again from its beginning: the next status is v3's, after v2's
                // one status, and the validator knew v2 was in force.
                publish(s, RuleTexts.V3);
                List<RulesStatus> st = statuses(statusTopic.awaitCount(2, WAIT, running(second)));
                assertThat(st).extracting(RulesStatus::getVersion).containsExactly("v2", "v3");
                assertThat(st.get(1).getPreviousVersion()).isEqualTo("v2");
                assertThat(st.get(1).getSourceOffset()).isEqualTo(1);
                failedPayment(s, "acct-c");
                assertThat(alerts(alertsTopic.awaitCount(4, WAIT, running(second))).get(3))
                        .isEqualTo("acct-c PAYMENT_FAILED RAISED LOW v3");
            } finally {
                cancel(second);
            }
        }
    }
}
