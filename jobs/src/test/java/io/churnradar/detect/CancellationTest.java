package io.churnradar.detect;

import static io.churnradar.detect.AlertLines.line;
import static io.churnradar.detect.AlertLines.lines;
import static io.churnradar.detect.Days.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.RiskAlert;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.signals.Signal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CANCELLATION_REQUESTED at CANCEL_REQUESTED, CHURNED at CANCELED; REACTIVATED resolves both, RENEWED the request. */
class CancellationTest {
    private static final String ACC = "oscorp";

    @Test
    void aRequestThenTheCancellationThenAReactivation() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.with(Ev.subscription(ACC, at(0, 9), SubscriptionAction.STARTED, 4_900), e -> {
                e.plan = "team";
                e.renewalDate = "2026-06-01";
            }));
            h.send(Ev.with(Ev.subscription(ACC, at(2, 9), SubscriptionAction.CANCEL_REQUESTED), e -> e.reason = "too_expensive"));
            h.send(Ev.with(Ev.subscription(ACC, at(5, 9), SubscriptionAction.CANCELED, 0), e -> e.reason = "too_expensive"));
            List<RiskAlert> out = h.alerts();
            assertThat(lines(out)).containsExactly(
                    line(Signal.CANCELLATION_REQUESTED, "RAISED", "HIGH", at(2, 9)),
                    line(Signal.CHURNED, "RAISED", "CRITICAL", at(5, 9)));
            assertThat(out.get(0).getEvidence()).containsEntry("reason", "too_expensive").containsEntry("plan", "team")
                    .containsEntry("mrrMinor", "4900").containsEntry("renewalDate", "2026-06-01");
            assertThat(out.get(1).getEvidence()).containsEntry("reason", "too_expensive").containsEntry("mrrMinor", "4900");
            assertThat(out.get(1).getExplanation()).contains("too_expensive");

            h.send(Ev.subscription(ACC, at(9, 9), SubscriptionAction.REACTIVATED, 4_900));
            assertThat(lines(h.alerts()).subList(2, 4)).containsExactly(
                    line(Signal.CANCELLATION_REQUESTED, "RESOLVED", "HIGH", at(9, 9)),
                    line(Signal.CHURNED, "RESOLVED", "CRITICAL", at(9, 9)));
            assertThat(h.accountState(ACC).subscription.churnedAt).isEqualTo(AccountState.NONE);
        }
    }

    @Test
    void aRenewalWithdrawsTheRequest() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.subscription(ACC, at(2, 9), SubscriptionAction.CANCEL_REQUESTED),
                    Ev.subscription(ACC, at(4, 9), SubscriptionAction.RENEWED));
            assertThat(lines(h.alerts())).containsExactly(
                    line(Signal.CANCELLATION_REQUESTED, "RAISED", "HIGH", at(2, 9)),
                    line(Signal.CANCELLATION_REQUESTED, "RESOLVED", "HIGH", at(4, 9)));
            assertThat(h.alerts().get(0).getEvidence()).containsEntry("reason", "unknown");
        }
    }

    @Test
    void lifecycleEventsApplyInEventTimeOrder() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.subscription(ACC, at(5, 9), SubscriptionAction.CANCELED),
                    Ev.subscription(ACC, at(3, 9), SubscriptionAction.REACTIVATED), // before the cancellation: changes nothing
                    Ev.subscription(ACC, at(2, 9), SubscriptionAction.CANCEL_REQUESTED)); // superseded by the cancellation
            assertThat(lines(h.alerts())).containsExactly(line(Signal.CHURNED, "RAISED", "CRITICAL", at(5, 9)));
        }
    }

    @Test
    void switchedOff() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(TestRules.with(
                "signals:\n  cancellationRequested: {enabled: false}\n  churned: {enabled: false}"))) {
            h.send(Ev.subscription(ACC, at(2, 9), SubscriptionAction.CANCEL_REQUESTED),
                    Ev.subscription(ACC, at(3, 9), SubscriptionAction.CANCELED));
            assertThat(h.alerts()).isEmpty();
        }
    }

    @Test
    void aLateCancellationIsDatedAtTheWatermark() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.watermark(at(6, 0));
            h.send(Ev.subscription(ACC, at(3, 9), SubscriptionAction.CANCELED));
            assertThat(lines(h.alerts())).containsExactly(line(Signal.CHURNED, "RAISED", "CRITICAL", at(6, 0)));
            assertThat(h.alerts().get(0).getEvidence()).containsEntry("late", "true");
        }
    }
}
