package io.churnradar.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.propensity.ChurnDefinition;
import io.churnradar.propensity.ChurnLabels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's figures on small hand-made outputs whose answers are known. */
class ReportFiguresTest {
    private static final Instant DAY0 = Instant.parse("2026-01-05T00:00:00Z"); // a Monday

    @TempDir
    Path dir;

    static Instant day(int d) {
        return DAY0.plus(d, ChronoUnit.DAYS).plus(10, ChronoUnit.HOURS);
    }

    static String alert(String account, String signal, String status, int d) {
        return String.format("{\"alertId\":\"%s-%s-%d\",\"accountId\":\"%s\",\"signal\":\"%s\",\"status\":\"%s\",\"detectedAt\":\"%s\"}",
                account, signal, d, account, signal, status, day(d));
    }

    /** acct-a cancels on day 40; acct-b stays active until day 200; a 30-day horizon on cancellations. */
    static LabelsView labels() {
        ChurnLabels.Builder b = ChurnLabels.builder(ChurnDefinition.parse("canceled:30d"));
        for (int d = 0; d < 10; d++) b.add(AccountEvent.login("a" + d, "acct-a", day(d).toEpochMilli()));
        b.add(AccountEvent.subscription("a-c", "acct-a", day(40).toEpochMilli(), SubscriptionAction.CANCELED));
        for (int d = 0; d <= 200; d++) b.add(AccountEvent.login("b" + d, "acct-b", day(d).toEpochMilli()));
        return new LabelsView(b.build());
    }

    @Test
    void signalsAreJudgedByTheChurnWithinTheHorizonAfterEachRaisedAlert() throws Exception {
        Files.write(dir.resolve("alerts.jsonl"), List.of(
                alert("acct-a", "INACTIVITY", "RAISED", 5), // churn 35 days later: past the horizon, wrong
                alert("acct-a", "USAGE_DROP", "RAISED", 15), // churn 25 days later: right, 25 days of lead
                alert("acct-a", "USAGE_DROP", "UPDATED", 16), // not an episode: not counted
                alert("acct-a", "USAGE_DROP", "RAISED", 20), // the same churn again: right, the lead stays the first alert's
                alert("acct-b", "INACTIVITY", "RAISED", 100), // no churn and the horizon is seen: wrong
                alert("acct-b", "USAGE_DROP", "RAISED", 190), // the history ends before the horizon: censored
                "{ not json"), StandardCharsets.UTF_8);
        JsonNode data = ReportData.of(ReportInput.of(dir).labels(labels()));

        assertThat(data.get("skippedLines").get("alerts.jsonl").asLong()).isEqualTo(1);
        JsonNode alerts = data.get("alerts");
        assertThat(alerts.get("churnMoments").asLong()).isEqualTo(1);
        assertThat(alerts.get("days").size()).isEqualTo(186); // day 5 .. day 190, every day
        assertThat(alerts.get("perDay").get("USAGE_DROP").get(10).asLong()).isEqualTo(1); // day 15
        JsonNode inactivity = alerts.get("signals").get(0);
        JsonNode usageDrop = alerts.get("signals").get(1);
        assertThat(inactivity.get("signal").asText()).isEqualTo("INACTIVITY");
        assertThat(inactivity.get("raised").asLong()).isEqualTo(2);
        assertThat(inactivity.get("truePositives").asLong()).isZero();
        assertThat(inactivity.get("falsePositives").asLong()).isEqualTo(2);
        assertThat(inactivity.get("precision").asDouble()).isZero();
        assertThat(inactivity.get("recall").asDouble()).isZero();
        assertThat(inactivity.get("leadDays").isNull()).isTrue();
        assertThat(usageDrop.get("raised").asLong()).isEqualTo(3);
        assertThat(usageDrop.get("truePositives").asLong()).isEqualTo(2);
        assertThat(usageDrop.get("censored").asLong()).isEqualTo(1);
        assertThat(usageDrop.get("precision").asDouble()).isEqualTo(1.0);
        assertThat(usageDrop.get("recall").asDouble()).isEqualTo(1.0);
        assertThat(usageDrop.get("leadDays").toString()).isEqualTo("[25.0,25.0,25.0,25.0,25.0]");
        assertThat(data.get("labels").get("definition").asText()).isEqualTo("canceled:30d");
        assertThat(data.get("model").isNull()).isTrue();
        assertThat(data.get("modelMissing").asText()).startsWith("No model was given");
        assertThat(data.get("kpis").isNull()).isTrue();
    }

