package io.churnradar.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.DeadLetter;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.config.JobSettings;
import io.churnradar.detect.ChurnDetector;
import io.churnradar.testing.Deadline;
import io.churnradar.testing.FlinkTestCluster;
import io.churnradar.testing.InjectedFailure;
import io.churnradar.testing.KafkaBroker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.CheckpointStatsCounts;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The streaming job end to end: a real broker, a real MiniCluster (RocksDB, no Kryo), the job as
 * {@code StreamingJob.build} wires it, bounded at the offsets current at start.
 */
class StreamingJobTest {
    private static final int PARALLELISM = 2;

    @RegisterExtension
    @Order(1)
    static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension(PARALLELISM);

    @AfterEach
    void disableFailureInjection() {
        InjectedFailure.disable();
    }

    @Test
    void detectsPlantedSignalsExactlyOnceAndDeadLettersMalformedRecords() throws Exception {
        JobSettings s = KafkaJobRun.settings(KAFKA, "it1");
        KafkaJobRun.createTopics(KAFKA, s, 2);
        PlantedSignals planted = new PlantedSignals(2);
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.producer()) {
            planted.scenario.produce(producer, s);
        }

        JobExecutionResult result = KafkaJobRun.runToEnd(s, PARALLELISM);

        long events = planted.scenario.inSendOrder().stream().filter(p -> p.event != null).count();
        assertThat(result.<Long>getAccumulatorResult(ChurnDetector.DUPLICATES)).as("re-sent events").isEqualTo(3L);
        assertThat(result.<Long>getAccumulatorResult(ChurnDetector.ACCEPTED)).as("distinct events").isEqualTo(events - 3);

        List<RiskAlert> committed = KafkaJobRun.alerts(KAFKA, s, IsolationLevel.READ_COMMITTED);
        AlertAssertions.assertExactly(committed, PlantedSignals.expectedAlerts(), KAFKA.describe(s.alertsTopic));
        AlertAssertions.assertPlantedEvidence(committed);
        assertKeyedAndTimestamped(KafkaJobRun.records(KAFKA, s.alertsTopic, IsolationLevel.READ_COMMITTED));

        // Without a failure no transaction is aborted: read_uncommitted holds the same records.
        // The commands went through the same restart: each SEND decision once in churn.commands.
        List<io.churnradar.commands.RetentionCommand> audit = KafkaJobRun.commands(KAFKA, s.commandsAuditTopic, IsolationLevel.READ_COMMITTED);
        List<io.churnradar.commands.RetentionCommand> sent = KafkaJobRun.commands(KAFKA, s.commandsTopic, IsolationLevel.READ_COMMITTED);
        assertThat(sent).isNotEmpty();
        assertThat(audit).extracting(c -> c.getCommandId()).doesNotHaveDuplicates();
        assertThat(sent).extracting(c -> c.getCommandId()).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(audit.stream()
                        .filter(c -> c.getDisposition() == io.churnradar.commands.CommandDisposition.SEND)
                        .map(c -> c.getCommandId()).toList());

        List<RiskAlert> uncommitted = KafkaJobRun.alerts(KAFKA, s, IsolationLevel.READ_UNCOMMITTED);
        assertThat(uncommitted).containsAll(committed);

