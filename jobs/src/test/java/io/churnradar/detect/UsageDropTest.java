package io.churnradar.detect;

import static io.churnradar.detect.AlertLines.line;
import static io.churnradar.detect.AlertLines.lines;
import static io.churnradar.detect.Days.at;
import static io.churnradar.detect.Days.date;
import static io.churnradar.detect.Days.day;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.AlertStatus;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.alerts.Severity;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.signals.Signal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * USAGE_DROP: at the close of day D, cur = usage over D-6..D and prev = over D-13..D-7; raised when
 * prev >= 10 and cur <= 0.70 * prev, once the account's first event is at least 13 days before D.
 */
class UsageDropTest {
    private static final String ACC = "acme";

    /** Usage on days 0..6 adding up to 10, then days 7..13 adding up to {@code lastDay + 6}. */
    private static List<AccountEvent> tenThenSixPlus(double lastDay) {
        List<AccountEvent> events = new ArrayList<>();
        double[] prev = {1, 1, 1, 1, 2, 2, 2};
        for (int d = 0; d < 7; d++) events.add(Ev.usage(ACC, at(d, 9), prev[d]));
        for (int d = 7; d < 13; d++) events.add(Ev.usage(ACC, at(d, 9), 1));
        events.add(Ev.usage(ACC, at(13, 9), lastDay));
        return events;
    }

    @Test
    void aDropOfExactlyThirtyPercentRaisesAtTheDayClose() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(tenThenSixPlus(1).toArray(AccountEvent[]::new));
            h.watermark(day(14) - 1);
            assertThat(h.newAlerts()).isEmpty();

