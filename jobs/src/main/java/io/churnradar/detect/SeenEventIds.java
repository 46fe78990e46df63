package io.churnradar.detect;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.commons.codec.digest.MurmurHash3;

/**
 * The de-duplication memory of one account, in two tiers. The 64-bit hash of each event id seen within the
 * window, with the event time it was seen at, is kept exactly; the newest ids in the account's value (the
 * arrays of {@link AccountState}, up to {@link #RECENT_IDS} of them), the older ones in a list beside it
 * ({@link Listed}, a Flink list state), which the value knows by a 16-bit fingerprint and the day of each.
 *
 * <p>Why two tiers: a week of ids is most of a busy account (about 12 bytes an id, 70 ids at 10 events a day:
 * 840 of 940 bytes), and RocksDB reads and writes the whole value on every event; at a million accounts that
 * slowed the streaming job to about half its rate once the week was full (docs/benchmarks.md, 2026-12-07). The
 * fingerprints cost 2 bytes an id and the days about nothing (runs of one day), so the value stays near its
 * size without ids. The list is written once for every {@link #RECENT_IDS} ids (a RocksDB merge, no read), read
 * only when an event's fingerprint matches one (about one event in a thousand at 70 ids, and every true
 * duplicate of an older id), and rewritten when it holds more forgotten ids than live ones. Its ids are packed to
 * about 13 bytes each ({@link ListedBatch}). Decisions are exact in
 * either tier: the fingerprint only decides whether the list is read, never whether an event is a duplicate.
 *
 * <p>The hash is the first half of MurmurHash3 x64 128 of the id's UTF-8 bytes (seed 0), from
 * commons-codec, or for an ASCII id the same value read from its characters ({@link AsciiMurmur3}): a fixed,
 * well-distributed algorithm, so hashes in savepoints stay valid across versions (a test pins known values). Two distinct ids of one account collide with probability about
 * n²/2⁶⁵ for n ids in the window (about 10⁻¹⁵ for 10,000): an event wrongly taken as a duplicate is
 * that rare.
 *
 * <p>The ids remembered in the value fill its arrays from the start, in the order seen; the rest are free slots
 * ({@link #FREE}) for the next ids. {@link #size} counts them, {@link #hashAt} and {@link #timeAt} read them.
 * An id is in one tier at a time, and at most once among the ids not forgotten.
 */
public final class SeenEventIds {
    /**
     * The time of a free slot: the arrays may end in free slots (hash 0, this time), so that remembering an id
     * rarely copies them. No event time is this ({@link AccountState#NONE}); the stored form holds no free slot.
     */
    public static final long FREE = AccountState.NONE;
    private static final int MIN_CAPACITY = 4;
    /**
     * The ids the value keeps exactly before they move to the list together: a value of about 100 more bytes at
     * most, and one write of the list for every so many events of a busy account. An account with fewer ids in its
     * window (most of them, at a few events a week) never touches the list. 4 was tried on ten dense days: twice the
     * merges into the list made RocksDB's compaction a fifth busier and the checkpoint a tenth larger, for no gain in
     * rate (docs/benchmarks.md, "Packed lists").
     */
    public static final int RECENT_IDS = 8;
    /**
     * Forgotten entries the list may hold beyond twice its live ones before it is rewritten without them. Rewriting
     * sooner (beyond half as many as its live ones, and 16) took only 2% more off the checkpoint of ten dense days, for
     * about three times the rewrites, each a read and a write of the list (docs/benchmarks.md, "Packed lists").
     */
    private static final int LIST_SLACK = 16;
    private static final long DAY_MS = SignalEngine.DAY_MS;

    /**
     * The account's older ids, exactly: batches of {@code hash, time} pairs, in the order added. The detector backs it
     * with a Flink list state of the account (one RocksDB value beside the account's, appended to by a merge);
     * the tests with a list in memory.
     */
    public interface Listed {
        /** Every batch added since the last {@link #replace}, in order. */
        Iterable<long[]> batches() throws Exception;

        void add(long[] batch) throws Exception;

