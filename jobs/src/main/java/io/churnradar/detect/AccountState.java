package io.churnradar.detect;

/**
 * Everything the detector remembers about one account: O(1) in the number of events (day buckets
 * for the look-back window plus a few scalars). A POJO so that Flink serializes it without Kryo,
 * savepoints can evolve by adding fields, and the SQL savepoint connector can read it.
 */
public class AccountState {
    public static final long NONE = Long.MIN_VALUE;

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
}
