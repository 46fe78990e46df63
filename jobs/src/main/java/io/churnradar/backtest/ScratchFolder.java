package io.churnradar.backtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

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
 * <p>Written by hand: the launcher's own temp folders have such a guard ({@code local/runtime/RunGuard}), which this
 * module cannot use (the layers point the other way), and the JDK's {@code deleteOnExit} removes no folder with files.
 */
final class ScratchFolder implements AutoCloseable {
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(20);

    private final Thread hook;
    /** Guarded by this: the folder once made, and whether the hook or {@link #close} has started. */
    private Path dir;
    private boolean ending;

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
        Runtime.getRuntime().addShutdownHook(f.hook);
        synchronized (f) {
            if (f.ending) throw new IllegalStateException("the JVM is shutting down");
            f.dir = parent == null ? Files.createTempDirectory(prefix) : Files.createTempDirectory(parent, prefix);
        }
        return f;
    }

    synchronized Path path() {
        return dir;
    }

    @Override
    public void close() throws IOException {
        Path d = end();
        try {
            if (d != null) deleteRecursively(d);
        } finally {
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
        long deadline = System.nanoTime() + SHUTDOWN_WAIT.toNanos();
        while (true) {
            try {
                deleteRecursively(d);
                if (!Files.exists(d)) return;
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

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
