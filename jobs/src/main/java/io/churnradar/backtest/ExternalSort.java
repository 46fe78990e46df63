package io.churnradar.backtest;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
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
    /** A record's index entry in memory (its prefix, offset, length, order), and a key's in the last-per-key map, for the budget. */
    private static final long INDEX_BYTES = 20;
    private static final long MAP_ENTRY_BYTES = 120;

    private static final byte RECORD = 1;
    private static final byte END = 0;
    private static final byte NULL = 'N';
    private static final byte LONG = 'L';
    private static final byte INT = 'I';
    private static final byte STRING = 'S';

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
            int n = bytes[0];
            Object[] parts = new Object[n];
            int at = 1;
            for (int i = 0; i < n; i++) {
                byte type = bytes[at++];
                switch (type) {
                    case LONG -> {
                        parts[i] = readLong(bytes, at);
                        at += 8;
                    }
                    case INT -> {
                        parts[i] = readInt(bytes, at);
                        at += 4;
                    }
                    case STRING -> {
                        int len = readInt(bytes, at);
                        parts[i] = new String(bytes, at + 4, len, StandardCharsets.UTF_8);
                        at += 4 + len;
                    }
                    default -> parts[i] = null;
                }
            }
            return new Key(parts);
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

        public Entry toEntry() {
            return new Entry(key(), tag(), line());
        }

        private boolean sameKey(Record o) {
            return Arrays.equals(bytes, 0, tagAt, o.bytes, 0, o.tagAt);
        }
    }

    /**
     * Sorts what it is given in runs of at most {@code maxRunBytes} (in memory) and spills each run to
     * {@code dir/prefix-NNNNNN.run}. With {@code lastPerKey}, only the last record of each key is kept (and
     * {@link #merge} must be told so too).
     */
    public static final class RunWriter {
        private final Path dir;
        private final String prefix;
        private final long maxRunBytes;
        private final boolean lastPerKey;
        private final List<Path> runs = new ArrayList<>();
        /** The records, one after the other, each as {@link #encode} writes it. */
        private byte[] buffer = new byte[64 * 1024];
        private int used;
        /** Bytes of records a later one of the same key replaced (with lastPerKey), given back when the buffer is compacted. */
        private int replaced;
        /** Per record: its offset and length in the buffer, and its first key part when that is a long (most keys lead with a time). */
        private int[] offset = new int[1024];
        private int[] length = new int[1024];
        private long[] first = new long[1024];
        private int count;
        /** Whether every record so far has a long first part, so that {@link #first} orders them before their bytes do. */
        private boolean firstIsLong = true;
        /** With lastPerKey: each key's record number (a later record replaces an earlier one). */
        private final Map<Key, Integer> recordOfKey = new HashMap<>();

        public RunWriter(Path dir, String prefix, long maxRunBytes, boolean lastPerKey) {
            this.dir = dir;
            this.prefix = prefix;
            this.maxRunBytes = Math.max(1, maxRunBytes);
            this.lastPerKey = lastPerKey;
        }

        public void add(Entry e) throws IOException {
            int at = used;
            used = encode(e, this);
            int n = count;
            if (lastPerKey) {
                Integer old = recordOfKey.putIfAbsent(e.key(), n);
                if (old != null) {
                    replaced += length[old];
                    offset[old] = at;
                    length[old] = used - at;
                    if (replaced > used / 2 && used > (1 << 20)) compact();
                    if (budget() >= maxRunBytes) spill();
                    return;
                }
            }
            if (n == offset.length) {
                offset = Arrays.copyOf(offset, 2 * n);
                length = Arrays.copyOf(length, 2 * n);
                first = Arrays.copyOf(first, 2 * n);
            }
            offset[n] = at;
            length[n] = used - at;
            Object lead = e.key().parts.length > 0 ? e.key().parts[0] : null;
            if (lead instanceof Long l) first[n] = l;
            else firstIsLong = false;
            count = n + 1;
            if (budget() >= maxRunBytes) spill();
        }

        /** What the run takes in memory: its live records' bytes and their index (and map) entries. */
        private long budget() {
            return (long) used - replaced + count * (INDEX_BYTES + (lastPerKey ? MAP_ENTRY_BYTES : 0));
        }

        /** Room for {@code more} bytes at the end of the buffer: grown by doubling, so that appending stays linear. */
        private void reserve(int more) {
            long need = (long) used + more;
            if (need <= buffer.length) return;
            if (need > Integer.MAX_VALUE - 16) throw new IllegalStateException("a sort run over 2 GB: lower churn-radar.backtest.sort-run-bytes");
            buffer = Arrays.copyOf(buffer, (int) Math.min(Integer.MAX_VALUE - 16, Math.max(need, 2L * buffer.length)));
        }

        /** Moves the live records to the front, dropping the replaced ones. */
        private void compact() {
            byte[] live = new byte[Math.max(64 * 1024, used - replaced)];
            int at = 0;
            for (int i = 0; i < count; i++) {
                System.arraycopy(buffer, offset[i], live, at, length[i]);
                offset[i] = at;
                at += length[i];
            }
            buffer = live;
            used = at;
            replaced = 0;
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
                for (int i : order) writeRecord(out, buffer, offset[i], length[i]);
                out.writeByte(END);
            }
            runs.add(file);
            recordOfKey.clear();
            used = 0;
            replaced = 0;
            count = 0;
            firstIsLong = true;
            if (buffer.length > Math.max(64 * 1024, 4 * maxRunBytes)) buffer = new byte[64 * 1024]; // one outsized record does not keep its room
        }

        private int compare(int a, int b) {
            if (firstIsLong) {
                int c = Long.compare(first[a], first[b]);
                if (c != 0) return c;
            }
            return compareKeys(buffer, offset[a], buffer, offset[b]);
        }
    }

    /**
     * A stable merge sort of record numbers by a comparator of record numbers. Hand-written because the JDK
     * sorts arrays of ints only in their natural order, and boxing a million numbers to sort them with a
     * comparator would cost what this class saves.
     */
    static final class StableSort {
        interface IntComparator {
            int compare(int a, int b);
        }

        private static final int INSERTION = 24;

        static void sort(int[] a, IntComparator cmp) {
            sort(a, a.clone(), 0, a.length, cmp);
        }

        /** Sorts a[from, to), using tmp (a copy of a) as the other half of each merge. */
        private static void sort(int[] a, int[] tmp, int from, int to, IntComparator cmp) {
            if (to - from <= INSERTION) {
                for (int i = from + 1; i < to; i++) {
                    int v = a[i];
                    int j = i - 1;
                    while (j >= from && cmp.compare(a[j], v) > 0) {
                        a[j + 1] = a[j];
                        j--;
                    }
                    a[j + 1] = v;
                }
                return;
            }
            int mid = (from + to) >>> 1;
            sort(a, tmp, from, mid, cmp);
            sort(a, tmp, mid, to, cmp);
            if (cmp.compare(a[mid - 1], a[mid]) <= 0) return; // already in order: common where records come sorted
            System.arraycopy(a, from, tmp, from, to - from);
            int i = from;
            int j = mid;
            for (int k = from; k < to; k++) {
                if (j >= to || (i < mid && cmp.compare(tmp[i], tmp[j]) <= 0)) a[k] = tmp[i++];
                else a[k] = tmp[j++];
            }
        }
    }

    /**
     * Appends {@code e} to {@code w}'s buffer as a run holds it: the key's part count, each part (a type byte, then a
     * long or int in 8 or 4 bytes, or a string as its UTF-8 length and bytes), the tag and the line (length and UTF-8
     * bytes, -1 for a null tag). Returns the new end of the buffer.
     */
    private static int encode(Entry e, RunWriter w) {
        Object[] parts = e.key().parts;
        byte[] tag = e.tag() == null ? null : e.tag().getBytes(StandardCharsets.UTF_8);
        byte[] line = e.line().getBytes(StandardCharsets.UTF_8);
        int size = 1 + 4 + (tag == null ? 0 : tag.length) + 4 + line.length;
        byte[][] strings = new byte[parts.length][];
        for (int i = 0; i < parts.length; i++) {
            Object p = parts[i];
            if (p instanceof Long) size += 9;
            else if (p instanceof Integer) size += 5;
            else if (p instanceof String s) {
                strings[i] = s.getBytes(StandardCharsets.UTF_8);
                size += 5 + strings[i].length;
            } else size += 1;
        }
        w.reserve(size);
        byte[] b = w.buffer;
        int at = w.used;
        b[at++] = (byte) parts.length;
        for (int i = 0; i < parts.length; i++) {
            Object p = parts[i];
            if (p instanceof Long l) {
                b[at++] = LONG;
                at = putLong(b, at, l);
            } else if (p instanceof Integer v) {
                b[at++] = INT;
                at = putInt(b, at, v);
            } else if (p instanceof String) {
                b[at++] = STRING;
                at = putBytes(b, at, strings[i]);
            } else {
                b[at++] = NULL;
            }
        }
        if (tag == null) at = putInt(b, at, -1);
        else at = putBytes(b, at, tag);
        return putBytes(b, at, line);
    }

    private static int putBytes(byte[] b, int at, byte[] v) {
        at = putInt(b, at, v.length);
        System.arraycopy(v, 0, b, at, v.length);
        return at + v.length;
    }

    private static int putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
        return at + 4;
    }

    private static int putLong(byte[] b, int at, long v) {
        putInt(b, at, (int) (v >>> 32));
        return putInt(b, at + 4, (int) v);
    }

    private static int readInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    private static long readLong(byte[] b, int at) {
        return (long) readInt(b, at) << 32 | (readInt(b, at + 4) & 0xffffffffL);
    }

    /** Where the key that starts at {@code at} ends. */
    private static int skipKey(byte[] b, int at) throws IOException {
        int n = b[at++];
        for (int i = 0; i < n; i++) {
            byte type = b[at++];
            at += switch (type) {
                case LONG -> 8;
                case INT -> 4;
                case STRING -> 4 + readInt(b, at);
                case NULL -> 0;
                default -> throw new IOException("not a sort run: key part type " + type);
            };
        }
        return at;
    }

    /** Compares the keys encoded at {@code x[xAt]} and {@code y[yAt]} as {@link Key#compareTo} compares the keys themselves. */
    static int compareKeys(byte[] x, int xAt, byte[] y, int yAt) {
        int xn = x[xAt++];
        int yn = y[yAt++];
        for (int i = 0, n = Math.min(xn, yn); i < n; i++) {
            byte xt = x[xAt++];
            byte yt = y[yAt++];
            if (xt != yt) {
                if (xt == NULL) return -1;
                if (yt == NULL) return 1;
                throw new ClassCastException("sort keys of different shapes: part " + i + " is " + (char) xt + " and " + (char) yt);
            }
            switch (xt) {
                case LONG -> {
                    int c = Long.compare(readLong(x, xAt), readLong(y, yAt));
                    if (c != 0) return c;
                    xAt += 8;
                    yAt += 8;
                }
                case INT -> {
                    int c = Integer.compare(readInt(x, xAt), readInt(y, yAt));
                    if (c != 0) return c;
                    xAt += 4;
                    yAt += 4;
                }
                case STRING -> {
                    int xl = readInt(x, xAt);
                    int yl = readInt(y, yAt);
                    int c = compareUtf8(x, xAt + 4, xl, y, yAt + 4, yl);
                    if (c != 0) return c;
                    xAt += 4 + xl;
                    yAt += 4 + yl;
                }
                default -> { } // two nulls
            }
        }
        return Integer.compare(xn, yn);
    }

    /**
     * Compares two UTF-8 strings as {@link String#compareTo} compares them, by UTF-16 unit. Byte order is code point
     * order, which agrees with it except between a character beyond U+FFFF (four bytes, led by F0 to F4; a surrogate
     * pair from D800 in UTF-16) and one from U+E000 to U+FFFF (three bytes, led by EE or EF): there UTF-16 puts the
     * first before the second.
     */
    static int compareUtf8(byte[] x, int xFrom, int xLength, byte[] y, int yFrom, int yLength) {
        int m = Arrays.mismatch(x, xFrom, xFrom + xLength, y, yFrom, yFrom + yLength);
        if (m < 0) return 0;
        if (m >= xLength || m >= yLength) return Integer.compare(xLength, yLength);
        int a = x[xFrom + m] & 0xff;
        int b = y[yFrom + m] & 0xff;
        // The bytes before m are the same, so a difference at a character's first byte is one between lead bytes;
        // past it, both characters have the same lead byte and length, and their bytes order as their code points.
        boolean atLead = (a & 0xc0) != 0x80 && (b & 0xc0) != 0x80;
        if (atLead) {
            if (a >= 0xf0 && (b == 0xee || b == 0xef)) return -1;
            if (b >= 0xf0 && (a == 0xee || a == 0xef)) return 1;
        }
        return Integer.compare(a, b);
    }

    /** Writes {@code entries} as one run, in the order given (tests write runs of their own). */
    static void writeRun(Path file, Iterable<Entry> entries) throws IOException {
        RunWriter w = new RunWriter(file.getParent(), "unused", Long.MAX_VALUE, false);
        try (DataOutputStream out = runOutput(file)) {
            for (Entry e : entries) {
                w.used = 0;
                int end = encode(e, w);
                writeRecord(out, w.buffer, 0, end);
            }
            out.writeByte(END);
        }
    }

    private static void writeRecord(DataOutputStream out, byte[] b, int from, int length) throws IOException {
        out.writeByte(RECORD);
        out.writeInt(length);
        out.write(b, from, length);
    }

    /**
     * A run file to write, compressed; small writes are gathered before they reach the compressor. Each block carries a
     * CRC32C (a CPU instruction) rather than the stream's default XXHash, which took three times the compression itself.
     */
    private static DataOutputStream runOutput(Path file) throws IOException {
        return new DataOutputStream(new BufferedOutputStream(
                new LZ4BlockOutputStream(Files.newOutputStream(file), LZ4_BLOCK, LZ4_WRITE, new CRC32C(), false), 8 * 1024));
    }

    /** Reads one run, a record at a time. */
    static final class RunReader implements AutoCloseable {
        private final DataInputStream in;
        final int index;
        /** The record read last; null at the end of the run. */
        Record head;
        private final Record record = new Record();

        RunReader(Path file, int index) throws IOException {
            this.in = new DataInputStream(new BufferedInputStream(
                    LZ4BlockInputStream.newBuilder().withDecompressor(LZ4_READ).withChecksum(new CRC32C()).build(Files.newInputStream(file)),
                    READ_BUFFER));
            this.index = index;
            advance();
        }

        void advance() throws IOException {
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
    public static void merge(List<Path> runs, boolean lastPerKey, Path scratch, Consumer<Record> out) throws IOException {
        merge(runs, lastPerKey, scratch, out, bytes -> {});
    }

    /**
     * As above, telling {@code regrouped} the bytes of each line an intermediate pass writes back into
     * {@code scratch}: with thousands of runs those passes take minutes before the first line comes out.
     */
    public static void merge(List<Path> runs, boolean lastPerKey, Path scratch, Consumer<Record> out, LongConsumer regrouped)
            throws IOException {
        List<Path> current = List.copyOf(runs);
        int pass = 0;
        while (current.size() > MAX_FAN_IN) {
            List<Path> next = new ArrayList<>();
            for (int from = 0; from < current.size(); from += MAX_FAN_IN) {
                List<Path> group = current.subList(from, Math.min(current.size(), from + MAX_FAN_IN));
                Path merged = Files.createTempFile(scratch, "merge-" + pass + "-", ".run");
                try (DataOutputStream w = runOutput(merged)) {
                    mergeOnce(group, lastPerKey, r -> {
                        try {
                            writeRecord(w, r.bytes, 0, r.length);
                            regrouped.accept(r.lineLength);
                        } catch (IOException x) {
                            throw new UncheckedIOException(x);
                        }
                    });
                    w.writeByte(END);
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

    private static void mergeOnce(List<Path> runs, boolean lastPerKey, Consumer<Record> out) throws IOException {
        PriorityQueue<RunReader> heads = new PriorityQueue<>(Math.max(1, runs.size()), (a, b) -> {
            int c = compareKeys(a.head.bytes, 0, b.head.bytes, 0);
            return c != 0 ? c : Integer.compare(a.index, b.index);
        });
        List<RunReader> open = new ArrayList<>();
        try {
            for (int i = 0; i < runs.size(); i++) {
                RunReader r = new RunReader(runs.get(i), i);
                open.add(r);
                if (r.head != null) heads.add(r);
            }
            Record pending = null;
            while (!heads.isEmpty()) {
                RunReader r = heads.poll();
                Record e = r.head;
                if (!lastPerKey) {
                    out.accept(e); // before the reader reads its next record into the same buffer
                } else {
                    if (pending == null) pending = new Record();
                    else if (!pending.sameKey(e)) out.accept(pending);
                    pending.copyOf(e);
                }
                r.advance();
                if (r.head != null) heads.add(r);
            }
            if (pending != null) out.accept(pending);
        } catch (EOFException e) {
            throw new IOException("a sort run ended early (was its writer stopped?)", e);
        } finally {
            for (RunReader r : open) r.close();
        }
    }
}
