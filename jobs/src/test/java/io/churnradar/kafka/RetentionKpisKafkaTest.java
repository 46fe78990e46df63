package io.churnradar.kafka;

import static io.churnradar.kafka.Scenario.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnradar.backtest.BacktestJob;
import io.churnradar.backtest.results.KpiJson;
import io.churnradar.config.JobSettings;
import io.churnradar.config.Rules;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.retention.RetentionKpi;
import io.churnradar.testing.FlinkTestCluster;
import io.churnradar.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention KPIs end to end: the backtest writes kpis.jsonl (sorted by day, then segment, exactly the
 * documented fields), and the streaming job reading the same events from a real broker writes the same
 * records to churn.kpis, once each (exactly once), keyed day|segment.
 */
class RetentionKpisKafkaTest {
    private static final int PARALLELISM = 2;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> FIELDS = List.of("day", "segment", "accountsStart", "accountsEnd", "logoChurned",
            "logoChurnRate", "mrrStartMinor", "mrrEndMinor", "newMinor", "expansionMinor", "contractionMinor", "churnedMinor",
            "reactivatedMinor", "grossMrrChurnRate", "netMrrChurnRate", "nrr", "topCancelReasons");

    @RegisterExtension
    @Order(1)
    static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension FLINK = FlinkTestCluster.extension(PARALLELISM);

    @TempDir
    Path dir;

    @Test
    void backtestAndStreamingWriteTheSameKpis() throws Exception {
        Scenario s = history();

        Path events = dir.resolve("events.jsonl");
        s.writeJsonLines(events);
        Path out = dir.resolve("backtest");
        JobSettings settings = KafkaJobRun.settings(KAFKA, "kpis");
        BacktestJob.run(events, out, Rules.defaults(), settings.maxOutOfOrderness, PARALLELISM, FlinkTestCluster.config());
        List<String> lines = Files.readAllLines(out.resolve("kpis.jsonl"), StandardCharsets.UTF_8);

        // kpis.jsonl: one object per line with exactly the documented fields, sorted by day then segment
        // (as text: mrr=100-1k before mrr=1k-10k).
        Map<String, JsonNode> backtest = new LinkedHashMap<>();
        String previous = "";
        for (String line : lines) {
            JsonNode n = JSON.readTree(line);
            List<String> names = new ArrayList<>();
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) names.add(it.next());
            assertThat(names).as(line).containsExactlyElementsOf(FIELDS);
            String key = n.get("day").asText() + "|" + n.get("segment").asText();
            assertThat(key).as("sorted by day then segment").isGreaterThan(previous);
            previous = key;
            backtest.put(key, n);
        }
        // The planted history, worked out: day 0 three new accounts; day 1 an upgrade across plan and band,
        // a seat cut and a cancellation; day 2 a reactivation; day 4 a cancellation without reason.
        assertThat(backtest.keySet()).containsExactly(
                "2026-03-02|all", "2026-03-02|mrr=0-100", "2026-03-02|mrr=100-1k", "2026-03-02|plan=basic", "2026-03-02|plan=pro",
                "2026-03-03|all", "2026-03-03|mrr=0-100", "2026-03-03|mrr=100-1k", "2026-03-03|mrr=1k-10k",
                "2026-03-03|plan=basic", "2026-03-03|plan=pro",
                "2026-03-04|all", "2026-03-04|mrr=100-1k", "2026-03-04|plan=pro",
                "2026-03-06|all", "2026-03-06|mrr=100-1k", "2026-03-06|plan=pro");
        JsonNode all1 = backtest.get("2026-03-03|all");
        assertThat(all1.get("accountsStart").asLong()).isEqualTo(3);
        assertThat(all1.get("mrrStartMinor").asLong()).isEqualTo(135_000);
        assertThat(all1.get("expansionMinor").asLong()).isEqualTo(95_000);
        assertThat(all1.get("contractionMinor").asLong()).isEqualTo(10_000);
        assertThat(all1.get("churnedMinor").asLong()).isEqualTo(80_000);
        assertThat(all1.get("mrrEndMinor").asLong()).isEqualTo(140_000);
        assertThat(all1.get("nrr").asDouble()).isEqualTo(140_000 / 135_000.0);
        assertThat(all1.get("topCancelReasons").toString()).isEqualTo("[{\"reason\":\"too_expensive\",\"count\":1}]");
        assertThat(backtest.get("2026-03-02|all").get("nrr").isNull()).as("no MRR at the start: no rate").isTrue();
        assertThat(backtest.get("2026-03-04|all").get("reactivatedMinor").asLong()).isEqualTo(80_000);
        assertThat(backtest.get("2026-03-06|all").get("topCancelReasons").toString())
                .isEqualTo("[{\"reason\":\"unknown\",\"count\":1}]");

        // The streaming job on a real broker: the same records, each once, keyed day|segment.
        KafkaJobRun.createTopics(KAFKA, settings, 2);
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.producer()) {
            s.produce(producer, settings);
        }
        KafkaJobRun.runToEnd(settings, PARALLELISM);
        Map<String, JsonNode> streaming = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : KAFKA.readAll(settings.kpisTopic, IsolationLevel.READ_COMMITTED)) {
            RetentionKpi k = RetentionKpi.getDecoder().decode(r.value());
            String key = k.getDay() + "|" + k.getSegment();
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(key);
            assertThat(streaming.put(key, JSON.readTree(KpiJson.toJson(k)))).as("one record per day and segment: " + key).isNull();
        }
        assertThat(streaming).isEqualTo(backtest);
    }

    /** Three accounts over a week, with logins on the quiet days so that event time moves on every topic. */
    private static Scenario history() {
        Scenario s = new Scenario();
        s.subscription("A", "a0", at(0, 9), SubscriptionAction.STARTED, "basic", 5_000L, null, null);
        s.subscription("B", "b0", at(0, 10), SubscriptionAction.STARTED, "pro", 50_000L, null, null);
        s.subscription("C", "c0", at(0, 11), SubscriptionAction.STARTED, "pro", 80_000L, null, null);
        // Day 1: A to pro at 1000.00 (plan basic -> pro, band 0-100 -> 1k-10k), B cuts to 400.00, C cancels.
        s.subscription("A", "a1", at(1, 9), SubscriptionAction.PLAN_CHANGED, "pro", 100_000L, null, null);
        s.subscription("B", "b1", at(1, 10), SubscriptionAction.SEATS_CHANGED, null, 40_000L, null, null);
        s.subscription("C", "c1", at(1, 11), SubscriptionAction.CANCELED, null, 0L, "too_expensive", null);
        // Day 2: C is back at 800.00. Day 4: B cancels without a reason.
        s.subscription("C", "c2", at(2, 9), SubscriptionAction.REACTIVATED, "pro", 80_000L, null, null);
        s.subscription("B", "b4", at(4, 9), SubscriptionAction.CANCELED, null, 0L, null, null);
        for (int d = 0; d <= 7; d++) {
            for (String a : List.of("A", "B", "C")) s.login(a, a + "-login-" + d, at(d, 12), null);
        }
        return s;
    }
}
