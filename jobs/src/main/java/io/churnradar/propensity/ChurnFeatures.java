package io.churnradar.propensity;

import static io.churnradar.detect.AccountState.NONE;

import io.churnradar.detect.AccountState;
import io.churnradar.detect.state.DayBuckets;
import io.churnradar.detect.state.EventTime;
import io.churnradar.signals.Signal;
import java.util.List;

/**
 * The features of the propensity model, read from an account's detection state at a day close: the same
 * state the streaming job keeps, so that a model trained on a backtest scores the stream unchanged.
 *
 * <p>No look-ahead: the state may already hold an event a little ahead of the watermark (out-of-orderness),
 * so every figure is taken as of the close: day buckets up to the closed day only, instants after the
 * close ignored and recencies never negative. A figure the account never showed (no survey, no
 * subscription, no payment) is missing (NaN), which the trees treat as its own case.
 *
 * <p>Only what the state keeps: usage per day for its look-back (twice the USAGE_DROP window, 14 days by
 * default), the latest login, the features used with their latest use, tickets opened per day, the payment
 * failure streak and latest success and failure, the latest NPS and CSAT, the subscription (MRR, plan,
 * seats, renewal) and the open signal episodes. It keeps no login count and no payment amounts: frequency
 * is read as active days and monetary value as usage and MRR.
 */
public final class ChurnFeatures {
    private static final long DAY = EventTime.DAY_MS;

    /** The feature names, in the order of {@link #extract}'s vector. Appending is the only allowed change. */
    public static final List<String> NAMES = List.of(
            "usage_1d",
            "usage_7d",
            "usage_prev_7d",
            "usage_trend_7d",
            "active_days_7d",
            "active_days_14d",
            "days_since_login",
            "days_since_usage",
            "features_used_7d",
            "features_used_30d",
            "features_known",
            "tickets_7d",
            "tickets_14d",
            "urgent_tickets_open",
            "payment_failure_streak",
            "days_since_payment",
            "days_since_payment_failure",
            "nps",
            "days_since_nps",
            "csat",
            "days_since_csat",
            "tenure_days",
            "mrr",
            "plan",
            "seats",
            "days_to_renewal",
            "cancel_requested",
            "open_signals",
            "health_score",
            "card_months_left");

    public static final int COUNT = NAMES.size();

    private ChurnFeatures() {}

    /**
     * The feature vector of an account at the close of a day.
     *
     * @param dayCloseAt the close instant: midnight UTC after the closed day ({@link EventTime#closeAt})
     */
    public static float[] extract(AccountState s, long dayCloseAt) {
        float[] f = new float[COUNT];
        extract(s, dayCloseAt, f);
        return f;
    }