    @Test
    void onInactivityAnAlertIsJudgedByTheChurnMomentsAsRecallIs() throws Exception {
        // 90 days without activity is churn, at the last activity plus 90 days. acct-back lapses after day 10 (churn
        // moment day 100) and comes back on day 105; acct-gone stops after day 150 (churn moment day 240); acct-late stops
        // after day 200 (its churn moment, day 290, is after the history); acct-busy is active every day to day 250, the
        // end of the history.
        ChurnLabels.Builder b = ChurnLabels.builder(ChurnDefinition.parse("inactivity:90d"));
        for (int d = 0; d <= 10; d++) b.add(AccountEvent.login("k" + d, "acct-back", day(d).toEpochMilli()));
        b.add(AccountEvent.login("k105", "acct-back", day(105).toEpochMilli()));
        for (int d = 0; d <= 150; d++) b.add(AccountEvent.login("g" + d, "acct-gone", day(d).toEpochMilli()));
        for (int d = 0; d <= 250; d++) b.add(AccountEvent.login("u" + d, "acct-busy", day(d).toEpochMilli()));
        for (int d = 0; d <= 200; d++) b.add(AccountEvent.login("l" + d, "acct-late", day(d).toEpochMilli()));
        Files.write(dir.resolve("alerts.jsonl"), List.of(
                alert("acct-back", "INACTIVITY", "RAISED", 24), // churned on day 100, within 90 days, though back on 105: right
                alert("acct-gone", "INACTIVITY", "RAISED", 200), // churned on day 240; the horizon runs past the history: right
                alert("acct-busy", "INACTIVITY", "RAISED", 100), // no churn, the horizon seen: wrong
                alert("acct-busy", "INACTIVITY", "RAISED", 200), // active after it: no churn moment can come within 90 days
                alert("acct-late", "INACTIVITY", "RAISED", 210)), StandardCharsets.UTF_8); // silent since day 200: may churn on day 290
        JsonNode q = ReportData.of(ReportInput.of(dir).labels(new LabelsView(b.build()))).get("alerts").get("signals").get(0);
        assertThat(q.get("truePositives").asLong()).isEqualTo(2);
        assertThat(q.get("falsePositives").asLong()).isEqualTo(2);
        assertThat(q.get("censored").asLong()).isEqualTo(1);
        // Three churn moments: acct-back's second (day 195, after its day-105 visit) had no alert.
        assertThat(q.get("recall").asDouble()).isCloseTo(2 / 3.0, within(1e-4));
    }

    @Test
    void modelScoresGiveBrierReliabilityLiftAndThresholds() throws Exception {
        // acct-a churns (day 40) within 30 days after days 15 and 20, not after day 5; acct-b never.
        Files.write(dir.resolve("scores.jsonl"), List.of(
                score("acct-a", 5, 0.2), score("acct-a", 15, 0.6), score("acct-a", 20, 0.8),
                score("acct-b", 5, 0.1), score("acct-b", 15, 0.1), score("acct-b", 20, 0.4),
                score("acct-b", 190, 0.9), // censored: not judged
                score("acct-b", 30, 1.5)), StandardCharsets.UTF_8); // not a probability: not judged
        JsonNode data = ReportData.of(ReportInput.of(dir).labels(labels()));
        JsonNode m = data.get("model");
        assertThat(m.get("rows").asLong()).isEqualTo(6);
        assertThat(m.get("positives").asLong()).isEqualTo(2);
        double brier = (0.04 + 0.16 + 0.04 + 0.01 + 0.01 + 0.16) / 6;
        assertThat(m.get("brier").asDouble()).isCloseTo(brier, within(1e-12));
        assertThat(data.get("scoresNotJudged").asLong()).isEqualTo(2);
        JsonNode half = m.get("thresholds").get(1);
        assertThat(half.get("threshold").asDouble()).isEqualTo(0.5);
        assertThat(half.get("flagged").asLong()).isEqualTo(2);
        assertThat(half.get("precision").asDouble()).isEqualTo(1.0);
        assertThat(half.get("recall").asDouble()).isEqualTo(1.0);
        JsonNode top = m.get("lift").get(0); // 0.6 of a row per decile: the riskiest rows are the churns
        assertThat(top.get("churnRate").asDouble()).isEqualTo(1.0);
        assertThat(top.get("lift").asDouble()).isCloseTo(3.0, within(1e-9));
        double rowsInDeciles = 0;
        for (JsonNode d : m.get("lift")) rowsInDeciles += d.get("rows").asDouble();
        assertThat(rowsInDeciles).isCloseTo(6, within(1e-9));
        JsonNode bin = m.get("reliability").get(0); // [0.1, 0.2): the two 0.1s of acct-b
        assertThat(bin.get("rows").asLong()).isEqualTo(2);
        assertThat(bin.get("observed").asDouble()).isZero();
    }

