package io.churnradar.kafka;

import static io.churnradar.kafka.Scenario.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.StreamingJob;
import io.churnradar.alerts.DeadLetter;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.config.JobSettings;
import io.churnradar.config.Rules;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.events.SubscriptionEvent;
import io.churnradar.ingest.AvroEvents;
import io.churnradar.ingest.EventType;
import io.churnradar.sink.OutputGate;
import io.churnradar.testing.FlinkTestCluster;
import io.churnradar.testing.KafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An output record the broker would refuse, on a broker with its default timestamp checks
 * ({@code message.timestamp.after.max.ms} one hour) and an alerts topic whose
 * {@code max.message.bytes} is small: the alert of a cancellation with a very long reason is too
 * large for it. It becomes a dead letter with its reason, size and first bytes; the job runs to its
 * end and every other alert arrives.
 */
class RefusedOutputRecordsTest {
    private static final int PARALLELISM = 2;
    private static final int ALERTS_MAX_MESSAGE_BYTES = 20_000;
    private static final String BIG = "acct-big-reason";

    @RegisterExtension
    @Order(1)
    static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension(PARALLELISM);

    @Test
    void aRecordTooLargeForItsTopicIsADeadLetterAndTheJobGoesOn(@TempDir Path dir) throws Exception {
        JobSettings s = KafkaJobRun.settings(KAFKA, "refused");
        KafkaJobRun.createTopics(KAFKA, s, 2);
        ConfigResource alerts = new ConfigResource(ConfigResource.Type.TOPIC, s.alertsTopic);
        KAFKA.admin().incrementalAlterConfigs(Map.of(alerts, List.of(new AlterConfigOp(
                new ConfigEntry("max.message.bytes", Integer.toString(ALERTS_MAX_MESSAGE_BYTES)), AlterConfigOp.OpType.SET))))
                .all().get(30, TimeUnit.SECONDS);

        PlantedSignals planted = new PlantedSignals(2);
        // 30,000 characters of reason, in the alert's evidence and its explanation: about 60 kB encoded.
        SubscriptionEvent cancel = SubscriptionEvent.newBuilder().setEventId("s-big").setAccountId(BIG).setEventTime(at(20, 9))
                .setAction(SubscriptionAction.CANCEL_REQUESTED).setReason("r".repeat(30_000)).build();
        planted.scenario.raw(EventType.SUBSCRIPTION, BIG, AvroEvents.encode(cancel), at(20, 9), "cancellation with a long reason");
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.producer()) {
            planted.scenario.produce(producer, s);
        }

        // Personal data allowed: the reason reaches the alert whole (by default the outputs keep free text out).
        Path rulesFile = dir.resolve("rules.yaml");
        Files.writeString(rulesFile, "version: default-1\nprivacy:\n  includePersonalData: true\n");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(FlinkTestCluster.config());
        env.setParallelism(PARALLELISM);
        env.enableCheckpointing(500);
        StreamingJob.build(env, s, Rules.load(rulesFile));
        long start = System.currentTimeMillis();
        JobClient job = env.executeAsync(StreamingJob.JOB_NAME);
        job.getJobExecutionResult().get(3, TimeUnit.MINUTES);
        long end = System.currentTimeMillis();

        List<RiskAlert> written = KafkaJobRun.alerts(KAFKA, s, IsolationLevel.READ_COMMITTED);
        AlertAssertions.assertExactly(written, PlantedSignals.expectedAlerts(), KAFKA.describe(s.alertsTopic));

        List<DeadLetter> refused = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaJobRun.records(KAFKA, s.deadLetterTopic, IsolationLevel.READ_COMMITTED)) {
            DeadLetter d = KafkaJobRun.deadLetter(r);
            if (d.getSource().equals("output:" + s.alertsTopic)) refused.add(d);
            assertThat(r.timestamp()).as("dead letter timestamp").isBetween(start, end);
        }
        assertThat(refused).as("the refused alert").hasSize(1);
        DeadLetter d = refused.get(0);
        assertThat(d.getReason()).startsWith("too large for " + s.alertsTopic + ": ")
                .contains("above its limit of " + (ALERTS_MAX_MESSAGE_BYTES))
                .containsPattern("sha256 [0-9a-f]{64}");
        assertThat(d.getPayload().remaining()).isBetween(1, OutputGate.KEPT_BYTES);
        assertThat(new String(bytes(d), java.nio.charset.StandardCharsets.UTF_8)).contains(BIG);
        assertThat(d.getKey()).isNotNull();
        assertThat(new String(bytes(d.getKey()), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(BIG);

        // The records that went through carry the time of writing, which the broker accepts.
        for (String topic : List.of(s.alertsTopic, s.accountHealthTopic, s.commandsAuditTopic)) {
            assertThat(KafkaJobRun.records(KAFKA, topic, IsolationLevel.READ_COMMITTED)).as(topic).isNotEmpty()
                    .allSatisfy(r -> assertThat(r.timestamp()).isBetween(start, end));
        }
    }

    private static byte[] bytes(DeadLetter d) {
        return bytes(d.getPayload());
    }

    private static byte[] bytes(java.nio.ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