    /** {@link #extract(AccountState, long)} into {@code f} (length {@link #COUNT}). */
    public static void extract(AccountState s, long dayCloseAt, float[] f) {
        long day = EventTime.dayOf(dayCloseAt) - 1; // the closed day
        int i = 0;
        double u1 = DayBuckets.usage(s, day, day);
        double u7 = DayBuckets.usage(s, day - 6, day);
        double p7 = DayBuckets.usage(s, day - 13, day - 7);
        f[i++] = (float) u1;
        f[i++] = (float) u7;
        f[i++] = (float) p7;
        f[i++] = (float) ((u7 - p7) / Math.max(1.0, p7));
        f[i++] = activeDays(s, day - 6, day);
        f[i++] = activeDays(s, day - 13, day);
        f[i++] = daysSince(s.lastLoginAt, dayCloseAt);
        f[i++] = daysSince(latestUseBefore(s, dayCloseAt), dayCloseAt);
        f[i++] = featuresUsed(s, dayCloseAt - 7 * DAY, dayCloseAt);
        f[i++] = featuresUsed(s, dayCloseAt - 30 * DAY, dayCloseAt);
        f[i++] = featuresUsed(s, Long.MIN_VALUE, dayCloseAt);
        f[i++] = DayBuckets.ticketsOpened(s, day - 6, day);
        f[i++] = DayBuckets.ticketsOpened(s, day - 13, day);
        f[i++] = urgentOpen(s, dayCloseAt);
        boolean paid = s.lastPaymentSuccessAt != NONE || s.lastPaymentFailureAt != NONE;
        f[i++] = paid ? s.failureStreak : Float.NaN;
        f[i++] = daysSince(s.lastPaymentSuccessAt, dayCloseAt);
        f[i++] = daysSince(s.lastPaymentFailureAt, dayCloseAt);
        boolean nps = s.feedback != null && s.feedback.lastNpsScore >= 0 && s.feedback.lastNpsAt <= dayCloseAt;
        f[i++] = nps ? s.feedback.lastNpsScore : Float.NaN;
        f[i++] = nps ? daysSince(s.feedback.lastNpsAt, dayCloseAt) : Float.NaN;
        boolean csat = s.feedback != null && s.feedback.lastCsatScore >= 0 && s.feedback.lastCsatAt <= dayCloseAt;
        f[i++] = csat ? s.feedback.lastCsatScore : Float.NaN;
        f[i++] = csat ? daysSince(s.feedback.lastCsatAt, dayCloseAt) : Float.NaN;
        var sub = s.subscription;
        long since = sub != null && sub.startedAt != NONE && sub.startedAt <= dayCloseAt ? sub.startedAt : s.firstEventTime();
        f[i++] = daysSince(since, dayCloseAt);
        f[i++] = sub != null && sub.mrrMinor != NONE ? sub.mrrMinor / 100f : Float.NaN;
        f[i++] = sub != null && sub.plan != null ? planCode(sub.plan) : Float.NaN;
        f[i++] = sub != null && sub.seats != null ? sub.seats : Float.NaN;
        f[i++] = sub != null && sub.renewalDay != NONE ? sub.renewalDay - day : Float.NaN;
        f[i++] = s.episode(Signal.CANCELLATION_REQUESTED) != null ? 1 : 0;
        f[i++] = openSignals(s);
        f[i++] = s.lastHealthScore >= 0 ? s.lastHealthScore : Float.NaN;
        f[i++] = cardMonthsLeft(s, day);
        if (i != COUNT) throw new IllegalStateException("feature vector has " + i + " of " + COUNT + " entries");
    }

    /** Days from {@code at} to the close, never negative; NaN when it never happened. */
    static float daysSince(long at, long dayCloseAt) {
        if (at == NONE) return Float.NaN;
        return Math.max(0, dayCloseAt - at) / (float) DAY;
    }

    private static int activeDays(AccountState s, long from, long to) {
        int n = 0;
        for (int j = 0; j < s.bucketDays.length; j++) {
            long d = s.bucketDays[j];
            if (d >= from && d <= to && s.bucketUsage[j] > 0) n++;
        }
        return n;
    }

    private static long latestUseBefore(AccountState s, long at) {
        long latest = NONE;
        for (long t : s.featureLastUsedAt) if (t <= at) latest = Math.max(latest, t);
        // A feature used only after the close: its earlier use is unknown, but the day buckets show usage.
        for (int j = s.bucketDays.length - 1; j >= 0 && latest == NONE; j--) {
            if (s.bucketUsage[j] > 0 && EventTime.closeAt(s.bucketDays[j]) <= at) latest = EventTime.closeAt(s.bucketDays[j]) - 1;
        }
        return latest;
    }

    private static int featuresUsed(AccountState s, long from, long to) {
        int n = 0;
        for (long t : s.featureLastUsedAt) if (t >= from && t <= to) n++;
        return n;
    }

    private static int urgentOpen(AccountState s, long at) {
        if (s.urgentTickets == null) return 0;
        int n = 0;
        for (long t : s.urgentTickets.openedAt) if (t <= at) n++;
        return n;
    }

    private static int openSignals(AccountState s) {
        int n = 0;
        for (var e : s.episodes) if (e != null) n++;
        return n;
    }

    private static float cardMonthsLeft(AccountState s, long day) {
        if (s.card == null || s.card.expiryMonth == NONE) return Float.NaN;
        var date = java.time.LocalDate.ofEpochDay(day);
        long now = date.getYear() * 12L + date.getMonthValue() - 1;
        return s.card.expiryMonth - now;
    }

    /**
     * A plan name as a number the trees can split on: a stable hash (the same in every JVM), kept within
     * float's exact integers. Plans are few; a split isolates one.
     */
    static float planCode(String plan) {
        return plan.hashCode() & 0xFFFFFF;
    }
}
