package io.churnradar.outcome;

/**
 * What a playbook's treatment changed, from the entries of its two groups: the save rate of each
 * group, their difference (uplift) with a 95% confidence interval, and the revenue the treated group
 * saved beyond what the control group's rate would have saved.
 *
 * <p>A save rate is {@code saved / (saved + lost)}: only settled entries count. Open entries (no
 * outcome yet when the data ends) are excluded: counting them as saved would flatter the playbook
 * whose entries are the youngest, counting them as lost would do the opposite.
 *
 * <p>The interval is Newcombe's hybrid score interval for a difference of two independent proportions
 * (method 10 in Newcombe, "Interval estimation for the difference between independent proportions",
 * Statistics in Medicine 17, 1998), built from the Wilson score interval of each rate. Playbooks are
 * small: a few dozen held-out accounts are common, and rates near 0 or 1 too. The textbook Wald interval
 * ({@code d ± z·sqrt(p1q1/n1 + p2q2/n2)}) is too narrow there, and degenerate (zero width) at rates of
 * exactly 0 or 1; Newcombe's interval keeps close to its nominal 95% coverage at such counts, stays
 * within [-1, 1], and needs no iteration.
 *
 * <p>Everything undefined is null, never NaN: the rate of a group without settled entries, and the
 * uplift, interval and revenue against the control rate when either group has none.
 */
public final class UpliftStats {
    /** The two-sided 97.5% standard normal quantile: a 95% interval. */
    static final double Z95 = 1.959963984540054;

    /** One group of a playbook, treated or held out: counts of entries, MRR in minor units. */
    public record Group(long entered, long saved, long lost, long open, long savedMrrMinor, long settledMrrMinor) {
        public long settled() {
            return saved + lost;
        }

        /** saved / settled, or null without settled entries. */
        public Double saveRate() {
            return settled() == 0 ? null : (double) saved / settled();
        }
    }

    /** A closed interval [low, high]. */
    public record Interval(double low, double high) {}

    private final Group treated;
    private final Group heldOut;
    private final Double uplift;
    private final Interval upliftCi95;
    private final Long revenueSavedVsControlMinor;

    private UpliftStats(Group treated, Group heldOut) {
        this.treated = treated;
        this.heldOut = heldOut;
        if (treated.settled() == 0 || heldOut.settled() == 0) {
            uplift = null;
            upliftCi95 = null;
            revenueSavedVsControlMinor = null;
        } else {
            uplift = treated.saveRate() - heldOut.saveRate();
            upliftCi95 = newcombe(treated.saved(), treated.settled(), heldOut.saved(), heldOut.settled(), Z95);
            // What the treated accounts would have kept had they been saved at the control group's rate.
            double expected = treated.settledMrrMinor() * heldOut.saveRate();
            revenueSavedVsControlMinor = Math.round(treated.savedMrrMinor() - expected);
        }
    }

    public static UpliftStats of(Group treated, Group heldOut) {
        return new UpliftStats(treated, heldOut);
    }

    public Group treated() {
        return treated;
    }

    public Group heldOut() {
        return heldOut;
    }

    /** Treated save rate minus held-out save rate; null unless both groups have settled entries. */
    public Double uplift() {
        return uplift;
    }

    /** The 95% interval of the uplift (Newcombe's hybrid score); null when the uplift is. */
    public Interval upliftCi95() {
        return upliftCi95;
    }

    /**
     * MRR of the saved treated entries minus (MRR of the settled treated entries × control save rate),
     * rounded to a minor unit; null when the uplift is. Entries of unknown MRR count in neither term.
     */
    public Long revenueSavedVsControlMinor() {
        return revenueSavedVsControlMinor;
    }

    /** Wilson's score interval of the proportion {@code x / n}, n > 0. */
    static Interval wilson(long x, long n, double z) {
        if (n <= 0 || x < 0 || x > n) throw new IllegalArgumentException("need 0 <= x <= n, n > 0: x=" + x + " n=" + n);
        double p = (double) x / n;
        double z2 = z * z;
        double center = (2.0 * x + z2) / (2.0 * (n + z2));
        double half = z * Math.sqrt(z2 + 4.0 * x * (1.0 - p)) / (2.0 * (n + z2));
        // The exact bounds at x = 0 and x = n are 0 and 1; rounding could leave them a hair off.
        double low = x == 0 ? 0.0 : Math.max(0.0, center - half);
        double high = x == n ? 1.0 : Math.min(1.0, center + half);
        return new Interval(low, high);
    }

    /**
     * Newcombe's method 10 for {@code x1/n1 - x2/n2}: with (l1, u1) and (l2, u2) the Wilson intervals,
     * low = d - sqrt((p1 - l1)² + (u2 - p2)²) and high = d + sqrt((u1 - p1)² + (p2 - l2)²).
     */
    static Interval newcombe(long x1, long n1, long x2, long n2, double z) {
        double p1 = (double) x1 / n1;
        double p2 = (double) x2 / n2;
        Interval w1 = wilson(x1, n1, z);
        Interval w2 = wilson(x2, n2, z);
        double d = p1 - p2;
        double low = d - Math.sqrt(square(p1 - w1.low()) + square(w2.high() - p2));
        double high = d + Math.sqrt(square(w1.high() - p1) + square(p2 - w2.low()));
        return new Interval(Math.max(-1.0, low), Math.min(1.0, high));
    }

    private static double square(double v) {
        return v * v;
    }
}
