package io.churnradar.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.churnradar.alerts.HealthTier;
import io.churnradar.config.Rules;
import org.junit.jupiter.api.Test;

/** The health score: each component's formula at its boundaries, the weights, the tiers. */
class HealthScoreTest {
    private static final Rules DEFAULTS = Rules.defaults();

    /** A steady account: usage held, logged in today, 3 features, no tickets, payments fine, no survey. */
    static HealthFacts steady() {
        return new HealthFacts(true, 35, 35, 0.3, 3, 0, 0, 0, false, null, null);
    }

    private static HealthFacts usage(double cur, double prev) {
        return new HealthFacts(true, cur, prev, 0.0, 3, 0, 0, 0, false, null, null);
    }

    private static HealthFacts login(Double days) {
        return new HealthFacts(true, 35, 35, days, 3, 0, 0, 0, false, null, null);
    }

    private static HealthFacts support(int opened, int agedUrgent) {
        return new HealthFacts(true, 35, 35, 0.0, 3, opened, agedUrgent, 0, false, null, null);
    }

    private static HealthFacts payment(int streak, boolean cardExpiring) {
        return new HealthFacts(true, 35, 35, 0.0, 3, 0, 0, streak, cardExpiring, null, null);
    }

    private static HealthFacts survey(Integer nps, Integer csat) {
        return new HealthFacts(true, 35, 35, 0.0, 3, 0, 0, 0, false, nps, csat);
    }

    private static double value(HealthFacts f, String component) {
        return HealthScore.compute(f, DEFAULTS).component(component).value();
    }

    @Test
    void theComponentsAndTheirDefaultWeights() {
        Health h = HealthScore.compute(steady(), DEFAULTS);
        assertThat(h.components()).extracting(ScoreComponent::name).containsExactly(
                "usageTrend", "loginRecency", "featureBreadth", "supportBurden", "paymentHealth", "sentiment");
        assertThat(h.components()).extracting(ScoreComponent::weight).containsExactly(25.0, 20.0, 15.0, 15.0, 15.0, 10.0);
        assertThat(h.component("sentiment").value()).isEqualTo(HealthScore.NEUTRAL);
        assertThat(h.component("sentiment").contribution()).isEqualTo(7.5);
        assertThat(h.score()).isEqualTo(98); // 25 + 20 + 15 + 15 + 15 + 7.5, rounded
        assertThat(h.tier()).isEqualTo(HealthTier.GREEN);
    }

    @Test
    void usageTrendIsFiftyAtTheUsageDropThreshold() {
        assertThat(value(usage(35, 35), "usageTrend")).isEqualTo(100);
        assertThat(value(usage(70, 35), "usageTrend")).isEqualTo(100);
        assertThat(value(usage(7, 10), "usageTrend")).isEqualTo(50); // a 30% drop
        assertThat(value(usage(8.5, 10), "usageTrend")).isEqualTo(75);
        assertThat(value(usage(4, 10), "usageTrend")).isEqualTo(0); // a 60% drop
        assertThat(value(usage(0, 10), "usageTrend")).isEqualTo(0);
        // Without a baseline: usage against the baseline itself.
        assertThat(value(usage(5, 9.9), "usageTrend")).isEqualTo(50);
        assertThat(value(usage(12, 0), "usageTrend")).isEqualTo(100);
        assertThat(value(usage(0, 0), "usageTrend")).isEqualTo(0);
        // Too young for a verdict: neutral.
        assertThat(value(new HealthFacts(false, 0, 0, 0.0, 3, 0, 0, 0, false, null, null), "usageTrend")).isEqualTo(75);
    }

    @Test
    void loginRecencyFallsToZeroAtTheInactivityLimit() {
        assertThat(value(login(0.0), "loginRecency")).isEqualTo(100);
        assertThat(value(login(1.0), "loginRecency")).isEqualTo(100);
        assertThat(value(login(7.5), "loginRecency")).isEqualTo(50);
        assertThat(value(login(14.0), "loginRecency")).isEqualTo(0);
        assertThat(value(login(40.0), "loginRecency")).isEqualTo(0);
        assertThat(value(login(null), "loginRecency")).isEqualTo(75);
    }

    @Test
    void featureBreadthCountsAgainstTheTarget() {
        HealthFacts none = new HealthFacts(true, 35, 35, 0.0, 0, 0, 0, 0, false, null, null);
        HealthFacts one = new HealthFacts(true, 35, 35, 0.0, 1, 0, 0, 0, false, null, null);
        HealthFacts five = new HealthFacts(true, 35, 35, 0.0, 5, 0, 0, 0, false, null, null);
        assertThat(value(none, "featureBreadth")).isEqualTo(0);
        assertThat(value(one, "featureBreadth")).isEqualTo(33.3);
        assertThat(value(steady(), "featureBreadth")).isEqualTo(100);
        assertThat(value(five, "featureBreadth")).isEqualTo(100);
    }

    @Test
    void supportBurdenLosesAQuarterPerTicketAndHalfPerAgedUrgentTicket() {
        assertThat(value(support(0, 0), "supportBurden")).isEqualTo(100);
        assertThat(value(support(1, 0), "supportBurden")).isEqualTo(75);
        assertThat(value(support(3, 0), "supportBurden")).isEqualTo(25); // a TICKET_SPIKE
        assertThat(value(support(4, 0), "supportBurden")).isEqualTo(0);
        assertThat(value(support(0, 1), "supportBurden")).isEqualTo(50);
        assertThat(value(support(1, 1), "supportBurden")).isEqualTo(25);
        assertThat(value(support(0, 2), "supportBurden")).isEqualTo(0);
    }

