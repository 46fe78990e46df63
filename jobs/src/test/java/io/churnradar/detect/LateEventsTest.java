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

/**
 * An event at or behind the watermark is applied where state still covers its day and counted; an
 * alert it causes is dated at the current watermark, never earlier, with evidence late=true.
 */
class LateEventsTest {
    private static final String ACC = "hooli";

    @Test
    void aLateFailureRaisesAtTheWatermark() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.usage(ACC, at(1, 9), 1));
            h.watermark(at(5, 6));
            h.send(Ev.failed(ACC, at(3, 9)));
            List<RiskAlert> out = h.alerts();
            assertThat(lines(out)).containsExactly(line(Signal.PAYMENT_FAILED, "RAISED", "HIGH", at(5, 6)));
            assertThat(out.get(0).getEvidence()).containsEntry("late", "true");
            assertThat(out.get(0).getEpisodeStart()).isEqualTo(Days.instant(at(5, 6)));
            assertThat(h.counter(ChurnDetector.LATE)).isEqualTo(1);
            assertThat(h.counter(ChurnDetector.ACCEPTED)).isEqualTo(2);
        }
    }

    @Test
    void anEventExactlyAtTheWatermarkIsLate() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.watermark(at(5, 6));
            h.send(Ev.failed(ACC, at(5, 6)));
            assertThat(lines(h.alerts())).containsExactly(line(Signal.PAYMENT_FAILED, "RAISED", "HIGH", at(5, 6)));
            assertThat(h.alerts().get(0).getEvidence()).containsEntry("late", "true");
            assertThat(h.counter(ChurnDetector.LATE)).isEqualTo(1);
        }
    }

    @Test
    void aLateTicketCompletingASpikeRaisesAtTheWatermark() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.ticket(ACC, at(2, 9)), Ev.ticket(ACC, at(2, 10)));
            h.watermark(at(4, 1));
            h.send(Ev.ticket(ACC, at(3, 9)));
            assertThat(lines(h.alerts())).containsExactly(line(Signal.TICKET_SPIKE, "RAISED", "MEDIUM", at(4, 1)));
            assertThat(h.alerts().get(0).getEvidence()).containsEntry("late", "true").containsEntry("openedInWindow", "3");
        }
    }

    @Test
    void aLateLoginResolvesInactivityAtTheWatermark() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.login(ACC, at(0, 9)));
            h.watermark(at(15, 0));
            h.send(Ev.login(ACC, at(13, 9))); // it did log in before the deadline after all
            List<RiskAlert> out = h.alerts();
            assertThat(lines(out)).containsExactly(
                    line(Signal.INACTIVITY, "RAISED", "MEDIUM", at(14, 9)),
                    line(Signal.INACTIVITY, "RESOLVED", "MEDIUM", at(15, 0)));
            assertThat(out.get(1).getEvidence()).containsEntry("late", "true");
            // The next deadline counts from the late login.
            h.watermark(at(27, 9) - 1);
            assertThat(h.alerts()).hasSize(2);
            h.watermark(at(27, 9));
            assertThat(lines(h.alerts())).last().isEqualTo(line(Signal.INACTIVITY, "RAISED", "MEDIUM", at(27, 9)));
        }
    }

    @Test
    void lateUsageIsCountedAtTheNextDayClose() throws Exception {
        for (boolean withLateEvent : new boolean[] {false, true}) {
            try (DetectorHarness h = DetectorHarness.open()) {
                double[] prev = {1, 1, 1, 1, 2, 2, 2};
                for (int d = 0; d < 7; d++) h.send(Ev.usage(ACC, at(d, 9), prev[d]));
                for (int d = 7; d <= 13; d++) h.send(Ev.usage(ACC, at(d, 9), 1)); // cur = 7: exactly 30% down
                h.watermark(day(13) + 1); // day 12 closed
                if (withLateEvent) h.send(Ev.usage(ACC, at(12, 20), 0.5)); // late, but day 12 is still covered
                h.watermark(day(14));
                if (withLateEvent) {
                    assertThat(h.alerts()).as("cur = 7.5 is above 70%").isEmpty();
                    assertThat(h.counter(ChurnDetector.LATE)).isEqualTo(1);
                } else {
                    assertThat(lines(h.alerts())).containsExactly(line(Signal.USAGE_DROP, "RAISED", "HIGH", day(14)));
                }
            }
        }
    }

    @Test
    void aLateEventForADayNoLongerCoveredIsCountedButNotApplied() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            for (int d = 0; d < 30; d++) h.send(Ev.usage(ACC, at(d, 9), 3));
            h.watermark(day(30)); // day 29 closed; the next close looks back to day 17
            h.send(Ev.usage(ACC, at(16, 9), 1000), Ev.usage(ACC, at(17, 9), 1));
            AccountState s = h.accountState(ACC);
            assertThat(s.bucketDays).doesNotContain(SignalEngine.dayOf(at(16, 9))).contains(SignalEngine.dayOf(at(17, 9)));
            assertThat(h.counter(ChurnDetector.LATE)).isEqualTo(2);
            assertThat(h.counter(ChurnDetector.ACCEPTED)).isEqualTo(32);
        }
    }

    @Test
    void aLateEventsAlertIsNeverDatedBeforeTheWatermark() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.watermark(at(20, 0));
            h.send(Ev.ticket(ACC, at(10, 1)), Ev.ticket(ACC, at(10, 2)), Ev.ticket(ACC, at(10, 3)),
                    Ev.failed(ACC, at(11, 1)), Ev.login(ACC, at(1, 1)));
            assertThat(h.alerts()).isNotEmpty().allSatisfy(a -> {
                assertThat(a.getDetectedAt().toEpochMilli()).isGreaterThanOrEqualTo(at(20, 0));
                assertThat(a.getEvidence()).containsEntry("late", "true");
            });
            assertThat(lines(h.alerts())).containsExactly(
                    line(Signal.TICKET_SPIKE, "RAISED", "MEDIUM", at(20, 0)),
                    line(Signal.PAYMENT_FAILED, "RAISED", "HIGH", at(20, 0)),
                    line(Signal.INACTIVITY, "RAISED", "MEDIUM", at(20, 0)));
            h.watermark(day(21)); // the close of day 20 ends the spike: days 14..20 hold none
            assertThat(lines(h.alerts())).last().isEqualTo(line(Signal.TICKET_SPIKE, "RESOLVED", "MEDIUM", day(21)));
        }
    }
}
