package io.churnradar.detect;

import static io.churnradar.detect.AlertLines.line;
import static io.churnradar.detect.AlertLines.lines;
import static io.churnradar.detect.Days.at;
import static io.churnradar.detect.Days.day;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.RiskAlert;
import io.churnradar.signals.Signal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** NPS_DETRACTOR: an NPS answer <= 6 raises at its event time; a later answer >= 7 resolves. */
class NpsDetractorTest {
    private static final String ACC = "initech";

    @Test
    void aSixRaisesAtItsEventTimeAndASevenDoesNot() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.nps(ACC, at(1, 9), 7));
            assertThat(h.alerts()).isEmpty();
            h.send(Ev.with(Ev.nps(ACC, at(2, 9), 6), e -> {
                e.userId = "u-7";
                e.comment = "Too slow since the last release";
            }));
            List<RiskAlert> out = h.alerts();
            assertThat(lines(out)).containsExactly(line(Signal.NPS_DETRACTOR, "RAISED", "MEDIUM", at(2, 9)));
            assertThat(out.get(0).getEvidence())
                    .containsEntry("score", "6")
                    .containsEntry("userId", "u-7")
                    .doesNotContainKey("comment") // free text stays out unless privacy.includePersonalData allows it
                    .doesNotContainKey("late");
            assertThat(out.get(0).getExplanation()).contains("NPS 6");
            assertThat(h.timers()).as("an event-driven signal needs no timer").isZero();
        }
    }

    @Test
    void anotherDetractorKeepsTheEpisodeAndALaterSevenResolvesIt() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.nps(ACC, at(1, 9), 2), Ev.nps(ACC, at(3, 9), 0));
            assertThat(h.newAlerts()).hasSize(1);
            h.send(Ev.nps(ACC, at(5, 9), 7));
            List<RiskAlert> out = h.newAlerts();
            assertThat(lines(out)).containsExactly(line(Signal.NPS_DETRACTOR, "RESOLVED", "MEDIUM", at(5, 9)));
            assertThat(out.get(0).getAlertId()).isEqualTo(h.alerts().get(0).getAlertId());
            assertThat(out.get(0).getEvidence()).containsEntry("score", "7");
        }
    }

    @Test
    void anAnswerOlderThanTheLatestChangesNothing() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.nps(ACC, at(5, 9), 3));
            h.send(Ev.nps(ACC, at(4, 9), 10)); // given before the detractor answer: it does not resolve it
            assertThat(lines(h.alerts())).containsExactly(line(Signal.NPS_DETRACTOR, "RAISED", "MEDIUM", at(5, 9)));
            assertThat(h.accountState(ACC).feedback.lastNpsScore).isEqualTo(3);
        }
    }

    @Test
    void thresholdsAndSeverityComeFromTheRules() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(TestRules.with(
                "signals:\n  npsDetractor: {maxScore: 4, resolveAtScore: 9, severity: HIGH}"))) {
            h.send(Ev.nps(ACC, at(1, 9), 5));
            assertThat(h.alerts()).isEmpty();
            h.send(Ev.nps(ACC, at(2, 9), 4), Ev.nps(ACC, at(3, 9), 8));
            assertThat(lines(h.alerts())).containsExactly(line(Signal.NPS_DETRACTOR, "RAISED", "HIGH", at(2, 9)));
            h.send(Ev.nps(ACC, at(4, 9), 9));
            assertThat(lines(h.alerts())).last().isEqualTo(line(Signal.NPS_DETRACTOR, "RESOLVED", "HIGH", at(4, 9)));
        }
    }

    @Test
    void switchedOff() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(TestRules.with("signals:\n  npsDetractor: {enabled: false}"))) {
            h.send(Ev.nps(ACC, at(1, 9), 0));
            h.watermark(day(10));
            assertThat(h.alerts()).isEmpty();
            assertThat(h.accountState(ACC).feedback.lastNpsScore).as("still weighs on the health score").isZero();
        }
    }

    @Test
    void aLateDetractorIsDatedAtTheWatermark() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.watermark(at(6, 0));
            h.send(Ev.nps(ACC, at(2, 9), 1));
            assertThat(lines(h.alerts())).containsExactly(line(Signal.NPS_DETRACTOR, "RAISED", "MEDIUM", at(6, 0)));
            assertThat(h.alerts().get(0).getEvidence()).containsEntry("late", "true");
        }
    }

    @Test
    void commentsAndEmailAddressesReachTheAlertOnlyWhenTheRulesAllowPersonalData() throws Exception {
        java.util.function.Function<io.churnradar.config.Rules, java.util.Map<String, String>> evidence = rules -> {
            try (DetectorHarness h = DetectorHarness.open(rules)) {
                h.send(Ev.with(Ev.nps(ACC, at(2, 9), 3), e -> {
                    e.userId = "jane.doe@example.com";
                    e.comment = "Jane here: too slow";
                }));
                return h.alerts().get(0).getEvidence();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        java.util.Map<String, String> kept = evidence.apply(DetectorHarness.signalsOnly());
        assertThat(kept).doesNotContainKey("comment");
        assertThat(kept.get("userId")).startsWith("user-").doesNotContain("@", "jane");
        assertThat(kept.toString()).doesNotContain("jane", "Jane", "example.com");
        assertThat(evidence.apply(TestRules.with("privacy: {includePersonalData: true}")))
                .containsEntry("comment", "Jane here: too slow")
                .containsEntry("userId", "jane.doe@example.com");
    }
}
