package io.churnradar.detect;

import static io.churnradar.detect.AlertLines.line;
import static io.churnradar.detect.AlertLines.lines;
import static io.churnradar.detect.Days.at;
import static io.churnradar.detect.Days.day;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.RiskAlert;
import io.churnradar.commands.RetentionCommand;
import io.churnradar.config.Rules;
import io.churnradar.signals.Signal;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
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

    /**
     * Answers of one account at one instant, 3, 9, 2, 10, 1: raised, resolved, raised, resolved, raised. Three episodes
     * start at that instant; each gets an alertId of its own (the first the id an episode always had), so that the later
     * ones' alerts and their playbook's commands are not taken for repeats of the first's. The open episode keeps its id
     * in RocksDB and across a snapshot, and the next instant's episode is named as any other.
     */
    @Test
    void episodesRaisedAgainAtOneInstantHaveIdsOfTheirOwn() throws Exception {
        OperatorSubtaskState snapshot;
        String third;
        try (DetectorHarness h = DetectorHarness.open(Rules.defaults(), new EmbeddedRocksDBStateBackend())) {
            long t = at(2, 9);
            h.send(Ev.nps(ACC, t, 3), Ev.nps(ACC, t, 9), Ev.nps(ACC, t, 2), Ev.nps(ACC, t, 10), Ev.nps(ACC, t, 1));
            List<RiskAlert> out = h.alerts();
            assertThat(lines(out)).containsExactly(
                    line(Signal.NPS_DETRACTOR, "RAISED", "MEDIUM", t),
                    line(Signal.NPS_DETRACTOR, "RESOLVED", "MEDIUM", t),
                    line(Signal.NPS_DETRACTOR, "RAISED", "MEDIUM", t),
                    line(Signal.NPS_DETRACTOR, "RESOLVED", "MEDIUM", t),
                    line(Signal.NPS_DETRACTOR, "RAISED", "MEDIUM", t));
            List<String> ids = out.stream().map(RiskAlert::getAlertId).toList();
            assertThat(ids.get(0)).isEqualTo(Alerts.alertId(ACC, Signal.NPS_DETRACTOR, t)).isEqualTo(ids.get(1));
            assertThat(ids.get(2)).isEqualTo(ids.get(3));
            assertThat(java.util.Set.copyOf(ids)).hasSize(3);
            assertThat(h.commands()).as("the close-the-loop playbook of each episode").hasSizeGreaterThanOrEqualTo(3)
                    .extracting(RetentionCommand::getCommandId).doesNotHaveDuplicates();
            third = ids.get(4);
            snapshot = h.snapshot(1);
        }
        try (DetectorHarness h = DetectorHarness.restore(snapshot, new EmbeddedRocksDBStateBackend())) {
            h.send(Ev.nps(ACC, at(5, 9), 10), Ev.nps(ACC, at(6, 9), 0));
            List<RiskAlert> out = h.alerts();
            assertThat(lines(out)).containsExactly(
                    line(Signal.NPS_DETRACTOR, "RESOLVED", "MEDIUM", at(5, 9)),
                    line(Signal.NPS_DETRACTOR, "RAISED", "MEDIUM", at(6, 9)));
            assertThat(out.get(0).getAlertId()).isEqualTo(third);
            assertThat(out.get(1).getAlertId()).isEqualTo(Alerts.alertId(ACC, Signal.NPS_DETRACTOR, at(6, 9)));
            assertThat(h.accountState(ACC).endedAtStartAt).as("forgotten at a later instant's alert")
                    .isEqualTo(AccountState.NONE);
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
