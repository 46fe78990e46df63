package io.churnradar.detect;

import static io.churnradar.detect.AccountState.NONE;
import static io.churnradar.detect.SignalEngine.DAY_MS;

import io.churnradar.alerts.HealthTier;
import io.churnradar.config.Rules;
import io.churnradar.score.Health;
import io.churnradar.score.HealthFacts;
import io.churnradar.score.HealthScore;
import io.churnradar.score.HealthUpdatePolicy;
import java.io.Serializable;

/**
 * The health score of an account as the detector sees it: gathers the {@link HealthFacts} from
 * {@link AccountState}, computes the score, and publishes an update when {@link HealthUpdatePolicy}
 * says so. The score is evaluated after every event, at every day close and at every deadline of
 * the account; it asks for the day closes its time-dependent components need (login recency,
 * feature breadth), and needs no deadline of its own.
 */
final class AccountHealthModel implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Rules rules;

    AccountHealthModel(Rules rules) {
        this.rules = rules;
    }

    Health compute(AccountState s, long at) {
        return HealthScore.compute(facts(s, at), rules);
    }

    HealthFacts facts(AccountState s, long at) {
        int n = rules.usageDrop.windowDays;
        boolean judged = s.trendDay != NONE && s.firstEventDay != NONE && s.firstEventDay <= s.trendDay - (2L * n - 1);
        Double sinceLogin = s.lastLoginAt == NONE ? null : Math.max(0, at - s.lastLoginAt) / (double) DAY_MS;
        int features = FeatureUsage.countUsedSince(s, at - rules.health.featureWindowDays * DAY_MS + 1);
        long lastDay = SignalEngine.dayOf(at - 1); // at a day close, the day just closed
        int tickets = DayBuckets.ticketsOpened(s, lastDay - rules.ticketSpike.windowDays + 1, lastDay);
        FeedbackState f = s.feedback;
        return new HealthFacts(
                judged,
                s.trendCurUsage,
                s.trendPrevUsage,
                sinceLogin,
                features,
                tickets,
                UrgentTicketAgingSignal.agedAt(s, at, rules.urgentTicketAging),
                s.failureStreak,
                CardExpiringSignal.expiringAt(s, at, rules.cardExpiring),
                f == null || f.lastNpsScore < 0 ? null : f.lastNpsScore,
                f == null || f.lastCsatScore < 0 ? null : f.lastCsatScore);
    }

    /**
     * Day closes the score needs to follow time: while login recency is still falling (until the
     * INACTIVITY deadline, which samples its last value, or one close past it when INACTIVITY is off)
     * and while a feature may still leave the breadth window. Usage trend and ticket counts move with
     * the day buckets, whose closes the detector keeps anyway.
     */
    long firstDayNeedingClose(AccountState s, long from) {
        if (s.lastLoginAt != NONE) {
            long zeroAt = s.lastLoginAt + rules.inactivity.days * DAY_MS;
            long closeAt = (from + 1) * DAY_MS;
            if (closeAt < zeroAt || (!rules.inactivity.enabled && from * DAY_MS < zeroAt)) return from;
        }
        long lastUse = FeatureUsage.latestUse(s);
        if (lastUse != NONE && lastUse + rules.health.featureWindowDays * DAY_MS > from * DAY_MS) return from;
        return NONE;
    }

    /** Re-evaluates the score at {@code at} and publishes it when due; the published times never go back. */
    void update(AccountState s, long at, Emitter emit) {
        long asOf = s.lastHealthAt == NONE ? at : Math.max(at, s.lastHealthAt);
        HealthFacts facts = facts(s, asOf);
        int score = HealthScore.score(facts, rules);
        HealthTier tier = HealthScore.tier(score, rules.health);
        if (HealthUpdatePolicy.due(s.lastHealthScore, s.lastHealthTier, s.lastHealthAt, score, tier, asOf, rules.health.minScoreChange)) {
            emit.publishHealth(HealthScore.compute(facts, rules), asOf);
            s.lastHealthScore = score;
            s.lastHealthTier = tier;
            s.lastHealthAt = asOf;
        }
    }
}