        assertDeadLetters(planted, s, KafkaJobRun.records(KAFKA, s.deadLetterTopic, IsolationLevel.READ_COMMITTED));
    }

    /**
     * The sink dies while writing an alert, after at least one checkpoint completed and while later
     * input is still held back; the job restarts from the checkpoint, replays, and commits the rest.
     * A read_committed consumer sees each alert and dead letter exactly once; the aborted transaction's
     * records stay in the log, visible only to read_uncommitted.
     */
    @Test
    void restartAfterAFailureMidTransactionStillCommitsEachAlertOnce(@InjectMiniCluster MiniCluster cluster) throws Exception {
        JobSettings s = KafkaJobRun.settings(KAFKA, "it2");
        s.kafkaProperties.putAll(InjectedFailure.clientProperties());
        s.kafkaProperties.put("max.poll.records", "25");
        KafkaJobRun.createTopics(KAFKA, s, 2);
        PlantedSignals planted = new PlantedSignals(2);
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.producer()) {
            planted.scenario.produce(producer, s);
        }
        // Input before day 14 flows freely; the first poll that holds a later record waits at the gate.
        InjectedFailure.reset(Scenario.at(14, 0).toEpochMilli(), s.alertsTopic);

        Configuration conf = new Configuration();
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", "3");
        conf.setString("restart-strategy.fixed-delay.delay", "200 ms");
        StreamExecutionEnvironment env = KafkaJobRun.environment(s, PARALLELISM, conf);
        JobClient job = env.executeAsync("churn-radar-with-failure");
        JobID id = job.getJobID();

        Deadline deadline = Deadline.in(Duration.ofSeconds(90));
        deadline.pollUntil("the job to reach the gate", InjectedFailure::gateReached);
        deadline.pollUntil("a completed checkpoint while the gate holds", () -> completed(cluster, id) >= 1);
        // Every alert written so far (from input before the gate) is committed by a later checkpoint.
        deadline.pollUntil("the alerts before the gate to be committed", () ->
                KafkaJobRun.alerts(KAFKA, s, IsolationLevel.READ_COMMITTED).size() == InjectedFailure.sentToFailTopic());
        int committedBeforeFailure = KafkaJobRun.alerts(KAFKA, s, IsolationLevel.READ_COMMITTED).size();
        InjectedFailure.arm();
        InjectedFailure.openGate();

        job.getJobExecutionResult().get(3, TimeUnit.MINUTES);
        assertThat(InjectedFailure.gateTimedOut()).as("gate opened by the test").isFalse();
        assertThat(InjectedFailure.thrown()).as("the injected failure happened: %s", InjectedFailure.diagnostics()).isTrue();
        CheckpointStatsCounts counts = cluster.getArchivedExecutionGraph(id).get(30, TimeUnit.SECONDS)
                .getCheckpointStatsSnapshot().getCounts();
        assertThat(counts.getNumberOfRestoredCheckpoints()).as("restored from a checkpoint").isGreaterThanOrEqualTo(1);

        List<RiskAlert> committed = KafkaJobRun.alerts(KAFKA, s, IsolationLevel.READ_COMMITTED);
        AlertAssertions.assertExactly(committed, PlantedSignals.expectedAlerts(),
                KAFKA.describe(s.alertsTopic) + " " + InjectedFailure.diagnostics());
        AlertAssertions.assertPlantedEvidence(committed);
        assertDeadLetters(planted, s, KafkaJobRun.records(KAFKA, s.deadLetterTopic, IsolationLevel.READ_COMMITTED));

        List<RiskAlert> uncommitted = KafkaJobRun.alerts(KAFKA, s, IsolationLevel.READ_UNCOMMITTED);
        assertThat(uncommitted).containsAll(committed);
        System.out.printf("[exactly-once] alerts committed before the failure: %d; handed to the producer: %d; "
                        + "read_committed: %d; read_uncommitted (incl. aborted): %d; checkpoints restored: %d%n",
                committedBeforeFailure, InjectedFailure.sentToFailTopic(), committed.size(), uncommitted.size(),
                counts.getNumberOfRestoredCheckpoints());
        // The alert whose send failed (and any others of the aborted transaction) went to the producer
        // again after the restore: more sends than committed alerts.
        assertThat(InjectedFailure.sentToFailTopic()).isGreaterThanOrEqualTo(committed.size() + 1);
    }

    private static long completed(MiniCluster cluster, JobID id) throws Exception {
        return cluster.getExecutionGraph(id).get(10, TimeUnit.SECONDS)
                .getCheckpointStatsSnapshot().getCounts().getNumberOfCompletedCheckpoints();
    }

    /**
     * Keyed by account id; timestamped when written, not at detection: alerts of a replay of old events
     * must not fall out of the topic's time retention the moment they are written.
     */
    private static void assertKeyedAndTimestamped(List<ConsumerRecord<byte[], byte[]>> records) throws Exception {
        long dayAgo = System.currentTimeMillis() - 86_400_000L;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            RiskAlert a = RiskAlert.getDecoder().decode(r.value());
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(a.getAccountId());
            assertThat(r.timestamp()).isGreaterThan(dayAgo);
        }
    }

    static void assertDeadLetters(PlantedSignals planted, JobSettings s, List<ConsumerRecord<byte[], byte[]>> records)
            throws Exception {
        List<DeadLetter> letters = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) letters.add(KafkaJobRun.deadLetter(r));
        assertThat(letters).as("one dead letter per malformed record").hasSize(planted.malformed().size());

        Map<String, String> reasons = Map.of(
                planted.garbage.label, "not Avro single-object encoded",
                planted.wrongType.label, "unknown schema fingerprint for payment events",
                planted.negativeQuantity.label, "quantity must be a finite number >= 0, got -5.0",
                planted.tombstone.label, "empty record value (tombstone)");
        for (Scenario.Planned bad : planted.malformed()) {
            String topic = Scenario.topic(s, bad.topicType);
            List<Integer> at = new ArrayList<>();
            for (int i = 0; i < letters.size(); i++) {
                DeadLetter d = letters.get(i);
                if (d.getSource().equals(topic) && d.getPartition() == bad.sent.partition() && d.getOffset() == bad.sent.offset()) {
                    at.add(i);
                }
            }
            assertThat(at).as("dead letters of %s at %s", bad.label, bad.sent).hasSize(1);
            DeadLetter d = letters.get(at.get(0));
            assertThat(d.getReason()).as("reason for %s", bad.label).startsWith(reasons.get(bad.label));
            assertThat(bytes(d.getKey())).as("key of %s", bad.label).isEqualTo(bad.keyBytes());
            assertThat(bytes(d.getPayload())).as("payload of %s", bad.label)
                    .isEqualTo(bad.value == null ? new byte[0] : bad.value);
            assertThat(records.get(at.get(0)).key()).as("record key of %s", bad.label).isEqualTo(bad.keyBytes());
            assertThat(d.getRejectedAt()).isNotNull();
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        if (b == null) return null;
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
