package io.churnradar.guard;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;

/**
 * The backtest's limits on hostile input ({@code --now}, {@code --max-ahead}, {@code --max-line-bytes}):
 * what the streaming job reads from {@code eventTime.maxAheadOfNow} and {@code limits.maxRecordBytes}.
 */
public final class BacktestLimits implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Ahead of the event time reached, a history has no wall clock to be checked against: the horizon
     * is wide enough for the quiet gaps of a real history, and catches a date years ahead.
     */
    public static final Duration DEFAULT_MAX_AHEAD = Duration.ofDays(30);
    public static final int DEFAULT_MAX_LINE_BYTES = 256 * 1024;
    /** Every line within the limit may end up whole in dead-letter.jsonl, through the job's collected results. */
    public static final int MAX_MAX_LINE_BYTES = 16 * 1024 * 1024;

    /** The end of the history, if the user knows it: events ahead of it by more than maxAhead are rejected. */
    public final Instant now;
    public final Duration maxAhead;
    public final int maxLineBytes;

    public BacktestLimits(Instant now, Duration maxAhead, int maxLineBytes) {
        this.now = now;
        this.maxAhead = maxAhead;
        this.maxLineBytes = maxLineBytes;
    }

    public static BacktestLimits defaults() {
        return new BacktestLimits(null, DEFAULT_MAX_AHEAD, DEFAULT_MAX_LINE_BYTES);
    }

    public EventTimeGuard guard(Duration dedupWindow) {
        return EventTimeGuard.againstEventTime(maxAhead, dedupWindow, now);
    }
}
