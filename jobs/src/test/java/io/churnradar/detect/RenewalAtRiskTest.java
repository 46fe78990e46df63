package io.churnradar.detect;

import static io.churnradar.detect.AlertLines.line;
import static io.churnradar.detect.AlertLines.lines;
import static io.churnradar.detect.Days.at;
import static io.churnradar.detect.Days.date;
import static io.churnradar.detect.Days.day;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.RiskAlert;
import io.churnradar.config.Rules;
import io.churnradar.events.SubscriptionAction;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.signals.Signal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RENEWAL_AT_RISK: at a day close, the renewal date is at most 60 days away and the health score is
 * below 50; resolved at the close where that stops holding, or at once by a renewal or a cancellation.
 */
class RenewalAtRiskTest {
    private static final String ACC = "umbrella-corp";
    private static final Rules NO_OTHER_SIGNALS = TestRules.with("""
            signals:
              npsDetractor: {enabled: false}
              paymentFailed: {enabled: false}
              onboardingStalled: {enabled: false}
            """);

    /**
     * A troubled young account on day 0: NPS 0 and three failed payments, no login and no usage. Its
     * score is 49: usage trend and login recency neutral (75), features 0, support 100, payment 0,
     * sentiment 0.
     */
    private static List<AccountEvent> troubled(String renewalDate) {
        List<AccountEvent> e = new ArrayList<>();
        e.add(Ev.with(Ev.subscription(ACC, at(0, 1), SubscriptionAction.STARTED, 9_900), x -> x.renewalDate = renewalDate));
        e.add(Ev.nps(ACC, at(0, 2), 0));
        for (int i = 0; i < 3; i++) e.add(Ev.failed(ACC, at(0, 3 + i)));
        return e;
    }

