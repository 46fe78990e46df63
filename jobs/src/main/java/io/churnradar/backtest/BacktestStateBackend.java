package io.churnradar.backtest;

import io.churnradar.backtest.input.BacktestInput;
import io.churnradar.backtest.input.PayloadFile;
import io.churnradar.backtest.input.UnreadableInputFile;
import io.churnradar.detect.AccountLimit;
import io.churnradar.guard.BacktestLimits;
import io.churnradar.guard.BoundedLines;
import io.churnradar.ingest.formats.InputFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;

/**
 * The state backend of a backtest ({@code --state-backend heap|rocksdb|auto}). The heap backend keeps each
 * account as a Java object and saves RocksDB's (de)serialization of the account on every event and timer:
 * the faster choice while the accounts fit in the heap. {@code auto} estimates the accounts of the input
 * from a sample of its first lines and takes the heap when their estimated state stays within a third of
 * the JVM's heap (the rest is Flink's, the sinks' sort buffers' and the reader's), RocksDB otherwise, whose
 * state lives off-heap and on disk and grows with the accounts, not with the heap.
 *
 * <p>The first lines overshoot for a dense history (a history of 100,000 accounts at 10 events a day shows
 * new accounts all through its first 200,000 lines, and scaled up to the file they make 1.6 million). So when
 * they say RocksDB, an uncompressed file of ours is sampled again at even steps through it, and its accounts
 * estimated from how many samples each one is seen in ({@link #sampledAccounts}): a history that keeps coming back
 * to the same accounts is taken onto the heap when twice that estimate fits. Every heap run chosen by
 * {@code auto} carries the count its heap allows ({@link io.churnradar.detect.AccountLimit}): a history with more
 * accounts than the samples saw fails at once when it passes that count, and {@link #runFallingBack} starts it
 * again on RocksDB, instead of running out of memory after a long while. The estimates read lines with the
 * default --max-line-bytes; a longer limit given to the backtest only means such lines count no account here.
 */
public final class BacktestStateBackend {
    /** The options of {@code --state-backend}. */
    public enum Choice {
        HEAP, ROCKSDB, AUTO;

        public static Choice of(String option) {
            return switch (option.toLowerCase(Locale.ROOT)) {
                case "heap", "hashmap" -> HEAP;
                case "rocksdb" -> ROCKSDB;
                case "auto" -> AUTO;
                default -> throw new IllegalArgumentException("must be heap, rocksdb or auto, got '" + option + "'");
            };
        }
    }

    /**
     * Heap bytes an account takes on the heap backend, conservatively: its state objects (a busy account's
     * serialized state is about 100 bytes; as objects, with their headers, day buckets, episode maps and
     * strings, several times that), the backend's map entry, and its timer in the heap timer queue.
     */
    static final long HEAP_BYTES_PER_ACCOUNT = 4_096;
    /** Where RocksDB keeps the timers: HEAP or ROCKSDB (flink-conf's default, and the backtest's always). */
    static final String ROCKSDB_TIMERS = "state.backend.rocksdb.timer-service.factory";
    /** Lines sampled from the start of the input to estimate its accounts. */
    static final int SAMPLE_LINES = 200_000;
    /** A gzipped file's text is taken as this many times its size (JSON Lines compress about 5 to 10 times). */
    static final int GZIP_RATIO = 8;

    private static final Pattern ACCOUNT = Pattern.compile("\"accountId\"\\s*:\\s*\"([^\"]*)\"");

    /** The backend taken and why, for the command's first lines. */
    public record Decision(boolean heap, long estimatedAccounts, String reason, long maxAccounts) {
        public Decision(boolean heap, long estimatedAccounts, String reason) {
            this(heap, estimatedAccounts, reason, -1);
        }

        /** Flink's name of the backend: {@code state.backend.type}. */
        public String type() {
            return heap ? "hashmap" : "rocksdb";
        }

        /**
         * Sets {@code state.backend.type} on {@code c}; on RocksDB also its timers in RocksDB, whatever the local
         * config says: a backtest runs there to keep the heap free of its accounts, a timer each included.
         */
        public Configuration applyTo(Configuration c) {
            c.setString("state.backend.type", type());
            if (!heap) c.setString(ROCKSDB_TIMERS, "ROCKSDB");
            if (maxAccounts >= 0) {
                Map<String, String> parameters = new HashMap<>(c.getOptional(PipelineOptions.GLOBAL_JOB_PARAMETERS).orElse(Map.of()));
                parameters.put(AccountLimit.PARAMETER, Long.toString(maxAccounts));
                c.set(PipelineOptions.GLOBAL_JOB_PARAMETERS, parameters);
            }
            return c;
        }

