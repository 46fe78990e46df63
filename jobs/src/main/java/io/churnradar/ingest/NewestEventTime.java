package io.churnradar.ingest;

import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * The newest event time of one input partition (a Kafka partition, a backtest input) that more than one event
 * vouches for: what the partition's watermark trails and what its events are judged against. Flink's bounded
 * out-of-orderness takes the newest event as it is, so one record dated weeks ahead of its neighbours (a wrong
 * clock, a mistyped date) moved the partition's event time there, and every later event of the partition was late
 * or refused as beyond de-duplication: false alerts for every account and lost events, from a single record.
 *
 * <p>So an event more than {@link #LEAP_MS} ahead of the newest is a <b>leap</b>, which counts only once
 * {@link #QUORUM} leaps agree: the newest then moves to the middle one, so that neither one far ahead nor one
 * behind decides. A real gap in a history (a weekend, a quiet week) is crossed by its next events within two
 * more events; an outlier is never joined and is forgotten after {@link #FORGET_AFTER} events that are not
 * leaps. A leap still waiting when its input ends, or when its Kafka partition goes quiet for its idleness, counts
 * then (nothing more can join it: the last events of a sparse history after a gap). In the streaming job an event dated about now ({@link #LEAP_MS} behind the wall clock at most) is live
 * and needs no other: the clock vouches for it, so a quiet partition's next live event counts at once. The first
 * event of a partition counts as it is (nothing to judge it against: the backtest's {@code --now}, or the wall
 * clock in the stream, catches a first line dated years off). The event the leap came with is not changed or
 * dropped, only the event time it would have set: it applies when event time gets there, or at the end.
 *
 * <p>Not thread-safe; one per partition, fed the partition's events in their order, so that the source's guard,
 * its watermarks and the backtest's end reach the same value from the same events. No wrapper of Flink's
 * watermark generators does this, hence this class.
 */
public final class NewestEventTime {
    /**
     * A step further ahead than this is a leap; it is also how far behind the wall clock an event is live. Two days: a
     * history's daily rhythm (a day's last event to the next day's first, a clock that ticks once a day) is no leap.
     */
    public static final long LEAP_MS = 2 * 86_400_000L;
    /** Leaps that must agree, the one that came included; the newest moves to their middle one. */
    public static final int QUORUM = 3;
    /** Events that are not leaps after which the leaps waiting for others are forgotten. */
    public static final int FORGET_AFTER = 100;

    private long newest = Long.MIN_VALUE;
    /** The leaps waiting for others, ascending; at most QUORUM - 1. */
    private final long[] leaps = new long[QUORUM];
    private int waiting;
    private int sinceLeap;
    /** The newest event time of every event, forgotten leaps left out: where a bounded input's event time ends. */
    private long newestKept = Long.MIN_VALUE;

    /**
     * Takes the time of an accepted event of the partition.
     *
     * @param wallClock the wall clock in milliseconds (streaming), or null (a history has none); read only for a leap
     * @return the newest event time vouched for, after it
     */
    public long offer(long t, LongSupplier wallClock) {
        if (t <= newest) {
            noLeap();
            return newest;
        }
        if (newest == Long.MIN_VALUE || t - newest <= LEAP_MS || (wallClock != null && t >= wallClock.getAsLong() - LEAP_MS)) {
            newest = t;
            noLeap();
            settle();
        } else {
            int i = waiting;
            while (i > 0 && leaps[i - 1] > t) {
                leaps[i] = leaps[i - 1];
                i--;
            }
            leaps[i] = t;
            waiting++;
            sinceLeap = 0;
            if (waiting == QUORUM) {
                newest = leaps[QUORUM / 2];
                settle();
            }
        }
        if (t > newestKept) newestKept = t;
        return newest;
    }

    /** The newest event time vouched for ({@link Long#MIN_VALUE} before the first event). */
    public long newest() {
        return newest;
    }

    /**
     * The newest event time of every event but the leaps forgotten: a leap still waiting counts, since at the end
     * of a bounded input nothing more can join it (a small input's last events after a gap).
     */
    public long newestKept() {
        return newestKept;
    }

    /**
     * The partition has gone quiet for its idleness (streaming): nothing will join its waiting leaps for now, so they
     * count, as at the end of a bounded input ({@link #newestKept}). A lone record ahead of a burst still moves nothing
     * while events come.
     *
     * @return the newest event time vouched for, after it
     */
    public long acceptWaiting() {
        if (newestKept > newest) newest = newestKept;
        waiting = 0;
        sinceLeap = 0;
        return newest;
    }

    private void noLeap() {
        if (waiting > 0 && ++sinceLeap >= FORGET_AFTER) {
            waiting = 0;
            sinceLeap = 0;
            newestKept = newest;
        }
    }

    /** Leaps within a step of the newest are leaps no more: they move it as any event would. */
    private void settle() {
        int kept = 0;
        for (int i = 0; i < waiting; i++) {
            long l = leaps[i];
            if (l <= newest) continue;
            if (l - newest <= LEAP_MS) {
                newest = l; // ascending: the next one is judged against it
            } else {
                leaps[kept++] = l;
            }
        }
        Arrays.fill(leaps, kept, leaps.length, 0);
        waiting = kept;
        if (waiting == 0) sinceLeap = 0;
    }
}
