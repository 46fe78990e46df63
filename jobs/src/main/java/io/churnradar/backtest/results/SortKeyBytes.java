package io.churnradar.backtest.results;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Sort keys as a run holds them, and their order read from those bytes: a key is its part count, then each part as a
 * type byte and a long or int in 8 or 4 bytes (big-endian), or a string as its UTF-8 length and bytes, or nothing for
 * a null. The order is {@link ExternalSort.Key#compareTo}'s, strings as {@link String#compareTo} orders them.
 */
final class SortKeyBytes {
    static final byte NULL = 'N';
    static final byte LONG = 'L';
    static final byte INT = 'I';
    static final byte STRING = 'S';

    private SortKeyBytes() {}

    /** The bytes {@link #write} takes for {@code parts}, whose strings' UTF-8 bytes are in {@code strings} (filled here). */
    static int size(Object[] parts, byte[][] strings) {
        int size = 1;
        for (int i = 0; i < parts.length; i++) {
            Object p = parts[i];
            if (p instanceof Long) size += 9;
            else if (p instanceof Integer) size += 5;
            else if (p instanceof String s) {
                strings[i] = s.getBytes(StandardCharsets.UTF_8);
                size += 5 + strings[i].length;
            } else size += 1;
        }
        return size;
    }

    /** Writes the key of {@code parts} at {@code b[at]} (after {@link #size} filled {@code strings}); returns its end. */
    static int write(byte[] b, int at, Object[] parts, byte[][] strings) {
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
        return at;
    }

    /** The parts of the key at {@code b[at]}, as {@link ExternalSort.Key} holds them. */
    static Object[] read(byte[] b, int at) {
        Object[] parts = new Object[b[at++]];
        for (int i = 0; i < parts.length; i++) {
            byte type = b[at++];
            switch (type) {
                case LONG -> {
                    parts[i] = readLong(b, at);
                    at += 8;
                }
                case INT -> {
                    parts[i] = readInt(b, at);
                    at += 4;
                }
                case STRING -> {
                    int len = readInt(b, at);
                    parts[i] = new String(b, at + 4, len, StandardCharsets.UTF_8);
                    at += 4 + len;
                }
                default -> parts[i] = null;
            }
        }
        return parts;
    }

    /** Where part {@code i} of the key at {@code b[at]} starts (its type byte), or -1 past the key's end. */
    private static int partAt(byte[] b, int at, int i) {
        int n = b[at++];
        if (i >= n) return -1;
        for (int k = 0; k < i; k++) {
            byte type = b[at++];
            at += type == LONG ? 8 : type == INT ? 4 : type == STRING ? 4 + readInt(b, at) : 0;
        }
        return at;
    }

    /** The type byte of part {@code i} of the key at {@code b[at]} ({@link #NULL} past the key's end too). */
    static byte type(byte[] b, int at, int i) {
        int p = partAt(b, at, i);
        return p < 0 ? NULL : b[p];
    }

    /**
     * Part {@code i} of the key at {@code b[at]} as a long whose signed order is the part's order wherever two differ: a
     * long or int itself; a string's first eight UTF-8 bytes, zero-padded, with its lead bytes from E000 up reordered as
     * UTF-16 orders them (see {@link #compareUtf8}) and the sign bit flipped. Equal prefixes say nothing: the keys' bytes
     * decide.
     */
    static long prefix(byte[] b, int at, int i) {
        int p = partAt(b, at, i);
        if (p < 0) return 0;
        switch (b[p]) {
            case LONG:
                return readLong(b, p + 1);
            case INT:
                return readInt(b, p + 1);
            case STRING:
                int length = readInt(b, p + 1);
                long packed = 0;
                for (int k = 0; k < 8; k++) packed = packed << 8 | (k < length ? utf16Rank(b[p + 5 + k] & 0xff) : 0);
                return packed ^ Long.MIN_VALUE;
            default:
                return 0;
        }
    }

    /** A UTF-8 byte, with the lead bytes F0 to F4 (characters beyond U+FFFF) put before EE and EF (U+E000 to U+FFFF). */
    private static int utf16Rank(int b) {
        if (b >= 0xf0 && b <= 0xf4) return b - 2; // EE to F2
        if (b == 0xee || b == 0xef) return b + 5; // F3, F4
        return b;
    }

    static int putBytes(byte[] b, int at, byte[] v) {
        at = putInt(b, at, v.length);
        System.arraycopy(v, 0, b, at, v.length);
        return at + v.length;
    }

    static int putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
        return at + 4;
    }

    static int putLong(byte[] b, int at, long v) {
        putInt(b, at, (int) (v >>> 32));
        return putInt(b, at + 4, (int) v);
    }

    static int readInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    static long readLong(byte[] b, int at) {
        return (long) readInt(b, at) << 32 | (readInt(b, at + 4) & 0xffffffffL);
    }

    /** Where the key that starts at {@code at} ends. */
    static int skipKey(byte[] b, int at) throws IOException {
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
}
