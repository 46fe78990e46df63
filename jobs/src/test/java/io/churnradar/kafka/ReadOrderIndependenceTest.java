package io.churnradar.kafka;

import static io.churnradar.kafka.Scenario.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnradar.alerts.AccountHealth;
import io.churnradar.backtest.BacktestJob;
import io.churnradar.backtest.results.AlertJson;
import io.churnradar.backtest.results.CommandJson;
import io.churnradar.backtest.results.HealthJson;
import io.churnradar.config.JobSettings;
import io.churnradar.config.Rules;
import io.churnradar.detect.ChurnDetector;
import io.churnradar.ingest.EventType;
import io.churnradar.testing.FlinkTestCluster;
import io.churnradar.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9: the same events read in two different orders by the streaming job (a real broker, the real job
 * on a MiniCluster, two partitions per event topic) give the same alerts with the same health score and
 * tier, the same health updates and the same commands, and those are the backtest's of the same events.
 * The first run reads the topics as they fill, in event-time order; the second reads one topic after the
 * other (every topic runs ahead of the others in turn, days ahead of the watermark) and a few events of one
 * partition in reverse order within the out-of-orderness bound.
 */
class ReadOrderIndependenceTest {
    private static final int PARALLELISM = 2;
    private static final int PARTITIONS = 2;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLOSE = "acct-close";

    @RegisterExtension
    @Order(1)
    static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension(PARALLELISM);

    @TempDir
    Path dir;

    /** Every output of one run, each as parsed JSON (compared as multisets: partitions interleave their records). */
    record Outputs(List<JsonNode> alerts, List<JsonNode> health, List<JsonNode> audit, List<JsonNode> commands) {}

    @Test
    void twoReadOrdersAndTheBacktestGiveTheSameAlertsScoresHealthAndCommands() throws Exception {
        PlantedSignals planted = new PlantedSignals(PARTITIONS);
        Scenario scenario = planted.scenario;
        // Three uses 2 s apart on one partition, sent newest first in the second run: within the 5 s bound, not late.
        Instant t = at(10, 9);
        for (int i = 0; i < 3; i++) scenario.usage(CLOSE, "close-" + i, t.plusSeconds(2L * i), "api", 5 + i, 0);
        for (int d = 0; d <= PlantedSignals.LAST_DAY; d += 2) scenario.login(CLOSE, "close-l-" + d, at(d, 8), null);

        List<Scenario.Planned> inOrder = scenario.inSendOrder();
        List<Scenario.Planned> topicByTopic = new ArrayList<>(inOrder);
        EventType[] types = EventType.values();
        // Topic after topic, the last first; within a topic as planned, but the three close uses swapped in place
        // (newest first, where the oldest was): out of order within their partition by 4 s, less than the bound.
        topicByTopic.sort(Comparator.<Scenario.Planned>comparingInt(p -> types.length - p.topicType.ordinal())
                .thenComparingLong(p -> p.sendAt).thenComparingInt(p -> p.seq));
        List<Integer> close = new ArrayList<>();
        for (int i = 0; i < topicByTopic.size(); i++) {
            String label = topicByTopic.get(i).label;
            if (label.startsWith("close-") && !label.startsWith("close-l")) close.add(i);
        }
        List<Scenario.Planned> reversed = new ArrayList<>();
        for (int i : close) reversed.add(0, topicByTopic.get(i));
        for (int k = 0; k < close.size(); k++) topicByTopic.set(close.get(k), reversed.get(k));

        JobSettings first = KafkaJobRun.settings(KAFKA, "order-a");
        Outputs a = run(first, inOrder);
        JobSettings second = KafkaJobRun.settings(KAFKA, "order-b");
        Outputs b = run(second, topicByTopic);

        assertThat(a.alerts()).isNotEmpty();
        assertThat(a.health()).isNotEmpty();
        assertThat(a.commands()).isNotEmpty();
        assertThat(b.alerts()).as("alerts, health score and tier included").containsExactlyInAnyOrderElementsOf(a.alerts());
        assertThat(b.health()).as("health updates").containsExactlyInAnyOrderElementsOf(a.health());
        assertThat(b.audit()).as("playbook decisions").containsExactlyInAnyOrderElementsOf(a.audit());
        assertThat(b.commands()).as("commands").containsExactlyInAnyOrderElementsOf(a.commands());

        Path events = dir.resolve("events.jsonl");
        scenario.writeJsonLines(events);
        Path out = dir.resolve("backtest");
        BacktestJob.run(events, out, Rules.defaults(), first.maxOutOfOrderness, PARALLELISM, FlinkTestCluster.config());
        List<JsonNode> backtestHealth = new ArrayList<>();
        for (JsonNode h : lines(out.resolve("health.jsonl"))) {
            if (!h.get("final").asBoolean()) backtestHealth.add(h);
        }
        assertThat(a.alerts()).as("streaming alerts against the backtest's").containsExactlyInAnyOrderElementsOf(lines(out.resolve("alerts.jsonl")));
        assertThat(a.health()).as("streaming health against the backtest's").containsExactlyInAnyOrderElementsOf(backtestHealth);
        assertThat(a.audit()).as("streaming decisions against the backtest's")
                .containsExactlyInAnyOrderElementsOf(lines(out.resolve("command-audit.jsonl")));
        assertThat(a.commands()).containsExactlyInAnyOrderElementsOf(lines(out.resolve("commands.jsonl")));
    }

    private static Outputs run(JobSettings s, List<Scenario.Planned> order) throws Exception {
        KafkaJobRun.createTopics(KAFKA, s, PARTITIONS);
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.producer()) {
            for (Scenario.Planned p : order) {
                long ts = p.event != null ? ((Instant) p.event.get(p.event.getSchema().getField("eventTime").pos())).toEpochMilli() : p.sendAt;
                producer.send(new ProducerRecord<>(Scenario.topic(s, p.topicType), p.partition, ts, p.keyBytes(), p.value))
                        .get(30, TimeUnit.SECONDS);
            }
        }
        JobExecutionResult result = KafkaJobRun.runToEnd(s, PARALLELISM);
        assertThat(result.<Long>getAccumulatorResult(ChurnDetector.LATE)).as("no event late within the bound").isZero();
        assertThat(result.<Long>getAccumulatorResult(ChurnDetector.RELEASED_EARLY)).isZero();
        List<JsonNode> alerts = new ArrayList<>();
        for (var alert : KafkaJobRun.alerts(KAFKA, s, IsolationLevel.READ_COMMITTED)) alerts.add(JSON.readTree(AlertJson.toJson(alert)));
        List<JsonNode> health = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaJobRun.records(KAFKA, s.accountHealthTopic, IsolationLevel.READ_COMMITTED)) {
            health.add(JSON.readTree(HealthJson.toJson(AccountHealth.getDecoder().decode(r.value()), false)));
        }
        List<JsonNode> audit = new ArrayList<>();
        for (var c : KafkaJobRun.commands(KAFKA, s.commandsAuditTopic, IsolationLevel.READ_COMMITTED)) audit.add(JSON.readTree(CommandJson.toJson(c)));
        List<JsonNode> commands = new ArrayList<>();
        for (var c : KafkaJobRun.commands(KAFKA, s.commandsTopic, IsolationLevel.READ_COMMITTED)) commands.add(JSON.readTree(CommandJson.toJson(c)));
        return new Outputs(alerts, health, audit, commands);
    }

    private static List<JsonNode> lines(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) out.add(JSON.readTree(line));
        }
        return out;
    }
}
