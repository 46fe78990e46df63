package io.churnradar.backtest;

import io.churnradar.ingest.formats.InputFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.apache.flink.configuration.Configuration;

/**
 * The state backend of a backtest ({@code --state-backend heap|rocksdb|auto}). The heap backend keeps each
 * account as a Java object and saves RocksDB's (de)serialization of the account on every event and timer:
 * the faster choice while the accounts fit in the heap. {@code auto} estimates the accounts of the input
 * from a sample of its first lines and takes the heap when their estimated state stays within a third of
 * the JVM's heap (the rest is Flink's, the sinks' sort buffers' and the reader's), RocksDB otherwise, whose
 * state lives off-heap and on disk and grows with the accounts, not with the heap.
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
    public record Decision(boolean heap, long estimatedAccounts, String reason) {
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
            return c;
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
        long accounts = estimateAccounts(inputs);
        long stateBytes = accounts * HEAP_BYTES_PER_ACCOUNT;
        long budget = maxHeapBytes / 3;
        boolean heap = stateBytes <= budget;
        String reason = String.format("auto: about %,d accounts, about %,d MB of state on the heap, %s a third of the %,d MB heap",
                accounts, stateBytes >> 20, heap ? "within" : "above", maxHeapBytes >> 20);
        return new Decision(heap, accounts, reason);
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
        long lines = 0;
        long chars = 0;
        boolean whole = true;
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = gz ? new GZIPInputStream(raw, 1 << 16) : raw;
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (lines == SAMPLE_LINES) {
                    whole = false;
                    break;
                }
                lines++;
                chars += line.length() + 1;
                if (ours) {
                    Matcher m = ACCOUNT.matcher(line);
                    if (m.find()) accounts.add(m.group(1));
                }
            }
        }
        long sampled = ours ? accounts.size() : lines;
        if (whole || chars == 0) return sampled;
        return (long) Math.ceil(sampled * ((double) size / chars));
    }
}