    @Test
    void paymentHealthFollowsTheFailureStreakAndTheCard() {
        assertThat(value(payment(0, false), "paymentHealth")).isEqualTo(100);
        assertThat(value(payment(1, false), "paymentHealth")).isEqualTo(50);
        assertThat(value(payment(2, false), "paymentHealth")).isEqualTo(25);
        assertThat(value(payment(3, false), "paymentHealth")).isEqualTo(0); // dunning exhausted
        assertThat(value(payment(0, true), "paymentHealth")).isEqualTo(75);
        assertThat(value(payment(1, true), "paymentHealth")).isEqualTo(25);
        assertThat(value(payment(3, true), "paymentHealth")).isEqualTo(0);
    }

    @Test
    void sentimentIsNeutralWithoutAnswers() {
        assertThat(value(survey(null, null), "sentiment")).isEqualTo(75);
        assertThat(value(survey(10, null), "sentiment")).isEqualTo(100);
        assertThat(value(survey(6, null), "sentiment")).as("a detractor is below neutral").isEqualTo(60);
        assertThat(value(survey(0, null), "sentiment")).isEqualTo(0);
        assertThat(value(survey(null, 5), "sentiment")).isEqualTo(100);
        assertThat(value(survey(null, 2), "sentiment")).isEqualTo(25);
        assertThat(value(survey(null, 1), "sentiment")).isEqualTo(0);
        assertThat(value(survey(9, 3), "sentiment")).isEqualTo(70); // the mean of 90 and 50
    }

    @Test
    void aTroubledAccountScoresWellBelowASteadyOne() {
        // USAGE_DROP (a 43% drop) and PAYMENT_FAILED (one failure): otherwise like the steady account.
        HealthFacts troubled = new HealthFacts(true, 20, 35, 0.3, 3, 0, 0, 1, false, null, null);
        Health s = HealthScore.compute(steady(), DEFAULTS);
        Health t = HealthScore.compute(troubled, DEFAULTS);
        assertThat(t.score()).isLessThanOrEqualTo(s.score() - 25);
        assertThat(t.component("usageTrend").value()).isLessThan(50);
        assertThat(t.component("paymentHealth").value()).isEqualTo(50);
        assertThat(t.score()).isEqualTo(72);
        assertThat(t.tier()).isEqualTo(HealthTier.YELLOW);
        assertThat(t.weakest(2)).isEqualTo("usageTrend 28.6, paymentHealth 50");
    }

    @Test
    void theScoreIsTheRoundedSumOfTheContributions() {
        HealthFacts f = new HealthFacts(true, 8.5, 10, 4.0, 1, 2, 0, 2, true, 7, 4);
        Health h = HealthScore.compute(f, DEFAULTS);
        double sum = h.components().stream().mapToDouble(ScoreComponent::contribution).sum();
        assertThat(h.score()).isEqualTo((int) Math.round(sum));
        assertThat(h.components()).allSatisfy(c -> assertThat(c.contribution()).isCloseTo(c.value() * c.weight() / 100, within(0.01)));
    }

    @Test
    void theWeightsComeFromTheRules() {
        Rules paymentOnly = Rules.parse("""
                version: v1
                health:
                  weights: {usageTrend: 0, loginRecency: 0, featureBreadth: 0, supportBurden: 0, paymentHealth: 100, sentiment: 0}
                """, "test");
        assertThat(HealthScore.compute(payment(1, false), paymentOnly).score()).isEqualTo(50);
        assertThat(HealthScore.compute(payment(0, false), paymentOnly).score()).isEqualTo(100);
        assertThat(HealthScore.compute(payment(1, false), paymentOnly).weakest(3)).isEqualTo("paymentHealth 50");
    }

    @Test
    void tiersAtTheirBounds() {
        Rules.Health h = DEFAULTS.health;
        assertThat(HealthScore.tier(100, h)).isEqualTo(HealthTier.GREEN);
        assertThat(HealthScore.tier(75, h)).isEqualTo(HealthTier.GREEN);
        assertThat(HealthScore.tier(74, h)).isEqualTo(HealthTier.YELLOW);
        assertThat(HealthScore.tier(50, h)).isEqualTo(HealthTier.YELLOW);
        assertThat(HealthScore.tier(49, h)).isEqualTo(HealthTier.RED);
        assertThat(HealthScore.tier(0, h)).isEqualTo(HealthTier.RED);
        Rules custom = Rules.parse("version: v1\nhealth:\n  tiers: {green: 90, yellow: 0}\n", "test");
        assertThat(HealthScore.tier(89, custom.health)).isEqualTo(HealthTier.YELLOW);
        assertThat(HealthScore.tier(0, custom.health)).as("yellow from 0: never RED").isEqualTo(HealthTier.YELLOW);
    }

    @Test
    void theThresholdsOfTheSignalsShapeTheComponents() {
        Rules r = Rules.parse("""
                version: v1
                signals:
                  inactivity: {days: 3}
                  paymentFailed: {criticalAfterFailures: 1}
                  ticketSpike: {minOpened: 1}
                health: {featureTarget: 1}
                """, "test");
        HealthFacts f = new HealthFacts(true, 35, 35, 2.0, 1, 1, 0, 1, false, null, null);
        Health h = HealthScore.compute(f, r);
        assertThat(h.component("loginRecency").value()).isEqualTo(50);
        assertThat(h.component("paymentHealth").value()).isEqualTo(0);
        assertThat(h.component("supportBurden").value()).isEqualTo(50);
        assertThat(h.component("featureBreadth").value()).isEqualTo(100);
    }
}
