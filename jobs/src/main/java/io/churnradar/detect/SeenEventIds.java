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
 *
 * <p>The ids remembered fill the arrays from the start, in the order seen; the rest are free slots
 * ({@link #FREE}) for the next ids. {@link #size} counts the ids, {@link #hashAt} and {@link #timeAt} read them.
 */
public final class SeenEventIds {
    /**
     * The time of a free slot: the arrays may end in free slots (hash 0, this time), so that remembering an id
     * rarely copies them. No event time is this ({@link AccountState#NONE}); the stored form holds no free slot.
     */
    public static final long FREE = AccountState.NONE;
    private static final int MIN_CAPACITY = 4;

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
        long[] times = s.seenIdTimes;
        int i = 0;
        for (; i < hashes.length; i++) {
            long t = times[i];
            if (t == FREE) break; // the ids end here
            if (hashes[i] == h) {
                if (Math.abs(eventTime - t) <= windowMs) return true;
                times[i] = eventTime;
                return false;
            }
        }
        append(s, i, h, eventTime);
        return false;
    }

    /** Remembers a hash seen at {@code at} (the migration of the old per-id map); the later time wins. */
    static void remember(AccountState s, long hash, long at) {
        normalize(s);
        int n = size(s);
        for (int i = 0; i < n; i++) {
            if (s.seenIdHashes[i] == hash) {
                s.seenIdTimes[i] = Math.max(s.seenIdTimes[i], at);
                return;
            }
        }
        append(s, n, hash, at);
    }

    /**
     * Forgets the ids seen before {@code cutoff}, moving the rest forward in place; the arrays shrink only when
     * three quarters of them are free, so a busy account's next ids do not have to grow them again at once.
     */
    static void forgetBefore(AccountState s, long cutoff) {
        long[] times = s.seenIdTimes;
        if (times == null) return;
        normalize(s);
        times = s.seenIdTimes;
        long[] hashes = s.seenIdHashes;
        int keep = 0;
        while (keep < times.length && times[keep] != FREE && times[keep] >= cutoff) keep++;
        if (keep == times.length || times[keep] == FREE) return; // most calls end here: nothing to forget, nothing written
        int n = keep + 1;
        for (; n < times.length && times[n] != FREE; n++) {
            if (times[n] >= cutoff) {
                hashes[keep] = hashes[n];
                times[keep++] = times[n];
            }
        }
        if (times.length > MIN_CAPACITY && keep < times.length / 4) {
            int capacity = Math.max(keep, MIN_CAPACITY);
            s.seenIdHashes = Arrays.copyOf(hashes, capacity);
            s.seenIdTimes = Arrays.copyOf(times, capacity);
            free(s, keep, capacity);
        } else {
            free(s, keep, n);
        }
    }

    /** The hash of the {@code i}-th id remembered, {@code i < size(s)}. */
    public static long hashAt(AccountState s, int i) {
        return s.seenIdHashes[i];
    }

    /** The event time the {@code i}-th id remembered was seen at, {@code i < size(s)}. */
    public static long timeAt(AccountState s, int i) {
        return s.seenIdTimes[i];
    }

    /** The number of ids remembered: the slots before the first free one. */
    public static int size(AccountState s) {
        long[] times = s.seenIdTimes;
        if (s.seenIdHashes == null || times == null) return 0;
        int length = Math.min(s.seenIdHashes.length, times.length);
        int n = 0;
        while (n < length && times[n] != FREE) n++;
        return n;
    }

    /**
     * Puts an id in slot {@code n}, the first free one. The arrays grow by half when full, so a busy account's
     * ids cost amortized constant time each instead of a copy of all the others: the copy of two exact-size
     * arrays on every new id was 5.7% of the backtest's detection thread (JFR, docs/benchmarks.md).
     */
    private static void append(AccountState s, int n, long hash, long at) {
        if (n == s.seenIdHashes.length) {
            int capacity = Math.max(MIN_CAPACITY, n + (n >> 1));
            s.seenIdHashes = Arrays.copyOf(s.seenIdHashes, capacity);
            s.seenIdTimes = Arrays.copyOf(s.seenIdTimes, capacity);
            free(s, n + 1, capacity);
        }
        s.seenIdHashes[n] = hash;
        s.seenIdTimes[n] = at;
    }

    /** Marks the slots {@code from} (inclusive) to {@code to} free. */
    private static void free(AccountState s, int from, int to) {
        Arrays.fill(s.seenIdHashes, from, to, 0L);
        Arrays.fill(s.seenIdTimes, from, to, FREE);
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
