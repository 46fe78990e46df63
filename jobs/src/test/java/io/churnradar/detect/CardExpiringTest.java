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

/**
 * CARD_EXPIRING: the card on file expires (end of its month, UTC) within 30 days; raised at the day
 * close or the payment at which that first holds, resolved by a payment showing a later expiry.
 * Day 0 is 2026-03-01: a card of 2026-04 expires at 2026-05-01T00:00Z (day 61), 30 days earlier is day 31.
 */
class CardExpiringTest {
    private static final String ACC = "cyberdyne";

    @Test
    void raisedAtTheCloseThirtyDaysBeforeTheEndOfTheMonth() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.card(ACC, at(0, 9), "2026-04"));
            h.watermark(day(31) - 1);
            assertThat(h.alerts()).isEmpty();
            h.watermark(day(31));
            List<RiskAlert> out = h.alerts();
            assertThat(lines(out)).containsExactly(line(Signal.CARD_EXPIRING, "RAISED", "MEDIUM", day(31)));
            assertThat(out.get(0).getEvidence())
                    .containsEntry("cardExpiry", "2026-04")
                    .containsEntry("expiresAt", "2026-05-01T00:00:00Z")
                    .containsEntry("daysToExpiry", "30")
                    .doesNotContainKey("expired");
            assertThat(h.timers()).isZero();
        }
    }

    @Test
    void aPaymentShowingACardThatCloseToExpiryRaisesAtOnce() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.card(ACC, at(5, 9), "2026-03")); // expires 2026-04-01, 25 days and 15 hours later
            assertThat(lines(h.alerts())).containsExactly(line(Signal.CARD_EXPIRING, "RAISED", "MEDIUM", at(5, 9)));
            assertThat(h.alerts().get(0).getEvidence()).containsEntry("daysToExpiry", "25");
        }
    }

    @Test
    void anExpiredCardIsSaidToHaveExpired() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.card(ACC, at(40, 0), "2026-03")); // expired at day 31
            assertThat(h.alerts()).singleElement().satisfies(a -> assertThat(a.getEvidence())
                    .containsEntry("expired", "true").containsEntry("daysToExpiry", "-9"));
        }
    }

    @Test
    void aLaterExpiryResolvesItAndTheSameMonthDoesNot() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.card(ACC, at(0, 9), "2026-04"));
            h.watermark(day(32));
            h.send(Ev.card(ACC, at(32, 9), "2026-04"));
            assertThat(h.alerts()).hasSize(1);
            h.send(Ev.card(ACC, at(35, 9), "2028-01"));
            List<RiskAlert> out = h.alerts();
            assertThat(lines(out)).containsExactly(
                    line(Signal.CARD_EXPIRING, "RAISED", "MEDIUM", day(31)),
                    line(Signal.CARD_EXPIRING, "RESOLVED", "MEDIUM", at(35, 9)));
            assertThat(out.get(1).getEvidence()).containsEntry("cardExpiry", "2028-01").containsEntry("previousCardExpiry", "2026-04");
            assertThat(out.get(1).getAlertId()).isEqualTo(out.get(0).getAlertId());
        }
    }

    /**
     * Two payments at one instant, one showing an expired card and one a card expiring in 21 days, applied in the
     * order of their ids' hash: whichever comes first, one episode, raised once, open at the end for the newer card.
     * Resolving the first and raising the second at the same instant would give both one alertId.
     */
    @Test
    void twoCardsAtOneInstantMakeOneEpisode() throws Exception {
        for (boolean expiredFirstId : new boolean[] {true, false}) {
            try (DetectorHarness h = DetectorHarness.open()) {
                AccountEvent a = Ev.card(ACC, at(70, 9), expiredFirstId ? "2026-04" : "2026-05");
                AccountEvent b = Ev.card(ACC, at(70, 9), expiredFirstId ? "2026-05" : "2026-04");
                h.send(a, b);
                h.watermark(day(100));
                List<RiskAlert> out = h.alerts();
                assertThat(out).as("expired card on the first id: " + expiredFirstId)
                        .filteredOn(x -> x.getStatus() == io.churnradar.alerts.AlertStatus.RAISED).hasSize(1);
                assertThat(out).extracting(RiskAlert::getAlertId).containsOnly(out.get(0).getAlertId());
                assertThat(out.get(out.size() - 1).getStatus()).isNotEqualTo(io.churnradar.alerts.AlertStatus.RESOLVED);
            }
        }
    }

    @Test
    void anOlderPaymentDoesNotChangeTheCardOnFile() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.card(ACC, at(10, 9), "2029-12"), Ev.card(ACC, at(9, 9), "2026-03"));
            h.watermark(day(100));
            assertThat(h.alerts()).isEmpty();
        }
    }

    @Test
    void aNewCardAheadOfTheWatermarkAfterTheDeadlineRaisesFirst() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.card(ACC, at(0, 9), "2026-04"));
            h.watermark(day(30));
            h.send(Ev.card(ACC, at(33, 9), "2027-04"));
            assertThat(lines(h.alerts())).containsExactly(
                    line(Signal.CARD_EXPIRING, "RAISED", "MEDIUM", day(31)),
                    line(Signal.CARD_EXPIRING, "RESOLVED", "MEDIUM", at(33, 9)));
        }
    }

    @Test
    void theHorizonAndSeverityComeFromTheRules() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(TestRules.with("signals:\n  cardExpiring: {days: 7, severity: LOW}"))) {
            h.send(Ev.card(ACC, at(0, 9), "2026-04"));
            h.watermark(day(60));
            assertThat(lines(h.alerts())).containsExactly(line(Signal.CARD_EXPIRING, "RAISED", "LOW", day(54)));
        }
    }

    @Test
    void switchedOffItRaisesNothingButStillWeighsOnTheScore() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(TestRules.with("signals:\n  cardExpiring: {enabled: false}"))) {
            h.send(Ev.card(ACC, at(0, 9), "2026-04"));
            assertThat(h.latestHealth(ACC).getComponents().get(4).getValue()).isEqualTo(100.0);
            h.watermark(day(31));
            assertThat(h.alerts()).isEmpty();
            assertThat(h.latestHealth(ACC).getComponents().get(4).getName()).isEqualTo("paymentHealth");
            assertThat(h.latestHealth(ACC).getComponents().get(4).getValue()).isEqualTo(75.0);
        }
    }
}
