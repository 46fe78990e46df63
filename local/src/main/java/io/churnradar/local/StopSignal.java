package io.churnradar.local;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C for a running command: the JVM's shutdown hook only raises the flag and then waits for the
 * command's own thread to stop its work and clean up (cancel the job, stop the broker, delete temp
 * folders) so that cleanup happens once, in order, whichever way the command ends.
 */
final class StopSignal implements AutoCloseable {
    private static final long CLEANUP_WAIT_SECONDS = 90;

    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;
    private volatile boolean requested;
    private volatile Runnable onStop = () -> {};

    StopSignal() {
        hook = new Thread(() -> {
            requested = true;
            onStop.run();
            try {
                finished.await(CLEANUP_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "churn-radar-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** What to do at once on Ctrl-C, besides raising the flag (e.g. stop sending events). */
    void onStop(Runnable action) {
        this.onStop = action;
    }

    boolean requested() {
        return requested;
    }

    /** Called by the command when its cleanup is done: lets a pending Ctrl-C exit the JVM. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down (Ctrl-C): the hook is running and now returns
        }
    }
}
