package io.churnradar.backtest;

import io.churnradar.scratch.ScratchLock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The scratch folder of a backtest or a training run (sorted runs, labels, feature rows: GBs on a big history), gone
 * when the run ends however it ends. {@link #close} deletes it; when the JVM ends first (Ctrl-C, kill, an exit after a
 * fatal error) a shutdown hook does. The hook is registered before the folder is made, and the two take turns on this
 * object: a JVM already going down refuses the hook, so no folder is made, and once the hook has run none is made
 * either. Before, Ctrl-C in the first seconds of a run left an empty folder under {@code --out}.
 *
 * <p>The hook runs beside the job's writers, which may spill a run between the listing of the folder and its removal;
 * that removal then fails, so the hook tries again until the folder is gone (no writer can create a file in a folder
 * that is no longer there) or {@link #SHUTDOWN_WAIT} has passed.
 *
 * <p>A run killed outright (kill -9, the kernel's out-of-memory killer) runs no hook: the next run that makes a folder of
 * the same kind in the same place removes its folder ({@link ScratchLock}).
 *
 * <p>Written by hand: the launcher's own temp folders have such a guard ({@code local/runtime/RunGuard}), which this
 * module cannot use (the layers point the other way), and the JDK's {@code deleteOnExit} removes no folder with files.
 */
final class ScratchFolder implements AutoCloseable {
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(20);

    private final Thread hook;
    /** Guarded by this: the folder once made, and whether the hook or {@link #close} has started. */
    private Path dir;
    private boolean ending;
    /** Held while the folder is in use, so that a later run can tell a killed run's folder from one in use. */
    private ScratchLock lock;
    private List<ScratchLock.Abandoned> abandoned = List.of();

    private ScratchFolder(String name) {
        this.hook = new Thread(this::deleteAtShutdown, name + "-cleanup");
    }

    /**
     * Makes a new folder {@code prefix*} in {@code parent} (null: the system's temp folder).
     *
     * @throws IllegalStateException when the JVM is shutting down: nothing was made
     */
    static ScratchFolder create(Path parent, String prefix) throws IOException {
        ScratchFolder f = new ScratchFolder(prefix.replaceAll("^\\.|-$", ""));
        f.abandoned = ScratchLock.removeAbandoned(parent == null ? Path.of(System.getProperty("java.io.tmpdir")) : parent, prefix);
        Runtime.getRuntime().addShutdownHook(f.hook);
        synchronized (f) {
            if (f.ending) throw new IllegalStateException("the JVM is shutting down");
            f.dir = parent == null ? Files.createTempDirectory(prefix) : Files.createTempDirectory(parent, prefix);
        }
        try {
            f.lock = ScratchLock.take(f.dir);
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
        return f;
    }

    /** Says which folders of a killed run of the same kind were removed before this one was made (none: nothing). */
    void sayRemovedAbandoned(java.util.function.Consumer<String> progress) {
        if (progress == null) return;
        for (ScratchLock.Abandoned a : abandoned) {
            progress.accept("  removed " + a.folder() + " (" + BacktestProgress.bytes(a.bytes()) + "), left by a run that was killed");
        }
    }

    synchronized Path path() {
        return dir;
    }

    @Override
    public void close() throws IOException {
        Path d = end();
        try {
            if (d != null) ScratchLock.deleteRecursively(d);
        } finally {
            release();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is going down already: the hook runs anyway.
            }
        }
    }

    /** Marks the folder ending (none is made after this) and returns it, null if none was made. */
    private synchronized Path end() {
        ending = true;
        return dir;
    }

    private void deleteAtShutdown() {
        Path d = end();
        if (d == null) return;
        // The JVM's end drops the lock in any case; released last, so no other run sweeps the folder meanwhile.
        long deadline = System.nanoTime() + SHUTDOWN_WAIT.toNanos();
        while (true) {
            try {
                ScratchLock.deleteRecursively(d);
                if (!Files.exists(d)) {
                    release();
                    return;
                }
            } catch (IOException | UncheckedIOException e) {
                // A run appeared or went while the folder was walked: try again.
            }
            if (System.nanoTime() > deadline) return;
            try {
                Thread.sleep(50); // the pause between attempts, bounded by the deadline above
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private synchronized void release() {
        if (lock == null) return;
        try {
            lock.close();
        } catch (IOException e) {
            // The folder is gone or going; its lock ends with this JVM at the latest.
        }
        lock = null;
    }
}
