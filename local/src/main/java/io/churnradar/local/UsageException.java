package io.churnradar.local;

/** A command line the launcher cannot run: its message names the offending word and what is allowed. */
public final class UsageException extends Exception {
    public UsageException(String message) {
        super(message);
    }
}
