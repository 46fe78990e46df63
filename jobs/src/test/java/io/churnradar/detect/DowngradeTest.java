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

/**
 * DOWNGRADE: a PLAN_CHANGED or SEATS_CHANGED that lowers MRR by 20% or more against the previous known
 * MRR; HIGH from a 50% fall against the MRR before the episode; resolved when MRR is back to it.
 */
class DowngradeTest {
    private static final String ACC = "stark";

    @Test
    void aDropOfExactlyTwentyPercentRaisesAtTheChange() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.with(Ev.subscription(ACC, at(0, 9), SubscriptionAction.STARTED, 10_000), e -> {
                e.plan = "business";
                e.seats = 20;
            }));
            h.send(Ev.with(Ev.subscription(ACC, at(3, 9), SubscriptionAction.PLAN_CHANGED, 8_000), e -> e.plan = "team"));
            List<RiskAlert> out = h.alerts();
            assertThat(lines(out)).containsExactly(line(Signal.DOWNGRADE, "RAISED", "MEDIUM", at(3, 9)));
            assertThat(out.get(0).getEvidence())
                    .containsEntry("previousMrrMinor", "10000")
                    .containsEntry("mrrMinor", "8000")
                    .containsEntry("dropPercent", "20")
                    .containsEntry("plan", "team")
                    .containsEntry("previousPlan", "business")
                    .containsEntry("seats", "20")
                    .containsEntry("action", "PLAN_CHANGED");
        }
    }

    @Test
    void aSmallerDropOrAnotherActionDoesNotRaise() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.subscription(ACC, at(0, 9), SubscriptionAction.STARTED, 10_000),
                    Ev.subscription(ACC, at(1, 9), SubscriptionAction.SEATS_CHANGED, 8_001),
                    Ev.subscription(ACC, at(2, 9), SubscriptionAction.RENEWED, 4_000));
            assertThat(h.alerts()).isEmpty();
            h.send(Ev.subscription(ACC, at(3, 9), SubscriptionAction.SEATS_CHANGED, 3_200));
            assertThat(lines(h.alerts())).as("against the previous known MRR, 4000")
                    .containsExactly(line(Signal.DOWNGRADE, "RAISED", "MEDIUM", at(3, 9)));
        }
    }

    @Test
    void withoutAPreviousMrrThereIsNothingToCompare() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.subscription(ACC, at(1, 9), SubscriptionAction.PLAN_CHANGED, 100));
            assertThat(h.alerts()).isEmpty();
        }
    }

    @Test
    void escalatesAtHalfTheMrrAndResolvesWhenItIsBack() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.subscription(ACC, at(0, 9), SubscriptionAction.STARTED, 10_000),
                    Ev.subscription(ACC, at(1, 9), SubscriptionAction.SEATS_CHANGED, 7_000),
                    Ev.subscription(ACC, at(2, 9), SubscriptionAction.SEATS_CHANGED, 5_000));
            List<RiskAlert> out = h.alerts();
            assertThat(lines(out)).containsExactly(
                    line(Signal.DOWNGRADE, "RAISED", "MEDIUM", at(1, 9)),
                    line(Signal.DOWNGRADE, "UPDATED", "HIGH", at(2, 9)));
            assertThat(out.get(1).getEvidence()).containsEntry("dropSinceEpisodeStartPercent", "50").containsEntry("dropPercent", "28.6");
            h.send(Ev.subscription(ACC, at(4, 9), SubscriptionAction.PLAN_CHANGED, 9_999));
            assertThat(h.alerts()).hasSize(2);
            h.send(Ev.subscription(ACC, at(5, 9), SubscriptionAction.PLAN_CHANGED, 10_000));
            assertThat(lines(h.alerts())).last().isEqualTo(line(Signal.DOWNGRADE, "RESOLVED", "HIGH", at(5, 9)));
            assertThat(h.alerts().get(2).getAlertId()).isEqualTo(h.alerts().get(0).getAlertId());
        }
    }

    @Test
    void smallerCutsWithinTheEpisodeEscalateOnceTheTotalReachesHalf() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.subscription(ACC, at(0, 9), SubscriptionAction.STARTED, 10_000),
                    Ev.subscription(ACC, at(1, 9), SubscriptionAction.SEATS_CHANGED, 8_000),
                    Ev.subscription(ACC, at(2, 9), SubscriptionAction.SEATS_CHANGED, 6_000),
                    Ev.subscription(ACC, at(3, 9), SubscriptionAction.SEATS_CHANGED, 5_000),
                    Ev.subscription(ACC, at(4, 9), SubscriptionAction.SEATS_CHANGED, 4_000));
            assertThat(lines(h.alerts())).containsExactly(
                    line(Signal.DOWNGRADE, "RAISED", "MEDIUM", at(1, 9)),
                    line(Signal.DOWNGRADE, "UPDATED", "HIGH", at(3, 9)));
        }
    }

    @Test
    void anOlderChangeArrivingLateIsIgnored() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.subscription(ACC, at(5, 9), SubscriptionAction.STARTED, 10_000),
                    Ev.subscription(ACC, at(3, 9), SubscriptionAction.PLAN_CHANGED, 1_000));
            assertThat(h.alerts()).isEmpty();
            assertThat(h.accountState(ACC).subscription.mrrMinor).isEqualTo(10_000);
        }
    }

    @Test
    void switchedOff() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(TestRules.with("signals:\n  downgrade: {enabled: false}"))) {
            h.send(Ev.subscription(ACC, at(0, 9), SubscriptionAction.STARTED, 10_000),
                    Ev.subscription(ACC, at(1, 9), SubscriptionAction.PLAN_CHANGED, 1_000));
            assertThat(h.alerts()).isEmpty();
        }
    }

    @Test
    void theRatiosComeFromTheRules() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(TestRules.with("signals:\n  downgrade: {dropRatio: 0.1, highDropRatio: 0.1}"))) {
            h.send(Ev.subscription(ACC, at(0, 9), SubscriptionAction.STARTED, 10_000),
                    Ev.subscription(ACC, at(1, 9), SubscriptionAction.PLAN_CHANGED, 9_000));
            assertThat(lines(h.alerts())).containsExactly(line(Signal.DOWNGRADE, "RAISED", "HIGH", at(1, 9)));
        }
    }
}
