package io.churnradar.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.churnradar.config.Rules;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The backtest over feedback and subscription events: their signals, their dead letters and health.jsonl. */
class BacktestLifecycleAndFeedbackTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant DAY0 = Instant.parse("2026-05-01T00:00:00Z");
    private static final List<String> ACCOUNTS = List.of("acct-nps", "acct-csat", "acct-cancel", "acct-down", "acct-onboard");

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = BacktestEndToEndTest.cluster();

    @TempDir
    Path tmp;

    private static Instant at(int day, int hour) {
        return DAY0.plus(day, ChronoUnit.DAYS).plus(hour, ChronoUnit.HOURS);
    }

    private static String feedback(String id, String acct, Instant t, String survey, int score) {
        return String.format("{\"type\":\"feedback\",\"eventId\":\"%s\",\"accountId\":\"%s\",\"eventTime\":\"%s\",\"survey\":\"%s\",\"score\":%d,"
                + "\"comment\":\"from the test\"}", id, acct, t, survey, score);
    }

    private static String subscription(String id, String acct, Instant t, String action, String extra) {
        return String.format("{\"type\":\"subscription\",\"eventId\":\"%s\",\"accountId\":\"%s\",\"eventTime\":\"%s\",\"action\":\"%s\"%s}",
                id, acct, t, action, extra);
    }

    private static List<String> history() {
        List<String> lines = new ArrayList<>();
        for (int d = 0; d <= 20; d++) {
            for (String a : ACCOUNTS) {
                lines.add(String.format("{\"type\":\"login\",\"eventId\":\"%s-l%d\",\"accountId\":\"%s\",\"eventTime\":\"%s\"}", a, d, a, at(d, 7)));
            }
            if (d == 0) {
                lines.add(subscription("down-0", "acct-down", at(0, 8), "PLAN_CHANGED", ",\"plan\":\"pro\",\"mrrMinor\":10000,\"seats\":10"));
            }
            if (d == 1) lines.add(subscription("onb-1", "acct-onboard", at(1, 8), "STARTED", ",\"plan\":\"team\",\"mrrMinor\":5000"));
            for (String a : ACCOUNTS) {
                lines.add(String.format("{\"type\":\"usage\",\"eventId\":\"%s-u%d\",\"accountId\":\"%s\",\"eventTime\":\"%s\",\"feature\":\"reports\",\"quantity\":5}",
                        a, d, a, at(d, 10)));
            }
            switch (d) {
                case 2 -> lines.add(feedback("nps-2", "acct-nps", at(2, 11), "NPS", 3));
                case 3 -> {
                    lines.add(feedback("csat-3", "acct-csat", at(3, 11), "CSAT", 1));
                    lines.add(feedback("bad-nps", "acct-nps", at(3, 11), "NPS", 11));
                    lines.add(subscription("bad-action", "acct-cancel", at(3, 11), "PAUSED", ""));
                }
                case 4 -> lines.add(subscription("cancel-4", "acct-cancel", at(4, 12), "CANCEL_REQUESTED", ""));
                case 5 -> {
                    lines.add(feedback("nps-5", "acct-nps", at(5, 11), "NPS", 9));
                    lines.add(subscription("down-5", "acct-down", at(5, 12), "PLAN_CHANGED", ",\"plan\":\"team\",\"mrrMinor\":7000,\"seats\":10"));
                }
                case 6 -> lines.add(subscription("cancel-6", "acct-cancel", at(6, 12), "CANCELED", ",\"reason\":\"too_expensive\""));
                case 8 -> lines.add(subscription("cancel-8", "acct-cancel", at(8, 12), "REACTIVATED", ""));
                default -> {}
            }
        }
        return lines;
    }

    @Test
    void detectsFeedbackAndLifecycleSignalsAndWritesHealth() throws Exception {
        Path file = Files.write(tmp.resolve("events.jsonl"), history(), StandardCharsets.UTF_8);
        Path out = tmp.resolve("out");
        BacktestSummary s = BacktestJob.run(file, out, Rules.defaults(), Duration.ofMinutes(10), 2, BacktestEndToEndTest.flinkConfig());

        List<String> alerts = new ArrayList<>();
        for (String l : Files.readAllLines(out.resolve("alerts.jsonl"))) {
            JsonNode a = JSON.readTree(l);
            alerts.add(String.join(" ", a.get("detectedAt").asText(), a.get("accountId").asText(), a.get("signal").asText(),
                    a.get("status").asText()));
            assertThat(a.get("healthScore").asInt()).isBetween(0, 100);
            assertThat(a.get("healthTier").asText()).isIn("GREEN", "YELLOW", "RED");
        }
        assertThat(alerts).containsExactly(
                "2026-05-03T11:00:00Z acct-nps NPS_DETRACTOR RAISED",
                "2026-05-04T11:00:00Z acct-csat LOW_CSAT RAISED",
                "2026-05-05T12:00:00Z acct-cancel CANCELLATION_REQUESTED RAISED",
                "2026-05-06T11:00:00Z acct-nps NPS_DETRACTOR RESOLVED",
                "2026-05-06T12:00:00Z acct-down DOWNGRADE RAISED",
                "2026-05-07T12:00:00Z acct-cancel CHURNED RAISED",
                "2026-05-09T12:00:00Z acct-cancel CANCELLATION_REQUESTED RESOLVED",
                "2026-05-09T12:00:00Z acct-cancel CHURNED RESOLVED",
                "2026-05-16T08:00:00Z acct-onboard ONBOARDING_STALLED RAISED");

        JsonNode churned = Files.readAllLines(out.resolve("alerts.jsonl")).stream().map(BacktestLifecycleAndFeedbackTest::tree)
                .filter(a -> a.get("signal").asText().equals("CHURNED")).findFirst().orElseThrow();
        assertThat(churned.get("evidence").toString()).contains("too_expensive");

        List<String> dead = Files.readAllLines(out.resolve("dead-letter.jsonl"));
        assertThat(dead).hasSize(2);
        assertThat(dead.get(0)).contains("an NPS score must be 0..10, got 11");
        assertThat(dead.get(1)).contains("action 'PAUSED' is not one of");
        assertThat(s.deadLettered).isEqualTo(2);

        List<JsonNode> health = Files.readAllLines(out.resolve("health.jsonl")).stream().map(BacktestLifecycleAndFeedbackTest::tree).toList();
        List<JsonNode> finals = health.stream().filter(h -> h.path("final").asBoolean(false)).toList();
        assertThat(finals).extracting(h -> h.get("accountId").asText()).containsExactlyInAnyOrderElementsOf(ACCOUNTS);
        JsonNode nps = health.stream().filter(h -> !h.path("final").asBoolean(false) && h.get("accountId").asText().equals("acct-nps"))
                .reduce((first, second) -> second).orElseThrow();
        assertThat(nps.get("score").asInt()).isBetween(0, 100);
        assertThat(health.size()).isGreaterThan(finals.size());
    }

    /**
     * Three NPS answers that arrive after event time passed them (3, 9, then 2) are all dated at the watermark: an
     * episode raised and resolved there, and a second raised there. Each has an alertId of its own, and alerts.jsonl
     * keeps the order they were made in, so a reader never sees two open episodes of one signal.
     */
    @Test
    void lateAnswersMakeEpisodesWithIdsOfTheirOwnInTheOrderMade() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int d = 0; d <= 2; d++) {
            lines.add(String.format("{\"type\":\"login\",\"eventId\":\"late-l%d\",\"accountId\":\"acct-late\",\"eventTime\":\"%s\"}", d, at(d, 7)));
        }
        lines.add("{\"type\":\"login\",\"eventId\":\"clock-l2\",\"accountId\":\"acct-clock\",\"eventTime\":\"" + at(2, 12) + "\"}");
        lines.add(feedback("late-a", "acct-late", at(2, 9), "NPS", 3));
        lines.add(feedback("late-b", "acct-late", at(2, 9).plusSeconds(1800), "NPS", 9));
        lines.add(feedback("late-c", "acct-late", at(2, 9).plusSeconds(2700), "NPS", 2));
        Path file = Files.write(tmp.resolve("late.jsonl"), lines, StandardCharsets.UTF_8);
        Path out = tmp.resolve("late-out");
        BacktestJob.run(file, out, Rules.defaults(), Duration.ofMinutes(10), 2, BacktestEndToEndTest.flinkConfig());

        List<JsonNode> alerts = Files.readAllLines(out.resolve("alerts.jsonl")).stream().map(BacktestLifecycleAndFeedbackTest::tree)
                .filter(a -> a.get("signal").asText().equals("NPS_DETRACTOR")).toList();
        String floor = at(2, 12).minus(Duration.ofMinutes(10)).minusMillis(1).toString();
        assertThat(alerts).extracting(a -> a.get("status").asText() + " " + a.get("detectedAt").asText() + " " + a.get("evidence").path("late").asText())
                .containsExactly("RAISED " + floor + " true", "RESOLVED " + floor + " true", "RAISED " + floor + " true");
        assertThat(alerts.get(1).get("alertId")).isEqualTo(alerts.get(0).get("alertId"));
        assertThat(alerts.get(2).get("alertId")).isNotEqualTo(alerts.get(0).get("alertId"));
        List<String> commandIds = Files.readAllLines(out.resolve("commands.jsonl")).stream()
                .map(l -> tree(l).get("commandId").asText()).toList();
        assertThat(commandIds).doesNotHaveDuplicates();
        List<String> auditIds = Files.readAllLines(out.resolve("command-audit.jsonl")).stream()
                .map(l -> tree(l).get("commandId").asText()).toList();
        assertThat(auditIds).doesNotHaveDuplicates();
    }

    private static JsonNode tree(String line) {
        try {
            return JSON.readTree(line);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
