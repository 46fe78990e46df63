package io.churnradar.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.StreamingJob;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.commands.RetentionCommand;
import io.churnradar.config.JobSettings;
import io.churnradar.config.Rules;
import io.churnradar.testing.Deadline;
import io.churnradar.testing.FlinkTestCluster;
import io.churnradar.testing.KafkaBroker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code delivery.guarantee: at-least-once} on a real broker and MiniCluster: the sinks write without transactions,
 * so an alert is readable, read_committed as well, before any checkpoint completes; and what they write is what the
 * exactly-once job commits for the same events, record for record, so the ids consumers de-duplicate by
 * (alertId with status and severity, commandId) are the same whatever the guarantee and however often a record comes.
 */
class AtLeastOnceDeliveryTest {
    private static final int PARALLELISM = 2;
    /** Long enough that no checkpoint completes while the test reads. */
    private static final String NO_CHECKPOINT_SOON = "10 min";

    @RegisterExtension
    @Order(1)
    static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension(PARALLELISM);

    @Test
    void alertsAreReadableBeforeAnyCheckpointWithTheExactlyOnceRunsIds(@InjectMiniCluster MiniCluster cluster) throws Exception {
        // The reference: the exactly-once job, bounded, over the planted history.
        JobSettings eo = KafkaJobRun.settings(KAFKA, "eo");
        KafkaJobRun.createTopics(KAFKA, eo, 2);
        produce(eo);
        KafkaJobRun.runToEnd(eo, PARALLELISM);
        List<RiskAlert> eoAlerts = KafkaJobRun.alerts(KAFKA, eo, IsolationLevel.READ_COMMITTED);
        List<RetentionCommand> eoCommands = KafkaJobRun.commands(KAFKA, eo.commandsTopic, IsolationLevel.READ_COMMITTED);
        List<RetentionCommand> eoAudit = KafkaJobRun.commands(KAFKA, eo.commandsAuditTopic, IsolationLevel.READ_COMMITTED);
        AlertAssertions.assertExactly(eoAlerts, PlantedSignals.expectedAlerts(), KAFKA.describe(eo.alertsTopic));
        assertThat(eoCommands).isNotEmpty();

        // The same events, at least once, live (not bounded: a bounded job would wait for its final checkpoint).
        JobSettings alo = KafkaJobRun.settings(KAFKA, "alo");
        alo.delivery = JobSettings.Delivery.AT_LEAST_ONCE;
        alo.bounded = false;
        KafkaJobRun.createTopics(KAFKA, alo, 2);
        produce(alo);
        Configuration conf = FlinkTestCluster.config();
        conf.setString("execution.checkpointing.interval", NO_CHECKPOINT_SOON);
        // The first checkpoint is due at a random time between the minimum pause and the interval: both long.
        conf.setString("execution.checkpointing.min-pause", NO_CHECKPOINT_SOON);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(PARALLELISM);
        StreamingJob.build(env, alo, Rules.defaults());
        JobClient job = env.executeAsync("churn-radar-at-least-once");
        JobID id = job.getJobID();
        try {
            Deadline deadline = Deadline.in(Duration.ofMinutes(2));
            deadline.pollUntil("every alert and command of the exactly-once run, read_committed", () ->
                    KafkaJobRun.alerts(KAFKA, alo, IsolationLevel.READ_COMMITTED).size() >= eoAlerts.size()
                            && KafkaJobRun.commands(KAFKA, alo.commandsTopic, IsolationLevel.READ_COMMITTED).size() >= eoCommands.size()
                            && KafkaJobRun.commands(KAFKA, alo.commandsAuditTopic, IsolationLevel.READ_COMMITTED).size() >= eoAudit.size());
            List<RiskAlert> committed = KafkaJobRun.alerts(KAFKA, alo, IsolationLevel.READ_COMMITTED);
            List<RetentionCommand> commands = KafkaJobRun.commands(KAFKA, alo.commandsTopic, IsolationLevel.READ_COMMITTED);
            List<RetentionCommand> audit = KafkaJobRun.commands(KAFKA, alo.commandsAuditTopic, IsolationLevel.READ_COMMITTED);
            assertThat(completedCheckpoints(cluster, id)).as("checkpoints completed while the outputs were read").isZero();

            // No transactions: both isolation levels read the same records.
            assertThat(KafkaJobRun.alerts(KAFKA, alo, IsolationLevel.READ_UNCOMMITTED)).containsExactlyElementsOf(committed);
            // Record for record the exactly-once run's: same alertIds, statuses, severities, evidence; same commandIds.
            assertThat(committed).containsExactlyInAnyOrderElementsOf(eoAlerts);
            assertThat(commands).extracting(RetentionCommand::getCommandId)
                    .containsExactlyInAnyOrderElementsOf(eoCommands.stream().map(RetentionCommand::getCommandId).toList());
            assertThat(commands).containsExactlyInAnyOrderElementsOf(eoCommands);
            assertThat(audit).containsExactlyInAnyOrderElementsOf(eoAudit);
        } finally {
            job.cancel().get(1, TimeUnit.MINUTES);
        }
    }

    private static void produce(JobSettings s) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.producer()) {
            new PlantedSignals(2).scenario.produce(producer, s);
        }
    }

    private static long completedCheckpoints(MiniCluster cluster, JobID id) throws Exception {
        return cluster.getExecutionGraph(id).get(10, TimeUnit.SECONDS)
                .getCheckpointStatsSnapshot().getCounts().getNumberOfCompletedCheckpoints();
    }
}
