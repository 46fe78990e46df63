package io.churnradar.local.runtime;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;

/**
 * Where {@code run} keeps its job's state from one run to the next: the savepoint it takes when it stops, and the
 * checkpoints it retains should it end without one (killed, or the savepoint failed). The next run restores the newest,
 * so it resumes where the last one stopped: every account's state and timers, the events held for event time, and the
 * input offsets that go with them. Without it a restart read on from the consumer group's committed offsets, which a
 * checkpoint had already moved past events only the discarded state held: those were lost, and every open episode was
 * raised again under a new id.
 */
public final class JobStateFolder implements AutoCloseable {
    private static final String SAVEPOINTS = "savepoints";
    private static final String CHECKPOINTS = "checkpoints";
    private static final String METADATA = "_metadata";
    private static final String LOCK = ".in-use.lock";

    private final Path dir;
    /** Held while a run uses the folder: a second run would restore the same state and prune the first one's. */
    private final FileChannel lock;

    private JobStateFolder(Path dir, FileChannel lock) {
        this.dir = dir;
        this.lock = lock;
    }

    /**
     * The folder, created with its two sub-folders when missing, and locked for this run until {@link #close}.
     *
     * @throws IllegalStateException when another run holds it
     */
    public static JobStateFolder open(Path dir) throws IOException {
        Files.createDirectories(dir.resolve(SAVEPOINTS));
        Files.createDirectories(dir.resolve(CHECKPOINTS));
        FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            if (ch.tryLock() == null) throw new IllegalStateException("another run uses " + dir);
        } catch (IOException | RuntimeException e) {
            ch.close();
            if (e instanceof java.nio.channels.OverlappingFileLockException) throw new IllegalStateException("another run uses " + dir, e);
            throw e;
        }
        return new JobStateFolder(dir, ch);
    }

    /** Lets the folder go: the next run may use it. */
    @Override
    public void close() throws IOException {
        lock.close();
    }

    public Path dir() {
        return dir;
    }

    /** A completed savepoint or retained checkpoint: its folder (the one holding {@code _metadata}) and when it was written. */
    public record RestorePoint(Path folder, Instant at, boolean savepoint) {
        public String describe() {
            return (savepoint ? "the savepoint " : "the checkpoint ") + folder + " of " + at;
        }
    }

    /** The newest completed savepoint or checkpoint: an incomplete one has no {@code _metadata} yet. */
    public Optional<RestorePoint> newest() throws IOException {
        List<RestorePoint> all = new ArrayList<>();
        for (Path sp : children(dir.resolve(SAVEPOINTS))) add(all, sp, true);
        for (Path job : children(dir.resolve(CHECKPOINTS))) {
            for (Path chk : children(job)) {
                if (chk.getFileName().toString().startsWith("chk-")) add(all, chk, false);
            }
        }
        return all.stream().max(Comparator.comparing(RestorePoint::at));
    }

    /**
     * Deletes every savepoint and checkpoint folder but {@code keep} (and its job's folder, whose shared files an
     * incremental checkpoint reads): the run restores {@code keep}, which makes all older ones obsolete. Flink restores
     * without claiming it, so the new run's first checkpoint is a full one and needs nothing from here.
     */
    public void keepOnly(RestorePoint keep) throws IOException {
        Path keepTop = keep.savepoint() ? keep.folder() : keep.folder().getParent();
        for (Path sp : children(dir.resolve(SAVEPOINTS))) {
            if (!sp.equals(keepTop)) deleteTree(sp);
        }
        for (Path job : children(dir.resolve(CHECKPOINTS))) {
            if (!job.equals(keepTop)) deleteTree(job);
        }
    }

    /** Flink's settings for a job that checkpoints here, retains its latest checkpoint when cancelled, and restores {@code from}. */
    public Map<String, String> flinkSettings(Optional<RestorePoint> from) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put(CheckpointingOptions.CHECKPOINTS_DIRECTORY.key(), dir.resolve(CHECKPOINTS).toUri().toString());
        s.put(CheckpointingOptions.SAVEPOINT_DIRECTORY.key(), dir.resolve(SAVEPOINTS).toUri().toString());
        s.put(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION.key(), "RETAIN_ON_CANCELLATION");
        from.ifPresent(p -> s.put(StateRecoveryOptions.SAVEPOINT_PATH.key(), p.folder().toUri().toString()));
        return s;
    }

    /** Stops {@code job} with a savepoint here: its path, once the job has stopped. */
    public String stopWithSavepoint(JobClient job, Duration timeout) throws Exception {
        return job.stopWithSavepoint(false, dir.resolve(SAVEPOINTS).toUri().toString(), SavepointFormatType.CANONICAL)
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void add(List<RestorePoint> all, Path folder, boolean savepoint) throws IOException {
        Path metadata = folder.resolve(METADATA);
        if (!Files.isRegularFile(metadata)) return;
        FileTime t = Files.getLastModifiedTime(metadata);
        all.add(new RestorePoint(folder, t.toInstant(), savepoint));
    }

    private static List<Path> children(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) return List.of();
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
