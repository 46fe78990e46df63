package io.churnradar.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.StreamingJob;
import io.churnradar.alerts.AccountHealth;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.alerts.RulesDecision;
import io.churnradar.alerts.RulesStatus;
import io.churnradar.config.JobSettings;
import io.churnradar.config.Rules;
import io.churnradar.events.LoginEvent;
import io.churnradar.testing.Deadline;
import io.churnradar.testing.TestChurnModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
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
 * A churn model shipped to a running job like a rule set, end to end: a real KRaft broker, the streaming
 * job on a MiniCluster with RocksDB and exactly-once sinks. A rule set naming a model file is validated,
 * acknowledged with the model, and from the next day close every live account is scored: CHURN_RISK on the
 * alerts topic, probabilities on the health topic. A rule set naming a corrupt model is rejected with the
 * reason, and the model in force stays.
 */
class RuntimeChurnModelTest {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final Instant T0 = Instant.parse("2026-03-02T12:00:00Z");

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(RuntimeRulesTest.flinkConfig())
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @TempDir
    static Path tmp;

    private static TestBroker kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = TestBroker.start(tmp.resolve("kafka"));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) kafka.close();
    }

    private static JobSettings settings(String name) throws Exception {
        return RuntimeRulesTest.liveJobSettings(kafka, name);
    }

    private static Runnable running(JobClient job) {
        return () -> {
            try {
                JobStatus status = job.getJobStatus().get(30, TimeUnit.SECONDS);
                if (status.isGloballyTerminalState()) throw new AssertionError("the job stopped: " + status);
            } catch (AssertionError e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static void login(JobSettings s, String account, Instant at) throws Exception {
        kafka.send(s.loginTopic, account, LoginEvent.newBuilder()
                .setEventId(account + "-" + at.toEpochMilli()).setAccountId(account).setEventTime(at).build());
    }

    private static List<RulesStatus> statuses(List<ConsumerRecord<byte[], byte[]>> records) throws Exception {
        List<RulesStatus> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) out.add(RulesStatus.getDecoder().decode(r.value()));
        return out;
    }

    @Test
    @Timeout(300)
    void aModelPublishedWithTheRulesScoresFromTheNextDayCloseAndACorruptOneIsRejected() throws Exception {
        JobSettings s = settings("model");
        Path model = TestChurnModels.write(tmp.resolve("models/churn.json"));
        byte[] bytes = Files.readAllBytes(model);
        Path corrupt = Files.write(tmp.resolve("models/corrupt.json"), java.util.Arrays.copyOf(bytes, bytes.length / 2)); // cut short
        String withModel = "version: m1\nmodel:\n  uri: " + model.toUri() + "\n  sha256: " + sha256(model) + "\n";
        String withCorrupt = "version: m2\nmodel:\n  uri: " + corrupt.toUri() + "\n  sha256: " + sha256(corrupt) + "\n";

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(RuntimeRulesTest.flinkConfig());
        StreamingJob.build(env, s, Rules.defaults());
        JobClient job = env.executeAsync(StreamingJob.JOB_NAME);
        try (TestBroker.Reader alertsTopic = kafka.reader(s.alertsTopic);
                TestBroker.Reader statusTopic = kafka.reader(s.rulesStatusTopic);
                TestBroker.Reader healthTopic = kafka.reader(s.accountHealthTopic)) {
            Runnable running = running(job);

            kafka.send(s.rulesTopic, "rules", withModel.getBytes(StandardCharsets.UTF_8));
            RulesStatus applied = statuses(statusTopic.awaitCount(1, WAIT, running)).get(0);
            assertThat(applied.getStatus()).isEqualTo(RulesDecision.APPLIED);
            assertThat(applied.getVersion()).isEqualTo("m1");
            assertThat(applied.getActiveModel()).startsWith(sha256(model).substring(0, 12)).contains("inactivity:30d");

            kafka.send(s.rulesTopic, "rules", withCorrupt.getBytes(StandardCharsets.UTF_8));
            RulesStatus rejected = statuses(statusTopic.awaitCount(2, WAIT, running)).get(1);
            assertThat(rejected.getStatus()).isEqualTo(RulesDecision.REJECTED);
            assertThat(rejected.getErrors()).singleElement().asString().startsWith("model.uri: not a churn propensity model");
            assertThat(rejected.getActiveVersion()).isEqualTo("m1");
            assertThat(rejected.getActiveModel()).isEqualTo(applied.getActiveModel());

            // One login, then 12 silent days (another account's login moves event time on).
            login(s, "acct-risk", T0);
            login(s, "acct-clock", T0.plus(Duration.ofDays(12)));
            RiskAlert risk = RiskAlert.getDecoder().decode(alertsTopic.awaitCount(1, WAIT, running).get(0).value());
            assertThat(risk.getAccountId()).isEqualTo("acct-risk");
            assertThat(risk.getSignal()).isEqualTo("CHURN_RISK");
            assertThat(risk.getStatus().name()).isEqualTo("RAISED");
            assertThat(risk.getRuleVersion()).isEqualTo("m1");
            assertThat(Double.parseDouble(risk.getEvidence().get("probability"))).isGreaterThanOrEqualTo(0.5);
            assertThat(risk.getEvidence().get("model")).isEqualTo(applied.getActiveModel());

            List<AccountHealth> scored = new ArrayList<>();
            Deadline.in(WAIT).pollUntil("churn probabilities on the health topic", () -> {
                scored.clear();
                for (ConsumerRecord<byte[], byte[]> r : healthTopic.readNow()) {
                    AccountHealth h = AccountHealth.getDecoder().decode(r.value());
                    if (h.getAccountId().equals("acct-risk") && h.getChurnProbability() != null) scored.add(h);
                }
                running.run();
                return scored.stream().anyMatch(h -> h.getChurnProbability() >= 0.5);
            });
            assertThat(scored.get(0).getChurnScoredAt().toEpochMilli() % 86_400_000L).isZero(); // at a day close
            assertThat(scored.stream().filter(h -> h.getChurnProbability() >= 0.5).findFirst().orElseThrow().getChurnContributions())
                    .isNotEmpty();
        } finally {
            if (!job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()) job.cancel().get(60, TimeUnit.SECONDS);
        }
    }
}
