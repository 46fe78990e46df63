package io.churnradar.detect.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The primitives of the compact account layout: varints, zigzag, times as scaled deltas, doubles that
 * are usually integral, nullable strings and arrays. Every one round-trips every value of its type
 * exactly (NaN payloads, -0.0, Long.MIN_VALUE, unpaired surrogates included); only the common values
 * are short.
 */
final class Compact {
    static final long DAY_MS = 86_400_000L;

    private Compact() {}

    // ---- integers ----

    static void writeVarLong(DataOutputView out, long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    static long readVarLong(DataInputView in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return v;
        }
        throw new IOException("malformed varint in an account state");
    }

    static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    static void writeSigned(DataOutputView out, long v) throws IOException {
        writeVarLong(out, zigzag(v));
    }

    static long readSigned(DataInputView in) throws IOException {
        return unzigzag(readVarLong(in));
    }

    static int readSignedInt(DataInputView in) throws IOException {
        return (int) readSigned(in);
    }

    /** A length or count, with 0 kept for null: {@code n + 1}. */
    static void writeLength(DataOutputView out, int nOrMinus1) throws IOException {
        writeVarLong(out, nOrMinus1 + 1L);
    }

    /** @return the length, or -1 for null */
    static int readLength(DataInputView in) throws IOException {
        long n = readVarLong(in) - 1;
        if (n < -1 || n > Integer.MAX_VALUE - 8) throw new IOException("malformed length " + n + " in an account state");
        return (int) n;
    }

    // ---- times ----

    /**
     * A time as its difference from {@code base} (a nearby time both sides know), scaled by the largest
     * unit that divides it: days (timers at a day close), minutes, seconds or milliseconds, in the two
     * low bits. Subtraction wraps, and base + difference wraps back: any long round-trips. A difference
     * too large for the tag is escaped as 0 (never written otherwise: a zero difference has scale days)
     * followed by the time's 8 bytes.
     */
    static void writeTime(DataOutputView out, long t, long base) throws IOException {
        long d = t - base;
        int tag;
        long v;
        if (d % DAY_MS == 0) {
            tag = 3;
            v = d / DAY_MS;
        } else if (d % 60_000 == 0) {
            tag = 2;
            v = d / 60_000;
        } else if (d % 1_000 == 0) {
            tag = 1;
            v = d / 1_000;
        } else {
            tag = 0;
            v = d;
        }
        long z = zigzag(v);
        if ((z >>> 62) != 0) {
            out.writeByte(0);
            out.writeLong(t);
            return;
        }
        writeVarLong(out, (z << 2) | tag);
    }

    static long readTime(DataInputView in, long base) throws IOException {
        long code = readVarLong(in);
        if (code == 0) return in.readLong();
        long v = unzigzag(code >>> 2);
        long scale = switch ((int) (code & 3)) {
            case 3 -> DAY_MS;
            case 2 -> 60_000L;
            case 1 -> 1_000L;
            default -> 1L;
        };
        return base + v * scale;
    }

    // ---- doubles ----

    /**
     * An integral double (usage quantities, sums of them) as a zigzag varint shifted left by one; any
     * other (fractions, -0.0, NaN, infinities, beyond 2^53) as the tag 1 and its 8 raw bytes.
     */
    static void writeDouble(DataOutputView out, double v) throws IOException {
        if (v == Math.rint(v) && Math.abs(v) <= 0x1p53 && Double.doubleToRawLongBits(v) != Double.doubleToRawLongBits(-0.0)) {
            writeVarLong(out, zigzag((long) v) << 1);
        } else {
            out.writeByte(1);
            out.writeLong(Double.doubleToRawLongBits(v));
        }
    }

    static double readDouble(DataInputView in) throws IOException {
        long code = readVarLong(in);
        if (code == 1) return Double.longBitsToDouble(in.readLong());
        if ((code & 1) != 0) throw new IOException("malformed double in an account state");
        return unzigzag(code >>> 1);
    }

    // ---- strings ----

    /**
     * Strings the state holds over and over that are our own names: the shipped playbooks, the signals
     * and the severities (plays and outcome entries name them). Written as their index, one byte. Layout 1
     * fixes this list: append only, never reorder or remove (old states decode by index).
     */
    private static final String[] TOKENS = {
        "dunning", "dunning-exhausted", "re-engagement", "re-engagement-high-value", "close-the-loop", "card-expiring",
        "onboarding-rescue", "save-offer", "win-back", "renewal-rescue", "high-risk-slack",
        "USAGE_DROP", "INACTIVITY", "PAYMENT_FAILED", "TICKET_SPIKE", "NPS_DETRACTOR", "LOW_CSAT", "URGENT_TICKET_AGING",
        "CARD_EXPIRING", "CORE_FEATURE_UNUSED", "ONBOARDING_STALLED", "DOWNGRADE", "CANCELLATION_REQUESTED", "CHURNED",
        "RENEWAL_AT_RISK", "LOW", "MEDIUM", "HIGH", "CRITICAL",
    };
    private static final java.util.Map<String, Integer> TOKEN_INDEX = new java.util.HashMap<>();

