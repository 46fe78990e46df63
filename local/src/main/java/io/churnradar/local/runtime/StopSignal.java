package io.churnradar.local.runtime;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C for a running command: {@link RunGuard}'s shutdown hook only raises the flag and then waits for the
 * command's own thread to stop its work and clean up (cancel the job, stop the broker, delete temp folders)
 * so that cleanup happens once, in order, whichever way the command ends.
 */
public final class StopSignal implements AutoCloseable {
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean requested;
    private volatile Runnable onStop = () -> {};

    public StopSignal() {
        RunGuard.register(this);
    }

    /** What to do at once on Ctrl-C, besides raising the flag (e.g. stop sending events). */
    public void onStop(Runnable action) {
        this.onStop = action;
    }

    public boolean requested() {
        return requested;
    }

    /** The JVM is shutting down: stop. */
    void request() {
        requested = true;
        onStop.run();
    }

    /** Waits until the command has cleaned up (closed this), at most the given time. */
    void awaitCleanup(long seconds) {
        try {
            finished.await(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Called by the command when its cleanup is done: lets a pending Ctrl-C exit the JVM. */
    @Override
    public void close() {
        finished.countDown();
        RunGuard.unregister(this);
    }
}
