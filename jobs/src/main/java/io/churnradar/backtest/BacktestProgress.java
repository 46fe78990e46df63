package io.churnradar.backtest;

import io.churnradar.backtest.input.EventTimeMerge;
import io.churnradar.backtest.results.BacktestOutputs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.flink.core.execution.JobClient;

/**
 * Progress lines of a running backtest, every few seconds, through each of its phases: while the inputs are
 * read, lines read, lines per second, the share of the files' bytes read (compressed ones of a gzipped file)
 * and an estimate of the time left (from the reader's accumulators of the running job); once
 * everything is read, the results the job's sinks have written so far while detection runs to the end of the
 * input; then, while the sorted runs are merged into the result files, what has been written of them. A run
 * of a million accounts spends minutes after its last line is read: none of it passes in silence. The benchmark's
 * runs report through {@link #of} too, with a status of their own.
 */
public final class BacktestProgress implements AutoCloseable {
    static final long EVERY_SECONDS = 5;
    /**
     * The reading of the last two minutes says the rate and the time left, once it spans half a minute: a history
     * of a million accounts is read at 4 million lines a minute on its first day and at 2 million after a week, so
     * the average since the start promised a 2-hour run would end in 70 minutes.
     */
    static final long WINDOW_SECONDS = 120;
    static final long MIN_WINDOW_SECONDS = 30;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "backtest-progress");
        t.setDaemon(true);
        return t;
    });
    final long started = System.nanoTime();
    /** The status last printed: no line twice (accumulators reach the client less often than we ask). */
    private String last;

    private BacktestProgress() {}

    /**
     * Starts reporting a running backtest job to {@code out}: the reading, then the results written into
     * {@code scratch} while detection finishes. Null {@code out} reports nothing.
     */
    static BacktestProgress ofJob(JobClient job, List<Path> files, Path scratch, Consumer<String> out) throws IOException {
        long total = 0;
        for (Path f : files) total += Files.size(f);
        BacktestProgress p = new BacktestProgress();
        JobStatus status = new JobStatus(accumulators(job), total, scratch, p.started, System::nanoTime);
        return p.start(status::next, out, TimeUnit.SECONDS.toMillis(EVERY_SECONDS));
    }

    /** A running job's accumulators as the client gets them; null when they cannot be had (the job is finishing or gone). */
    public static Supplier<Map<String, Object>> accumulators(JobClient job) {
        return () -> {
            try {
                return job.getAccumulators().get(EVERY_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                return null; // the job is finishing or gone: the summary follows
            }
        };
    }

    /** Starts printing what {@code status} says every few seconds, when it says something new (null: nothing to say). */
    static BacktestProgress of(Supplier<String> status, Consumer<String> out) {
        return of(status, out, TimeUnit.SECONDS.toMillis(EVERY_SECONDS));
    }

    /** As above, every {@code periodMillis}; null {@code out} prints nothing. */
    public static BacktestProgress of(Supplier<String> status, Consumer<String> out, long periodMillis) {
        return new BacktestProgress().start(status, out, periodMillis);
    }

    private BacktestProgress start(Supplier<String> status, Consumer<String> out, long periodMillis) {
        if (out == null) return this;
        timer.scheduleAtFixedRate(() -> {
            try {
                String line = status.get();
                if (line != null && !line.equals(last)) {
                    last = line;
                    out.accept(line);
                }
            } catch (RuntimeException e) {
                // The job is finishing or a file just went: the next report or the summary follows.
            }
        }, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        return this;
    }

    /** What a running backtest job has done: its reading, then the results it wrote after it. */
    static final class JobStatus {
        /** The running job's accumulators, null when they cannot be had. */
        private final Supplier<Map<String, Object>> accumulators;
        private final long totalBytes;
        private final Path scratch;
        private final long started;
        private final LongSupplier nanoClock;
        private long lastLines = -1;
        /** The first count of lines read, {nanoTime, lines, bytes}; null before it. */
        private long[] firstRead;
        /** What was read when, {nanoTime, lines, bytes}, over the last {@link #WINDOW_SECONDS}. */
        private final ArrayDeque<long[]> window = new ArrayDeque<>();

        JobStatus(Supplier<Map<String, Object>> accumulators, long totalBytes, Path scratch, long started, LongSupplier nanoClock) {
            this.accumulators = accumulators;
            this.totalBytes = totalBytes;
            this.scratch = scratch;
            this.started = started;
            this.nanoClock = nanoClock;
        }

        String next() {
            Map<String, Object> acc = accumulators.get();
            if (acc == null) return null;
            long lines = number(acc.get(EventTimeMerge.LINES_READ));
            long bytes = number(acc.get(EventTimeMerge.BYTES_READ));
            boolean same = lines == lastLines;
            lastLines = lines;
            long now = nanoClock.getAsLong();
            long[] sample = {now, lines, bytes};
            if (firstRead == null && lines > 0) firstRead = sample;
            window.addLast(sample);
            while (window.size() > 1 && now - window.peekFirst()[0] > TimeUnit.SECONDS.toNanos(WINDOW_SECONDS)) window.pollFirst();
            long[] first = window.peekFirst();
            // Read to the end only by the bytes: a pause in the reading (a slow disk, a gzipped file's reader waiting
            // on detection) is not the end.
            if (bytes < totalBytes) {
                // The accumulators reach the client with the TaskManagers' heartbeat, less often than we ask: no count twice,
                // and no "read 0 lines" while the readers' first counts are on their way.
                // Until the window spans half a minute, the rates since the first count once there are two: since the start
                // they would count the seconds the job takes to start, and say too much time left (about twice as much, 5 s
                // into a history of a million accounts).
                long[] since = firstRead == null || firstRead == sample ? new long[] {started, 0, 0} : firstRead;
                return same || lines == 0 ? null : line(lines, bytes, totalBytes, (now - since[0]) / 1e9, lines - since[1], bytes - since[2],
                        lines - first[1], bytes - first[2], (now - first[0]) / 1e9);
            }
            return String.format("  all %,d lines read; detecting to the end of the input, %s of sorted runs (compressed) written so far",
                    lines, bytes(Runs.in(scratch).bytes()));
        }
    }

    /**
     * e.g. "  read 1,234,567 lines (45%), 23,456 lines/s, about 1 min 10 s left": the rates of the reading's last
     * {@code windowSecs} ({@code windowLines} and {@code windowBytes} read in them) once that spans
     * {@link #MIN_WINDOW_SECONDS}, else since the start.
     */
    static String line(long lines, long bytes, long totalBytes, double secs, long windowLines, long windowBytes, double windowSecs) {
        return line(lines, bytes, totalBytes, secs, lines, bytes, windowLines, windowBytes, windowSecs);
    }

    /** As above, with the rates before the window spans half a minute those of {@code sinceLines} and {@code sinceBytes} in {@code sinceSecs}. */
    static String line(long lines, long bytes, long totalBytes, double sinceSecs, long sinceLines, long sinceBytes, long windowLines,
            long windowBytes, double windowSecs) {
        boolean recent = windowSecs >= MIN_WINDOW_SECONDS && windowBytes > 0;
        double rateSecs = recent ? windowSecs : sinceSecs;
        long rateLines = recent ? windowLines : sinceLines;
        long rateBytes = recent ? windowBytes : sinceBytes;
        StringBuilder b = new StringBuilder(String.format("  read %,d lines", lines));
        if (totalBytes > 0 && bytes > 0) b.append(String.format(" (%d%%)", Math.min(100, bytes * 100 / totalBytes)));
        if (rateSecs > 0) b.append(String.format(", %,.0f lines/s", rateLines / rateSecs));
        if (totalBytes > 0 && rateBytes > 0 && bytes < totalBytes) {
            b.append(", about ").append(duration(Math.round(rateSecs * (totalBytes - bytes) / rateBytes))).append(" left");
        }
        return b.toString();
    }

    /** e.g. "  merging 1,665 sorted runs (12.4 GB) into the result files: 3.2 GB written, 95 MB/s" */
    static String mergeLine(long runs, long runBytes, long written, double secs) {
        return mergeLine(runs, runBytes, written, 0, secs);
    }

    /**
     * e.g. "  merging 1,667 sorted runs (20.8 GB) into the result files: 905 MB written (and 8.1 GB merged into fewer
     * runs first), 117 MB/s": with more runs of one file than one pass opens, the passes before the last write
     * nothing to the result files for minutes, and the line says what they did.
     */
    static String mergeLine(long runs, long runBytes, long written, long regrouped, double secs) {
        StringBuilder b = new StringBuilder(String.format("  merging %,d sorted runs (%s) into the result files: %s written",
                runs, bytes(runBytes), bytes(written)));
        if (regrouped > 0) b.append(" (and ").append(bytes(regrouped)).append(" merged into fewer runs first)");
        if (secs > 0) b.append(", ").append(bytes(Math.round((written + regrouped) / secs))).append("/s");
        return b.toString();
    }

    /**
     * e.g. "; health.jsonl at 2026-02-14T08:00:00Z, 75% of the events' time, about 10 s left for it": the file the merge
     * writes and, for a file in time order, the time of its line written last within the events' time {@code from..to},
     * and the time its writing will take at its pace so far; the file's name alone for the others. Empty before the first.
     */
    static String position(BacktestOutputs.MergeProgress.FileInProgress file, long lineTime, long from, long to, long nowNanos) {
        if (file == null) return "";
        StringBuilder b = new StringBuilder("; ").append(file.name());
        long none = BacktestOutputs.MergeProgress.NO_TIME;
        if (!file.inTimeOrder() || lineTime == none || from == none || to == none || to <= from) return b.toString();
        double done = Math.min(1, Math.max(0, (lineTime - from) / (double) (to - from)));
        b.append(" at ").append(Instant.ofEpochMilli(lineTime).truncatedTo(ChronoUnit.SECONDS))
                .append(String.format(", %d%% of the events' time", (int) (done * 100)));
        double secs = (nowNanos - file.startedNanos()) / 1e9;
        if (done >= 0.01 && secs >= 1) b.append(", about ").append(duration(Math.round(secs * (1 - done) / done))).append(" left for it");
        return b.toString();
    }

    /** e.g. "812 MB", "3.2 GB", "640 KB" */
    static String bytes(long n) {
        if (n >= 1L << 30) return String.format("%.1f GB", n / (double) (1L << 30));
        if (n >= 1L << 20) return String.format("%,d MB", n >> 20);
        return String.format("%,d KB", n >> 10);
    }

    /** e.g. "40 s", "2 min 5 s", "1 h 3 min": a long run's time left in hours, not as a hundred minutes. */
    public static String duration(long secs) {
        if (secs >= 3600) return secs / 3600 + " h " + secs % 3600 / 60 + " min";
        if (secs >= 60) return secs / 60 + " min " + secs % 60 + " s";
        return secs + " s";
    }

    /** The sorted runs in a scratch folder: how many, and their bytes (a run that goes while we look counts 0). */
    record Runs(long count, long bytes) {
        static Runs in(Path scratch) {
            try (var files = Files.list(scratch)) {
                long[] countBytes = new long[2];
                files.filter(f -> f.getFileName().toString().endsWith(".run")).forEach(f -> {
                    countBytes[0]++;
                    try {
                        countBytes[1] += Files.size(f);
                    } catch (IOException e) {
                        // Merged and removed while we looked.
                    }
                });
                return new Runs(countBytes[0], countBytes[1]);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static long number(Object v) {
        return v instanceof Number n ? n.longValue() : 0;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
