package io.churnradar.detect;

import static io.churnradar.detect.AlertLines.line;
import static io.churnradar.detect.AlertLines.lines;
import static io.churnradar.detect.Days.DAY;
import static io.churnradar.detect.Days.at;
import static io.churnradar.detect.Days.day;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.RiskAlert;
import io.churnradar.config.Rules;
import io.churnradar.signals.Signal;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * CORE_FEATURE_UNUSED: none of the core features used for 10 days, counted from the account's first
 * event or its latest core use; resolved by the next core use. No core features configured: off.
 */
class CoreFeatureUnusedTest {
    private static final String ACC = "soylent";
    private static final Rules CORE = TestRules.with("signals:\n  coreFeatureUnused: {coreFeatures: [reports, dashboards]}");

    @Test
    void raisedTenDaysAfterTheFirstEventWithoutACoreUse() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(CORE)) {
            h.send(Ev.succeeded(ACC, at(0, 9)), Ev.usage(ACC, at(2, 9), "exports", 5));
            h.watermark(at(10, 9) - 1);
            assertThat(h.alerts()).isEmpty();
            h.watermark(at(10, 9));
            List<RiskAlert> out = h.alerts();
            assertThat(lines(out)).containsExactly(line(Signal.CORE_FEATURE_UNUSED, "RAISED", "MEDIUM", at(10, 9)));
            assertThat(out.get(0).getEvidence())
                    .containsEntry("coreFeatures", "reports,dashboards")
                    .containsEntry("lastCoreUseAt", "never")
                    .containsEntry("daysWithoutCoreUse", "10");
        }
    }

    @Test
    void eachCoreUseRestartsTheClockAndAUseAtTheDeadlinePreventsIt() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(CORE)) {
            h.send(Ev.usage(ACC, at(0, 9), "reports", 1));
            h.watermark(at(10, 9) - 1);
            h.send(Ev.usage(ACC, at(10, 9), "dashboards", 1)); // exactly at the deadline: events first
            h.watermark(at(20, 9) - 1);
            assertThat(h.alerts()).isEmpty();
            h.watermark(at(20, 9));
            assertThat(lines(h.alerts())).containsExactly(line(Signal.CORE_FEATURE_UNUSED, "RAISED", "MEDIUM", at(20, 9)));
            assertThat(h.alerts().get(0).getEvidence()).containsEntry("lastCoreUseAt", Days.instant(at(10, 9)).toString());
        }
    }

    @Test
    void theNextCoreUseResolvesItAndOtherFeaturesDoNot() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(CORE)) {
            h.send(Ev.login(ACC, at(0, 9)));
            h.watermark(day(12));
            h.send(Ev.usage(ACC, at(12, 9), "exports", 4), Ev.usage(ACC, at(12, 10), "reports", 0));
            assertThat(h.newAlerts()).hasSize(1); // the RAISED; a quantity of 0 is not a use
            h.send(Ev.usage(ACC, at(12, 11), "reports", 2));
            List<RiskAlert> out = h.newAlerts();
            assertThat(lines(out)).containsExactly(line(Signal.CORE_FEATURE_UNUSED, "RESOLVED", "MEDIUM", at(12, 11)));
            assertThat(out.get(0).getEvidence()).containsEntry("feature", "reports");
        }
    }

    @Test
    void aCoreUseAheadOfTheWatermarkAfterTheGapRaisesFirst() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(CORE)) {
            h.send(Ev.login(ACC, at(0, 9)));
            h.watermark(day(5));
            h.send(Ev.usage(ACC, at(11, 9), "reports", 1));
            assertThat(lines(h.alerts())).containsExactly(
                    line(Signal.CORE_FEATURE_UNUSED, "RAISED", "MEDIUM", at(10, 9)),
                    line(Signal.CORE_FEATURE_UNUSED, "RESOLVED", "MEDIUM", at(11, 9)));
        }
    }

    @Test
    void aLateFirstEventMovesTheClockBack() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(CORE)) {
            h.send(Ev.login(ACC, at(8, 9)));
            h.watermark(day(12));
            h.send(Ev.succeeded(ACC, at(1, 9))); // late: the account existed since day 1
            assertThat(lines(h.alerts())).containsExactly(line(Signal.CORE_FEATURE_UNUSED, "RAISED", "MEDIUM", day(12)));
            assertThat(h.alerts().get(0).getEvidence()).containsEntry("late", "true");
        }
    }

    @Test
    void offWithoutCoreFeaturesOrWhenSwitchedOff() throws Exception {
        for (Rules rules : new Rules[] {DetectorHarness.signalsOnly(),
                TestRules.with("signals:\n  coreFeatureUnused: {enabled: false, coreFeatures: [reports]}")}) {
            try (DetectorHarness h = DetectorHarness.open(rules)) {
                h.send(Ev.failed(ACC, at(0, 9)));
                assertThat(h.timers()).as("nothing to wait for").isZero();
                h.watermark(day(0) + 60 * DAY);
                assertThat(h.alerts()).extracting(RiskAlert::getSignal).doesNotContain(Signal.CORE_FEATURE_UNUSED.name());
            }
        }
    }
}