            h.watermark(day(14));
            List<RiskAlert> out = h.newAlerts();
            assertThat(lines(out)).containsExactly(line(Signal.USAGE_DROP, "RAISED", "HIGH", day(14)));
            RiskAlert a = out.get(0);
            assertThat(a.getAccountId()).isEqualTo(ACC);
            assertThat(a.getEpisodeStart()).isEqualTo(a.getDetectedAt());
            assertThat(a.getAlertId()).isEqualTo(Alerts.alertId(ACC, Signal.USAGE_DROP, day(14)));
            assertThat(a.getRuleVersion()).isEqualTo("default-1");
            assertThat(a.getEvidence())
                    .containsEntry("cur", "7")
                    .containsEntry("prev", "10")
                    .containsEntry("dropPercent", "30")
                    .containsEntry("curWindow", date(7) + ".." + date(13))
                    .containsEntry("prevWindow", date(0) + ".." + date(6))
                    .doesNotContainKey("late");
            assertThat(a.getExplanation()).contains("30");
        }
    }

    @Test
    void aDropJustUnderThirtyPercentDoesNotRaise() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(tenThenSixPlus(1.1).toArray(AccountEvent[]::new)); // cur = 7.1 against prev = 10
            h.watermark(day(15) - 1);
            assertThat(h.alerts()).isEmpty();
        }
    }

    @Test
    void noVerdictWhileTheBaselineIsUnderTen() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            // 9.9 in the first week, then nothing at all: a 100% drop, but from too small a baseline.
            for (int d = 0; d < 7; d++) h.send(Ev.usage(ACC, at(d, 9), d == 6 ? 3.9 : 1));
            h.send(Ev.login(ACC, at(0, 8)));
            h.watermark(day(14) - 1);
            // Keep the account alive with logins so that nothing but the baseline rule stands in the way.
            for (int d = 7; d <= 30; d += 7) h.send(Ev.login(ACC, at(d, 8)));
            h.watermark(day(31));
            assertThat(h.alerts()).isEmpty();
        }
    }

    @Test
    void aBaselineOfExactlyTenCounts() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            for (int d = 0; d < 7; d++) h.send(Ev.usage(ACC, at(d, 9), d == 6 ? 4 : 1)); // 10
            h.watermark(day(14));
            assertThat(lines(h.alerts())).containsExactly(line(Signal.USAGE_DROP, "RAISED", "HIGH", day(14)));
            assertThat(h.alerts().get(0).getEvidence()).containsEntry("prev", "10").containsEntry("cur", "0")
                    .containsEntry("dropPercent", "100");
        }
    }

    @Test
    void needsThirteenDaysOfHistoryBeforeTheClosedDay() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            // First event on day 0; the drop already holds at the close of day 12 (prev = days -1..5).
            h.send(Ev.usage(ACC, at(0, 9), 20));
            h.watermark(day(13)); // closes day 12: day 0 is only 12 days before it
            assertThat(h.alerts()).isEmpty();
            h.watermark(day(14)); // closes day 13: day 0 is 13 days before it
            assertThat(lines(h.alerts())).containsExactly(line(Signal.USAGE_DROP, "RAISED", "HIGH", day(14)));
        }
    }

    @Test
    void historyCountsFromTheFirstEventOfAnyType() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.login(ACC, at(-1, 9)), Ev.usage(ACC, at(0, 9), 20));
            h.watermark(day(12));
            assertThat(h.alerts()).isEmpty();
            h.watermark(day(13)); // closes day 12, 13 days after the login of day -1
            assertThat(lines(h.alerts())).containsExactly(line(Signal.USAGE_DROP, "RAISED", "HIGH", day(13)));
            assertThat(h.alerts().get(0).getEvidence()).containsEntry("prevWindow", date(-1) + ".." + date(5));
        }
    }

    @Test
    void completeSilenceRaisesThroughTimersAloneAndStaysInItsEpisode() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            for (int d = 0; d < 7; d++) h.send(Ev.usage(ACC, at(d, 9), 2));
            // No event after day 6: only the passing of event time can raise the alert.
            for (int d = 7; d <= 13; d++) {
                h.watermark(day(d));
                assertThat(h.alerts()).as("after the close of day %d", d - 1).isEmpty();
                assertThat(h.timers()).isEqualTo(1);
            }
            h.watermark(day(14) - 1);
            assertThat(h.alerts()).isEmpty();

            h.watermark(day(14));
            List<RiskAlert> out = h.newAlerts();
            assertThat(lines(out)).containsExactly(line(Signal.USAGE_DROP, "RAISED", "HIGH", day(14)));
            assertThat(out.get(0).getEvidence()).containsEntry("cur", "0").containsEntry("prev", "14")
                    .containsEntry("dropPercent", "100");

            // Still silent weeks later: no repeat and no resolution.
            h.watermark(day(60));
            assertThat(h.newAlerts()).isEmpty();
        }
    }

    @Test
    void aWatermarkJumpDatesTheAlertAtTheDayCloseNotAtTheWatermark() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            for (int d = 0; d < 7; d++) h.send(Ev.usage(ACC, at(d, 9), 2));
            h.watermark(day(30));
            assertThat(lines(h.alerts())).containsExactly(line(Signal.USAGE_DROP, "RAISED", "HIGH", day(14)));
        }
    }

    @Test
    void recoveryResolvesTheEpisodeWithTheSameAlertId() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            for (int d = 0; d < 7; d++) h.send(Ev.usage(ACC, at(d, 9), 2));
            h.watermark(day(14));
            RiskAlert raised = h.newAlerts().get(0);
            assertThat(raised.getStatus()).isEqualTo(AlertStatus.RAISED);

            // Usage is back on day 14: at its close cur = 20 against prev = 12 (days 1..7).
            h.send(Ev.usage(ACC, at(14, 10), 20));
            h.watermark(day(15) - 1);
            assertThat(h.newAlerts()).isEmpty();
            h.watermark(day(15));
            List<RiskAlert> out = h.newAlerts();
            assertThat(lines(out)).containsExactly(line(Signal.USAGE_DROP, "RESOLVED", "HIGH", day(15)));
            RiskAlert resolved = out.get(0);
            assertThat(resolved.getAlertId()).isEqualTo(raised.getAlertId());
            assertThat(resolved.getEpisodeStart()).isEqualTo(raised.getDetectedAt());
            assertThat(resolved.getEvidence()).containsEntry("cur", "20").containsEntry("prev", "12");

            // A later drop is a new episode with its own id.
            h.watermark(day(40));
            List<RiskAlert> later = h.newAlerts();
            assertThat(later).extracting(RiskAlert::getStatus).containsExactly(AlertStatus.RAISED);
            assertThat(later.get(0).getAlertId()).isNotEqualTo(raised.getAlertId());
        }
    }

    @Test
    void aPartialRecoveryThatStaysAtTheThresholdKeepsTheEpisode() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            for (int d = 0; d < 7; d++) h.send(Ev.usage(ACC, at(d, 9), 2)); // 14 a week
            h.watermark(day(14));
            assertThat(h.newAlerts()).hasSize(1);
            // Day 14 brings 8.4 = 0.70 * 12 (prev over days 1..7): not above 70%, the episode holds.
            h.send(Ev.usage(ACC, at(14, 10), 8.4));
            h.watermark(day(15));
            assertThat(h.newAlerts()).isEmpty();
        }
    }

    @Test
    void outOfOrderEventsWithinTheBoundGiveTheSameAlerts() throws Exception {
        List<AccountEvent> inOrder = tenThenSixPlus(1);
        // Shuffle within windows of three days; the watermark trails the newest event by three days.
        List<AccountEvent> shuffled = new ArrayList<>();
        for (int i = 0; i < inOrder.size(); i += 3) {
            List<AccountEvent> chunk = new ArrayList<>(inOrder.subList(i, Math.min(i + 3, inOrder.size())));
            java.util.Collections.reverse(chunk);
            shuffled.addAll(chunk);
        }
        assertThat(shuffled).isNotEqualTo(inOrder);
        List<String> expected = replay(inOrder, 3);
        assertThat(expected).singleElement().asString().startsWith(line(Signal.USAGE_DROP, "RAISED", "HIGH", day(14)))
                .contains("cur=7", "prev=10");
        assertThat(replay(shuffled, 3)).isEqualTo(expected);
    }

    /** Sends the events with a bounded-out-of-orderness watermark after each, then closes day 14. */
    private static List<String> replay(List<AccountEvent> events, int boundDays) throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            long maxSeen = Long.MIN_VALUE;
            for (AccountEvent e : events) {
                h.send(e);
                maxSeen = Math.max(maxSeen, e.eventTime);
                h.watermark(maxSeen - boundDays * Days.DAY - 1);
            }
            assertThat(h.counter(ChurnDetector.LATE)).isZero();
            h.watermark(day(15) - 1);
            return h.alerts().stream().map(a -> line(a) + " " + a.getEvidence()).toList();
        }
    }

    @Test
    void duplicatesDoNotChangeTheFigures() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            List<AccountEvent> events = tenThenSixPlus(1);
            h.send(events.toArray(AccountEvent[]::new));
            // Re-sent: the same events again, and one id again two days later with a larger quantity.
            h.send(events.get(3), events.get(10), events.get(12));
            h.send(Ev.copy(events.get(11), at(13, 20), 5));
            h.watermark(day(14));
            List<RiskAlert> out = h.alerts();
            assertThat(lines(out)).containsExactly(line(Signal.USAGE_DROP, "RAISED", "HIGH", day(14)));
            assertThat(out.get(0).getEvidence()).containsEntry("cur", "7").containsEntry("prev", "10");
            assertThat(h.counter(ChurnDetector.ACCEPTED)).isEqualTo(14);
            assertThat(h.counter(ChurnDetector.DUPLICATES)).isEqualTo(4);
        }
    }

    @Test
    void severityComesFromTheRules() throws Exception {
        var rules = io.churnradar.config.Rules.parse("""
                version: strict-2
                signals:
                  usageDrop: {severity: CRITICAL}
                """, "inline");
        try (DetectorHarness h = DetectorHarness.open(rules, null)) {
            for (int d = 0; d < 7; d++) h.send(Ev.usage(ACC, at(d, 9), 2));
            h.watermark(day(14));
            assertThat(h.alerts()).singleElement().satisfies(a -> {
                assertThat(a.getSeverity()).isEqualTo(Severity.CRITICAL);
                assertThat(a.getRuleVersion()).isEqualTo("strict-2");
            });
        }
    }
}
