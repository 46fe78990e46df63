package io.churnradar.local.runtime;

import io.churnradar.scratch.ScratchLock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * One fresh folder under the system temp folder for everything a run writes (broker logs, checkpoints,
 * RocksDB files, Flink's blobs and web files), so that deleting it at the end leaves nothing behind. A run
 * killed outright leaves its folder to the next run that makes one of the same kind ({@link ScratchLock}).
 */
public final class ScratchDir implements AutoCloseable {
    private final Path root;
    /** Held while the folder is in use, so that a later run can tell a killed run's folder from one in use. */
    private final ScratchLock lock;
    private volatile boolean closed;

    private ScratchDir(Path root) throws IOException {
        this.root = root;
        try {
            this.lock = ScratchLock.take(root);
        } catch (IOException | RuntimeException e) {
            deleteRecursively(root);
            throw e;
        }
    }

    public static ScratchDir create(String prefix) throws IOException {
        // A run killed outright (kill -9, the kernel's out-of-memory killer) runs no hook; its folders go now.
        for (ScratchLock.Abandoned a : ScratchLock.removeAbandoned(Path.of(System.getProperty("java.io.tmpdir")), prefix)) {
            RunGuard.tell("churn-radar: removed " + a.folder() + " (" + (a.bytes() >> 20) + " MB), the temporary folder of a run that was killed");
        }
        try {
            return RunGuard.creating(() -> {
                ScratchDir dir = new ScratchDir(Files.createTempDirectory(prefix).toAbsolutePath());
                // Deleted at JVM exit should the run end before close(): an error in a thread, Flink's fatal exit, Ctrl-C.
                RunGuard.register(dir);
                return dir;
            });
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public Path root() {
        return root;
    }

    /** A sub-folder, created on first use. */
    public Path dir(String name) {
        // Not once deleted: creating a sub-folder would bring the folder back.
        if (closed) throw new IllegalStateException("the temporary folder " + root + " is deleted already");
        try {
            return Files.createDirectories(root.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        try {
            deleteRecursively(root);
        } finally {
            lock.close(); // after: no other run sweeps the folder while this one deletes it
        }
        RunGuard.unregister(this);
    }

    /** Deletes a folder tree; tolerates files that vanish meanwhile (their owners clean up too). */
    public static void deleteRecursively(Path dir) throws IOException {
        IOException last = null;
        // A second pass catches a file that a closing component wrote while the first pass ran.
        for (int attempt = 0; attempt < 3 && Files.exists(dir); attempt++) {
            try {
                Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                        Files.deleteIfExists(file);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                        if (e instanceof NoSuchFileException) return FileVisitResult.CONTINUE;
                        throw e;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                        Files.deleteIfExists(d);
                        return FileVisitResult.CONTINUE;
                    }
                });
                last = null;
            } catch (NoSuchFileException e) {
                last = null;
            } catch (IOException e) {
                last = e;
            }
        }
        if (last != null) throw last;
    }
}
