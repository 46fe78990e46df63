package io.churnradar.guard;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A record or line above the size limit: its first bytes, its full size and its SHA-256, which is what
 * its dead letter keeps. The rest is never held: a dead letter as large as the record would fail the
 * writer of the dead letters instead (Kafka's message size limit, the backtest's collected results).
 */
public final class Oversize {
    /** At most this much of an oversized original is kept in its dead letter. */
    public static final int KEPT_BYTES = 64 * 1024;

    public final byte[] prefix;
    public final long size;
    public final String sha256;

    public Oversize(byte[] prefix, long size, String sha256) {
        this.prefix = prefix;
        this.size = size;
        this.sha256 = sha256;
    }

    /** The oversize of {@code bytes}, or null when they are within {@code limit}. */
    public static Oversize of(byte[] bytes, int limit) {
        if (bytes == null || bytes.length <= limit) return null;
        MessageDigest d = sha256();
        d.update(bytes);
        return new Oversize(Arrays.copyOf(bytes, Math.min(limit, KEPT_BYTES)), bytes.length, HexFormat.of().formatHex(d.digest()));
    }

    /** The reason of its dead letter; {@code setting} names the limit. */
    public String reason(int limit, String setting) {
        return reason(size, prefix.length, sha256, limit, setting);
    }

    public static String reason(long size, int kept, String sha256, int limit, String setting) {
        return "too large: " + size + " bytes, above " + setting + " (" + limit + "); the first " + kept
                + " bytes are kept, sha256 " + sha256;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
