package io.churnradar.backtest.input;

import java.io.IOException;

/**
 * An input file that cannot be read to its end: gzip data cut off (a file copied while it was still being written) or
 * corrupt, or a name ending in {@code .gz} over data that is not gzip. Reading it again fails the same way, so the
 * backtest's reader stops the job at once instead of letting Flink restart it to fail again, and the launcher prints
 * this message (which file, how far it was read, what to do) without a stack trace.
 */
public final class UnreadableInputFile extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param linesRead the lines read from it before the failure; 0: none, -1: not counted
     */
    public UnreadableInputFile(String file, long linesRead, IOException cause) {
        super(file + ": cannot be read as gzip" + (linesRead > 0 ? " after line " + linesRead : linesRead == 0 ? " from its start" : "")
                + " (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + "); the file is cut off, corrupt or not"
                + " gzip: copy or compress it again, or leave it out of the input", cause);
    }
}
