package io.churnradar.score;

import static io.churnradar.detect.AccountState.NONE;
import static io.churnradar.detect.state.EventTime.DAY_MS;

import io.churnradar.alerts.HealthTier;
import io.churnradar.config.Rules;
import io.churnradar.detect.AccountState;
import io.churnradar.detect.FeedbackState;
import io.churnradar.detect.state.DayBuckets;
import io.churnradar.detect.state.EventTime;
import io.churnradar.detect.state.FeatureUsage;
import io.churnradar.signals.card.CardExpiringSignal;
import io.churnradar.signals.inactivity.InactivitySignal;
import io.churnradar.signals.tickets.UrgentTicketAgingSignal;
import io.churnradar.signals.usage.UsageDropSignal;
import java.io.Serializable;
import java.util.function.ObjLongConsumer;

/**
 * The health score of an account as the detector sees it: gathers the {@link HealthFacts} from
 * {@link AccountState}, computes the score, and publishes an update when {@link HealthUpdatePolicy}
 * says so. The score is evaluated after every event, at every day close and at every deadline of
 * the account; it asks for the day closes its time-dependent components need (login recency,
 * feature breadth), and needs no deadline of its own.
 */
public final class AccountHealthModel implements Serializable {
    private static final long serialVersionUID = 1L;

    private final ScoreSettings settings;

    public AccountHealthModel(Rules rules) {
        this.settings = ScoreSettings.of(rules);
    }

    public Health compute(AccountState s, long at) {
        return HealthScore.compute(HealthScore.values(facts(s, at), settings), settings);
    }

    public HealthFacts facts(AccountState s, long at) {
        int n = settings.usageDrop().windowDays;
        // The trend of the latest close. An account without usage in the look-back and no close since it had some (no
        // trend yet) is judged by its age at the last day closed by `at`, with no usage: as an account that has closes
        // would be, without a timer of its own for it (its score moves at its next event).
        boolean judged = s.trendDay != NONE ? UsageDropSignal.baselineFull(s, s.trendDay, n)
                : DayBuckets.isEmpty(s) && UsageDropSignal.baselineFull(s, Math.floorDiv(at, DAY_MS) - 1, n);
        Double sinceLogin = s.lastLoginAt == NONE ? null : Math.max(0, at - s.lastLoginAt) / (double) DAY_MS;
        int features = FeatureUsage.countUsedSince(s, at - settings.health().featureWindowDays * DAY_MS + 1);
        long lastDay = EventTime.dayOf(at - 1); // at a day close, the day just closed
        int tickets = DayBuckets.ticketsOpened(s, lastDay - settings.ticketSpike().windowDays + 1, lastDay);
        FeedbackState f = s.feedback;
        return new HealthFacts(
                judged,
                s.trendCurUsage,
                s.trendPrevUsage,
                sinceLogin,
                features,
                tickets,
                UrgentTicketAgingSignal.agedAt(s, at, settings.urgentTickets()),
                s.failureStreak,
                CardExpiringSignal.expiringAt(s, at, settings.cardExpiring()),
                f == null || f.lastNpsScore < 0 ? null : f.lastNpsScore,
                f == null || f.lastCsatScore < 0 ? null : f.lastCsatScore);
    }

    /**
     * Day closes the score needs to follow time: while login recency is still falling (until the INACTIVITY
     * deadline, which samples its last value, or one close past it when INACTIVITY is off); the close where a
     * feature leaves the breadth window, and where an opened ticket enters or leaves the TICKET_SPIKE window;
     * and, for an account with usage or tickets in the look-back (day buckets), the next close when the score
     * there differs from the one last published: a change too small to publish on the day it happened is
     * published at the first moment of the next day (a quiet account's waits for its next event or close). The
     * usage trend moves at the closes USAGE_DROP asks for. Between these closes the score stays what it was at
     * the last one, so no close is skipped that would publish anything.
     */
    public long firstDayNeedingClose(AccountState s, long from) {
        if (s.lastLoginAt != NONE) {
            InactivitySignal.Settings inactivity = settings.inactivity();
            long zeroAt = s.lastLoginAt + inactivity.days * DAY_MS;
            long closeAt = (from + 1) * DAY_MS;
            if (closeAt < zeroAt || (!inactivity.enabled && from * DAY_MS < zeroAt)) return from;
        }
        long next = NONE;
        for (long used : s.featureLastUsedAt) {
            // Counted at a close while its use is within the window before it: the last such close is the one of
            // the use's day plus the window, so the close after it is the first without it.
            long leaves = Math.floorDiv(used - 1, DAY_MS) + settings.health().featureWindowDays;
            if (leaves >= from) next = EventTime.earliest(next, leaves);
        }
        int ticketWindow = settings.ticketSpike().windowDays;
        for (int i = 0; i < s.bucketDays.length; i++) {
            if (s.bucketTicketsOpened[i] == 0) continue;
            long day = s.bucketDays[i];
            if (day >= from) next = EventTime.earliest(next, day);
            else if (day + ticketWindow >= from) next = EventTime.earliest(next, day + ticketWindow);
        }
        // Last, as the one that evaluates the score: this runs after every event of the account.
        if (next != from && s.lastHealthScore >= 0 && !DayBuckets.isEmpty(s)) {
            int score = HealthScore.score(facts(s, Math.max(EventTime.closeAt(from), s.lastHealthAt)), settings);
            if (score != s.lastHealthScore || HealthScore.tier(score, settings.health()) != s.lastHealthTier) return from;
        }
        return next;
    }

    /**
     * Re-evaluates the score at {@code at} and, when due, hands it to {@code publish} with its
     * {@code asOf}; the published times never go back.
     */
    public void update(AccountState s, long at, ObjLongConsumer<Health> publish) {
        update(s, at, false, publish);
    }

    /**
     * Publishes the score at {@code at} whatever the policy says: at a day close where the account was
     * scored for churn, the update carries that probability (one per scored account and day).
     */
    public void publish(AccountState s, long at, ObjLongConsumer<Health> publish) {
        update(s, at, true, publish);
    }

    private void update(AccountState s, long at, boolean force, ObjLongConsumer<Health> publish) {
        long asOf = s.lastHealthAt == NONE ? at : Math.max(at, s.lastHealthAt);
        // The component values once: the score decides whether to publish, and a published update lists them.
        double[] values = HealthScore.values(facts(s, asOf), settings);
        int score = HealthScore.score(values, settings);
        HealthTier tier = HealthScore.tier(score, settings.health());
        if (force || HealthUpdatePolicy.due(s.lastHealthScore, s.lastHealthTier, s.lastHealthAt, score, tier, asOf, settings.health().minScoreChange)) {
            publish.accept(HealthScore.compute(values, score, settings), asOf);
            s.lastHealthScore = score;
            s.lastHealthTier = tier;
            s.lastHealthAt = asOf;
        }
    }
}