    @Test
    void raisedAtTheFirstCloseSixtyDaysBeforeTheRenewal() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(NO_OTHER_SIGNALS)) {
            h.send(troubled(date(70)).toArray(AccountEvent[]::new));
            assertThat(h.timers()).isEqualTo(1);
            assertThat(h.accountState(ACC).pendingTimer).as("the close that opens the window").isEqualTo(day(10));
            h.watermark(day(10) - 1);
            assertThat(h.alerts()).isEmpty();
            h.watermark(day(10));
            List<RiskAlert> out = h.alerts();
            assertThat(lines(out)).containsExactly(line(Signal.RENEWAL_AT_RISK, "RAISED", "HIGH", day(10)));
            assertThat(out.get(0).getEvidence())
                    .containsEntry("renewalDate", date(70))
                    .containsEntry("daysToRenewal", "60")
                    .containsEntry("healthScore", "49")
                    .containsEntry("healthTier", "RED")
                    .containsEntry("weakest", "featureBreadth 0, paymentHealth 0");
            assertThat(out.get(0).getHealthScore()).isEqualTo(49);
            assertThat(out.get(0).getExplanation()).contains(date(70), "60 days", "health 49");
        }
    }

    @Test
    void sixtyOneDaysAwayIsNotYetAtRisk() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(NO_OTHER_SIGNALS)) {
            h.send(troubled(date(71)).toArray(AccountEvent[]::new));
            h.watermark(day(10));
            assertThat(h.alerts()).isEmpty();
            h.watermark(day(11));
            assertThat(lines(h.alerts())).containsExactly(line(Signal.RENEWAL_AT_RISK, "RAISED", "HIGH", day(11)));
        }
    }

    @Test
    void resolvedAtTheCloseAfterTheScoreRecovers() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(NO_OTHER_SIGNALS)) {
            h.send(troubled(date(70)).toArray(AccountEvent[]::new));
            h.watermark(day(12));
            h.send(Ev.succeeded(ACC, at(12, 9))); // paymentHealth back to 100: 64 points
            assertThat(h.newAlerts()).hasSize(1);
            h.watermark(day(13));
            List<RiskAlert> out = h.newAlerts();
            assertThat(lines(out)).containsExactly(line(Signal.RENEWAL_AT_RISK, "RESOLVED", "HIGH", day(13)));
            assertThat(out.get(0).getEvidence()).containsEntry("healthScore", "64");
            assertThat(out.get(0).getExplanation()).contains("recovered");
        }
    }

    @Test
    void resolvedAtTheCloseOfTheRenewalDay() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(NO_OTHER_SIGNALS)) {
            h.send(troubled(date(12)).toArray(AccountEvent[]::new));
            h.watermark(day(13) - 1); // the close of the day before: the renewal is today, 0 days away
            assertThat(lines(h.alerts())).containsExactly(line(Signal.RENEWAL_AT_RISK, "RAISED", "HIGH", day(1)));
            h.watermark(day(13));
            assertThat(lines(h.alerts())).containsExactly(
                    line(Signal.RENEWAL_AT_RISK, "RAISED", "HIGH", day(1)),
                    line(Signal.RENEWAL_AT_RISK, "RESOLVED", "HIGH", day(13)));
            assertThat(h.alerts().get(1).getEvidence()).containsEntry("daysToRenewal", "-1");
            assertThat(h.timers()).as("nothing left to check").isZero();
        }
    }

    @Test
    void aRenewalOrACancellationResolvesItAtOnce() throws Exception {
        for (SubscriptionAction action : new SubscriptionAction[] {SubscriptionAction.RENEWED, SubscriptionAction.CANCELED}) {
            try (DetectorHarness h = DetectorHarness.open(NO_OTHER_SIGNALS)) {
                h.send(troubled(date(30)).toArray(AccountEvent[]::new));
                h.watermark(day(3));
                h.send(Ev.subscription(ACC, at(3, 15), action));
                List<RiskAlert> out = h.alerts().stream().filter(a -> a.getSignal().equals("RENEWAL_AT_RISK")).toList();
                assertThat(lines(out)).containsExactly(
                        line(Signal.RENEWAL_AT_RISK, "RAISED", "HIGH", day(1)),
                        line(Signal.RENEWAL_AT_RISK, "RESOLVED", "HIGH", at(3, 15)));
                h.watermark(day(40));
                assertThat(h.alerts().stream().filter(a -> a.getSignal().equals("RENEWAL_AT_RISK"))).hasSize(2);
            }
        }
    }

    @Test
    void aHealthyAccountIsNotAtRisk() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.with(Ev.subscription(ACC, at(0, 1), SubscriptionAction.STARTED, 9_900), x -> x.renewalDate = date(20)));
            for (int d = 0; d < 30; d++) h.send(Ev.login(ACC, at(d, 8)), Ev.usage(ACC, at(d, 9), 5));
            h.watermark(day(30));
            assertThat(AlertLines.of(Signal.RENEWAL_AT_RISK, h.alerts())).isEmpty();
        }
    }

    @Test
    void theThresholdsComeFromTheRulesAndItCanBeSwitchedOff() throws Exception {
        try (DetectorHarness h = DetectorHarness.open(TestRules.with("""
                signals:
                  renewalAtRisk: {withinDays: 5, belowScore: 90, severity: CRITICAL}
                """))) {
            h.send(Ev.with(Ev.subscription(ACC, at(0, 1), SubscriptionAction.STARTED), x -> x.renewalDate = date(20)));
            h.watermark(day(15) - 1);
            assertThat(AlertLines.of(Signal.RENEWAL_AT_RISK, h.alerts())).isEmpty();
            h.watermark(day(20));
            assertThat(lines(AlertLines.of(Signal.RENEWAL_AT_RISK, h.alerts())))
                    .containsExactly(line(Signal.RENEWAL_AT_RISK, "RAISED", "CRITICAL", day(15)));
        }
        try (DetectorHarness h = DetectorHarness.open(TestRules.with("signals:\n  renewalAtRisk: {enabled: false}\n  onboardingStalled: {enabled: false}"))) {
            h.send(troubled(date(20)).toArray(AccountEvent[]::new));
            assertThat(h.timers()).isZero();
            h.watermark(day(30));
            assertThat(h.alerts()).extracting(RiskAlert::getSignal).doesNotContain("RENEWAL_AT_RISK");
        }
    }
}
