package io.churnradar.propensity;

import java.util.Arrays;

/**
 * Labelled feature rows in memory, dense and row-major as XGBoost takes them: per row the closed day, the
 * account (an index the caller keeps), the label and the features.
 */
public final class RowSet {
    private final int width;
    private float[] x;
    private byte[] y;
    private long[] day;
    private int[] account;
    private int n;

    public RowSet(int width) {
        this.width = width;
        x = new float[width * 64];
        y = new byte[64];
        day = new long[64];
        account = new int[64];
    }

    public void add(int accountIndex, long closedDay, byte label, float[] features) {
        if (features.length < width) throw new IllegalArgumentException("a row needs " + width + " features, got " + features.length);
        if (n == y.length) {
            int cap = n * 2;
            x = Arrays.copyOf(x, cap * width);
            y = Arrays.copyOf(y, cap);
            day = Arrays.copyOf(day, cap);
            account = Arrays.copyOf(account, cap);
        }
        System.arraycopy(features, 0, x, n * width, width);
        y[n] = label;
        day[n] = closedDay;
        account[n] = accountIndex;
        n++;
    }

    public int size() {
        return n;
    }

    public int width() {
        return width;
    }

    public long day(int i) {
        return day[i];
    }

    public int account(int i) {
        return account[i];
    }

    public byte label(int i) {
        return y[i];
    }

    public float feature(int row, int column) {
        return x[row * width + column];
    }

    /** The features of all rows, row-major (a copy trimmed to size). */
    public float[] features() {
        return Arrays.copyOf(x, n * width);
    }

    public byte[] labels() {
        return Arrays.copyOf(y, n);
    }

    public float[] labelsAsFloats() {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = y[i];
        return f;
    }

    public long positives() {
        long p = 0;
        for (int i = 0; i < n; i++) p += y[i];
        return p;
    }

    /** The rows of days before {@code dayLimit} and the rest, in their order. */
    public RowSet[] splitAtDay(long dayLimit) {
        RowSet before = new RowSet(width), after = new RowSet(width);
        float[] row = new float[width];
        for (int i = 0; i < n; i++) {
            System.arraycopy(x, i * width, row, 0, width);
            (day[i] < dayLimit ? before : after).add(account[i], day[i], y[i], row);
        }
        return new RowSet[] {before, after};
    }

    public long minDay() {
        long m = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) m = Math.min(m, day[i]);
        return m;
    }

    public long maxDay() {
        long m = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) m = Math.max(m, day[i]);
        return m;
    }
}
