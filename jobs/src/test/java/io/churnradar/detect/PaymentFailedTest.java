package io.churnradar.detect;

import static io.churnradar.detect.AlertLines.line;
import static io.churnradar.detect.AlertLines.lines;
import static io.churnradar.detect.Days.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.RiskAlert;
import io.churnradar.signals.Signal;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PAYMENT_FAILED: raised HIGH at a FAILED payment, UPDATED to CRITICAL at the 3rd consecutive
 * failure, resolved by a SUCCEEDED one; REFUNDED neither breaks nor extends the streak.
 */
class PaymentFailedTest {
    private static final String ACC = "initech";

    @Test
    void highAtTheFirstFailureCriticalAtTheThirdResolvedBySuccess() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.failed(ACC, at(1, 10)));
            List<RiskAlert> first = h.newAlerts();
            assertThat(lines(first)).containsExactly(line(Signal.PAYMENT_FAILED, "RAISED", "HIGH", at(1, 10)));
            RiskAlert raised = first.get(0);
            assertThat(raised.getEvidence())
                    .containsEntry("consecutiveFailures", "1")
                    .containsEntry("failureCode", "card_declined")
                    .containsEntry("amountMinor", "4900")
                    .containsEntry("currency", "EUR")
                    .containsKey("invoiceId");

            h.watermark(at(2, 0));
            h.send(Ev.failed(ACC, at(4, 10)));
            assertThat(h.newAlerts()).as("second failure: no repeat").isEmpty();
            h.send(Ev.refunded(ACC, at(5, 10)));
            assertThat(h.newAlerts()).as("a refund neither breaks nor extends the streak").isEmpty();

            h.send(Ev.failed(ACC, at(7, 10)));
            List<RiskAlert> third = h.newAlerts();
            assertThat(lines(third)).containsExactly(line(Signal.PAYMENT_FAILED, "UPDATED", "CRITICAL", at(7, 10)));
            assertThat(third.get(0).getAlertId()).isEqualTo(raised.getAlertId());
            assertThat(third.get(0).getEpisodeStart()).isEqualTo(raised.getDetectedAt());
            assertThat(third.get(0).getEvidence()).containsEntry("consecutiveFailures", "3");

            h.send(Ev.failed(ACC, at(8, 10)));
            assertThat(h.newAlerts()).as("fourth failure: already CRITICAL").isEmpty();

            h.send(Ev.succeeded(ACC, at(9, 10)));
            List<RiskAlert> resolved = h.newAlerts();
            assertThat(lines(resolved)).containsExactly(line(Signal.PAYMENT_FAILED, "RESOLVED", "CRITICAL", at(9, 10)));
            assertThat(resolved.get(0).getAlertId()).isEqualTo(raised.getAlertId());

            // A new failure after the resolution is a new episode, HIGH again, with a new id.
            h.send(Ev.failed(ACC, at(12, 10)));
            List<RiskAlert> again = h.newAlerts();
            assertThat(lines(again)).containsExactly(line(Signal.PAYMENT_FAILED, "RAISED", "HIGH", at(12, 10)));
            assertThat(again.get(0).getAlertId()).isNotEqualTo(raised.getAlertId())
                    .isEqualTo(Alerts.alertId(ACC, Signal.PAYMENT_FAILED, at(12, 10)));
            assertThat(again.get(0).getEvidence()).containsEntry("consecutiveFailures", "1");
        }
    }

    @Test
    void refundsDoNotCountTowardsTheStreak() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.failed(ACC, at(1, 10)), Ev.refunded(ACC, at(2, 10)), Ev.refunded(ACC, at(3, 10)),
                    Ev.failed(ACC, at(4, 10)), Ev.refunded(ACC, at(5, 10)));
            assertThat(lines(h.alerts())).containsExactly(line(Signal.PAYMENT_FAILED, "RAISED", "HIGH", at(1, 10)));
        }
    }

    @Test
    void aSuccessInBetweenRestartsTheStreak() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.failed(ACC, at(1, 10)), Ev.failed(ACC, at(2, 10)), Ev.succeeded(ACC, at(3, 10)),
                    Ev.failed(ACC, at(4, 10)), Ev.failed(ACC, at(5, 10)));
            assertThat(lines(h.alerts())).containsExactly(
                    line(Signal.PAYMENT_FAILED, "RAISED", "HIGH", at(1, 10)),
                    line(Signal.PAYMENT_FAILED, "RESOLVED", "HIGH", at(3, 10)),
                    line(Signal.PAYMENT_FAILED, "RAISED", "HIGH", at(4, 10)));
            h.send(Ev.failed(ACC, at(6, 10)));
            assertThat(lines(h.alerts())).last().isEqualTo(line(Signal.PAYMENT_FAILED, "UPDATED", "CRITICAL", at(6, 10)));
        }
    }

    @Test
    void aSuccessWithoutAnOpenEpisodeEmitsNothing() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.succeeded(ACC, at(1, 10)), Ev.refunded(ACC, at(2, 10)), Ev.succeeded(ACC, at(3, 10)));
            assertThat(h.alerts()).isEmpty();
        }
    }

    @Test
    void paymentAlertsNeedNoWatermark() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.failed(ACC, at(1, 10)));
            assertThat(h.alerts()).hasSize(1);
            assertThat(h.timers()).as("payments alone need no timer").isZero();
        }
    }

    @Test
    void outOfOrderFailuresNeverDateTheEscalationBeforeTheEpisode() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            // Three failures, the newest first: the streak reaches three at the newest one.
            h.send(Ev.failed(ACC, at(3, 9)), Ev.failed(ACC, at(1, 9)), Ev.failed(ACC, at(2, 9)));
            assertThat(lines(h.alerts())).containsExactly(
                    line(Signal.PAYMENT_FAILED, "RAISED", "HIGH", at(3, 9)),
                    line(Signal.PAYMENT_FAILED, "UPDATED", "CRITICAL", at(3, 9)));
        }
    }

    @Test
    void aSuccessOlderThanTheNewestFailureDoesNotResolve() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.failed(ACC, at(1, 9)), Ev.failed(ACC, at(3, 9)), Ev.succeeded(ACC, at(2, 9)));
            assertThat(lines(h.alerts())).containsExactly(line(Signal.PAYMENT_FAILED, "RAISED", "HIGH", at(1, 9)));
            // The streak restarted at the failure of day 3: two more make it three.
            h.send(Ev.failed(ACC, at(4, 9)));
            assertThat(h.alerts()).hasSize(1);
            h.send(Ev.failed(ACC, at(5, 9)));
            assertThat(lines(h.alerts())).last().isEqualTo(line(Signal.PAYMENT_FAILED, "UPDATED", "CRITICAL", at(5, 9)));
        }
    }
}
