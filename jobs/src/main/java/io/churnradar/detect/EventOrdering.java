package io.churnradar.detect;

import java.io.Serializable;
import java.time.Duration;

/**
 * In which order the detector applies the events it reads ({@code eventTime.order} and
 * {@code eventTime.maxBufferedPerAccount} in the job's settings; docs/operations.md, "Event time").
 *
 * @param order {@link Order#EVENT_TIME}: every output is independent of the order events arrive in
 *     within the out-of-orderness bound, at a latency of up to the bound; {@link Order#ARRIVAL}: each event
 *     applies as it arrives (the lowest latency; scores and health may then depend on the read order)
 * @param maxBufferedPerAccount events an account may hold ahead of the watermark; beyond it the earliest
 *     is applied at once (counted in {@value ChurnDetector#RELEASED_EARLY}), never dropped
 * @param dayCloseSpread ({@code eventTime.dayCloseSpread}) how far past its logical time the timer of a pure time
 *     wake-up (a day close or deadline with no held event before it) may fire: each account's timer fires at the
 *     logical time plus {@link #wakeUpOffset} of its id, so the accounts' midnight closes are not all due at one
 *     watermark. Only when a close is computed moves; it keeps its logical time, and every later event of the
 *     account first runs the closes and deadlines due before it. Zero: every timer at its logical time.
 * @param accountCache ({@code state.accountCache}) accounts changed since the last checkpoint that a detection subtask on
 *     RocksDB keeps as objects ({@link AccountCache}; 0: every change written at once). It changes no output, only
 *     how often an account is (de)serialized; the heap backend holds the objects anyway and ignores it.
 * @param inputSorted the input comes through the backtest's merge of its inputs ({@code backtest.EventTimeMerge}): every on-time event arrives once
 *     the watermark passes it, in the order the account's buffer would apply it, so it applies on arrival, as the
 *     buffer would release it, with no buffer and no timer of its own; not a setting of the streaming job
 * @param closeEveryActiveDay close every day an account has usage or tickets in the look-back, not only the days
 *     whose close can change an output ({@code SignalEngine}): a training run, where each close is a row of the
 *     training set; not a setting of the streaming job
 */
