package io.churnradar.detect;

/**
 * One element of the de-duplication list beside an account's value ({@link SeenEventIds.Listed}): the 64-bit hashes
 * of event ids and the event times they were seen at, in one {@code long[]}.
 *
 * <p>Two forms, told apart by the array's length:
 * <ul>
 *   <li><b>packed</b> (odd length), written since layout 4 of the account: a header (the number of ids in its top 21
 *       bits, the earliest time in the low 43), the hashes, then each time as a 32-bit offset from the earliest, two to
 *       a long, and a last long of zeros when that makes the length even. 13 bytes an id in a batch of 8, 12.5 in a
 *       long one;</li>
 *   <li><b>pairs</b> (even length): {@code hash, time, hash, time, ...}, 16 bytes an id, as layout 3 wrote every
 *       batch. Still read; still written for a batch packing cannot hold: times 2³² ms (about 49.7 days) apart or more,
 *       before 1970, or after 2248.</li>
 * </ul>
 * The list is most of a busy account's checkpoint: about 110 ids at 10 events a day. Packed, ten dense days of a
 * million accounts checkpointed about 1,970 bytes an account instead of 2,200 (docs/benchmarks.md, "Packed lists").
 * The times stay exact to the millisecond, so decisions do not change.
 *
 * <p>Written by hand: the list state's element is a plain {@code long[]} so that the savepoints of layout 3 still
 * restore; no codec packs one.
 */
final class ListedBatch {
    private static final int COUNT_SHIFT = 43;
    private static final long BASE_MASK = (1L << COUNT_SHIFT) - 1;
    private static final int MAX_PACKED = (1 << (64 - COUNT_SHIFT)) - 1;
    private static final long OFFSET_MASK = 0xFFFF_FFFFL;

    private ListedBatch() {}

    /** A batch of the first {@code n} hashes and times, packed when the times allow it. */
    static long[] of(long[] hashes, long[] times, int n) {
        if (n < 0 || n > hashes.length || n > times.length) throw new IllegalArgumentException("no " + n + " ids in arrays of " + hashes.length + " and " + times.length);
        long base = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            base = Math.min(base, times[i]);
            last = Math.max(last, times[i]);
        }
        if (n == 0 || n > MAX_PACKED || base < 0 || base > BASE_MASK || last - base > OFFSET_MASK) return pairs(hashes, times, n);
        int length = 1 + n + (n + 1) / 2;
        if (length % 2 == 0) length++;
        long[] b = new long[length];
        b[0] = ((long) n << COUNT_SHIFT) | base;
        System.arraycopy(hashes, 0, b, 1, n);
        for (int i = 0; i < n; i++) b[1 + n + i / 2] |= (times[i] - base) << (32 * (i & 1));
        return b;
    }

    private static long[] pairs(long[] hashes, long[] times, int n) {
        long[] b = new long[2 * n];
        for (int i = 0; i < n; i++) {
            b[2 * i] = hashes[i];
            b[2 * i + 1] = times[i];
        }
        return b;
    }

    private static boolean packed(long[] b) {
        return (b.length & 1) == 1;
    }

    /** The number of ids in the batch. */
    static int size(long[] b) {
        return packed(b) ? (int) (b[0] >>> COUNT_SHIFT) : b.length / 2;
    }

    /** The hash of the {@code i}-th id, {@code i < size(b)}. */
    static long hash(long[] b, int i) {
        return packed(b) ? b[1 + i] : b[2 * i];
    }

    /** The event time the {@code i}-th id was seen at, {@code i < size(b)}. */
    static long time(long[] b, int i) {
        if (!packed(b)) return b[2 * i + 1];
        int n = (int) (b[0] >>> COUNT_SHIFT);
        return (b[0] & BASE_MASK) + ((b[1 + n + i / 2] >>> (32 * (i & 1))) & OFFSET_MASK);
    }
}
