package io.churnradar.detect;

import static io.churnradar.detect.Days.at;
import static io.churnradar.detect.Days.day;
import static org.assertj.core.api.Assertions.assertThat;

import io.churnradar.alerts.AccountHealth;
import io.churnradar.alerts.HealthComponent;
import io.churnradar.alerts.HealthTier;
import io.churnradar.alerts.RiskAlert;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.signals.Signal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The account health score in the detector: published as AccountHealth updates (the first score, a
 * tier change, a move of 5 points at once; smaller changes at most once a UTC day), carried by every
 * alert, and moving with the signals.
 */
class AccountHealthTest {

    /** Logs in and uses three features every day from day 0 to {@code lastDay}. */
    private static void steady(DetectorHarness h, String acc, int lastDay) throws Exception {
        for (int d = 0; d <= lastDay; d++) {
            h.send(Ev.login(acc, at(d, 8)), Ev.usage(acc, at(d, 9), "reports", 2),
                    Ev.usage(acc, at(d, 9), "dashboards", 2), Ev.usage(acc, at(d, 9), "exports", 1));
        }
    }

    @Test
    void theFirstEventPublishesTheFirstScore() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.login("acme", at(0, 8)));
            List<AccountHealth> out = h.health();
            assertThat(out).hasSize(1);
            AccountHealth a = out.get(0);
            assertThat(a.getAccountId()).isEqualTo("acme");
            assertThat(a.getAsOf()).isEqualTo(Days.instant(at(0, 8)));
            assertThat(a.getRuleVersion()).isEqualTo("default-1");
            assertThat(a.getComponents()).extracting(HealthComponent::getName).containsExactly(
                    "usageTrend", "loginRecency", "featureBreadth", "supportBurden", "paymentHealth", "sentiment");
            assertThat(a.getComponents()).extracting(HealthComponent::getWeight).containsExactly(25.0, 20.0, 15.0, 15.0, 15.0, 10.0);
            // A new account: usage trend and sentiment neutral (75), logged in now, no feature yet.
            assertThat(a.getComponents()).extracting(HealthComponent::getValue).containsExactly(75.0, 100.0, 0.0, 100.0, 100.0, 75.0);
            assertThat(a.getScore()).isEqualTo(76);
            assertThat(a.getTier()).isEqualTo(HealthTier.GREEN);
            double sum = a.getComponents().stream().mapToDouble(HealthComponent::getContribution).sum();
            assertThat(a.getScore()).isEqualTo((int) Math.round(sum));
        }
    }

    @Test
    void aTroubledAccountScoresWellBelowASteadyOneAndItsAlertsSayIt() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            List<AccountEvent> events = new ArrayList<>();
            for (int d = 0; d <= 20; d++) {
                for (String acc : new String[] {"steady", "troubled"}) {
                    double reports = acc.equals("troubled") && d >= 14 ? 1 : 5;
                    events.add(Ev.login(acc, at(d, 8)));
                    events.add(Ev.usage(acc, at(d, 9), "reports", reports));
                    events.add(Ev.usage(acc, at(d, 9), "dashboards", 1));
                    events.add(Ev.usage(acc, at(d, 9), "exports", 1));
                }
            }
            events.add(Ev.failed("troubled", at(19, 12)));
            long maxSeen = Long.MIN_VALUE;
            for (AccountEvent e : events.stream().sorted(Comparator.comparingLong(e -> e.eventTime)).toList()) {
                h.send(e); // with a watermark one hour behind the newest event, as the backtest does
                maxSeen = Math.max(maxSeen, e.eventTime);
                h.watermark(maxSeen - Days.HOUR);
            }
            h.watermark(day(21));

            AccountHealth steady = h.latestHealth("steady");
            AccountHealth troubled = h.latestHealth("troubled");
            assertThat(steady.getScore()).isGreaterThanOrEqualTo(95);
            assertThat(steady.getTier()).isEqualTo(HealthTier.GREEN);
            assertThat(troubled.getScore()).isLessThanOrEqualTo(steady.getScore() - 25);
            assertThat(troubled.getTier()).isNotEqualTo(HealthTier.GREEN);

            RiskAlert drop = AlertLines.of(Signal.USAGE_DROP, h.alerts()).get(0);
            RiskAlert failed = AlertLines.of(Signal.PAYMENT_FAILED, h.alerts()).get(0);
            assertThat(drop.getAccountId()).isEqualTo("troubled");
            assertThat(drop.getDetectedAt()).isEqualTo(Days.instant(day(18))); // cur 33 against prev 49
            assertThat(drop.getHealthScore()).isLessThan(steady.getScore() - 10);
            assertThat(failed.getHealthScore()).as("the failure costs more points").isLessThan(drop.getHealthScore());
            assertThat(failed.getHealthTier()).isEqualTo(HealthScoreTier.of(failed.getHealthScore()));
            assertThat(h.alerts()).allSatisfy(a -> assertThat(a.getHealthScore()).isNotNull());
        }
    }

    @Test
    void fivePointsArePublishedAtOnceSmallerMovesAtTheNextDayClose() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            steady(h, "acme", 14);
            h.watermark(at(14, 10));
            int before = h.latestHealth("acme").getScore();
            h.newHealth();

            h.send(Ev.failed("acme", at(14, 12))); // paymentHealth 100 -> 50: 7.5 points
            List<AccountHealth> out = h.newHealth();
            assertThat(out).hasSize(1);
            assertThat(out.get(0).getAsOf()).isEqualTo(Days.instant(at(14, 12)));
            assertThat(out.get(0).getScore()).isEqualTo(before - 8);

            h.send(Ev.failed("acme", at(14, 13))); // 50 -> 25: 3.75 points, not yet
            assertThat(h.newHealth()).isEmpty();
            h.watermark(day(15) - 1);
            assertThat(h.newHealth()).isEmpty();
            h.watermark(day(15)); // the day close: the small change is published, once
            out = h.newHealth();
            assertThat(out).hasSize(1);
            assertThat(out.get(0).getAsOf()).isEqualTo(Days.instant(day(15)));
            assertThat(out.get(0).getScore()).isEqualTo(before - 12);
        }
    }

    @Test
    void aTierChangeIsPublishedAtOnceAndSmallChangesAtMostOnceADay() throws Exception {
        // An account that only answers surveys: 71.75 with NPS 8 (usage, login neutral; no feature).
        try (DetectorHarness h = DetectorHarness.open(TestRules.with("health:\n  tiers: {green: 72, yellow: 40}"))) {
            h.send(Ev.nps("acme", at(1, 9), 8));
            assertThat(h.newHealth()).extracting(AccountHealth::getScore, AccountHealth::getTier)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(72, HealthTier.GREEN));
            h.send(Ev.nps("acme", at(1, 10), 7)); // one point, but down a tier
            assertThat(h.newHealth()).extracting(AccountHealth::getScore, AccountHealth::getTier)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(71, HealthTier.YELLOW));
            h.send(Ev.nps("acme", at(1, 11), 6)); // one more point the same day: not yet
            assertThat(h.newHealth()).isEmpty();
            assertThat(h.timers()).as("this account needs no timer").isZero();
            h.send(Ev.nps("acme", at(2, 7), 6)); // the next UTC day: the change since the last update is published
            assertThat(h.newHealth()).extracting(AccountHealth::getScore, AccountHealth::getAsOf)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(70, Days.instant(at(2, 7))));
            h.send(Ev.nps("acme", at(2, 8), 5));
            assertThat(h.newHealth()).isEmpty();
        }
    }

    @Test
    void loginRecencyIsFollowedAtDayClosesUntilTheInactivityDeadline() throws Exception {
        try (DetectorHarness h = DetectorHarness.open()) {
            h.send(Ev.login("acme", at(0, 9)));
            h.watermark(day(20));
            List<AccountHealth> out = h.health();
            List<Double> recency = out.stream().map(a -> a.getComponents().get(1).getValue()).toList();
            assertThat(recency).startsWith(100.0).isSortedAccordingTo(Comparator.reverseOrder()).last().isEqualTo(2.9);
            // One update at each day close while it falls; the last step, at the INACTIVITY deadline, moves
            // the score by less than 5 points (here not at all) on a day that already had its update.
            assertThat(out).extracting(AccountHealth::getAsOf).isSorted().last().isEqualTo(Days.instant(day(14)));
            assertThat(out).hasSize(14); // the first score, then the closes of days 2..14
            assertThat(h.alerts()).singleElement().satisfies(a -> assertThat(a.getHealthScore()).isEqualTo(38)); // no usage for 13 days: usageTrend 0
            assertThat(h.timers()).isZero();
        }
    }

    /** The tier of a score under the default bounds, as alerts write it. */
    private static final class HealthScoreTier {
        static String of(int score) {
            return io.churnradar.score.HealthScore.tier(score, DetectorHarness.signalsOnly().health).name();
        }
    }
}