    static String score(String account, int d, double p) {
        return String.format("{\"accountId\":\"%s\",\"at\":\"%s\",\"probability\":%s}", account, day(d), p);
    }

    @Test
    void healthIsCountedPerWeekAtEachAccountsLatestScore() throws Exception {
        Files.write(dir.resolve("health.jsonl"), List.of(
                health("acct-a", 0, 90, false), health("acct-b", 1, 60, false), health("acct-c", 2, 30, false),
                health("acct-a", 8, 40, false), // week 2: acct-a falls to RED
                health("acct-b", 22, 80, false), // week 4; week 3 repeats week 2
                health("acct-b", 22, 80, true)), StandardCharsets.UTF_8);
        // The history runs on to day 30 (week 5) without a change.
        JsonNode h = ReportData.of(ReportInput.of(dir).run(day(0).toString(), day(30).toString(), "v1")).get("health");
        assertThat(h.get("weeks").toString()).isEqualTo("[\"2026-01-05\",\"2026-01-12\",\"2026-01-19\",\"2026-01-26\",\"2026-02-02\"]");
        assertThat(h.get("green").toString()).isEqualTo("[1,0,0,1,1]");
        assertThat(h.get("yellow").toString()).isEqualTo("[1,1,1,0,0]");
        assertThat(h.get("red").toString()).isEqualTo("[1,2,2,2,2]");
        assertThat(h.get("quantiles").get("p50").toString()).isEqualTo("[60,40,40,40,40]");
    }

    static String health(String account, int d, int score, boolean isFinal) {
        return String.format("{\"accountId\":\"%s\",\"asOf\":\"%s\",\"score\":%d,\"tier\":\"X\",\"final\":%s}", account, day(d), score, isFinal);
    }

    @Test
    void withoutLabelsAlertsAreCountedNotJudgedAndTextCannotCloseTheDataElement() throws Exception {
        Files.write(dir.resolve("alerts.jsonl"), List.of(alert("</script><b>x", "USAGE_DROP", "RAISED", 1)), StandardCharsets.UTF_8);
        JsonNode data = ReportData.of(ReportInput.of(dir));
        assertThat(data.get("alerts").get("signals").get(0).has("precision")).isFalse();
        assertThat(data.get("labelsMissing").asText()).contains("No churn labels");
        Files.write(dir.resolve("outcomes.json"), List.of("{\"playbooks\":{\"</script>\":{\"uplift\":null}}}"), StandardCharsets.UTF_8);
        assertThat(ReportWriter.json(ReportInput.of(dir))).doesNotContain("<");
    }

    @Test
    void aHistoryWithoutSubscriptionEventsGetsANoteOverThePlaybooks() throws Exception {
        // Its labels fall back to inactivity: the backtest hands the report a note, as outcomes count only a CANCELED as lost.
        ChurnLabels.Builder b = ChurnLabels.builder(ChurnDefinition.DEFAULT);
        b.add(AccountEvent.login("l1", "acct-a", day(0).toEpochMilli()));
        assertThat(b.build().definition().basis()).isEqualTo(ChurnDefinition.Basis.INACTIVITY);
        Files.write(dir.resolve("outcomes.json"), List.of("{\"playbooks\":{\"re-engagement\":{\"treated\":{\"saved\":9,\"lost\":0},"
                + "\"heldOut\":{\"saved\":1,\"lost\":0},\"uplift\":0.0}}}"), StandardCharsets.UTF_8);
        assertThat(ReportData.of(ReportInput.of(dir)).get("playbooksNote").isNull()).isTrue();
        JsonNode data = ReportData.of(ReportInput.of(dir).playbooksNote("no subscription events"));
        assertThat(data.get("playbooksNote").asText()).isEqualTo("no subscription events");
        assertThat(data.get("playbooks").get(0).get("name").asText()).isEqualTo("re-engagement");
    }
}
