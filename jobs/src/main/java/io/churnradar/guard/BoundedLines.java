package io.churnradar.guard;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The lines of a UTF-8 stream, each read with a size limit: a line above it is never held whole (a
 * 20 MB line would otherwise travel through the job and end it where results are collected), only its
 * first {@link Oversize#KEPT_BYTES} bytes, its full size and its SHA-256. Lines end as
 * {@link java.io.BufferedReader#readLine()} ends them (LF, CR or CR LF), so line numbers stay the same;
 * bytes that are not UTF-8 become U+FFFD, which the event checks reject in ids. A byte order mark at the
 * start of the stream is skipped.
 */
public final class BoundedLines implements Closeable {
    /** One line: its text, or, above the limit, its oversize (text null). */
    public static final class Line {
        public final String text;
        public final Oversize oversize;
        /** The line's bytes when they are not UTF-8 (text then holds U+FFFD for them); null otherwise. */
        public final byte[] malformed;

        Line(String text, Oversize oversize) {
            this(text, oversize, null);
        }

        Line(String text, Oversize oversize, byte[] malformed) {
            this.text = text;
            this.oversize = oversize;
            this.malformed = malformed;
        }
    }

    private final InputStream in;
    private final int limit;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int end;
    private byte[] line = new byte[256];
    private boolean started;
    private long linesRead;
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    public BoundedLines(InputStream in, int limit) {
        this.in = in;
        this.limit = limit;
    }

    /**
     * The next line, or null at the end of the stream. The buffer is scanned for the line's end and its bytes copied
     * in one piece; a byte at a time, with the checks each needs, this loop was the reading thread's largest cost.
     */
    public Line next() throws IOException {
        Line l = nextLine();
        if (l != null) linesRead++;
        return l;
    }

    /** The lines {@link #next} has returned. */
    public long linesRead() {
        return linesRead;
    }

    private Line nextLine() throws IOException {
        int len = 0;
        long size = 0;
        MessageDigest digest = null;
        boolean any = false;
        while (true) {
            if (pos == end && !fill()) {
                if (!any) return null;
                break;
            }
            any = true;
            int from = pos;
            int to = from;
            while (to < end && buf[to] != '\n' && buf[to] != '\r') to++;
            int n = to - from;
            size += n;
            if (digest != null) {
                digest.update(buf, from, n);
            } else if (n > 0) {
                int take = Math.min(n, limit + 1 - len);
                if (len + take > line.length) line = Arrays.copyOf(line, Math.min(Math.max(2 * line.length, len + take), limit + 1));
                System.arraycopy(buf, from, line, len, take);
                len += take;
                if (len > limit) {
                    // Above the limit from here on: hash what is held and the rest, and keep only the prefix.
                    digest = Oversize.sha256();
                    digest.update(line, 0, len);
                    digest.update(buf, from + take, n - take);
                    len = Math.min(limit, Oversize.KEPT_BYTES);
                }
            }
            pos = to;
            if (to == end) continue; // the line goes on in the next buffer
            byte b = buf[pos++];
            if (b == '\r' && (pos < end || fill()) && buf[pos] == '\n') pos++;
            break;
        }
        if (digest != null) {
            return new Line(null, new Oversize(Arrays.copyOf(line, len), size, HexFormat.of().formatHex(digest.digest())));
        }
        // The JDK's UTF-8 decoding, which replaces each malformed sequence with U+FFFD as a replacing decoder does.
        String text = new String(line, 0, len, StandardCharsets.UTF_8);
        // A U+FFFD is rare in real text: only then are the bytes checked, and kept when they are not UTF-8, so that a dead
        // letter can give the original bytes the replacement lost.
        return new Line(text, null, text.indexOf('\uFFFD') >= 0 && !isUtf8(line, len) ? Arrays.copyOf(line, len) : null);
    }

    private static boolean isUtf8(byte[] b, int len) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, 0, len));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** The text of an oversized line's kept prefix. */
    public static String text(Oversize o) {
        return new String(o.prefix, StandardCharsets.UTF_8);
    }

    private boolean fill() throws IOException {
        int n = in.read(buf);
        if (!started) {
            started = true;
            // A UTF-8 byte order mark, which some Windows tools write first, is not part of the first line.
            while (n >= 0 && n < BOM.length) {
                int more = in.read(buf, n, buf.length - n);
                if (more < 0) break;
                n += more;
            }
            if (n >= BOM.length && buf[0] == BOM[0] && buf[1] == BOM[1] && buf[2] == BOM[2]) {
                if (n == BOM.length) return fill();
                pos = BOM.length;
                end = n;
                return true;
            }
        }
        if (n <= 0) return false;
        pos = 0;
        end = n;
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
