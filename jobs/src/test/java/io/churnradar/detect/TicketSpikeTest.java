package io.churnradar.detect;

import static io.churnradar.detect.AlertLines.line;
import static io.churnradar.detect.AlertLines.lines;
import static io.churnradar.detect.Days.at;
import static io.churnradar.detect.Days.date;
import static io.churnradar.detect.Days.day;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.RiskAlert;
import io.churnradar.events.TicketStatus;
import io.churnradar.signals.Signal;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * TICKET_SPIKE: raised at an OPENED ticket when >= 3 OPENED tickets fall in its day and the 6 days
 * before; resolved at the close of day D when D-6..D holds fewer than 3.
 */
class TicketSpikeTest {
    private static final String ACC = "umbrella";

    @Test
    void aTicketSixDaysBeforeCounts() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.ticket(ACC, at(0, 1)), Ev.ticket(ACC, at(6, 8)));
            assertThat(h.alerts()).isEmpty();
            h.send(Ev.ticket(ACC, at(6, 23)));
            List<RiskAlert> out = h.alerts();
            assertThat(lines(out)).containsExactly(line(Signal.TICKET_SPIKE, "RAISED", "MEDIUM", at(6, 23)));
            assertThat(out.get(0).getEvidence())
                    .containsEntry("openedInWindow", "3")
                    .containsEntry("window", date(0) + ".." + date(6));
        }
    }

    @Test
    void aTicketSevenDaysBeforeDoesNotCount() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.ticket(ACC, at(0, 23)), Ev.ticket(ACC, at(7, 0)), Ev.ticket(ACC, at(7, 1)));
            assertThat(h.alerts()).isEmpty();
            h.send(Ev.ticket(ACC, at(7, 2)));
            assertThat(lines(h.alerts())).containsExactly(line(Signal.TICKET_SPIKE, "RAISED", "MEDIUM", at(7, 2)));
        }
    }

    @Test
    void onlyOpenedTicketsCount() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.ticket(ACC, at(1, 9)),
                    Ev.ticket(ACC, at(1, 10), TicketStatus.UPDATED),
                    Ev.ticket(ACC, at(1, 11), TicketStatus.REOPENED),
                    Ev.ticket(ACC, at(1, 12), TicketStatus.RESOLVED),
                    Ev.ticket(ACC, at(1, 13), TicketStatus.CLOSED),
                    Ev.ticket(ACC, at(2, 9)));
            h.watermark(day(20));
            assertThat(h.alerts()).isEmpty();
        }
    }

    @Test
    void noRepeatWhileItHoldsAndResolvedAtTheDayCloseWhenFewerThanThree() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.ticket(ACC, at(10, 9)), Ev.ticket(ACC, at(12, 9)), Ev.ticket(ACC, at(13, 9)));
            List<RiskAlert> raised = h.newAlerts();
            assertThat(lines(raised)).containsExactly(line(Signal.TICKET_SPIKE, "RAISED", "MEDIUM", at(13, 9)));

            h.send(Ev.ticket(ACC, at(14, 9))); // four in the window: still the same episode
            h.watermark(day(17));
            assertThat(h.newAlerts()).isEmpty();

            // Closes of days 16, 17 and 18: 4, 3 and 3 in their windows. Close of day 19: days 13..19 hold 2.
            h.watermark(day(19));
            assertThat(h.newAlerts()).isEmpty();
            h.watermark(day(20) - 1);
            assertThat(h.newAlerts()).isEmpty();
            h.watermark(day(20));
            List<RiskAlert> resolved = h.newAlerts();
            assertThat(lines(resolved)).containsExactly(line(Signal.TICKET_SPIKE, "RESOLVED", "MEDIUM", day(20)));
            assertThat(resolved.get(0).getAlertId()).isEqualTo(raised.get(0).getAlertId());
            assertThat(resolved.get(0).getEvidence())
                    .containsEntry("openedInWindow", "2")
                    .containsEntry("window", date(13) + ".." + date(19));
        }
    }

    @Test
    void aSpikeRaisedAheadOfTheWatermarkIsNotResolvedByTheCloseOfAnEarlierDay() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            // Ten minutes of out-of-orderness around midnight: the spike is raised on day 5 while day 4
            // is still open, and the close of day 4 (two tickets in days -2..4) must not end it.
            long midnight = day(5);
            long bound = 10 * 60_000L;
            h.send(Ev.ticket(ACC, midnight - 5 * 60_000L));
            h.watermark(midnight - 5 * 60_000L - bound - 1);
            h.send(Ev.ticket(ACC, midnight - 3 * 60_000L));
            h.watermark(midnight - 3 * 60_000L - bound - 1);
            h.send(Ev.ticket(ACC, midnight + 2 * 60_000L));
            h.watermark(midnight + 2 * 60_000L - bound - 1);
            assertThat(lines(h.newAlerts())).containsExactly(
                    line(Signal.TICKET_SPIKE, "RAISED", "MEDIUM", midnight + 2 * 60_000L));

            h.watermark(midnight + Days.HOUR);
            assertThat(h.newAlerts()).as("the close of day 4 comes before the episode").isEmpty();
            // Every window up to the close of day 10 (days 4..10) holds all three; that of day 11 holds one.
            h.watermark(day(11));
            assertThat(h.newAlerts()).isEmpty();
            h.watermark(day(12));
            assertThat(lines(h.newAlerts())).containsExactly(line(Signal.TICKET_SPIKE, "RESOLVED", "MEDIUM", day(12)));
        }
    }

    @Test
    void resolutionIsDrivenByTimersWithoutFurtherEvents() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.ticket(ACC, at(3, 9)), Ev.ticket(ACC, at(3, 10)), Ev.ticket(ACC, at(3, 11)));
            h.watermark(day(30)); // the close of day 10 is the first whose window (4..10) misses day 3
            assertThat(lines(h.alerts())).containsExactly(
                    line(Signal.TICKET_SPIKE, "RAISED", "MEDIUM", at(3, 11)),
                    line(Signal.TICKET_SPIKE, "RESOLVED", "MEDIUM", day(11)));
        }
    }

    @Test
    void aNewSpikeAfterResolutionIsANewEpisode() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.ticket(ACC, at(0, 9)), Ev.ticket(ACC, at(0, 10)), Ev.ticket(ACC, at(0, 11)));
            h.watermark(day(8));
            h.send(Ev.ticket(ACC, at(8, 9)), Ev.ticket(ACC, at(8, 10)), Ev.ticket(ACC, at(8, 11)));
            List<RiskAlert> out = h.alerts();
            assertThat(lines(out)).containsExactly(
                    line(Signal.TICKET_SPIKE, "RAISED", "MEDIUM", at(0, 11)),
                    line(Signal.TICKET_SPIKE, "RESOLVED", "MEDIUM", day(8)),
                    line(Signal.TICKET_SPIKE, "RAISED", "MEDIUM", at(8, 11)));
            assertThat(out.get(2).getAlertId()).isNotEqualTo(out.get(0).getAlertId());
        }
    }
}