        /** RocksDB after a heap run of this decision met more accounts than it allows. */
        Decision onRocksDbInstead() {
            return new Decision(false, estimatedAccounts, String.format(
                    "started again: more than %,d accounts, the most a third of the heap holds at 4 KB an account", maxAccounts));
        }

        public String label() {
            return heap ? "heap" : "rocksdb";
        }
    }

    private BacktestStateBackend() {}

    /** The backend for {@code inputs} under {@code choice}, on a JVM whose heap is {@code maxHeapBytes}. */
    public static Decision decide(Choice choice, List<BacktestInput> inputs, long maxHeapBytes) throws IOException {
        if (choice == Choice.HEAP) return new Decision(true, -1, "as asked");
        if (choice == Choice.ROCKSDB) return new Decision(false, -1, "as asked");
        long budget = maxHeapBytes / 3;
        long maxAccounts = budget / HEAP_BYTES_PER_ACCOUNT;
        long accounts = estimateAccounts(inputs);
        if (accounts <= maxAccounts) {
            return new Decision(true, accounts, String.format("auto: about %,d accounts, about %,d MB of state on the heap, within a third"
                    + " of the %,d MB heap", accounts, (accounts * HEAP_BYTES_PER_ACCOUNT) >> 20, maxHeapBytes >> 20), maxAccounts);
        }
        long sampled = sampledAccounts(inputs);
        if (sampled >= 0 && sampled * 2 <= maxAccounts) {
            return new Decision(true, sampled, String.format("auto: about %,d accounts in samples through the input (its first lines"
                    + " suggested %,d), twice that within a third of the %,d MB heap; on RocksDB from the start again past %,d",
                    sampled, accounts, maxHeapBytes >> 20, maxAccounts), maxAccounts);
        }
        if (sampled >= 0) {
            return new Decision(false, sampled, String.format("auto: about %,d accounts in samples through the input, twice that above"
                    + " a third of the %,d MB heap", sampled, maxHeapBytes >> 20));
        }
        // No samples through the input: the first lines' count scaled up is a ceiling, which a dense history stays far
        // below (a gzipped file of 1,000,000 accounts read as 346 million), so the line says "up to", and why.
        long stateBytes = accounts * HEAP_BYTES_PER_ACCOUNT;
        boolean ours = inputs.stream().allMatch(in -> in.format == InputFormat.CHURN_RADAR);
        return new Decision(false, accounts, String.format("auto: up to about %,d accounts (%s), up to %,d MB of state on the heap,"
                + " above a third of the %,d MB heap", accounts, ours
                        ? "its first lines scaled to its size; a gzipped file cannot be sampled through"
                        : "every line taken for an account: other formats name theirs only once mapped",
                stateBytes >> 20, maxHeapBytes >> 20));
    }

    /**
     * Runs {@code run} with {@code decision}; when a heap run of {@code auto} fails because the input has more accounts
     * than its heap allows ({@link AccountLimit.Exceeded}), tells {@code progress} and runs it again on RocksDB.
     */
    public static <T> T runFallingBack(Decision decision, DecidedRun<T> run, java.util.function.Consumer<String> progress)
            throws Exception {
        try {
            return run.run(decision);
        } catch (Exception e) {
            if (!decision.heap() || decision.maxAccounts() < 0 || !AccountLimit.Exceeded.isCause(e)) throw e;
            Decision rocksDb = decision.onRocksDbInstead();
            if (progress != null) progress.accept(String.format("  state backend    %s (%s)", rocksDb.label(), rocksDb.reason()));
            return run.run(rocksDb);
        }
    }

    /** A run on the backend of a decision. */
    @FunctionalInterface
    public interface DecidedRun<T> {
        T run(Decision decision) throws Exception;
    }

    /**
     * An estimate of the accounts of the inputs, on the high side: in our own format the distinct
     * {@code accountId}s of the first {@link #SAMPLE_LINES} lines of each file, scaled up to the file's size
     * (new accounts appear ever more rarely as a history goes on, so the scaling overshoots); in the other
     * formats, whose account is found only by mapping, every line counted as an account of its own.
     */
    static long estimateAccounts(List<BacktestInput> inputs) throws IOException {
        long total = 0;
        for (BacktestInput in : inputs) {
            for (Path f : in.files()) total += estimateAccounts(f, in.format == InputFormat.CHURN_RADAR);
        }
        return total;
    }

