package io.churnradar.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnradar.alerts.AccountHealth;
import io.churnradar.alerts.HealthComponent;
import io.churnradar.alerts.HealthTier;
import io.churnradar.backtest.results.BacktestRecord;
import io.churnradar.config.Rules;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** health.jsonl: every change in order, then the last score of each account; and the backtest writes it. */
class HealthOutputTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = BacktestEndToEndTest.cluster();

    @TempDir
    Path tmp;

    private long seq;

    private BacktestRecord update(String account, String asOf, int score) {
        AccountHealth h = AccountHealth.newBuilder()
                .setAccountId(account)
                .setScore(score)
                .setTier(score >= 70 ? HealthTier.GREEN : score >= 40 ? HealthTier.YELLOW : HealthTier.RED)
                .setComponents(List.of(
                        new HealthComponent("usageTrend", (double) score, 60.0, score * 0.6),
                        new HealthComponent("loginRecency", (double) score, 40.0, score * 0.4)))
                .setAsOf(Instant.parse(asOf))
                .setRuleVersion("v2")
                .build();
        BacktestRecord r = BacktestJob.fromHealth(h);
        r.seq = seq++;
        return r;
    }

    @Test
    void changesInTimeOrderThenTheLastScoreOfEachAccount() throws Exception {
        List<BacktestRecord> arrived = List.of(
                update("acct-b", "2026-03-02T00:00:00Z", 80),
                update("acct-a", "2026-03-03T00:00:00Z", 75),
                update("acct-b", "2026-03-02T00:00:00Z", 60), // same instant: after the one made before it
                update("acct-a", "2026-03-01T00:00:00Z", 90), // made last, though dated earlier: acct-a's final score
                update("acct-c", "2026-03-02T00:00:00Z", 30));

        List<JsonNode> lines = new ArrayList<>();
        for (String l : BacktestJob.healthLines(arrived)) lines.add(JSON.readTree(l));

        assertThat(lines).extracting(n -> n.get("asOf").asText() + " " + n.get("accountId").asText() + " "
                        + n.get("score").asInt() + " " + n.get("final").asBoolean())
                .containsExactly(
                        "2026-03-01T00:00:00Z acct-a 90 false",
                        "2026-03-02T00:00:00Z acct-b 80 false",
                        "2026-03-02T00:00:00Z acct-b 60 false",
                        "2026-03-02T00:00:00Z acct-c 30 false",
                        "2026-03-03T00:00:00Z acct-a 75 false",
                        "2026-03-01T00:00:00Z acct-a 90 true",
                        "2026-03-02T00:00:00Z acct-b 60 true",
                        "2026-03-02T00:00:00Z acct-c 30 true");
        JsonNode first = lines.get(0);
        assertThat(first.get("tier").asText()).isEqualTo("GREEN");
        assertThat(first.get("ruleVersion").asText()).isEqualTo("v2");
        assertThat(first.get("components").get(0).get("name").asText()).isEqualTo("usageTrend");
        assertThat(first.get("components").get(0).get("contribution").asDouble()).isEqualTo(54.0);
        assertThat(first.get("components").get(1).get("weight").asDouble()).isEqualTo(40.0);
        List<String> fields = new ArrayList<>();
        first.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("accountId", "asOf", "score", "tier", "components", "ruleVersion", "final");
    }

    @Test
    void theBacktestWritesHealthAndCountsItInTheSummary() throws Exception {
        Path events = Files.write(tmp.resolve("events.jsonl"), new PlantedHistory().lines, StandardCharsets.UTF_8);
        Path out = tmp.resolve("out");
        BacktestSummary s = BacktestJob.run(events, out, Rules.defaults(), Duration.ofMinutes(10), 2, BacktestEndToEndTest.flinkConfig());

        List<String> lines = Files.readAllLines(out.resolve("health.jsonl"));
        assertThat((long) lines.size()).isEqualTo(s.healthUpdates + s.healthAccounts);
        Set<String> finalAccounts = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            JsonNode n = JSON.readTree(lines.get(i));
            boolean isFinal = n.get("final").asBoolean();
            assertThat(isFinal).as("line %d: the final lines come last", i + 1).isEqualTo(i >= s.healthUpdates);
            if (isFinal) assertThat(finalAccounts.add(n.get("accountId").asText())).as("one final line per account").isTrue();
        }
        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        assertThat(summary.get("healthUpdates").asLong()).isEqualTo(s.healthUpdates);
        assertThat(summary.get("healthAccounts").asLong()).isEqualTo(s.healthAccounts);
    }

    @Test
    void withAModelEveryScoredDayCloseIsInScoresJsonlAndOnItsHealthLine() throws Exception {
        Path events = Files.write(tmp.resolve("events.jsonl"), new PlantedHistory().lines, StandardCharsets.UTF_8);
        Path out = tmp.resolve("scored");
        Rules rules = Rules.defaults().withModel(io.churnradar.config.ModelReference.of(
                io.churnradar.testing.TestChurnModels.write(tmp.resolve("model.json"))));
        BacktestSummary s = BacktestJob.run(events, out, rules, Duration.ofMinutes(10), 2, BacktestEndToEndTest.flinkConfig());

        List<String> scores = Files.readAllLines(out.resolve("scores.jsonl"));
        assertThat(scores).isNotEmpty();
        assertThat((long) scores.size()).isEqualTo(s.churnScores);
        assertThat(s.model).contains("inactivity:30d");
        // Sorted by day close, then account; one line per account and close; each a day close.
        List<String> keys = new ArrayList<>();
        Set<String> probabilities = new HashSet<>();
        for (String l : scores) {
            JsonNode n = JSON.readTree(l);
            List<String> fields = new ArrayList<>();
            n.fieldNames().forEachRemaining(fields::add);
            assertThat(fields).containsExactly("accountId", "at", "probability");
            assertThat(Instant.parse(n.get("at").asText()).toEpochMilli() % 86_400_000L).isZero();
            assertThat(n.get("probability").asDouble()).isBetween(0.0, 1.0);
            keys.add(n.get("at").asText() + " " + n.get("accountId").asText());
            probabilities.add(n.get("at").asText() + " " + n.get("accountId").asText() + " " + n.get("probability").asDouble());
        }
        assertThat(keys).isSorted().doesNotHaveDuplicates();
        // The same probabilities ride on the health lines of those closes.
        Set<String> onHealth = new HashSet<>();
        for (String l : Files.readAllLines(out.resolve("health.jsonl"))) {
            JsonNode n = JSON.readTree(l);
            if (n.has("churnProbability") && !n.get("final").asBoolean()) {
                onHealth.add(n.get("churnScoredAt").asText() + " " + n.get("accountId").asText() + " " + n.get("churnProbability").asDouble());
            }
        }
        assertThat(onHealth).isEqualTo(probabilities);
        assertThat(JSON.readTree(out.resolve("summary.json").toFile()).get("churnScores").asLong()).isEqualTo(s.churnScores);
        assertThat(s.alerts).containsKey("CHURN_RISK");
    }
}
