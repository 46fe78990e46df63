package io.churnradar.outcome;

import static io.churnradar.play.OutcomeEvent.Kind.ENTERED;
import static io.churnradar.play.OutcomeEvent.Kind.LOST;
import static io.churnradar.play.OutcomeEvent.Kind.SAVED;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.commands.PlaybookOutcome;
import io.churnradar.play.OutcomeEvent;
import io.churnradar.testing.FlinkTestCluster;
import io.churnradar.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Daily outcomes through a KafkaSink to a real broker: keyed by playbook, Avro values, written at wall-clock time. */
class PlaybookOutcomeKafkaTest {
    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = FlinkTestCluster.extension(2);

    private static OutcomeEvent event(String playbook, String account, boolean heldOut, OutcomeEvent.Kind kind, String at, long mrr) {
        return new OutcomeEvent(playbook, account, heldOut, kind, Instant.parse(at).toEpochMilli(), mrr);
    }

    @Test
    void recordsArriveKeyedByPlaybook() throws Exception {
        String topic = "test.playbook-outcomes";
        KAFKA.createTopics(Map.of(topic, 3));
        List<OutcomeEvent> events = List.of(
                event("call-owner", "acct-1", false, ENTERED, "2026-03-01T09:00:00Z", 10_000),
                event("discount-offer", "acct-2", true, ENTERED, "2026-03-01T10:00:00Z", 5_000),
                event("call-owner", "acct-3", false, SAVED, "2026-03-02T09:00:00Z", 8_000),
                event("discount-offer", "acct-4", true, LOST, "2026-03-02T10:00:00Z", 2_000));

        long start = System.currentTimeMillis();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(FlinkTestCluster.config());
        env.setParallelism(2);
        DailyPlaybookOutcomes.aggregate(DailyPlaybookOutcomesTest.timed(env, events, 0))
                .sinkTo(KafkaSink.<PlaybookOutcome>builder()
                        .setBootstrapServers(KAFKA.bootstrapServers())
                        .setRecordSerializer(io.churnradar.sink.AvroRecordSerializer.playbookOutcomes(topic))
                        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                        .build())
                .uid("playbook-outcomes-sink").name("Playbook outcomes to Kafka");
        env.execute("playbook outcomes to kafka");

        List<ConsumerRecord<byte[], byte[]>> records = KAFKA.readAll(topic, IsolationLevel.READ_COMMITTED);
        List<PlaybookOutcome> values = new ArrayList<>();
        Map<String, Integer> partitionOf = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            PlaybookOutcome v = PlaybookOutcome.getDecoder().decode(r.value());
            values.add(v);
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(v.getPlaybook());
            assertThat(r.timestamp()).as("written at wall-clock time, not the day").isGreaterThanOrEqualTo(start);
            int first = partitionOf.computeIfAbsent(v.getPlaybook(), k -> r.partition());
            assertThat(r.partition()).as("one partition per playbook").isEqualTo(first);
        }
        assertThat(values).containsExactlyInAnyOrder(
                new PlaybookOutcome("call-owner", "2026-03-01", 1L, 0L, 0L, 0L, 0L, 0L, 0L, 0L),
                new PlaybookOutcome("call-owner", "2026-03-02", 0L, 0L, 1L, 0L, 0L, 0L, 8_000L, 0L),
                new PlaybookOutcome("discount-offer", "2026-03-01", 0L, 1L, 0L, 0L, 0L, 0L, 0L, 0L),
                new PlaybookOutcome("discount-offer", "2026-03-02", 0L, 0L, 0L, 0L, 0L, 1L, 0L, 0L));
    }
}