    private static long estimateAccounts(Path file, boolean ours) throws IOException {
        boolean gz = file.toString().endsWith(".gz");
        long size = Files.size(file) * (gz ? GZIP_RATIO : 1);
        Set<String> accounts = new HashSet<>();
        Read read;
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = PayloadFile.decompressed(file.toString(), raw);
                BoundedLines r = new BoundedLines(in, BacktestLimits.DEFAULT_MAX_LINE_BYTES)) {
            try {
                read = read(r, SAMPLE_LINES, ours ? accounts : null);
            } catch (IOException e) {
                // Named before anything starts, with the line the break comes after, as the run's own reading names it.
                if (PayloadFile.isBrokenGzip(file.toString(), e)) throw new UnreadableInputFile(file.toString(), r.linesRead(), e);
                throw e;
            }
        }
        long sampled = ours ? accounts.size() : read.lines;
        if (read.whole || read.chars == 0) return sampled;
        return (long) Math.ceil(sampled * ((double) size / read.chars));
    }

    /**
     * The accounts of the inputs from samples through each file, or -1 where that cannot be done (a gzipped file,
     * which cannot be read from the middle, or another format, whose account is found only by mapping): per file,
     * {@link #SPREAD_SAMPLES} samples of {@link #SPREAD_LINES} lines at even steps from its start to its end, and
     * Chao's incidence estimator over them: the accounts seen, plus the ones never seen as the accounts seen in
     * exactly one sample against those seen in exactly two tell (A. Chao, 1987; a lower bound where accounts
     * differ in how often they come back). A history that keeps coming back to its accounts comes out near its
     * count; one of ever new accounts (each in one sample at most) comes out high. Accounts too rare to be sampled
     * at all are missed, which is why a heap run carries its limit.
     */
    static long sampledAccounts(List<BacktestInput> inputs) throws IOException {
        long total = 0;
        for (BacktestInput in : inputs) {
            for (Path f : in.files()) {
                if (in.format != InputFormat.CHURN_RADAR || f.toString().endsWith(".gz")) return -1;
                total += sampledAccounts(f);
            }
        }
        return total;
    }

    /** Samples through a file. */
    static final int SPREAD_SAMPLES = 8;
    /** Lines of each sample: together as many as the first sample. */
    static final int SPREAD_LINES = SAMPLE_LINES / SPREAD_SAMPLES;

    private static long sampledAccounts(Path file) throws IOException {
        long size = Files.size(file);
        Map<String, Integer> samplesSeenIn = new HashMap<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long bytesPerLine = 0;
            for (int i = 0; i < SPREAD_SAMPLES; i++) {
                // The last sample ends at the end of the file, as nearly as the line length of the first one tells.
                long span = Math.max(0, size - bytesPerLine * SPREAD_LINES * 11 / 10);
                long at = i == 0 ? 0 : span * i / (SPREAD_SAMPLES - 1);
                Set<String> accounts = new HashSet<>();
                Read read = sample(ch, at, accounts);
                for (String a : accounts) samplesSeenIn.merge(a, 1, Integer::sum);
                if (i == 0 && read.lines > 0) bytesPerLine = Math.max(1, read.chars / read.lines);
            }
        }
        long once = samplesSeenIn.values().stream().filter(n -> n == 1).count();
        long twice = samplesSeenIn.values().stream().filter(n -> n == 2).count();
        double m = SPREAD_SAMPLES;
        double unseen = twice > 0 ? (m - 1) / m * once * once / (2.0 * twice) : (m - 1) / m * once * (once - 1) / 2.0;
        return samplesSeenIn.size() + (long) Math.ceil(unseen);
    }

    /** The accounts of {@link #SPREAD_LINES} whole lines from byte {@code at} into {@code into}. */
    private static Read sample(FileChannel ch, long at, Set<String> into) throws IOException {
        ch.position(at);
        BoundedLines r = new BoundedLines(Channels.newInputStream(ch), BacktestLimits.DEFAULT_MAX_LINE_BYTES);
        if (at > 0) r.next(); // the rest of a line begun before the step
        return read(r, SPREAD_LINES, into);
    }

    /** Lines read, their characters (with line ends), and whether they were all the input had. */
    private record Read(long lines, long chars, boolean whole) {}

    /**
     * Up to {@code maxLines} lines of {@code r}, each {@code accountId} into {@code into} (null: none looked for). Read as
     * the backtest reads them (BoundedLines): a line of gigabytes is counted, never held whole.
     */
    private static Read read(BoundedLines r, int maxLines, Set<String> into) throws IOException {
        long lines = 0;
        long chars = 0;
        for (BoundedLines.Line line = r.next(); line != null; line = r.next()) {
            if (lines == maxLines) return new Read(lines, chars, false);
            lines++;
            chars += (line.text != null ? line.text.length() : line.oversize.size) + 1;
            if (into == null || line.text == null) continue;
            Matcher m = ACCOUNT.matcher(line.text);
            if (m.find()) into.add(m.group(1));
        }
        return new Read(lines, chars, true);
    }
}