        /** The list becomes these batches (none: it is removed). */
        void replace(java.util.List<long[]> batches) throws Exception;
    }

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
    static boolean isDuplicateElseRemember(AccountState s, Listed listed, String eventId, long eventTime, long windowMs)
            throws Exception {
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
        if (isListed(s, print(h))) {
            long t = listedTime(s, listed, h);
            if (t != FREE) {
                if (Math.abs(eventTime - t) <= windowMs) return true;
                unlist(s, listed, h); // seen again outside the window: remembered anew below, in the value
            }
        }
        append(s, i, h, eventTime);
        return false;
    }

    /** The fingerprint of a hash in the value: its top 16 bits (the ids' own order uses none of them). */
    static char print(long hash) {
        return (char) (hash >>> 48);
    }

    private static boolean isListed(AccountState s, char print) {
        char[] prints = s.listedIdPrints;
        if (prints == null) return false;
        for (char p : prints) if (p == print) return true;
        return false;
    }

    /** The time the list remembers the hash at, FREE if it does not (or forgot it: before the cutoff last applied). */
    private static long listedTime(AccountState s, Listed listed, long h) throws Exception {
        long[] found = {FREE};
        forEachListed(listed, (hash, time) -> {
            if (hash == h && time >= s.idsForgottenBefore) found[0] = time;
        });
        return found[0];
    }

    /** Rewrites the list without the hash (rare: an id seen again more than the window after it was). */
    private static void unlist(AccountState s, Listed listed, long h) throws Exception {
        keepListed(s, listed, (hash, time) -> hash != h && time >= s.idsForgottenBefore);
    }

    private interface Keep {
        boolean test(long hash, long time);
    }

    private interface Entry {
        void accept(long hash, long time);
    }

    /** Every entry of the list, forgotten ones included, in the order added, whichever form its batch is in. */
    private static void forEachListed(Listed listed, Entry entry) throws Exception {
        for (long[] batch : listed.batches()) {
            for (int j = 0, n = ListedBatch.size(batch); j < n; j++) entry.accept(ListedBatch.hash(batch, j), ListedBatch.time(batch, j));
        }
    }

