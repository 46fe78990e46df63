package io.churnradar.detect;

import static io.churnradar.detect.AlertLines.line;
import static io.churnradar.detect.AlertLines.lines;
import static io.churnradar.detect.Days.at;
import static io.churnradar.detect.Days.day;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.RiskAlert;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.signals.Signal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** LOW_CSAT: a CSAT <= 2 from a survey or a ticket raises at its event time; a later CSAT >= 4 resolves. */
class LowCsatTest {
    private static final String ACC = "vandelay";

    @Test
    void aTwoFromASurveyRaisesAndAThreeDoesNot() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.csat(ACC, at(1, 9), 3));
            assertThat(h.alerts()).isEmpty();
            h.send(Ev.csat(ACC, at(2, 9), 2));
            List<RiskAlert> out = h.alerts();
            assertThat(lines(out)).containsExactly(line(Signal.LOW_CSAT, "RAISED", "MEDIUM", at(2, 9)));
            assertThat(out.get(0).getEvidence()).containsEntry("score", "2").containsEntry("source", "survey");
        }
    }

    @Test
    void aTicketRatingCountsToo() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            AccountEvent ticket = Ev.ticketCsat(ACC, at(3, 14), 1);
            h.send(ticket);
            List<RiskAlert> out = h.alerts();
            assertThat(lines(out)).containsExactly(line(Signal.LOW_CSAT, "RAISED", "MEDIUM", at(3, 14)));
            assertThat(out.get(0).getEvidence()).containsEntry("source", "ticket").containsEntry("ticketId", ticket.ticketId);
        }
    }

    @Test
    void aThreeKeepsTheEpisodeAndAFourResolvesIt() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.csat(ACC, at(1, 9), 1), Ev.ticketCsat(ACC, at(2, 9), 3));
            assertThat(lines(h.alerts())).containsExactly(line(Signal.LOW_CSAT, "RAISED", "MEDIUM", at(1, 9)));
            h.send(Ev.ticketCsat(ACC, at(4, 9), 4));
            assertThat(lines(h.alerts())).containsExactly(
                    line(Signal.LOW_CSAT, "RAISED", "MEDIUM", at(1, 9)),
                    line(Signal.LOW_CSAT, "RESOLVED", "MEDIUM", at(4, 9)));
        }
    }

    @Test
    void anOlderRatingChangesNothing() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.csat(ACC, at(5, 9), 5), Ev.csat(ACC, at(4, 9), 1));
            assertThat(h.alerts()).isEmpty();
            assertThat(h.accountState(ACC).feedback.lastCsatScore).isEqualTo(5);
        }
    }

    @Test
    void switchedOff() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(TestRules.with("signals:\n  lowCsat: {enabled: false}"))) {
            h.send(Ev.csat(ACC, at(1, 9), 1), Ev.ticketCsat(ACC, at(2, 9), 1));
            h.watermark(day(5));
            assertThat(h.alerts()).isEmpty();
        }
    }

    @Test
    void aLateRatingIsDatedAtTheWatermark() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.watermark(at(3, 0));
            h.send(Ev.csat(ACC, at(1, 9), 2));
            assertThat(lines(h.alerts())).containsExactly(line(Signal.LOW_CSAT, "RAISED", "MEDIUM", at(3, 0)));
            assertThat(h.alerts().get(0).getEvidence()).containsEntry("late", "true");
        }
    }
}
