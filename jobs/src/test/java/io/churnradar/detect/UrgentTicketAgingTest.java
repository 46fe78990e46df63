package io.churnradar.detect;

import static io.churnradar.detect.AlertLines.line;
import static io.churnradar.detect.AlertLines.lines;
import static io.churnradar.detect.Days.HOUR;
import static io.churnradar.detect.Days.at;
import static io.churnradar.detect.Days.day;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.RiskAlert;
import io.churnradar.config.Rules;
import io.churnradar.events.TicketPriority;
import io.churnradar.events.TicketStatus;
import io.churnradar.signals.Signal;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * URGENT_TICKET_AGING: an URGENT ticket not RESOLVED or CLOSED 48 hours after it was opened; raised at
 * opened + 48h, resolved when no urgent ticket past its limit remains open.
 */
class UrgentTicketAgingTest {
    private static final String ACC = "wonka";
    private static final long OPENED = at(3, 10);
    private static final long LIMIT = OPENED + 48 * HOUR;

    @Test
    void raisedExactly48HoursAfterItWasOpened() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.urgent(ACC, OPENED, "T-1", TicketStatus.OPENED));
            assertThat(h.timers()).isEqualTo(1);
            h.watermark(LIMIT - 1);
            assertThat(h.alerts()).isEmpty();
            h.watermark(LIMIT);
            List<RiskAlert> out = h.alerts();
            assertThat(lines(out)).containsExactly(line(Signal.URGENT_TICKET_AGING, "RAISED", "HIGH", LIMIT));
            assertThat(out.get(0).getEvidence())
                    .containsEntry("ticketId", "T-1")
                    .containsEntry("openedAt", Days.instant(OPENED).toString())
                    .containsEntry("hoursOpen", "48")
                    .containsEntry("openUrgentTickets", "1");
            // Its ticket count changes next when the ticket of day 3 leaves the 7-day TICKET_SPIKE window: the close of day 10.
            assertThat(h.accountState(ACC).pendingTimer).as("only the close where its ticket count moves is left").isEqualTo(day(11));
        }
    }

    @Test
    void resolvedAtExactlyTheLimitPreventsIt() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.urgent(ACC, OPENED, "T-1", TicketStatus.OPENED));
            h.watermark(LIMIT - 1);
            h.send(Ev.urgent(ACC, LIMIT, "T-1", TicketStatus.RESOLVED)); // events before timers
            h.watermark(day(20));
            assertThat(h.alerts()).isEmpty();
            assertThat(h.accountState(ACC).urgentTickets).as("nothing left to track").isNull();
        }
    }

    @Test
    void resolvedWhenTheTicketIsResolvedOrClosed() throws Exception {
        for (TicketStatus end : new TicketStatus[] {TicketStatus.RESOLVED, TicketStatus.CLOSED}) {
            try (DetectorHarness h = DetectorHarness.open()) {
                h.send(Ev.urgent(ACC, OPENED, "T-1", TicketStatus.OPENED));
                h.watermark(LIMIT + HOUR);
                h.send(Ev.ticket(ACC, LIMIT + 5 * HOUR, "T-1", end, TicketPriority.URGENT));
                List<RiskAlert> out = h.alerts();
                assertThat(lines(out)).containsExactly(
                        line(Signal.URGENT_TICKET_AGING, "RAISED", "HIGH", LIMIT),
                        line(Signal.URGENT_TICKET_AGING, "RESOLVED", "HIGH", LIMIT + 5 * HOUR));
                assertThat(out.get(1).getAlertId()).isEqualTo(out.get(0).getAlertId());
                assertThat(out.get(1).getEvidence()).containsEntry("ticketId", "T-1").containsEntry("ticketStatus", end.name());
            }
        }
    }

    @Test
    void theEpisodeStaysOpenWhileAnotherUrgentTicketIsPastItsLimit() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.urgent(ACC, OPENED, "T-1", TicketStatus.OPENED),
                    Ev.urgent(ACC, OPENED + 2 * HOUR, "T-2", TicketStatus.OPENED),
                    Ev.urgent(ACC, OPENED + 20 * HOUR, "T-3", TicketStatus.OPENED));
            h.watermark(LIMIT + 3 * HOUR); // T-1 and T-2 past the limit, T-3 not yet
            assertThat(lines(AlertLines.of(Signal.URGENT_TICKET_AGING, h.newAlerts())))
                    .containsExactly(line(Signal.URGENT_TICKET_AGING, "RAISED", "HIGH", LIMIT));
            h.send(Ev.urgent(ACC, LIMIT + 4 * HOUR, "T-1", TicketStatus.RESOLVED));
            assertThat(h.newAlerts()).as("T-2 is still past its limit").isEmpty();
            h.send(Ev.urgent(ACC, LIMIT + 5 * HOUR, "T-2", TicketStatus.CLOSED));
            assertThat(lines(h.newAlerts())).as("T-3 is not past its limit yet")
                    .containsExactly(line(Signal.URGENT_TICKET_AGING, "RESOLVED", "HIGH", LIMIT + 5 * HOUR));
            h.watermark(OPENED + 68 * HOUR);
            assertThat(lines(AlertLines.of(Signal.URGENT_TICKET_AGING, h.newAlerts())))
                    .containsExactly(line(Signal.URGENT_TICKET_AGING, "RAISED", "HIGH", OPENED + 68 * HOUR));
        }
    }

    @Test
    void aNormalTicketIsNotWatchedAndLoweringThePriorityEndsTheClock() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.ticket(ACC, OPENED, "T-1", TicketStatus.OPENED, TicketPriority.HIGH));
            h.send(Ev.urgent(ACC, OPENED + HOUR, "T-2", TicketStatus.OPENED));
            h.send(Ev.ticket(ACC, OPENED + 2 * HOUR, "T-2", TicketStatus.UPDATED, TicketPriority.NORMAL));
            h.watermark(day(10));
            assertThat(h.alerts()).isEmpty();
        }
    }

    @Test
    void anEscalationToUrgentStartsTheClock() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.ticket(ACC, OPENED, "T-1", TicketStatus.OPENED, TicketPriority.NORMAL));
            long escalated = OPENED + 30 * HOUR;
            h.send(Ev.urgent(ACC, escalated, "T-1", TicketStatus.UPDATED));
            h.watermark(day(10));
            assertThat(lines(h.alerts())).containsExactly(line(Signal.URGENT_TICKET_AGING, "RAISED", "HIGH", escalated + 48 * HOUR));
        }
    }

    @Test
    void atMostEightAreTrackedTheOldest() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            for (int i = 1; i <= 8; i++) h.send(Ev.urgent(ACC, OPENED + i * HOUR, "T-" + i, TicketStatus.OPENED));
            h.send(Ev.urgent(ACC, OPENED + 20 * HOUR, "T-new", TicketStatus.OPENED)); // newer than all: not tracked
            h.send(Ev.urgent(ACC, OPENED, "T-old", TicketStatus.OPENED)); // older: replaces the newest (T-8)
            AccountState s = h.accountState(ACC);
            assertThat(s.urgentTickets.ids).hasSize(Rules.MAX_TRACKED_URGENT_TICKETS)
                    .contains("T-old", "T-1", "T-7").doesNotContain("T-new", "T-8");
            h.watermark(LIMIT);
            List<RiskAlert> aging = AlertLines.of(Signal.URGENT_TICKET_AGING, h.alerts());
            assertThat(lines(aging)).containsExactly(line(Signal.URGENT_TICKET_AGING, "RAISED", "HIGH", LIMIT));
            assertThat(aging.get(0).getEvidence()).containsEntry("ticketId", "T-old").containsEntry("openUrgentTickets", "8");
        }
    }

    @Test
    void aResolutionAheadOfTheWatermarkAfterTheLimitRaisesFirst() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.urgent(ACC, OPENED, "T-1", TicketStatus.OPENED));
            h.watermark(LIMIT - 10 * HOUR); // a slow source holds the watermark back
            h.send(Ev.urgent(ACC, LIMIT + HOUR, "T-1", TicketStatus.RESOLVED));
            assertThat(lines(h.alerts())).containsExactly(
                    line(Signal.URGENT_TICKET_AGING, "RAISED", "HIGH", LIMIT),
                    line(Signal.URGENT_TICKET_AGING, "RESOLVED", "HIGH", LIMIT + HOUR));
            h.watermark(day(20));
            assertThat(h.alerts()).hasSize(2);
        }
    }

    @Test
    void aLateUrgentTicketAlreadyPastItsLimitIsDatedAtTheWatermark() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.watermark(day(8));
            h.send(Ev.urgent(ACC, OPENED, "T-1", TicketStatus.OPENED));
            assertThat(lines(h.alerts())).containsExactly(line(Signal.URGENT_TICKET_AGING, "RAISED", "HIGH", day(8)));
            assertThat(h.alerts().get(0).getEvidence()).containsEntry("late", "true");
        }
    }

    @Test
    void switchedOffItRaisesNothingButStillWeighsOnTheScore() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(TestRules.with("signals:\n  urgentTicketAging: {enabled: false, hours: 24}"))) {
            h.send(Ev.urgent(ACC, OPENED, "T-1", TicketStatus.OPENED));
            h.watermark(OPENED + 24 * HOUR - 1);
            double before = h.latestHealth(ACC).getComponents().get(3).getValue();
            h.watermark(OPENED + 24 * HOUR);
            assertThat(h.alerts()).isEmpty();
            assertThat(h.latestHealth(ACC).getComponents().get(3).getName()).isEqualTo("supportBurden");
            assertThat(h.latestHealth(ACC).getComponents().get(3).getValue()).isEqualTo(before - 50);
        }
    }
}
