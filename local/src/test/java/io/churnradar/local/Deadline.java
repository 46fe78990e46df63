package io.churnradar.local;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/** (As jobs/src/test/.../testing/Deadline, for this module.) Waiting without bare sleeps: poll a condition until it holds or the deadline passes, then fail loudly. */
final class Deadline {
    private static final long POLL_MS = 50;
    private final long endNanos;
    private final Duration timeout;

    private Deadline(Duration timeout) {
        this.timeout = timeout;
        this.endNanos = System.nanoTime() + timeout.toNanos();
    }

    public static Deadline in(Duration timeout) {
        return new Deadline(timeout);
    }

    public boolean passed() {
        return System.nanoTime() - endNanos >= 0;
    }

    /** Throws if the deadline has passed. */
    public void check(Supplier<String> what) {
        if (passed()) throw new AssertionError("timed out after " + timeout + ": " + what.get());
    }

    /** Polls {@code condition} every few milliseconds until it returns true. */
    public void pollUntil(String what, Callable<Boolean> condition) throws Exception {
        while (true) {
            if (Boolean.TRUE.equals(condition.call())) return;
            check(() -> "waiting for " + what);
            Thread.sleep(POLL_MS); // the poll interval of a deadline-bounded wait
        }
    }
}
