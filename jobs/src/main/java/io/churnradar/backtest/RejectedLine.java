package io.churnradar.backtest;

/** A dead letter of the backtest: why, where, and the original text. */
public class RejectedLine {
    public String reason;
    public String file;
    public long line;
    public String original;
    /** Set only when original is the first part of a line too large to keep: its size and hash. */
    public String sha256;
    public long originalBytes;

    public RejectedLine() {}

    public RejectedLine(String reason, String file, long line, String original) {
        this.reason = reason;
        this.file = file;
        this.line = line;
        this.original = original;
    }
}
