package io.churnradar.detect;

import io.churnradar.alerts.HealthTier;

/**
 * Everything the detector remembers about one account: O(1) in the number of events (day buckets
 * for the look-back window, a few bounded arrays and scalars). A POJO so that Flink serializes it
 * without Kryo, savepoints can evolve by adding fields, and the SQL savepoint connector can read it.
 *
 * <p>Evolution: fields are only ever added (never renamed or retyped); a state written by an older
 * version restores the new fields at the defaults below.
 */
public class AccountState {
    public static final long NONE = Long.MIN_VALUE;

    // ---- version 1 ----

    /** UTC epoch day of the account's first event: USAGE_DROP needs a full baseline after it. */
    public long firstEventDay = NONE;
    /** The last UTC day whose close has been evaluated. */
    public long lastClosedDay = NONE;

    /** Sparse day buckets, ascending by day; see {@link DayBuckets}. */
    public long[] bucketDays = new long[0];
    public double[] bucketUsage = new double[0];
    public int[] bucketTicketsOpened = new int[0];

    public long lastLoginAt = NONE;

    /** FAILED payments since the latest SUCCEEDED one, in event time. */
    public int failureStreak;
    public long lastPaymentSuccessAt = NONE;
    public long lastPaymentFailureAt = NONE;

    /** Event time of the oldest event id kept for de-duplication, or NONE when none is kept. */
    public long oldestEventIdAt = NONE;

    /** The one event-time timer registered for this account, or NONE. */
    public long pendingTimer = NONE;

    /** Open episodes indexed by {@link Signal#ordinal()}; null where the signal is not active. */
    public Episode[] episodes = new Episode[Signal.values().length];

    // ---- version 2: the signal catalog and the health score ----

    /** Event time of the account's first event (NONE in a version-1 state: firstEventDay stands in). */
    public long firstEventAt = NONE;

    /** Features used, at most {@code Rules.MAX_TRACKED_FEATURES}, with each one's latest use; see {@link FeatureUsage}. */
    public String[] featureNames = new String[0];
    public long[] featureLastUsedAt = new long[0];
    /** Latest use of any configured core feature. */
    public long lastCoreFeatureUseAt = NONE;

    /** The latest subscription STARTED, the moment it activated, and whether its onboarding deadline has passed. */
    public long subscriptionStartedAt = NONE;
    public long activatedAt = NONE;
    public boolean onboardingDeadlinePassed;

    /** Open urgent tickets, at most {@code Rules.MAX_TRACKED_URGENT_TICKETS} (the oldest); see {@link UrgentTicketAgingSignal}. */
    public String[] urgentTicketIds = new String[0];
    public long[] urgentTicketOpenedAt = new long[0];
    /** Whether each one's aging deadline has been processed. */
    public boolean[] urgentTicketAged = new boolean[0];

    /** The card on file: expiry as months since year 0 (year * 12 + month - 1), when it was seen, and whether its expiry is near. */
    public long cardExpiryMonth = NONE;
    public long cardExpirySeenAt = NONE;
    public boolean cardExpiringNoted;

    /** The latest NPS and CSAT answers (-1 when none) and their event times. */
    public int lastNpsScore = -1;
    public long lastNpsAt = NONE;
    public int lastCsatScore = -1;
    public long lastCsatAt = NONE;

    /** The latest known subscription: MRR (minor units) with its event time, plan and seats. */
    public long mrrMinor = NONE;
    public long mrrSeenAt = NONE;
    public String plan;
    public Integer seats;
    /** MRR before the open DOWNGRADE episode, which recovering to it resolves. */
    public long downgradeFromMrrMinor = NONE;
    /** Event time of the latest lifecycle event applied (CANCEL_REQUESTED, CANCELED, REACTIVATED, RENEWED). */
    public long lifecycleAt = NONE;
    /** When the subscription was CANCELED, or NONE while it runs. */
    public long churnedAt = NONE;
    /** Next renewal as a UTC epoch day, and the event time that told it. */
    public long renewalDay = NONE;
    public long renewalSeenAt = NONE;

    /** Usage of the two USAGE_DROP windows at the latest day close ({@code trendDay}), for the health score. */
    public long trendDay = NONE;
    public double trendCurUsage;
    public double trendPrevUsage;

    /** The latest health update published: score (-1 before the first), tier and event time. */
    public int lastHealthScore = -1;
    public HealthTier lastHealthTier;
    public long lastHealthAt = NONE;

    public AccountState() {}

    public Episode episode(Signal signal) {
        int i = signal.ordinal();
        return i < episodes.length ? episodes[i] : null;
    }

    public void setEpisode(Signal signal, Episode episode) {
        int i = signal.ordinal();
        if (i >= episodes.length) {
            // A state written before this signal existed: grow it.
            episodes = java.util.Arrays.copyOf(episodes, Signal.values().length);
        }
        episodes[i] = episode;
    }

    /** The account's first event time; a version-1 state knows only its day. */
    long firstEventTime() {
        return firstEventAt != NONE ? firstEventAt : firstEventDay == NONE ? NONE : firstEventDay * SignalEngine.DAY_MS;
    }
}
