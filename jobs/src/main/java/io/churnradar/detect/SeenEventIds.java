package io.churnradar.detect;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.commons.codec.digest.MurmurHash3;

/**
 * The de-duplication memory of one account, on the arrays of {@link AccountState}: the 64-bit hash of
 * each event id seen within the window, with the event time it was seen at. Kept in the account's one
 * value rather than one state entry per id, so an event costs one state read and one write.
 *
 * <p>The hash is the first half of MurmurHash3 x64 128 of the id's UTF-8 bytes (seed 0), from
 * commons-codec, or for an ASCII id the same value read from its characters ({@link AsciiMurmur3}): a fixed,
 * well-distributed algorithm, so hashes in savepoints stay valid across versions (a test pins known values). Two distinct ids of one account collide with probability about
 * n²/2⁶⁵ for n ids in the window (about 10⁻¹⁵ for 10,000): an event wrongly taken as a duplicate is
 * that rare.
 */
public final class SeenEventIds {
    private SeenEventIds() {}

    public static long hash(String eventId) {
        long h = AsciiMurmur3.firstHalf(eventId);
        if (h != AsciiMurmur3.NOT_ASCII || !AsciiMurmur3.hasNonAscii(eventId)) return h;
        byte[] bytes = eventId.getBytes(StandardCharsets.UTF_8);
        return MurmurHash3.hash128x64(bytes, 0, bytes.length, 0)[0];
    }

    /**
     * Whether the id was seen within {@code windowMs} of {@code eventTime}; if not, remembers it at
     * this event time (an id seen outside the window counts again and is remembered at its new time).
     */
    static boolean isDuplicateElseRemember(AccountState s, String eventId, long eventTime, long windowMs) {
        long h = hash(eventId);
        normalize(s);
        long[] hashes = s.seenIdHashes;
        for (int i = 0; i < hashes.length; i++) {
            if (hashes[i] == h) {
                if (Math.abs(eventTime - s.seenIdTimes[i]) <= windowMs) return true;
                s.seenIdTimes[i] = eventTime;
                return false;
            }
        }
        append(s, h, eventTime);
        return false;
    }

    /** Remembers a hash seen at {@code at} (the migration of the old per-id map); the later time wins. */
    static void remember(AccountState s, long hash, long at) {
        normalize(s);
        for (int i = 0; i < s.seenIdHashes.length; i++) {
            if (s.seenIdHashes[i] == hash) {
                s.seenIdTimes[i] = Math.max(s.seenIdTimes[i], at);
                return;
            }
        }
        append(s, hash, at);
    }

    /** Forgets the ids seen before {@code cutoff}; allocates only when one has to go. */
    static void forgetBefore(AccountState s, long cutoff) {
        long[] times = s.seenIdTimes;
        if (times == null) return;
        int keep = 0;
        for (long t : times) if (t >= cutoff) keep++;
        if (keep == times.length) return;
        normalize(s);
        long[] h = new long[keep];
        long[] t = new long[keep];
        int j = 0;
        for (int i = 0; i < times.length; i++) {
            if (times[i] >= cutoff) {
                h[j] = s.seenIdHashes[i];
                t[j++] = times[i];
            }
        }
        s.seenIdHashes = h;
        s.seenIdTimes = t;
    }

    static int size(AccountState s) {
        return s.seenIdHashes == null ? 0 : s.seenIdHashes.length;
    }

    private static void append(AccountState s, long hash, long at) {
        int n = s.seenIdHashes.length;
        s.seenIdHashes = Arrays.copyOf(s.seenIdHashes, n + 1);
        s.seenIdTimes = Arrays.copyOf(s.seenIdTimes, n + 1);
        s.seenIdHashes[n] = hash;
        s.seenIdTimes[n] = at;
    }

    /** Parallel arrays of one length (a state can only break that by hand; then the shorter length counts). */
    private static void normalize(AccountState s) {
        if (s.seenIdHashes == null) s.seenIdHashes = new long[0];
        if (s.seenIdTimes == null) s.seenIdTimes = new long[0];
        if (s.seenIdHashes.length != s.seenIdTimes.length) {
            int n = Math.min(s.seenIdHashes.length, s.seenIdTimes.length);
            s.seenIdHashes = Arrays.copyOf(s.seenIdHashes, n);
            s.seenIdTimes = Arrays.copyOf(s.seenIdTimes, n);
        }
    }
}
