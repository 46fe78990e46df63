package io.churnradar.guard;

import io.churnradar.config.Durations;
import io.churnradar.ingest.AccountEvent;
import io.churnradar.ingest.NewestEventTime;
import java.io.Serializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps a single event from moving event time or slipping past de-duplication: an event more than a
 * horizon ahead of "now", or more than the de-duplication window behind the event time already reached,
 * is rejected with its reason, before the watermark generator sees it.
 *
 * <p>"Now" is the wall clock in the streaming job (an event dated in the future is a clock or data bug:
 * accepted, it would make everything after it late and be stamped on records the broker refuses), and
 * in the backtest the {@code --now} given, or else the event time reached so far (the replayed history
 * has no wall clock of its own).
 *
 * <p>"Reached" is the newest event time accepted, per input partition, as {@link NewestEventTime} counts it (one
 * event dated far ahead of its neighbours does not move it): watermarks advance per partition, the same way,
 * so a partition that is behind another one is not judged against it. The detector forgets event
 * ids older than the window behind its watermark, which never passes what any partition reached; an
 * event accepted here is therefore still checked against the ids of its window. One instance per
 * source subtask; what it reached is not checkpointed (after a restore it is learned again from the
 * replayed records).
 */
public final class EventTimeGuard implements Serializable {
    private static final String TOO_LATE = "too late to de-duplicate: ";
    private static final long serialVersionUID = 1L;

    private final long maxAheadMs;
    private final long dedupWindowMs;
    /** The wall clock (streaming), or null in the backtest. */
    private final Clock clock;
    /** The backtest's --now, or null: then "now" is the event time reached. */
    private final Instant fixedNow;
    private final String aheadSetting;

    private transient Map<Object, NewestEventTime> reached;
    /** The wall clock as NewestEventTime reads it (only for a leap), or null in the backtest. */
    private transient java.util.function.LongSupplier wallClock;

    private EventTimeGuard(Duration maxAhead, Duration dedupWindow, Clock clock, Instant fixedNow, String aheadSetting) {
        this.maxAheadMs = maxAhead.toMillis();
        this.dedupWindowMs = dedupWindow.toMillis();
        this.clock = clock;
        this.fixedNow = fixedNow;
        this.aheadSetting = aheadSetting;
    }

    /** The streaming job's guard: ahead of the wall clock of {@code clock}. */
    public static EventTimeGuard againstClock(Duration maxAhead, Duration dedupWindow, Clock clock) {
        return new EventTimeGuard(maxAhead, dedupWindow, clock, null, "eventTime.maxAheadOfNow");
    }

    /** The backtest's guard: ahead of {@code now}, or of the event time reached when {@code now} is null. */
    public static EventTimeGuard againstEventTime(Duration maxAhead, Duration dedupWindow, Instant now) {
        return new EventTimeGuard(maxAhead, dedupWindow, null, now, "--max-ahead");
    }

    /**
     * @param partition where the event came from (events of one partition are judged against each other)
     * @return why the event is rejected, or null: then it counts as reached
     */
    /** Whether a dead letter's reason is this guard's "too far ahead" (the backtest's summary counts them). */
    public static boolean isTooFarAhead(String reason) {
        return reason.startsWith("eventTime ") && reason.contains(" ahead of ");
    }

    /** Whether a dead letter's reason is this guard's "too late to de-duplicate" (the backtest's summary counts them). */
    public static boolean isTooLate(String reason) {
        return reason.startsWith(TOO_LATE);
    }

    /** The event time reached that a "too late" reason names (an ISO instant), or null for another reason. */
    public static String reachedOf(String reason) {
        if (!isTooLate(reason)) return null;
        int open = reason.lastIndexOf("behind the event time reached (");
        int close = reason.lastIndexOf(')');
        if (open < 0 || close < open) return null;
        return reason.substring(open + "behind the event time reached (".length(), close);
    }

    public String check(AccountEvent e, Object partition) {
        if (reached == null) reached = new HashMap<>();
        NewestEventTime newest = reached.computeIfAbsent(partition, p -> new NewestEventTime());
        long reachedAt = newest.newest();
        long t = e.eventTime;
        if (clock != null || fixedNow != null) {
            long now = clock != null ? clock.millis() : fixedNow.toEpochMilli();
            if (t > now + maxAheadMs) {
                return "eventTime " + Instant.ofEpochMilli(t) + " is more than " + Durations.format(Duration.ofMillis(maxAheadMs))
                        + " ahead of now (" + Instant.ofEpochMilli(now) + "; " + aheadSetting + ")";
            }
        } else if (reachedAt != Long.MIN_VALUE && t > reachedAt + maxAheadMs) {
            return "eventTime " + Instant.ofEpochMilli(t) + " is more than " + Durations.format(Duration.ofMillis(maxAheadMs))
                    + " ahead of the event time reached (" + Instant.ofEpochMilli(reachedAt) + "; " + aheadSetting + ", or give --now)";
        }
        if (reachedAt != Long.MIN_VALUE && t < reachedAt - dedupWindowMs) {
            return TOO_LATE + "eventTime " + Instant.ofEpochMilli(t) + " is more than "
                    + Durations.format(Duration.ofMillis(dedupWindowMs)) + " (dedup.windowDays) behind the event time reached ("
                    + Instant.ofEpochMilli(reachedAt) + ")";
        }
        if (clock != null && wallClock == null) wallClock = clock::millis;
        newest.offer(t, wallClock);
        return null;
    }
}
