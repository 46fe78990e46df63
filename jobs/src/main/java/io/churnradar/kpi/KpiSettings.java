package io.churnradar.kpi;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How the retention KPIs segment accounts: the MRR bands (upper bounds in currency units, ascending)
 * and how many cancellation reasons each record names. Job settings {@code kpis.mrrBands} and
 * {@code kpis.topCancelReasons} (flink-conf/churn-radar.yaml).
 */
public final class KpiSettings implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The MRR bands' bounds by default: 0-100, 100-1k, 1k-10k, 10k+. */
    public static final List<Long> DEFAULT_BANDS = List.of(100L, 1_000L, 10_000L);
    public static final int DEFAULT_TOP_REASONS = 5;
    /** Minor units per currency unit: MRR arrives in minor units, bands are written in currency units. */
    public static final long MINOR_PER_UNIT = 100;
    /**
     * Distinct reasons counted per segment and day: reason codes are free text, so a producer sending
     * a new one per event must not grow the state; reasons beyond it count as {@value #OTHER}.
     */
    public static final int MAX_REASONS = 64;
    public static final String OTHER = "other";

    private final long[] boundsMinor;
    private final String[] labels;
    public final int topReasons;

    private KpiSettings(List<Long> bounds, int topReasons) {
        if (bounds.isEmpty()) throw new IllegalArgumentException("kpis.mrrBands needs at least one bound");
        if (topReasons < 0 || topReasons > MAX_REASONS) {
            throw new IllegalArgumentException("kpis.topCancelReasons must be 0 to " + MAX_REASONS + ", got " + topReasons);
        }
        boundsMinor = new long[bounds.size()];
        labels = new String[bounds.size() + 1];
        long previous = 0;
        for (int i = 0; i < bounds.size(); i++) {
            long b = bounds.get(i);
            if (b <= previous) {
                throw new IllegalArgumentException("kpis.mrrBands must be positive and ascending, got " + bounds);
            }
            if (b > Long.MAX_VALUE / MINOR_PER_UNIT) throw new IllegalArgumentException("kpis.mrrBands: " + b + " is too large");
            boundsMinor[i] = b * MINOR_PER_UNIT;
            labels[i] = units(previous) + "-" + units(b);
            previous = b;
        }
        labels[bounds.size()] = units(previous) + "+";
        this.topReasons = topReasons;
    }

    public static KpiSettings defaults() {
        return new KpiSettings(DEFAULT_BANDS, DEFAULT_TOP_REASONS);
    }

    /** Bands with these upper bounds (currency units, positive, ascending) and the top {@code topReasons} reasons. */
    public static KpiSettings of(List<Long> bounds, int topReasons) {
        return new KpiSettings(List.copyOf(bounds), topReasons);
    }

    /** The bounds in currency units, as given. */
    public List<Long> bounds() {
        List<Long> out = new ArrayList<>();
        for (long b : boundsMinor) out.add(b / MINOR_PER_UNIT);
        return out;
    }

    /** The band of an MRR in minor units: a bound belongs to the band above it (100.00 is in 100-1k). */
    public String band(long mrrMinor) {
        int i = Arrays.binarySearch(boundsMinor, mrrMinor);
        int index = i >= 0 ? i + 1 : -i - 1;
        return labels[index];
    }

    /** The segments an active account with this plan and MRR is in: all, plan=PLAN, mrr=BAND. */
    public String[] segments(String plan, long mrrMinor) {
        return new String[] {"all", planSegment(plan), "mrr=" + band(mrrMinor)};
    }

    static String planSegment(String plan) {
        return "plan=" + (plan == null || plan.isBlank() ? "unknown" : plan);
    }

    /** 100 -> "100", 1000 -> "1k", 2500 -> "2500", 1000000 -> "1m". */
    static String units(long n) {
        if (n >= 1_000_000 && n % 1_000_000 == 0) return n / 1_000_000 + "m";
        if (n >= 1_000 && n % 1_000 == 0) return n / 1_000 + "k";
        return Long.toString(n);
    }

    @Override
    public String toString() {
        return "mrrBands " + bounds() + ", topCancelReasons " + topReasons;
    }
}
