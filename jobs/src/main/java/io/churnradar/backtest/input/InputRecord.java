package io.churnradar.backtest.input;

import io.churnradar.ingest.AccountEvent;

/**
 * What a backtest input's source yields: an event, or a dead letter (with where it was and why), and the
 * lines and characters read since the record before, so the reading is counted where the inputs meet
 * ({@link EventTimeMerge}). A record with neither carries only counts (blank lines and payloads without a
 * churn signal at the end of a file).
 */
public class InputRecord {
    public AccountEvent event;
    public RejectedLine rejected;
    /** The input it came from, by its place on the command line: ties between inputs go in that order. */
    public int input;
    public long lines;
    /** The bytes of its file read since the record before it (compressed ones of a gzipped file): the progress. */
    public long fileBytes;
    public long blankLines;
    public long skipped;
    /**
     * The watermark of its own input that the event is at or behind ({@link MarkLate}), or
     * {@link Long#MIN_VALUE}: on time.
     */
    public long lateAgainst = Long.MIN_VALUE;
    /**
     * A rejected record's time when it still counts for its input's event time, or {@link Long#MIN_VALUE}: a Segment
     * call whose user was never linked, as in the streaming job, which reads its time before the link is looked up.
     */
    public long countsAt = Long.MIN_VALUE;

    public InputRecord() {}

    boolean isLate() {
        return lateAgainst != Long.MIN_VALUE;
    }
}
