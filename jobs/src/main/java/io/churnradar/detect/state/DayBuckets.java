package io.churnradar.detect.state;

import io.churnradar.detect.AccountState;

/**
 * Per-day usage and opened-ticket counts of one account, kept only for the days a future day close
 * can still look at. Sparse and sorted by day, so an account holds at most a few dozen entries
 * whatever its event count, and an event far ahead of the watermark costs one entry, not a gap.
 * Works on the arrays of {@link AccountState} so that they serialize as plain POJO fields.
 */
public final class DayBuckets {
    private DayBuckets() {}

    public static void add(AccountState s, long day, double usage, int ticketsOpened) {
        int i = indexOf(s.bucketDays, day);
        if (i < 0) {
            int at = -i - 1;
            s.bucketDays = insert(s.bucketDays, at, day);
            s.bucketUsage = insert(s.bucketUsage, at);
            s.bucketTicketsOpened = insert(s.bucketTicketsOpened, at);
            i = at;
        }
        s.bucketUsage[i] += usage;
        s.bucketTicketsOpened[i] += ticketsOpened;
    }

    /**
     * Adds to the bucket of a day a future day close still looks at ({@code lookbackDays} back from the
     * next one); a day older than that is dropped.
     *
     * @return false when the day was too old to keep
     */
    public static boolean addIfCovered(AccountState s, long day, double usage, int ticketsOpened, int lookbackDays) {
        if (s.lastClosedDay != AccountState.NONE && day < s.lastClosedDay + 2 - lookbackDays) return false;
        add(s, day, usage, ticketsOpened);
        return true;
    }

    /** Sum of usage over days {@code from..to}, both included. */
    public static double usage(AccountState s, long from, long to) {
        double sum = 0;
        for (int i = 0; i < s.bucketDays.length; i++) {
            long d = s.bucketDays[i];
            if (d >= from && d <= to) sum += s.bucketUsage[i];
        }
        return sum;
    }

    /** Opened tickets over days {@code from..to}, both included. */
    public static int ticketsOpened(AccountState s, long from, long to) {
        int sum = 0;
        for (int i = 0; i < s.bucketDays.length; i++) {
            long d = s.bucketDays[i];
            if (d >= from && d <= to) sum += s.bucketTicketsOpened[i];
        }
        return sum;
    }

    /** Drops the days before {@code firstKept}. */
    public static void dropBefore(AccountState s, long firstKept) {
        int n = 0;
        while (n < s.bucketDays.length && s.bucketDays[n] < firstKept) n++;
        if (n == 0) return;
        s.bucketDays = java.util.Arrays.copyOfRange(s.bucketDays, n, s.bucketDays.length);
        s.bucketUsage = java.util.Arrays.copyOfRange(s.bucketUsage, n, s.bucketUsage.length);
        s.bucketTicketsOpened = java.util.Arrays.copyOfRange(s.bucketTicketsOpened, n, s.bucketTicketsOpened.length);
    }

    /** The newest day with a bucket; the buckets must not be empty. */
    public static long newestDay(AccountState s) {
        return s.bucketDays[s.bucketDays.length - 1];
    }

    public static boolean isEmpty(AccountState s) {
        return s.bucketDays.length == 0;
    }

    private static int indexOf(long[] days, long day) {
        return java.util.Arrays.binarySearch(days, day);
    }

    private static long[] insert(long[] a, int at, long v) {
        long[] r = new long[a.length + 1];
        System.arraycopy(a, 0, r, 0, at);
        r[at] = v;
        System.arraycopy(a, at, r, at + 1, a.length - at);
        return r;
    }

    private static double[] insert(double[] a, int at) {
        double[] r = new double[a.length + 1];
        System.arraycopy(a, 0, r, 0, at);
        System.arraycopy(a, at, r, at + 1, a.length - at);
        return r;
    }

    private static int[] insert(int[] a, int at) {
        int[] r = new int[a.length + 1];
        System.arraycopy(a, 0, r, 0, at);
        System.arraycopy(a, at, r, at + 1, a.length - at);
        return r;
    }
}