public record EventOrdering(Order order, int maxBufferedPerAccount, Duration dayCloseSpread, int accountCache,
        boolean inputSorted, boolean closeEveryActiveDay) implements Serializable {
    public static final int DEFAULT_MAX_BUFFERED = 1_000;
    public static final int MAX_MAX_BUFFERED = 100_000;
    /**
     * The streaming job's spread (JobSettings): a million accounts' closes over 5 minutes of event time is about
     * 3,300 a second, within what one detection subtask does on RocksDB, and 5 minutes late is nothing for a
     * daily signal. The code default ({@link #defaults}) is zero: the backtest has no live traffic to protect.
     */
    public static final Duration DEFAULT_DAY_CLOSE_SPREAD = Duration.ofMinutes(5);
    public static final Duration MAX_DAY_CLOSE_SPREAD = Duration.ofHours(1);
    /** How far apart the spread's slices are: the accounts of one slice share their timers' time ({@link #wakeUpOffset}). */
    public static final Duration SPREAD_SLICE = Duration.ofSeconds(30);
    /** A spread shorter than ten slices is cut in ten (or in milliseconds, when shorter than ten of them). */
    public static final int MIN_SPREAD_SLICES = 10;
    public static final int DEFAULT_ACCOUNT_CACHE = AccountCache.DEFAULT_CAPACITY;
    public static final int MAX_ACCOUNT_CACHE = 1_000_000;

    public enum Order {
        EVENT_TIME("event-time"), ARRIVAL("arrival");

        public final String id;

        Order(String id) {
            this.id = id;
        }

        /** The order of a settings value, or null. */
        public static Order of(String id) {
            for (Order o : values()) if (o.id.equals(id)) return o;
            return null;
        }
    }

    public EventOrdering {
        if (order == null) throw new IllegalArgumentException("order must be given");
        if (maxBufferedPerAccount < 1) throw new IllegalArgumentException("maxBufferedPerAccount must be at least 1");
        if (dayCloseSpread == null) dayCloseSpread = Duration.ZERO;
        if (dayCloseSpread.isNegative() || dayCloseSpread.compareTo(MAX_DAY_CLOSE_SPREAD) > 0) {
            throw new IllegalArgumentException("dayCloseSpread must be within 0 and " + MAX_DAY_CLOSE_SPREAD);
        }
        if (accountCache < 0 || accountCache > MAX_ACCOUNT_CACHE) {
            throw new IllegalArgumentException("accountCache must be within 0 and " + MAX_ACCOUNT_CACHE + ", got " + accountCache);
        }
    }

    /** For an input in arrival order (the streaming job). */
    public EventOrdering(Order order, int maxBufferedPerAccount, Duration dayCloseSpread, int accountCache) {
        this(order, maxBufferedPerAccount, dayCloseSpread, accountCache, false, false);
    }

    /** With the default account cache. */
    public EventOrdering(Order order, int maxBufferedPerAccount, Duration dayCloseSpread) {
        this(order, maxBufferedPerAccount, dayCloseSpread, DEFAULT_ACCOUNT_CACHE);
    }

    /** Without a spread: every timer at its logical time. */
    public EventOrdering(Order order, int maxBufferedPerAccount) {
        this(order, maxBufferedPerAccount, Duration.ZERO);
    }

    public EventOrdering withDayCloseSpread(Duration spread) {
        return new EventOrdering(order, maxBufferedPerAccount, spread, accountCache, inputSorted, closeEveryActiveDay);
    }

    public EventOrdering withAccountCache(int accounts) {
        return new EventOrdering(order, maxBufferedPerAccount, dayCloseSpread, accounts, inputSorted, closeEveryActiveDay);
    }

    /** For an input that comes through the backtest's merge of its inputs: event-time order, each event applied on arrival. */
    public EventOrdering withSortedInput() {
        return new EventOrdering(Order.EVENT_TIME, maxBufferedPerAccount, dayCloseSpread, accountCache, true, closeEveryActiveDay);
    }

    /** Every day an account has usage or tickets in the look-back closes: a training run, each close a row. */
    public EventOrdering withEveryActiveDayClosed() {
        return new EventOrdering(order, maxBufferedPerAccount, dayCloseSpread, accountCache, inputSorted, true);
    }

    /**
     * How long after its logical time the timer of this account's pure time wake-ups fires: the start of one slice of
     * the spread ({@link #spreadSlices}; 30 seconds apart, ten in the job's 5 minutes) picked by a hash of the id, the
     * same on every run, subtask and restore (so a timer restored from a checkpoint is where it would be re-planned),
     * 0 without a spread. Slices rather than a millisecond of its own: Flink's RocksDB timer queue fires the timers of
     * one time in the order of their keys within each key group, so the accounts of a slice are read from RocksDB
     * in key order, which its memtables and block cache serve for less than the order of the accounts' hashes that
     * a time of their own gave (docs/benchmarks.md, "The day-close spread in slices"). The other traffic is processed between the slices; a
     * slice is what it waits for (docs/operations.md, "Day close": up to about 2 s measured for a million accounts on
     * two subtasks at 5 minutes, less with a wider spread).
     */
    public long wakeUpOffset(String accountId) {
        long spreadMs = dayCloseSpread.toMillis();
        if (spreadMs <= 0 || accountId == null) return 0;
        long slices = slices(spreadMs);
        return Math.floorMod(SeenEventIds.hash(accountId), slices) * (spreadMs / slices);
    }

    /** In how many slices the spread is cut: one each {@link #SPREAD_SLICE}, at least {@link #MIN_SPREAD_SLICES}. */
    public long spreadSlices() {
        return slices(dayCloseSpread.toMillis());
    }

    private static long slices(long spreadMs) {
        if (spreadMs <= 0) return 1;
        return Math.min(spreadMs, Math.max(MIN_SPREAD_SLICES, spreadMs / SPREAD_SLICE.toMillis()));
    }

    public static EventOrdering defaults() {
        return new EventOrdering(Order.EVENT_TIME, DEFAULT_MAX_BUFFERED);
    }

    public static EventOrdering arrival() {
        return new EventOrdering(Order.ARRIVAL, DEFAULT_MAX_BUFFERED);
    }

    public boolean eventTimeOrder() {
        return order == Order.EVENT_TIME;
    }
}