    /** Rewrites the list with the entries kept, as one batch, and counts them. */
    private static void keepListed(AccountState s, Listed listed, Keep keep) throws Exception {
        // A loop of its own rather than forEachListed: the arrays grow should the value undercount the list.
        int capacity = Math.max(s.listedIds, 4);
        long[] hashes = new long[capacity];
        long[] times = new long[capacity];
        int n = 0;
        for (long[] batch : listed.batches()) {
            for (int j = 0, size = ListedBatch.size(batch); j < size; j++) {
                long hash = ListedBatch.hash(batch, j);
                long time = ListedBatch.time(batch, j);
                if (!keep.test(hash, time)) continue;
                if (n == hashes.length) {
                    hashes = Arrays.copyOf(hashes, 2 * n);
                    times = Arrays.copyOf(times, 2 * n);
                }
                hashes[n] = hash;
                times[n++] = time;
            }
        }
        listed.replace(n == 0 ? java.util.List.of() : java.util.List.of(ListedBatch.of(hashes, times, n)));
        s.listedIds = n;
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
     * Forgets the ids seen before {@code cutoff} in both tiers: the value's go at once; the fingerprints whose day is
     * wholly before the cutoff go, and the list's entries before it count as forgotten until the list is rewritten,
     * once they outnumber the rest by more than 16. Then the value's ids move to the list once there are
     * {@link #RECENT_IDS} of them.
     */
    static void forgetBefore(AccountState s, Listed listed, long cutoff) throws Exception {
        forgetBefore(s, cutoff);
        if (s.listedIds > 0 || listedPrints(s) > 0) forgetListedBefore(s, listed, cutoff);
        if (size(s) >= RECENT_IDS) moveToList(s, listed, cutoff);
    }

    /**
     * The value's ids seen before the cutoff go, the rest moving forward in place; the arrays shrink only when three
     * quarters of them are free, so a busy account's next ids do not have to grow them again at once.
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

    private static int listedPrints(AccountState s) {
        return s.listedIdPrints == null ? 0 : s.listedIdPrints.length;
    }

    private static void forgetListedBefore(AccountState s, Listed listed, long cutoff) throws Exception {
        long previous = s.idsForgottenBefore;
        if (cutoff > previous) s.idsForgottenBefore = cutoff;
        // A fingerprint goes when its whole day is before the cutoff, so nothing goes until the cutoff enters a new day:
        // most calls end here (the scan on every event was 1.5% of the detection threads on ten dense days).
        if (Math.floorDiv(cutoff, DAY_MS) <= Math.floorDiv(previous, DAY_MS)) return; // never after NONE, below any day
        normalizeListed(s);
        char[] prints = s.listedIdPrints;
        int[] days = s.listedIdDays;
        int keep = 0;
        for (int j = 0; j < prints.length; j++) {
            if ((days[j] + 1L) * DAY_MS > cutoff) {
                prints[keep] = prints[j];
                days[keep++] = days[j];
            }
        }
        if (keep < prints.length) {
            s.listedIdPrints = Arrays.copyOf(prints, keep);
            s.listedIdDays = Arrays.copyOf(days, keep);
        }
        if (keep == 0) {
            // Every id listed has a fingerprint until its day leaves the window: with none left, none is remembered.
            if (s.listedIds != 0) listed.replace(java.util.List.of());
            s.listedIds = 0;
            s.idsForgottenBefore = AccountState.NONE;
        } else if (s.listedIds > 2 * keep + LIST_SLACK) {
            keepListed(s, listed, (hash, time) -> time >= s.idsForgottenBefore);
        }
    }

    /** The value's ids go to the list as one batch, and their fingerprints and days stay in the value. */
    private static void moveToList(AccountState s, Listed listed, long cutoff) throws Exception {
        int n = size(s);
        normalizeListed(s);
        int at = s.listedIdPrints.length;
        s.listedIdPrints = Arrays.copyOf(s.listedIdPrints, at + n);
        s.listedIdDays = Arrays.copyOf(s.listedIdDays, at + n);
        for (int i = 0; i < n; i++) {
            s.listedIdPrints[at + i] = print(s.seenIdHashes[i]);
            s.listedIdDays[at + i] = (int) Math.floorDiv(s.seenIdTimes[i], DAY_MS);
        }
        listed.add(ListedBatch.of(s.seenIdHashes, s.seenIdTimes, n));
        s.listedIds += n;
        // The ids moved were all at or after the cutoff (just pruned), so none of them counts as forgotten (NONE is below any cutoff).
        if (cutoff > s.idsForgottenBefore) s.idsForgottenBefore = cutoff;
        free(s, 0, n); // the arrays stay as large: the next ids fill them again
    }

    /**
     * The ids remembered and not forgotten, in both tiers, with the event time each was seen at: the hash of an id
     * ({@link #hash}) to its time. For tests and state readers; the detection never needs them all.
     */
    public static java.util.Map<Long, Long> remembered(AccountState s, Listed listed) throws Exception {
        java.util.Map<Long, Long> out = new java.util.HashMap<>();
        if (s.listedIds > 0) {
            forEachListed(listed, (hash, time) -> {
                if (time >= s.idsForgottenBefore && isListed(s, print(hash))) out.put(hash, time);
            });
        }
        for (int i = 0; i < size(s); i++) out.put(hashAt(s, i), timeAt(s, i));
        return out;
    }

    /** The fingerprint and day arrays of one length (only a state made by hand breaks that; the shorter counts). */
    private static void normalizeListed(AccountState s) {
        if (s.listedIdPrints == null) s.listedIdPrints = new char[0];
        if (s.listedIdDays == null) s.listedIdDays = new int[0];
        if (s.listedIdPrints.length != s.listedIdDays.length) {
            int n = Math.min(s.listedIdPrints.length, s.listedIdDays.length);
            s.listedIdPrints = Arrays.copyOf(s.listedIdPrints, n);
            s.listedIdDays = Arrays.copyOf(s.listedIdDays, n);
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
