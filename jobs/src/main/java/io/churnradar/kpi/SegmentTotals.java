package io.churnradar.kpi;

/**
 * A segment's running figures in {@link SegmentKpis}: active accounts and their MRR at the end of the
 * last day emitted, and the one timer set (at the close of the earliest open day). A POJO.
 */
public class SegmentTotals {
    public static final long NO_TIMER = Long.MIN_VALUE;
    public long accounts;
    public long mrrMinor;
    public long timer = NO_TIMER;

    public SegmentTotals() {}
}
