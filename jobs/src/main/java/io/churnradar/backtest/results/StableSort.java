package io.churnradar.backtest.results;

/**
 * A stable merge sort of record numbers by a comparator of record numbers. Hand-written because the JDK
 * sorts arrays of ints only in their natural order, and boxing a million numbers to sort them with a
 * comparator would cost what this class saves.
 */
final class StableSort {
    interface IntComparator {
        int compare(int a, int b);
    }

    private static final int INSERTION = 24;

    private StableSort() {}

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
