package io.churnradar.backtest;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4BlockInputStream;
import net.jpountz.lz4.LZ4BlockOutputStream;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * An external merge sort of text records (a sort key, a tag and a JSON line each): writers sort bounded
 * runs in memory and spill them to files; {@link #merge} merges the runs k-way, holding one record and a
 * small buffer per run, so memory follows the number of runs, never the number of records.
 *
 * <p>Hand-written because nothing on the classpath sorts text records externally (Flink's own sorters
 * work on its managed memory inside operators and hand no sorted file to the client; Flink SQL's ORDER BY
 * of a bounded stream would need BATCH mode, which the backtest cannot use).
 *
 * <p>The sort is stable: records with equal keys come out in the order they were written, runs in the
 * order given, each run in the order its writer received them. The backtest relies on it: equal keys
 * always belong to one account, whose records all come from one subtask in the detector's order.
 */
public final class ExternalSort {
    /** Runs at most in one merge pass: each open run holds an LZ4 block, compressed and not, and {@link #READ_BUFFER} bytes. */
    static final int MAX_FAN_IN = 256;
    static final int READ_BUFFER = 8 * 1024;
    /**
     * Runs are written in LZ4 blocks of this size (lz4-java, which kafka-clients already brings), as Spark and Flink
     * compress what they spill: the sorted JSON lines of a run shrink 13 to 14 times (20.8 GB of runs became 1.6 GB for
     * 5,000,000 events of a million accounts), so a big backtest needs a fraction of the scratch disk, at about the
     * same CPU (less time in the kernel, as much more in the compressor) and a faster merge.
     */
    private static final int LZ4_BLOCK = 64 * 1024;
    private static final LZ4Compressor LZ4_WRITE = LZ4Factory.fastestInstance().fastCompressor();
    /** The decompressor that checks its input: a damaged run fails with an error instead of reading out of bounds. */
    private static final LZ4SafeDecompressor LZ4_READ = LZ4Factory.fastestInstance().safeDecompressor();
    /** A rough per-record overhead in memory (the entry, its key, the String headers), for the budget. */
    private static final long RECORD_OVERHEAD = 96;

    private ExternalSort() {}

    /** A composite sort key of longs, ints and strings, compared part by part (all keys of one sort have the same shape). */
    public static final class Key implements Comparable<Key> {
        final Object[] parts;
        /** Worked out once: a writer sizes every record against its budget, and again when a later one replaces it. */
        private final long size;
        /**
         * The first part as a long when it is a Long (most keys lead with a time): sorting a run compares keys
         * millions of times, and a profile of a million accounts' backtest put a sixth of the detection thread in
         * sorting, most of it comparing boxed parts through Comparable.
         */
        private final long first;
        private final boolean firstIsLong;

        private Key(Object[] parts) {
            this.parts = parts;
            long n = 16L * parts.length;
            for (Object p : parts) if (p instanceof String str) n += str.length() + 40;
            this.size = n;
            this.firstIsLong = parts.length > 0 && parts[0] instanceof Long;
            this.first = firstIsLong ? (Long) parts[0] : 0;
        }

        /** Parts of type Long, Integer or String (null strings sort first). */
        public static Key of(Object... parts) {
            for (Object p : parts) {
                if (p != null && !(p instanceof Long) && !(p instanceof Integer) && !(p instanceof String)) {
                    throw new IllegalArgumentException("a sort key part must be a Long, Integer or String: " + p.getClass());
                }
            }
            return new Key(parts.clone());
        }

        @Override
        public int compareTo(Key o) {
            int i = 0;
            if (firstIsLong && o.firstIsLong) {
                int c = Long.compare(first, o.first);
                if (c != 0) return c;
                i = 1;
            }
            for (int n = Math.min(parts.length, o.parts.length); i < n; i++) {
                Object a = parts[i];
                Object b = o.parts[i];
                if (a == b) continue;
                if (a == null) return -1;
                if (b == null) return 1;
                int c = comparePart(a, b);
                if (c != 0) return c;
            }
            return Integer.compare(parts.length, o.parts.length);
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private static int comparePart(Object a, Object b) {
            if (a instanceof String x && b instanceof String y) return x.compareTo(y);
            if (a instanceof Long x && b instanceof Long y) return Long.compare(x, y);
            return ((Comparable) a).compareTo(b); // Integers, or parts of different types (which fail as before)
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(parts, k.parts);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(parts);
        }

        long size() {
            return size;
        }

        @Override
        public String toString() {
            return Arrays.toString(parts);
        }
    }

    /** One record: its key, a tag that is counted but not sorted on (say the alert's signal), its line. */
    public record Entry(Key key, String tag, String line) {
        long size() {
            return RECORD_OVERHEAD + key.size() + (tag == null ? 0 : tag.length()) + line.length();
        }
    }

    /**
     * Sorts what it is given in runs of at most {@code maxRunBytes} (estimated in memory) and spills each
     * run to {@code dir/prefix-NNNNNN.run}. With {@code lastPerKey}, only the last record of each key is
     * kept (and {@link #merge} must be told so too).
     */
    public static final class RunWriter {
        private final Path dir;
        private final String prefix;
        private final long maxRunBytes;
        private final boolean lastPerKey;
        private final List<Entry> buffer = new ArrayList<>();
        /** With lastPerKey: the buffer, by key (a later record replaces an earlier one). */
        private final Map<Key, Entry> lastByKey = new HashMap<>();
        private final List<Path> runs = new ArrayList<>();
        private long bytes;

        public RunWriter(Path dir, String prefix, long maxRunBytes, boolean lastPerKey) {
            this.dir = dir;
            this.prefix = prefix;
            this.maxRunBytes = Math.max(1, maxRunBytes);
            this.lastPerKey = lastPerKey;
        }

        public void add(Entry e) throws IOException {
            if (lastPerKey) {
                Entry old = lastByKey.put(e.key(), e);
                if (old != null) bytes -= old.size();
            } else {
                buffer.add(e);
            }
            bytes += e.size();
            if (bytes >= maxRunBytes) spill();
        }

        /** Spills what is buffered; the runs written, in order. */
        public List<Path> finish() throws IOException {
            spill();
            return List.copyOf(runs);
        }

        private void spill() throws IOException {
            List<Entry> run = lastPerKey ? new ArrayList<>(lastByKey.values()) : buffer;
            if (run.isEmpty()) return;
            run.sort((a, b) -> a.key().compareTo(b.key())); // List.sort is stable: equal keys keep their order
            Path file = dir.resolve(String.format("%s-%06d.run", prefix, runs.size()));
            writeRun(file, run);
            runs.add(file);
            buffer.clear();
            lastByKey.clear();
            bytes = 0;
        }
    }

    static void writeRun(Path file, Iterable<Entry> entries) throws IOException {
        try (DataOutputStream out = runOutput(file)) {
            for (Entry e : entries) write(out, e);
            out.writeByte(0);
        }
    }

    /**
     * A run file to write, compressed; small writes are gathered before they reach the compressor. Each block carries a
     * CRC32C (a CPU instruction) rather than the stream's default XXHash, which took three times the compression itself.
     */
    private static DataOutputStream runOutput(Path file) throws IOException {
        return new DataOutputStream(new BufferedOutputStream(
                new LZ4BlockOutputStream(Files.newOutputStream(file), LZ4_BLOCK, LZ4_WRITE, new CRC32C(), false), 8 * 1024));
    }

    private static void write(DataOutputStream out, Entry e) throws IOException {
        out.writeByte(1);
        out.writeByte(e.key().parts.length);
        for (Object p : e.key().parts) {
            if (p == null) {
                out.writeByte('N');
            } else if (p instanceof Long l) {
                out.writeByte('L');
                out.writeLong(l);
            } else if (p instanceof Integer i) {
                out.writeByte('I');
                out.writeInt(i);
            } else {
                out.writeByte('S');
                writeString(out, (String) p);
            }
        }
        writeString(out, e.tag());
        writeString(out, e.line());
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    /** Reads one run, a record at a time. */
    static final class RunReader implements AutoCloseable {
        private final DataInputStream in;
        final int index;
        Entry head;

        RunReader(Path file, int index) throws IOException {
            this.in = new DataInputStream(new BufferedInputStream(
                    LZ4BlockInputStream.newBuilder().withDecompressor(LZ4_READ).withChecksum(new CRC32C()).build(Files.newInputStream(file)),
                    READ_BUFFER));
            this.index = index;
            advance();
        }

        void advance() throws IOException {
            if (in.readByte() == 0) {
                head = null;
                return;
            }
            int n = in.readByte();
            Object[] parts = new Object[n];
            for (int i = 0; i < n; i++) {
                int type = in.readByte();
                parts[i] = switch (type) {
                    case 'N' -> null;
                    case 'L' -> in.readLong();
                    case 'I' -> in.readInt();
                    case 'S' -> readString(in);
                    default -> throw new IOException("not a sort run: key part type " + type);
                };
            }
            head = new Entry(new Key(parts), readString(in), readString(in));
        }

        private static String readString(DataInputStream in) throws IOException {
            int n = in.readInt();
            if (n < 0) return null;
            byte[] b = new byte[n];
            in.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /**
     * Merges sorted runs into one sorted sequence for {@code out}: by key, equal keys in the order of the
     * runs given and then of each run. With {@code lastPerKey} only the last record of each key comes out.
     * More runs than {@link #MAX_FAN_IN} are first merged in consecutive groups into runs in {@code scratch}.
     */
    public static void merge(List<Path> runs, boolean lastPerKey, Path scratch, Consumer<Entry> out) throws IOException {
        merge(runs, lastPerKey, scratch, out, chars -> {});
    }

    /**
     * As above, telling {@code regrouped} the characters of each line an intermediate pass writes back into
     * {@code scratch}: with thousands of runs those passes take minutes before the first line comes out.
     */
    public static void merge(List<Path> runs, boolean lastPerKey, Path scratch, Consumer<Entry> out, java.util.function.LongConsumer regrouped)
            throws IOException {
        List<Path> current = List.copyOf(runs);
        int pass = 0;
        while (current.size() > MAX_FAN_IN) {
            List<Path> next = new ArrayList<>();
            for (int from = 0; from < current.size(); from += MAX_FAN_IN) {
                List<Path> group = current.subList(from, Math.min(current.size(), from + MAX_FAN_IN));
                Path merged = Files.createTempFile(scratch, "merge-" + pass + "-", ".run");
                try (DataOutputStream w = runOutput(merged)) {
                    mergeOnce(group, lastPerKey, e -> {
                        try {
                            write(w, e);
                            regrouped.accept(e.line().length());
                        } catch (IOException x) {
                            throw new UncheckedIOException(x);
                        }
                    });
                    w.writeByte(0);
                }
                next.add(merged);
            }
            if (pass > 0) for (Path p : current) Files.deleteIfExists(p); // intermediate runs of our own
            current = next;
            pass++;
        }
        try {
            mergeOnce(current, lastPerKey, out);
        } finally {
            if (pass > 0) for (Path p : current) Files.deleteIfExists(p);
        }
    }

    private static void mergeOnce(List<Path> runs, boolean lastPerKey, Consumer<Entry> out) throws IOException {
        PriorityQueue<RunReader> heads = new PriorityQueue<>(Math.max(1, runs.size()), (a, b) -> {
            int c = a.head.key().compareTo(b.head.key());
            return c != 0 ? c : Integer.compare(a.index, b.index);
        });
        List<RunReader> open = new ArrayList<>();
        try {
            for (int i = 0; i < runs.size(); i++) {
                RunReader r = new RunReader(runs.get(i), i);
                open.add(r);
                if (r.head != null) heads.add(r);
            }
            Entry pending = null;
            while (!heads.isEmpty()) {
                RunReader r = heads.poll();
                Entry e = r.head;
                r.advance();
                if (r.head != null) heads.add(r);
                if (!lastPerKey) {
                    out.accept(e);
                } else {
                    if (pending != null && !pending.key().equals(e.key())) out.accept(pending);
                    pending = e;
                }
            }
            if (pending != null) out.accept(pending);
        } catch (EOFException e) {
            throw new IOException("a sort run ended early (was its writer stopped?)", e);
        } finally {
            for (RunReader r : open) r.close();
        }
    }
}
