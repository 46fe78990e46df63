package io.churnradar.scratch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A scratch folder's sign of life: a file in it that the JVM which made the folder holds locked while it uses the
 * folder. A run removes its folders itself however it ends, short of being killed outright (kill -9, the kernel's
 * out-of-memory killer), which no shutdown hook outlives; the operating system then drops its locks. So a folder of
 * ours whose lock file can be locked is one that nobody uses any more, and the next run that makes a folder of the
 * same kind removes it ({@link #removeAbandoned}), GBs of sorted runs or RocksDB files included.
 *
 * <p>The lock is taken before the file gets its name, so a run that looks never finds the name unlocked while its
 * owner lives. A folder without the file (being made right now, or by a release before this one) is left alone.
 * Written by hand: the JDK offers the lock ({@link FileChannel#tryLock}), and no library we use sweeps by it.
 */
public final class ScratchLock implements AutoCloseable {
    /** The lock file in each scratch folder. */
    public static final String FILE = ".in-use.lock";

    private final FileChannel channel;

    private ScratchLock(FileChannel channel) {
        this.channel = channel;
    }

    /** Marks {@code folder} (new, this JVM's) as in use until {@link #close}. */
    public static ScratchLock take(Path folder) throws IOException {
        Path unnamed = folder.resolve(FILE + ".new");
        FileChannel ch = FileChannel.open(unnamed, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            ch.lock();
            // POSIX locks belong to the file, not its name: it stays locked under the name it now gets.
            Files.move(unnamed, folder.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
            return new ScratchLock(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Lets the folder go: from now on a run that sweeps may remove it, should it still be there. */
    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** A folder removed because its owner had ended: where it was, and the bytes it held. */
    public record Abandoned(Path folder, long bytes) {}

    /**
     * Removes every folder named {@code prefix*} in {@code parent} whose lock file is there and free: left by a run
     * that was killed. One that is in use, that lacks the file, or that cannot be locked (another user's, a file system
     * without locks) stays. Never throws: a sweep that fails leaves the folder to the next one.
     */
    public static List<Abandoned> removeAbandoned(Path parent, String prefix) {
        List<Abandoned> removed = new ArrayList<>();
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(parent, prefix + "*")) {
            for (Path folder : folders) {
                Abandoned a = removeIfAbandoned(folder);
                if (a != null) removed.add(a);
            }
        } catch (IOException | UncheckedIOException e) {
            // The parent is not there yet, or not readable: nothing of ours to sweep.
        }
        return removed;
    }

    private static Abandoned removeIfAbandoned(Path folder) {
        Path lockFile = folder.resolve(FILE);
        if (!Files.isDirectory(folder) || !Files.isRegularFile(lockFile)) return null;
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                return null; // this JVM's own folder
            }
            if (lock == null) return null; // its owner lives
            long bytes = bytes(folder);
            deleteRecursively(folder);
            return new Abandoned(folder, bytes);
        } catch (NoSuchFileException | AccessDeniedException e) {
            return null; // removed by another sweep meanwhile, or not ours to lock
        } catch (IOException | UncheckedIOException e) {
            return null;
        }
    }

    private static long bytes(Path folder) throws IOException {
        try (Stream<Path> all = Files.walk(folder)) {
            return all.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
    }

    /** Deletes {@code folder} and all it holds; nothing when it is not there. */
    public static void deleteRecursively(Path folder) throws IOException {
        if (!Files.exists(folder)) return;
        try (Stream<Path> all = Files.walk(folder)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