    static {
        for (int i = 0; i < TOKENS.length; i++) TOKEN_INDEX.put(TOKENS[i], i);
    }

    /**
     * Null as 0; one of {@link #TOKENS} as {@code 4 * (index + 1)}; a string that UTF-8 represents exactly
     * as {@code 1 + 2 * bytes} and its UTF-8 bytes; one with an unpaired surrogate (which UTF-8 would
     * replace) as {@code 2 + 4 * chars} and each char.
     */
    static void writeString(DataOutputView out, String s) throws IOException {
        Integer token;
        if (s == null) {
            out.writeByte(0);
        } else if ((token = TOKEN_INDEX.get(s)) != null) {
            writeVarLong(out, 4L * (token + 1));
        } else if (utf8Exact(s)) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            writeVarLong(out, 1 + 2L * b.length);
            out.write(b);
        } else {
            writeVarLong(out, 2 + 4L * s.length());
            for (int i = 0; i < s.length(); i++) writeVarLong(out, s.charAt(i));
        }
    }

    static String readString(DataInputView in) throws IOException {
        long code = readVarLong(in);
        if (code == 0) return null;
        if (code > Integer.MAX_VALUE) throw new IOException("malformed string in an account state");
        if ((code & 1) == 1) {
            byte[] b = new byte[(int) ((code - 1) / 2)];
            in.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        }
        if ((code & 3) == 0) {
            int token = (int) (code / 4) - 1;
            if (token >= TOKENS.length) throw new IOException("unknown string token " + token + " in an account state");
            return TOKENS[token];
        }
        char[] c = new char[(int) ((code - 2) / 4)];
        for (int i = 0; i < c.length; i++) c[i] = (char) readVarLong(in);
        return new String(c);
    }

    private static boolean utf8Exact(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) return false;
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    // ---- nullable arrays ----

    /** Times, each as a delta from the one before (the first from {@code base}). */
    static void writeTimes(DataOutputView out, long[] a, long base) throws IOException {
        writeLength(out, a == null ? -1 : a.length);
        if (a == null) return;
        long prev = base;
        for (long t : a) {
            writeTime(out, t, prev);
            prev = t;
        }
    }

    static long[] readTimes(DataInputView in, long base) throws IOException {
        int n = readLength(in);
        if (n < 0) return null;
        long[] a = new long[n];
        long prev = base;
        for (int i = 0; i < n; i++) prev = a[i] = readTime(in, prev);
        return a;
    }

    static void writeInts(DataOutputView out, int[] a) throws IOException {
        writeLength(out, a == null ? -1 : a.length);
        if (a != null) for (int v : a) writeSigned(out, v);
    }

    static int[] readInts(DataInputView in) throws IOException {
        int n = readLength(in);
        if (n < 0) return null;
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = readSignedInt(in);
        return a;
    }

    /** Longs (days and the like), each as a zigzag delta from the one before. */
    static void writeLongDeltas(DataOutputView out, long[] a) throws IOException {
        writeLength(out, a == null ? -1 : a.length);
        if (a == null) return;
        long prev = 0;
        for (long v : a) {
            writeSigned(out, v - prev);
            prev = v;
        }
    }

    static long[] readLongDeltas(DataInputView in) throws IOException {
        int n = readLength(in);
        if (n < 0) return null;
        long[] a = new long[n];
        long prev = 0;
        for (int i = 0; i < n; i++) prev = a[i] = prev + readSigned(in);
        return a;
    }

    static void writeDoubles(DataOutputView out, double[] a) throws IOException {
        writeLength(out, a == null ? -1 : a.length);
        if (a != null) for (double v : a) writeDouble(out, v);
    }

    static double[] readDoubles(DataInputView in) throws IOException {
        int n = readLength(in);
        if (n < 0) return null;
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = readDouble(in);
        return a;
    }

    /** Booleans, eight to a byte. */
    static void writeBooleans(DataOutputView out, boolean[] a) throws IOException {
        writeLength(out, a == null ? -1 : a.length);
        if (a == null) return;
        for (int i = 0; i < a.length; i += 8) {
            int b = 0;
            for (int j = 0; j < 8 && i + j < a.length; j++) if (a[i + j]) b |= 1 << j;
            out.writeByte(b);
        }
    }

    static boolean[] readBooleans(DataInputView in) throws IOException {
        int n = readLength(in);
        if (n < 0) return null;
        boolean[] a = new boolean[n];
        for (int i = 0; i < n; i += 8) {
            int b = in.readUnsignedByte();
            for (int j = 0; j < 8 && i + j < n; j++) a[i + j] = (b & (1 << j)) != 0;
        }
        return a;
    }

    static void writeStrings(DataOutputView out, String[] a) throws IOException {
        writeLength(out, a == null ? -1 : a.length);
        if (a != null) for (String s : a) writeString(out, s);
    }

    static String[] readStrings(DataInputView in) throws IOException {
        int n = readLength(in);
        if (n < 0) return null;
        String[] a = new String[n];
        for (int i = 0; i < n; i++) a[i] = readString(in);
        return a;
    }
}
