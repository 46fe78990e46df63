package io.churnradar.backtest.results;

import static io.churnradar.backtest.results.SortKeyBytes.STRING;
import static io.churnradar.backtest.results.SortKeyBytes.compareKeys;
import static io.churnradar.backtest.results.SortKeyBytes.prefix;
import static io.churnradar.backtest.results.SortKeyBytes.putBytes;
import static io.churnradar.backtest.results.SortKeyBytes.putInt;
import static io.churnradar.backtest.results.SortKeyBytes.readInt;
import static io.churnradar.backtest.results.SortKeyBytes.skipKey;
import static io.churnradar.backtest.results.SortKeyBytes.type;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
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
 * <p>A record lives as bytes from the moment it is added: a writer appends it to one buffer in the form
 * a run file holds it, and sorts an index of its records' offsets and leading key parts, as Flink's and
 * Spark's sorters do; a spill copies each record's bytes as they are, and the merge compares keys and
 * writes lines from the bytes it read. Holding each record as objects instead (a boxed key, a String line)
 * made a million accounts' backtest spend half its detection thread sorting, copying and encoding them.
 *
 * <p>The order is {@link Key#compareTo}'s (strings as {@link String#compareTo} orders them), and the sort is
 * stable: records with equal keys come out in the order they were written, runs in the order given, each
 * run in the order its writer received them. The backtest relies on it: equal keys always belong to one
 * account, whose records all come from one subtask in the detector's order.
 */
public final class ExternalSort {
    /**
     * Runs at most in one merge pass: each open run holds an LZ4 block, compressed and not (about 130 KB, 133 MB for all
     * 1,024 at once, while the merge runs after the job). With 256, a million accounts' 5,000,000 events (some 900 runs of
     * health changes) first rewrote 9 GB of them into fewer runs, a second pass over nearly every line (docs/benchmarks.md).
     */
    static final int MAX_FAN_IN = 1024;
    /** The fewest runs one merge pass takes, however few file descriptors are free. */
    private static final int MIN_FAN_IN = 16;
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
    /** A record's index entries in memory (offsets, lengths, prefixes, its place in the order), and a value's in the map of last records, for the budget. */
    private static final long INDEX_BYTES = 36;
    private static final long MAP_ENTRY_BYTES = 120;

    private static final byte RECORD = 1;
    private static final byte END = 0;

    private ExternalSort() {}

    /** A composite sort key of longs, ints and strings, compared part by part (all keys of one sort have the same shape). */
    public static final class Key implements Comparable<Key> {
        final Object[] parts;

        private Key(Object[] parts) {
            this.parts = parts;
        }

        /** Parts of type Long, Integer or String (null strings sort first). */
        public static Key of(Object... parts) {
            if (parts.length > 127) throw new IllegalArgumentException("a sort key has at most 127 parts: " + parts.length);
            for (Object p : parts) {
                if (p != null && !(p instanceof Long) && !(p instanceof Integer) && !(p instanceof String)) {
                    throw new IllegalArgumentException("a sort key part must be a Long, Integer or String: " + p.getClass());
                }
            }
            return new Key(parts.clone());
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public int compareTo(Key o) {
            for (int i = 0, n = Math.min(parts.length, o.parts.length); i < n; i++) {
                Object a = parts[i];
                Object b = o.parts[i];
                if (a == b) continue;
                if (a == null) return -1;
                if (b == null) return 1;
                int c = ((Comparable) a).compareTo(b);
                if (c != 0) return c;
            }
            return Integer.compare(parts.length, o.parts.length);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(parts, k.parts);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(parts);
        }

        @Override
        public String toString() {
            return Arrays.toString(parts);
        }
    }

    /** One record: its key, a tag that is counted but not sorted on (say the alert's signal), its line. */
    public record Entry(Key key, String tag, String line) {}

    /** Writes a line given as the {@code length} UTF-8 bytes of {@code line} at {@code at}, changed, to {@code out}. */
    @FunctionalInterface
    public interface LineEdit {
        /** @return the bytes written */
        int write(byte[] line, int at, int length, OutputStream out) throws IOException;
    }

    /**
     * A record as the merge hands it out: its bytes, read from a run, decoded only on demand. Valid until the
     * consumer returns (the next record is read into the same buffer).
     */
    public static final class Record {
        private byte[] bytes = new byte[256];
        private int length;
        private int tagAt;
        private int lineAt;
        private int lineLength;

        /** Points this record at the {@code length} bytes now in {@link #bytes}, the form {@link #encode} writes. */
        private void parse(int length) throws IOException {
            this.length = length;
            int at = skipKey(bytes, 0);
            tagAt = at;
            int tagLength = readInt(bytes, at);
            at += 4 + Math.max(0, tagLength);
            lineLength = readInt(bytes, at);
            lineAt = at + 4;
            if (lineLength < 0 || lineAt + lineLength != length) throw new IOException("not a sort run: a record of " + length + " bytes");
        }

        private void copyOf(Record r) {
            if (bytes.length < r.length) bytes = new byte[Math.max(r.length, 2 * bytes.length)];
            System.arraycopy(r.bytes, 0, bytes, 0, r.length);
            length = r.length;
            tagAt = r.tagAt;
            lineAt = r.lineAt;
            lineLength = r.lineLength;
        }

        public Key key() {
            return new Key(SortKeyBytes.read(bytes, 0));
        }

        public String tag() {
            int n = readInt(bytes, tagAt);
            return n < 0 ? null : new String(bytes, tagAt + 4, n, StandardCharsets.UTF_8);
        }

        public String line() {
            return new String(bytes, lineAt, lineLength, StandardCharsets.UTF_8);
        }

        /** The line's UTF-8 bytes. */
        public int lineBytes() {
            return lineLength;
        }

        /** Writes the line's UTF-8 bytes to {@code out}, as they were read. */
        public void writeLine(OutputStream out) throws IOException {
            out.write(bytes, lineAt, lineLength);
        }

        /** The key's first part when it is a long (the time most keys lead with), else {@code orElse}. */
        public long leadingLong(long orElse) {
            return length >= 10 && bytes[0] > 0 && bytes[1] == SortKeyBytes.LONG ? SortKeyBytes.readLong(bytes, 2) : orElse;
        }

        /** Writes the line to {@code out} as {@code edit} makes it from the line's UTF-8 bytes; the bytes {@code edit} wrote. */
        public int writeLine(OutputStream out, LineEdit edit) throws IOException {
            return edit.write(bytes, lineAt, lineLength, out);
        }

        public Entry toEntry() {
            return new Entry(key(), tag(), line());
        }

        private boolean sameKey(Record o) {
            return Arrays.equals(bytes, 0, tagAt, o.bytes, 0, o.tagAt);
        }
    }

    /**
     * Sorts what it is given in runs of at most {@code maxRunBytes} (in memory) and spills each run to
     * {@code dir/prefix-NNNNNN.run}.
     */
    public static final class RunWriter {
        private final Path dir;
        private final String prefix;
        private final long maxRunBytes;
        private final List<Path> runs = new ArrayList<>();
        /**
         * The records' keys, one after the other, apart from the rest of the records: the sort reads only keys, and
         * a million accounts' runs are sorted by a key whose leading time is the same for every update of one day
         * close, so that most comparisons read the account's bytes; kept apart they are a twentieth of a run's
         * bytes and stay in the CPU's caches (mixed with the lines, the comparisons were a tenth of the detection thread).
         */
        private final Area keys = new Area();
        /** The records' tags and lines, one after the other. */
        private final Area rest = new Area();
        /** Per record: where its key and its rest are, and their lengths. */
        private int[] keyAt = new int[1024];
        private int[] keyLength = new int[1024];
        private int[] restAt = new int[1024];
        private int[] restLength = new int[1024];
        /** Per record: its first two key parts as {@link #prefix} makes them, so that most comparisons end here. */
        private long[] first = new long[1024];
        private long[] second = new long[1024];
        private int count;
        /** The type of the first two key parts of every record so far, or 0 once two records differ: then no prefix counts. */
        private byte firstType;
        private byte secondType;
        /** With {@link #keepingLastOf}: the writer given a mark of each value's last record at a spill, and the key part of the values. */
        private RunWriter lastWriter;
        private int lastOfPart = -1;
        /**
         * With {@link #keepingLastOf}: the record number of each value's last record in this run. A {@code HashMap}, node and
         * boxed number per value included: it compares a key's stored hash before the key, where an open-addressing table
         * (HPPC's, tried) compares the keys it probes, each a chain of cache misses once a million accounts' keys no longer
         * fit in the caches (faster with 10,000 accounts, about 4% slower with a million: docs/benchmarks.md).
         */
        private final Map<String, Integer> lastOfValue = new HashMap<>();

        public RunWriter(Path dir, String prefix, long maxRunBytes) {
            this.dir = dir;
            this.prefix = prefix;
            this.maxRunBytes = Math.max(1, maxRunBytes);
        }

        /**
         * Makes this writer also hand {@code last} (a writer of every record) a mark of the last record of
         * each value of its records' key part {@code part}, a string: keyed by that value alone, its line the record's key. At
         * each spill, once per value and run; {@link #mergeKeepingLast} finds the records the marks point to. The health
         * updates go to {@code health.jsonl} as changes and as each account's last score. Marks instead of copies: with a
         * million accounts nearly every record is its account's last in its run, and copying each into the last writer
         * (then compressing, writing and merging it a second time) was an eighth of the detection thread.
         * {@code last} must be finished after this writer.
         */
        public RunWriter keepingLastOf(int part, RunWriter last) {
            if (last == this) throw new IllegalArgumentException("a writer cannot keep its own marks");
            if (part < 0 || part > 126) throw new IllegalArgumentException("a key part is 0 to 126: " + part);
            this.lastWriter = last;
            this.lastOfPart = part;
            return this;
        }

        public void add(Entry e) throws IOException {
            int kAt = keys.used;
            int rAt = rest.used;
            String value = null;
            if (lastWriter != null) {
                Object[] parts = e.key().parts;
                if (parts.length <= lastOfPart || !(parts[lastOfPart] instanceof String v)) {
                    throw new IllegalArgumentException("key part " + lastOfPart + " is not a string: " + e.key());
                }
                value = v;
            }
            encode(e, keys, rest);
            if (lastWriter != null) lastOfValue.put(value, count);
            added(kAt, rAt);
        }

        /**
         * Adds a mark keyed by {@code key}: no tag, and as its line the {@code length} bytes of a record's key at {@code at}.
         * Every mark is kept, each value's last found by the merge: a writer that kept only the last per value held a map of
         * the values in its run, which outlived young collections and cost the collector more than the marks' bytes.
         */
        private void addMark(Key key, byte[] keyBytes, int at, int length) throws IOException {
            int kAt = keys.used;
            int rAt = rest.used;
            encodeKey(key, keys);
            rest.appendUntaggedLine(keyBytes, at, length);
            added(kAt, rAt);
        }

        /** Adds a record already encoded: its key's {@code keyLength} bytes at {@code keyAt}, its rest's (tag and line) at {@code restAt}. */
        private void addEncoded(byte[] keyBytes, int keyAt, int keyLength, byte[] restBytes, int restAt, int restLength) throws IOException {
            int kAt = keys.used;
            int rAt = rest.used;
            keys.append(keyBytes, keyAt, keyLength);
            rest.append(restBytes, restAt, restLength);
            added(kAt, rAt);
        }

        /** Adds the mark {@code m} (of {@link #addMark}) keyed by the record key it holds, its line the mark's key. */
        private void addByMarkedKey(Record m) throws IOException {
            int kAt = keys.used;
            int rAt = rest.used;
            keys.append(m.bytes, m.lineAt, m.lineLength);
            rest.appendUntaggedLine(m.bytes, 0, m.tagAt);
            added(kAt, rAt);
        }

        /** Indexes the record just encoded at {@code kAt} and {@code rAt}, and spills when the run is full. */
        private void added(int kAt, int rAt) throws IOException {
            int n = count;
            if (n == keyAt.length) {
                keyAt = Arrays.copyOf(keyAt, 2 * n);
                keyLength = Arrays.copyOf(keyLength, 2 * n);
                restAt = Arrays.copyOf(restAt, 2 * n);
                restLength = Arrays.copyOf(restLength, 2 * n);
                first = Arrays.copyOf(first, 2 * n);
                second = Arrays.copyOf(second, 2 * n);
            }
            keyAt[n] = kAt;
            keyLength[n] = keys.used - kAt;
            restAt[n] = rAt;
            restLength[n] = rest.used - rAt;
            byte[] k = keys.bytes;
            byte t0 = type(k, kAt, 0);
            byte t1 = type(k, kAt, 1);
            firstType = n == 0 || firstType == t0 ? t0 : 0;
            secondType = n == 0 || secondType == t1 ? t1 : 0;
            first[n] = prefix(k, kAt, 0);
            second[n] = prefix(k, kAt, 1);
            count = n + 1;
            if (budget() >= maxRunBytes) spill();
        }

        /** What the run takes in memory: its records' bytes, their index entries and the map of last records. */
        private long budget() {
            return keys.used + rest.used + count * INDEX_BYTES + lastOfValue.size() * MAP_ENTRY_BYTES;
        }

        /** Spills what is buffered; the runs written, in order. */
        public List<Path> finish() throws IOException {
            spill();
            return List.copyOf(runs);
        }

        private void spill() throws IOException {
            if (count == 0) return;
            int[] order = new int[count];
            for (int i = 0; i < count; i++) order[i] = i;
            StableSort.sort(order, this::compare);
            Path file = dir.resolve(String.format("%s-%06d.run", prefix, runs.size()));
            try (DataOutputStream out = runOutput(file)) {
                for (int i : order) writeRecord(out, keys.bytes, keyAt[i], keyLength[i], rest.bytes, restAt[i], restLength[i]);
                out.writeByte(END);
            }
            runs.add(file);
            // In any order: the last writer sorts them, and one value has one mark here.
            for (Map.Entry<String, Integer> last : lastOfValue.entrySet()) {
                int i = last.getValue();
                lastWriter.addMark(new Key(new Object[] {last.getKey()}), keys.bytes, keyAt[i], keyLength[i]); // a string: add checked it
            }
            lastOfValue.clear();
            keys.clear(4 * maxRunBytes);
            rest.clear(4 * maxRunBytes);
            count = 0;
        }

        private int compare(int a, int b) {
            if (firstType != 0) {
                int c = Long.compare(first[a], first[b]);
                if (c != 0) return c;
                // The second part counts only when the first is equal, which its prefix shows only for a long or an int.
                if (secondType != 0 && firstType != STRING) {
                    c = Long.compare(second[a], second[b]);
                    if (c != 0) return c;
                }
            }
            return compareKeys(keys.bytes, keyAt[a], keys.bytes, keyAt[b]);
        }
    }

    /** A growing byte buffer that records are appended to. */
    private static final class Area {
        byte[] bytes = new byte[64 * 1024];
        int used;

        /** Room for {@code more} bytes at the end: grown by doubling, so that appending stays linear. */
        void reserve(int more) {
            long need = (long) used + more;
            if (need <= bytes.length) return;
            if (need > Integer.MAX_VALUE - 16) throw new IllegalStateException("a sort run over 2 GB: lower churn-radar.backtest.sort-run-bytes");
            bytes = Arrays.copyOf(bytes, (int) Math.min(Integer.MAX_VALUE - 16, Math.max(need, 2L * bytes.length)));
        }

        /** Appends {@code length} bytes of {@code from} at {@code at}. */
        void append(byte[] from, int at, int length) {
            reserve(length);
            System.arraycopy(from, at, bytes, used, length);
            used += length;
        }

        /** Appends a rest without a tag whose line is {@code length} bytes of {@code from} at {@code at}, as {@link #encode} writes one. */
        void appendUntaggedLine(byte[] from, int at, int length) {
            reserve(8 + length);
            used = putInt(bytes, putInt(bytes, used, -1), length);
            append(from, at, length);
        }

        /** Empties the buffer; one that grew past {@code roomy} (an outsized record) gives its room back. */
        void clear(long roomy) {
            used = 0;
            if (bytes.length > Math.max(64 * 1024, roomy)) bytes = new byte[64 * 1024];
        }
    }

    /**
     * Appends {@code e} as a run holds it: to {@code keys} the key's part count and each part (a type byte, then a long
     * or int in 8 or 4 bytes, or a string as its UTF-8 length and bytes); to {@code rest} the tag and the line (length
     * and UTF-8 bytes, -1 for a null tag). A run file holds the two one after the other.
     */
    private static void encode(Entry e, Area keys, Area rest) {
        encodeKey(e.key(), keys);
        byte[] tag = e.tag() == null ? null : e.tag().getBytes(StandardCharsets.UTF_8);
        byte[] line = e.line().getBytes(StandardCharsets.UTF_8);
        rest.reserve(8 + (tag == null ? 0 : tag.length) + line.length);
        int at = tag == null ? putInt(rest.bytes, rest.used, -1) : putBytes(rest.bytes, rest.used, tag);
        rest.used = putBytes(rest.bytes, at, line);
    }

    /** Appends {@code key}'s part count and parts to {@code keys}, as {@link #encode} describes. */
    private static void encodeKey(Key key, Area keys) {
        Object[] parts = key.parts;
        byte[][] strings = new byte[parts.length][];
        keys.reserve(SortKeyBytes.size(parts, strings));
        keys.used = SortKeyBytes.write(keys.bytes, keys.used, parts, strings);
    }

    /** Writes {@code entries} as one run, in the order given (tests write runs of their own). */
    static void writeRun(Path file, Iterable<Entry> entries) throws IOException {
        Area keys = new Area();
        Area rest = new Area();
        try (DataOutputStream out = runOutput(file)) {
            for (Entry e : entries) {
                keys.used = 0;
                rest.used = 0;
                encode(e, keys, rest);
                writeRecord(out, keys.bytes, 0, keys.used, rest.bytes, 0, rest.used);
            }
            out.writeByte(END);
        }
    }

    /** One record of a run: its key's bytes and then the rest's (its tag and line), with their length in front. */
    private static void writeRecord(DataOutputStream out, byte[] key, int keyAt, int keyLength, byte[] rest, int restAt, int restLength)
            throws IOException {
        out.writeByte(RECORD);
        out.writeInt(keyLength + restLength);
        out.write(key, keyAt, keyLength);
        out.write(rest, restAt, restLength);
    }

    /**
     * A run file to write, compressed. Each block carries a CRC32C (a CPU instruction) rather than the stream's default
     * XXHash, which took three times the compression itself. No buffer in front: the compressor gathers writes in its block,
     * and a buffer before it copied every byte of every run once more.
     */
    private static DataOutputStream runOutput(Path file) throws IOException {
        return new DataOutputStream(new LZ4BlockOutputStream(Files.newOutputStream(file), LZ4_BLOCK, LZ4_WRITE, new CRC32C(), false));
    }

    /** Reads one run, a record at a time. */
    static final class RunReader implements AutoCloseable {
        private final DataInputStream in;
        final int index;
        /** The record read last; null at the end of the run. */
        Record head;
        private final Record record = new Record();

        RunReader(Path file, int index) throws IOException {
            // No buffer in front: the decompressor hands out its block, and a buffer copied every byte once more.
            this.in = new DataInputStream(
                    LZ4BlockInputStream.newBuilder().withDecompressor(LZ4_READ).withChecksum(new CRC32C()).build(Files.newInputStream(file)));
            this.index = index;
            advance();
        }

        void advance() throws IOException {
            try {
                byte marker = in.readByte();
                if (marker == END) {
                    head = null;
                    return;
                }
                if (marker != RECORD) throw new IOException("not a sort run: record marker " + marker);
                int n = in.readInt();
                if (n < 0) throw new IOException("not a sort run: a record of " + n + " bytes");
                if (record.bytes.length < n) record.bytes = new byte[Math.max(n, 2 * record.bytes.length)];
                in.readFully(record.bytes, 0, n);
                record.parse(n);
                head = record;
            } catch (EOFException e) {
                throw new IOException("a sort run ended early (was its writer stopped?)", e);
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /**
     * Merges sorted runs into one sorted sequence for {@code out}: by key, equal keys in the order of the
     * runs given and then of each run. With {@code lastPerKey} only the last record of each key comes out.
     * With more runs than {@link #fanIn}, groups of consecutive runs are first merged into runs in {@code scratch},
     * as few as bring the number down to one merge's worth.
     */
    public static void merge(List<Path> runs, boolean lastPerKey, Path scratch, Consumer<Record> out) throws IOException {
        merge(runs, lastPerKey, scratch, out, bytes -> {});
    }

    /**
     * As above, telling {@code regrouped} the bytes of each line an intermediate pass writes back into
     * {@code scratch}: with thousands of runs those passes take minutes before the first line comes out.
     */
    public static void merge(List<Path> runs, boolean lastPerKey, Path scratch, Consumer<Record> out, LongConsumer regrouped)
            throws IOException {
        Set<Path> intermediate = new HashSet<>();
        try {
            mergeOnce(regroup(runs, lastPerKey, scratch, regrouped, intermediate), lastPerKey, out);
        } finally {
            for (Path p : intermediate) Files.deleteIfExists(p); // runs of our own; the writers' runs are the caller's
        }
    }

    /**
     * Merges the runs of a writer that marked its last records in another ({@link RunWriter#keepingLastOf}): every
     * record to {@code each}, in order, then the last record of each value to {@code last}, in the order of the values.
     * The marks (one per value once merged) are sorted by the keys they hold, so that the merge of the records meets
     * them in its own order and knows a value's last record when it reaches it; those records are sorted by value in
     * runs of at most {@code maxRunBytes} and merged after. Memory follows the runs, as in {@link #merge}.
     */
    public static void mergeKeepingLast(List<Path> runs, List<Path> markRuns, Path scratch, long maxRunBytes, Consumer<Record> each,
            Consumer<Record> last, LongConsumer regrouped) throws IOException {
        Set<Path> ours = new HashSet<>();
        try {
            RunWriter byKey = new RunWriter(scratch, "merge-marks", maxRunBytes);
            merge(markRuns, true, scratch, m -> {
                try {
                    byKey.addByMarkedKey(m);
                } catch (IOException x) {
                    throw new UncheckedIOException(x);
                }
            }, regrouped);
            List<Path> marksByKey = byKey.finish();
            ours.addAll(marksByKey);
            RunWriter lastRecords = new RunWriter(scratch, "merge-last", maxRunBytes);
            try (Cursor marks = new Cursor(regroup(marksByKey, false, scratch, regrouped, ours))) {
                LastRecords found = new LastRecords(marks, lastRecords);
                merge(runs, false, scratch, r -> {
                    each.accept(r);
                    found.next(r);
                }, regrouped);
                found.end();
            }
            List<Path> lastRuns = lastRecords.finish();
            ours.addAll(lastRuns);
            merge(lastRuns, false, scratch, last, regrouped);
        } catch (UncheckedIOException e) {
            throw e.getCause(); // a run that could not be written, from inside a merge's consumer
        } finally {
            for (Path p : ours) Files.deleteIfExists(p);
        }
    }

    /**
     * The records the marks point to, found as the merge hands out the records in order: the last of the records whose
     * key a mark holds (equal keys are one value's, in the order written), written keyed by the mark's value.
     */
    private static final class LastRecords {
        private final Cursor marks;
        private final RunWriter out;
        /** The record that the current mark points to, so far: a later one of the same key replaces it. */
        private Record found;
        private boolean pending;

        LastRecords(Cursor marks, RunWriter out) {
            this.marks = marks;
            this.out = out;
        }

        void next(Record r) {
            try {
                if (pending) {
                    if (found.sameKey(r)) {
                        found.copyOf(r);
                        return;
                    }
                    write();
                }
                Record m = marks.head();
                if (m == null) return;
                int c = compareKeys(r.bytes, 0, m.bytes, 0);
                if (c > 0) throw new IllegalStateException("a mark of the last records points to no record: " + m.key());
                if (c == 0) {
                    if (found == null) found = new Record();
                    found.copyOf(r);
                    pending = true;
                }
            } catch (IOException x) {
                throw new UncheckedIOException(x);
            }
        }

        void end() throws IOException {
            if (pending) write();
            if (marks.head() != null) throw new IllegalStateException("a mark of the last records points to no record: " + marks.head().key());
        }

        /** The found record, keyed by the current mark's value (its line), and on to the next mark. */
        private void write() throws IOException {
            Record m = marks.head();
            out.addEncoded(m.bytes, m.lineAt, m.lineLength, found.bytes, found.tagAt, found.length - found.tagAt);
            pending = false;
            marks.advance();
        }
    }

    /**
     * Brings {@code runs} down to at most {@link #fanIn} by merging groups of consecutive ones into runs in {@code scratch}
     * (added to {@code intermediate}, for the caller to remove), as few as bring the number down to one merge's worth.
     */
    private static List<Path> regroup(List<Path> runs, boolean lastPerKey, Path scratch, LongConsumer regrouped, Set<Path> intermediate)
            throws IOException {
        List<Path> current = List.copyOf(runs);
        int fanIn = fanIn();
        int pass = 0;
        while (current.size() > fanIn) {
            // Only as many groups as bring the runs down to one merge's worth, the rest left as they are (Knuth's
            // first pass of an optimal merge): with 3,000 runs two groups of 1,024 are merged first, not all 3,000.
            int groups = Math.min(ceilDiv(current.size() - fanIn, fanIn - 1), ceilDiv(current.size(), fanIn));
            List<Path> next = new ArrayList<>();
            for (int from = 0; from < current.size(); from += fanIn) {
                List<Path> group = current.subList(from, Math.min(current.size(), from + fanIn));
                if (from / fanIn >= groups) {
                    next.addAll(group); // consecutive runs keep their places: the merge stays stable
                    continue;
                }
                Path merged = Files.createTempFile(scratch, "merge-" + pass + "-", ".run");
                intermediate.add(merged); // removed by the caller, also when this pass fails
                try (DataOutputStream w = runOutput(merged)) {
                    mergeOnce(group, lastPerKey, r -> {
                        try {
                            writeRecord(w, r.bytes, 0, r.tagAt, r.bytes, r.tagAt, r.length - r.tagAt);
                            regrouped.accept(r.lineLength);
                        } catch (IOException x) {
                            throw new UncheckedIOException(x);
                        }
                    });
                    w.writeByte(END);
                }
                next.add(merged);
                for (Path p : group) if (intermediate.remove(p)) Files.deleteIfExists(p); // merged runs of our own
            }
            current = next;
            pass++;
        }
        return current;
    }

    /**
     * Runs one merge pass opens at once: {@link #MAX_FAN_IN}, or half the file descriptors the process has free when that
     * is fewer (a system whose limit is 1,024 fails the merge with "Too many open files" otherwise), but at least
     * {@link #MIN_FAN_IN}.
     */
    static int fanIn() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            long free = os.getMaxFileDescriptorCount() - os.getOpenFileDescriptorCount();
            return (int) Math.max(MIN_FAN_IN, Math.min(MAX_FAN_IN, free / 2));
        }
        return MAX_FAN_IN;
    }

    private static int ceilDiv(int a, int b) {
        return Math.max(0, (a + b - 1) / b);
    }

    private static void mergeOnce(List<Path> runs, boolean lastPerKey, Consumer<Record> out) throws IOException {
        try (Cursor records = new Cursor(runs)) {
            Record pending = null;
            for (Record e = records.head(); e != null; records.advance(), e = records.head()) {
                if (!lastPerKey) {
                    out.accept(e); // before the reader reads its next record into the same buffer
                } else {
                    if (pending == null) pending = new Record();
                    else if (!pending.sameKey(e)) out.accept(pending);
                    pending.copyOf(e);
                }
            }
            if (pending != null) out.accept(pending);
        }
    }

    /**
     * The records of at most {@link #fanIn} runs, one at a time in order: by key, equal keys in the order of the
     * runs given. {@link #head} is valid until the next {@link #advance}.
     *
     * <p>A run joins the heap only once the merge reaches its first record: the runs of one writer follow each other in
     * time (the detector writes in event time, and a run is what it wrote between two spills), so of a million
     * accounts' 800 runs of health changes only a few overlap at any point. The heap holds those few instead of all
     * 800: comparing keys fell from 29% to 22% of the merge's time (docs/benchmarks.md; what remains is mostly the two
     * subtasks' runs taking turns at equal times, compared by account). The order is the same as with every run in the
     * heap: a run waits while its first record comes after the heap's least.
     */
    private static final class Cursor implements AutoCloseable {
        private static final Comparator<RunReader> ORDER = (a, b) -> {
            int c = compareKeys(a.head.bytes, 0, b.head.bytes, 0);
            return c != 0 ? c : Integer.compare(a.index, b.index);
        };
        private final PriorityQueue<RunReader> heads;
        /** The runs not yet in the heap, by their first record; the next to join is {@code waiting[joined]}. */
        private final RunReader[] waiting;
        private int joined;
        private final List<RunReader> open = new ArrayList<>();
        private RunReader current;

        Cursor(List<Path> runs) throws IOException {
            heads = new PriorityQueue<>(Math.max(1, runs.size()), ORDER);
            List<RunReader> started = new ArrayList<>();
            try {
                for (int i = 0; i < runs.size(); i++) {
                    RunReader r = new RunReader(runs.get(i), i);
                    open.add(r);
                    if (r.head != null) started.add(r);
                }
            } catch (IOException | RuntimeException e) {
                close();
                throw e;
            }
            waiting = started.toArray(RunReader[]::new);
            Arrays.sort(waiting, ORDER); // stable, and ORDER ties no two runs
            current = next();
        }

        /** The run holding the least record: the heap's least, after the waiting runs that start before it have joined. */
        private RunReader next() {
            while (joined < waiting.length && before(waiting[joined], heads.peek())) heads.add(waiting[joined++]);
            return heads.poll();
        }

        /** The current record, or null after the last. */
        Record head() {
            return current == null ? null : current.head;
        }

        void advance() throws IOException {
            if (current == null) return;
            current.advance();
            if (current.head != null) {
                if (stillLeast(current)) return; // the usual case with runs that follow each other: no heap at all
                heads.add(current);
            }
            current = next();
        }

        private boolean stillLeast(RunReader r) {
            return before(r, heads.peek()) && (joined == waiting.length || before(r, waiting[joined]));
        }

        /** Whether {@code a}'s record comes before {@code b}'s, or there is no {@code b}. */
        private static boolean before(RunReader a, RunReader b) {
            return b == null || ORDER.compare(a, b) < 0;
        }

        @Override
        public void close() throws IOException {
            for (RunReader r : open) r.close();
        }
    }
}
