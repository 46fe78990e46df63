package io.churnradar.score;

import io.churnradar.alerts.HealthTier;
import io.churnradar.config.Rules;
import io.churnradar.signals.usage.UsageDropSignal;
import java.util.List;

/**
 * The health score: six components, each 0..100 (100 is healthy), weighted by the rules into a
 * score 0..100 and a tier. docs/signals.md ("Account health") gives every formula; each one uses
 * the thresholds of the signal that watches the same thing, so the score and the alerts agree.
 */
public final class HealthScore {
    /** The value of a component without evidence yet: as good as a passive NPS answer or a CSAT of 4. */
    public static final double NEUTRAL = 75;
    /** Points paymentHealth loses while the card on file is expiring. */
    static final double CARD_EXPIRING_PENALTY = 25;
    /** Points supportBurden loses per urgent ticket open past its limit. */
    static final double AGED_URGENT_PENALTY = 50;

    private HealthScore() {}

    private static final String[] NAMES = {
        ScoreComponent.USAGE_TREND, ScoreComponent.LOGIN_RECENCY, ScoreComponent.FEATURE_BREADTH,
        ScoreComponent.SUPPORT_BURDEN, ScoreComponent.PAYMENT_HEALTH, ScoreComponent.SENTIMENT
    };

    /** The score with its tier and components. */
    public static Health compute(HealthFacts f, Rules rules) {
        ScoreSettings settings = ScoreSettings.of(rules);
        return compute(values(f, settings), settings);
    }

    /** The score with its tier and components, from the component values of {@link #values}. */
    static Health compute(double[] values, ScoreSettings settings) {
        return compute(values, score(values, settings), settings);
    }

    /** As above, with the score of those values already worked out ({@link #score(double[], ScoreSettings)}). */
    static Health compute(double[] values, int score, ScoreSettings settings) {
        double[] weights = settings.weights();
        ScoreComponent[] components = new ScoreComponent[NAMES.length];
        for (int i = 0; i < NAMES.length; i++) components[i] = new ScoreComponent(NAMES[i], values[i], weights[i]);
        return new Health(score, tier(score, settings.health()), List.of(components));
    }

    /** The score alone, without building its components: what most evaluations need. */
    static int score(HealthFacts f, ScoreSettings settings) {
        return score(values(f, settings), settings);
    }

    /** The rounded sum of the contributions, each {@code value * weight / 100} rounded to 0.01 as in {@link ScoreComponent}. */
    static int score(double[] values, ScoreSettings settings) {
        double[] weights = settings.weights();
        double sum = 0;
        for (int i = 0; i < values.length; i++) sum += ScoreComponent.contribution(values[i], weights[i]);
        return (int) Math.max(0, Math.min(100, Math.round(sum)));
    }

    /** The six component values, each rounded to 0.1, in the order of {@code NAMES}. */
    static double[] values(HealthFacts f, ScoreSettings settings) {
        return new double[] {
            round1(usageTrend(f, settings.usageDrop())),
            round1(loginRecency(f, settings.inactivity().days)),
            round1(featureBreadth(f, settings.health().featureTarget)),
            round1(supportBurden(f, settings.ticketSpike().minOpened)),
            round1(paymentHealth(f, settings.paymentFailed().criticalAfterFailures)),
            round1(sentiment(f))
        };
    }

    public static HealthTier tier(int score, Rules.Health h) {
        if (score >= h.greenFrom) return HealthTier.GREEN;
        if (score >= h.yellowFrom) return HealthTier.YELLOW;
        return HealthTier.RED;
    }

    /**
     * With a baseline (prev >= minBaseline): 100 when usage held or grew, 50 at the USAGE_DROP
     * threshold (cur = (1 - dropRatio) * prev), 0 at twice that drop, linear in between. Without a
     * baseline: usage against the baseline itself, {@code 100 * min(1, cur / minBaseline)}. An account
     * too young for a verdict is neutral.
     */
    static double usageTrend(HealthFacts f, UsageDropSignal.Settings u) {
        if (!f.usageJudged()) return NEUTRAL;
        if (f.usagePrev() >= u.minBaseline && f.usagePrev() > 0) {
            double ratio = f.usageCur() / f.usagePrev();
            double zeroAt = 1 - 2 * u.dropRatio;
            return 100 * clamp01((ratio - zeroAt) / (1 - zeroAt));
        }
        return u.minBaseline <= 0 ? 100 : 100 * clamp01(f.usageCur() / u.minBaseline);
    }

    /** 100 within a day of the latest login, falling linearly to 0 at the INACTIVITY limit; neutral if it never logged in. */
    static double loginRecency(HealthFacts f, int inactivityDays) {
        if (f.daysSinceLogin() == null) return NEUTRAL;
        double d = f.daysSinceLogin();
        if (d <= 1) return 100;
        if (inactivityDays <= 1) return 0;
        return 100 * clamp01(1 - (d - 1) / (inactivityDays - 1));
    }

    /** Distinct features used recently against the target: {@code 100 * min(1, features / target)}. */
    static double featureBreadth(HealthFacts f, int target) {
        return 100 * clamp01((double) f.recentFeatures() / target);
    }

    /**
     * 100 without tickets, minus {@code 100 / (minOpened + 1)} per ticket opened in the TICKET_SPIKE
     * window (25 each by default: 25 left at a spike), minus 50 per urgent ticket past its limit.
     */
    static double supportBurden(HealthFacts f, int minOpened) {
        double v = 100 * (1 - (double) f.ticketsOpened() / (minOpened + 1)) - AGED_URGENT_PENALTY * f.agedUrgentTickets();
        return Math.max(0, v);
    }

    /**
     * 100 without failures, 50 at the first failure falling linearly to 0 at the CRITICAL streak;
     * 25 points less while the card on file is expiring.
     */
    static double paymentHealth(HealthFacts f, int criticalAfterFailures) {
        double v;
        int streak = f.failureStreak();
        if (streak <= 0) v = 100;
        else if (criticalAfterFailures <= 1) v = 0;
        else v = 50 * clamp01(1 - (double) (streak - 1) / (criticalAfterFailures - 1));
        if (f.cardExpiring()) v -= CARD_EXPIRING_PENALTY;
        return Math.max(0, v);
    }

    /** NPS as {@code 10 * score}, CSAT as {@code 25 * (score - 1)}; the mean of the two when both are known; neutral when none. */
    static double sentiment(HealthFacts f) {
        Double nps = f.npsScore() == null ? null : 10.0 * f.npsScore();
        Double csat = f.csatScore() == null ? null : 25.0 * (f.csatScore() - 1);
        if (nps != null && csat != null) return (nps + csat) / 2;
        if (nps != null) return nps;
        if (csat != null) return csat;
        return NEUTRAL;
    }

    private static double clamp01(double v) {
        return Math.max(0, Math.min(1, v));
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }

    static String format(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
