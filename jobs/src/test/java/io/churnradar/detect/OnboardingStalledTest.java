package io.churnradar.detect;

import static io.churnradar.detect.AlertLines.line;
import static io.churnradar.detect.AlertLines.lines;
import static io.churnradar.detect.Days.at;
import static io.churnradar.detect.Days.day;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.RiskAlert;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.signals.Signal;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ONBOARDING_STALLED: 14 days after STARTED the account has not used 3 distinct features since;
 * raised at started + 14 days, resolved when it activates.
 */
class OnboardingStalledTest {
    private static final String ACC = "tyrell";
    private static final long STARTED = at(1, 10);
    private static final long DEADLINE = at(15, 10);

    @Test
    void raisedFourteenDaysAfterStartedWithoutActivation() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.usage(ACC, at(0, 9), "exports", 1)); // before STARTED: does not count
            h.send(Ev.subscription(ACC, STARTED, SubscriptionAction.STARTED, 9900));
            h.send(Ev.usage(ACC, at(2, 9), "reports", 1), Ev.usage(ACC, at(3, 9), "dashboards", 1), Ev.usage(ACC, at(4, 9), "reports", 3));
            h.watermark(DEADLINE - 1);
            assertThat(h.alerts()).isEmpty();
            h.watermark(DEADLINE);
            List<RiskAlert> out = h.alerts();
            assertThat(lines(out)).containsExactly(line(Signal.ONBOARDING_STALLED, "RAISED", "MEDIUM", DEADLINE));
            assertThat(out.get(0).getEvidence())
                    .containsEntry("startedAt", Days.instant(STARTED).toString())
                    .containsEntry("featuresUsed", "2")
                    .containsEntry("features", "dashboards,reports")
                    .containsEntry("minFeatures", "3");
        }
    }

    @Test
    void resolvedWhenItActivates() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.subscription(ACC, STARTED, SubscriptionAction.STARTED));
            h.send(Ev.usage(ACC, at(2, 9), "reports", 1), Ev.usage(ACC, at(3, 9), "dashboards", 1));
            h.watermark(day(17));
            h.send(Ev.usage(ACC, at(17, 9), "exports", 2));
            List<RiskAlert> out = h.alerts();
            assertThat(lines(out)).containsExactly(
                    line(Signal.ONBOARDING_STALLED, "RAISED", "MEDIUM", DEADLINE),
                    line(Signal.ONBOARDING_STALLED, "RESOLVED", "MEDIUM", at(17, 9)));
            assertThat(out.get(1).getEvidence()).containsEntry("features", "dashboards,exports,reports");
            h.send(Ev.usage(ACC, at(18, 9), "billing", 2));
            assertThat(h.alerts()).hasSize(2);
        }
    }

    @Test
    void activationAtTheDeadlinePreventsIt() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.subscription(ACC, STARTED, SubscriptionAction.STARTED));
            h.send(Ev.usage(ACC, at(2, 9), "reports", 1), Ev.usage(ACC, at(3, 9), "dashboards", 1));
            h.watermark(DEADLINE - 1);
            h.send(Ev.usage(ACC, DEADLINE, "exports", 1));
            h.watermark(day(40));
            assertThat(h.alerts()).isEmpty();
        }
    }

    @Test
    void theActivationCountAndDaysComeFromTheRules() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(TestRules.with("signals:\n  onboardingStalled: {days: 7, minFeatures: 1}"))) {
            h.send(Ev.subscription(ACC, STARTED, SubscriptionAction.STARTED));
            h.watermark(at(8, 10) - 1);
            h.send(Ev.usage(ACC, at(8, 11), "reports", 1));
            assertThat(lines(h.alerts())).containsExactly(
                    line(Signal.ONBOARDING_STALLED, "RAISED", "MEDIUM", at(8, 10)),
                    line(Signal.ONBOARDING_STALLED, "RESOLVED", "MEDIUM", at(8, 11)));
        }
    }

    @Test
    void switchedOff() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(TestRules.with("signals:\n  onboardingStalled: {enabled: false}"))) {
            h.send(Ev.subscription(ACC, STARTED, SubscriptionAction.STARTED));
            assertThat(h.timers()).isZero();
            h.watermark(day(40));
            assertThat(h.alerts()).isEmpty();
        }
    }

    @Test
    void aLateStartedAlreadyPastItsDeadlineIsDatedAtTheWatermark() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.watermark(day(20));
            h.send(Ev.subscription(ACC, STARTED, SubscriptionAction.STARTED));
            assertThat(lines(h.alerts())).containsExactly(line(Signal.ONBOARDING_STALLED, "RAISED", "MEDIUM", day(20)));
            assertThat(h.alerts().get(0).getEvidence()).containsEntry("late", "true");
        }
    }
}
