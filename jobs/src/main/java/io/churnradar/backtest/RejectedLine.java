package io.churnradar.backtest;

/** A dead letter of the backtest: why, where, and the original text. */
public class RejectedLine {
    public String reason;
    public String file;
    public long line;
    public String original;

    public RejectedLine() {}

    public RejectedLine(String reason, String file, long line, String original) {
        this.reason = reason;
        this.file = file;
        this.line = line;
        this.original = original;
    }
}
