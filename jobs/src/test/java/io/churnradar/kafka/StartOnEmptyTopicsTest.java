package io.churnradar.kafka;

import static io.churnradar.kafka.Scenario.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnradar.StreamingJob;
import io.churnradar.alerts.AccountHealth;
import io.churnradar.backtest.BacktestJob;
import io.churnradar.backtest.results.AlertJson;
import io.churnradar.backtest.results.CommandJson;
import io.churnradar.backtest.results.HealthJson;
import io.churnradar.config.JobSettings;
import io.churnradar.config.Rules;
import io.churnradar.events.PaymentStatus;
import io.churnradar.events.TicketStatus;
import io.churnradar.testing.Deadline;
import io.churnradar.testing.FlinkTestCluster;
import io.churnradar.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9: a job deployed on new, empty topics, into which a history is then written at full speed (a
 * backfill, or producers switched over at once). Every partition holds nothing when its reader gets it, so
 * each is idle until its first record; the partitions then wake one after the other, each a moment after
 * the last, while the ones already awake move event time days ahead. Their first records must not be late:
 * the alerts with their scores, the health updates and the commands equal the backtest's of the same events.
 */
class StartOnEmptyTopicsTest {
    private static final int PARALLELISM = 2;
    private static final int PARTITIONS = 2;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Compared: everything dated before this; the clocks' last tick (below) moves event time well past it. */
    private static final Instant CUTOFF = at(PlantedSignals.LAST_DAY + 10, 0);

    @RegisterExtension
    @Order(1)
    static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension(PARALLELISM);

    @TempDir
    Path dir;

    record Outputs(List<JsonNode> alerts, List<JsonNode> health, List<JsonNode> commands) {}

    @Test
    void aHistoryWrittenIntoEmptyTopicsAfterTheStartGivesTheBacktestsOutputs() throws Exception {
        PlantedSignals planted = new PlantedSignals(PARTITIONS);
        Scenario scenario = planted.scenario;
        // Three last ticks of every clock, 20 days on at an odd second: event time then passes CUTOFF on every
        // partition, and the running job has decided everything dated before it. Three, a second apart: a step of 20
        // days is a leap, which counts once three events agree (NewestEventTime).
        Instant last = at(PlantedSignals.LAST_DAY + 20, 12).plusSeconds(2_096);
        for (int p = 0; p < PARTITIONS; p++) {
            String clock = "clock-" + p;
            for (int k = 0; k < 3; k++) {
                Instant tick = last.plusSeconds(k);
                scenario.login(clock, clock + "-last-login-" + k, tick, p);
                scenario.usage(clock, clock + "-last-usage-" + k, tick, "ping", 1, p);
                scenario.ticket(clock, clock + "-last-ticket-" + k, tick, clock + "-t", TicketStatus.UPDATED, p);
                scenario.payment(clock, clock + "-last-pay-" + k, tick, PaymentStatus.SUCCEEDED, null, p);
            }
        }

        Path events = dir.resolve("events.jsonl");
        scenario.writeJsonLines(events);
        Path out = dir.resolve("backtest");
        JobSettings s = KafkaJobRun.settings(KAFKA, "empty-start");
        s.bounded = false;
        BacktestJob.run(events, out, Rules.defaults(), s.maxOutOfOrderness, PARALLELISM, FlinkTestCluster.config());
        Outputs expected = new Outputs(
                before(lines(out.resolve("alerts.jsonl")), "detectedAt"),
                before(lines(out.resolve("health.jsonl")).stream().filter(h -> !h.get("final").asBoolean()).toList(), "asOf"),
                before(lines(out.resolve("commands.jsonl")), "issuedAt"));
        assertThat(expected.alerts()).isNotEmpty();

        KafkaJobRun.createTopics(KAFKA, s, PARTITIONS);
        LogCapture log = LogCapture.begin();
        JobClient job = KafkaJobRun.environment(s, PARALLELISM, new Configuration()).executeAsync(StreamingJob.JOB_NAME);
        try {
            // Every partition of every event topic is taken for empty, and idle, before the first record is written.
            int partitions = s.eventTopics().size() * PARTITIONS;
            Deadline.in(Duration.ofSeconds(90)).pollUntil("every event partition marked idle at assignment",
                    () -> idleAtAssignment(log.text()) >= partitions);
            // The whole history at once, in event-time order, without waiting for each acknowledgement.
            try (KafkaProducer<byte[], byte[]> producer = KAFKA.producer()) {
                List<Future<RecordMetadata>> sent = new ArrayList<>();
                for (Scenario.Planned p : scenario.inSendOrder()) {
                    long ts = p.event != null ? ((Instant) p.event.get(p.event.getSchema().getField("eventTime").pos())).toEpochMilli() : p.sendAt;
                    sent.add(producer.send(new ProducerRecord<>(Scenario.topic(s, p.topicType), p.partition, ts, p.keyBytes(), p.value)));
                }
                producer.flush();
                for (Future<RecordMetadata> f : sent) f.get(30, TimeUnit.SECONDS);
            }
            Outputs[] seen = new Outputs[1];
            try {
                Deadline.in(Duration.ofMinutes(2)).pollUntil("the running job's outputs before " + CUTOFF, () -> {
                    seen[0] = read(s);
                    return seen[0].alerts().size() >= expected.alerts().size()
                            && seen[0].health().size() >= expected.health().size()
                            && seen[0].commands().size() >= expected.commands().size();
                });
            } catch (AssertionError timedOut) {
                // Compared below, so that the failure shows what differs.
            }
            Outputs stream = seen[0];
            assertThat(stream.alerts()).as("alerts, health score and tier included").containsExactlyInAnyOrderElementsOf(expected.alerts());
            assertThat(stream.health()).as("health updates").containsExactlyInAnyOrderElementsOf(expected.health());
            assertThat(stream.commands()).as("commands").containsExactlyInAnyOrderElementsOf(expected.commands());
        } finally {
            log.stop();
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    private static int idleAtAssignment(String log) {
        int n = 0;
        for (String line : log.split("\n")) {
            int i = line.indexOf("idle until their first record: [");
            if (i < 0) continue;
            String list = line.substring(line.indexOf('[', i) + 1, line.lastIndexOf(']'));
            n += list.isBlank() ? 0 : list.split(",").length;
        }
        return n;
    }

    private static Outputs read(JobSettings s) throws Exception {
        List<JsonNode> alerts = new ArrayList<>();
        for (var alert : KafkaJobRun.alerts(KAFKA, s, IsolationLevel.READ_COMMITTED)) alerts.add(JSON.readTree(AlertJson.toJson(alert)));
        List<JsonNode> health = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaJobRun.records(KAFKA, s.accountHealthTopic, IsolationLevel.READ_COMMITTED)) {
            health.add(JSON.readTree(HealthJson.toJson(AccountHealth.getDecoder().decode(r.value()), false)));
        }
        List<JsonNode> commands = new ArrayList<>();
        for (var c : KafkaJobRun.commands(KAFKA, s.commandsTopic, IsolationLevel.READ_COMMITTED)) commands.add(JSON.readTree(CommandJson.toJson(c)));
        return new Outputs(before(alerts, "detectedAt"), before(health, "asOf"), before(commands, "issuedAt"));
    }

    private static List<JsonNode> before(List<JsonNode> records, String timeField) {
        Function<JsonNode, Instant> time = n -> Instant.parse(n.get(timeField).asText());
        return records.stream().filter(n -> time.apply(n).isBefore(CUTOFF)).toList();
    }

    private static List<JsonNode> lines(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) out.add(JSON.readTree(line));
        }
        return out;
    }
}
