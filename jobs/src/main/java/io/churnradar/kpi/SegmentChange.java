package io.churnradar.kpi;

import java.util.ArrayList;
import java.util.List;

/**
 * What one MRR movement changes in one segment: the accounts and MRR it adds or takes, and the
 * movement's amounts where the movement counts. A POJO, keyed by {@link #segment} into {@link SegmentKpis}.
 */
public class SegmentChange {
    public String segment;
    public long at;
    /** +1: the account enters the segment, -1: it leaves, 0: it stays. */
    public long accounts;
    public long mrrMinor;
    public long logoChurned;
    public long newMinor;
    public long expansionMinor;
    public long contractionMinor;
    public long churnedMinor;
    public long reactivatedMinor;
    /** The cancellation reason of a churn counted here, else null. */
    public String reason;

    public SegmentChange() {}

    /**
     * The changes of one movement, segment by segment (all, plan, MRR band). An expansion, contraction,
     * plan change or churn counts in the segments the account was in before it (the figures of the
     * accounts a segment started with); a new account or a reactivation in the segments it is in after.
     * An account whose plan or band changes leaves the old segment with the MRR it had there and enters
     * the new one with the MRR it has now, so each segment's end figures are its start figures plus its
     * changes.
     */
    public static List<SegmentChange> of(MrrMovement m, KpiSettings settings) {
        String[] before = m.activeBefore ? settings.segments(m.planBefore, m.mrrBeforeMinor) : null;
        String[] after = m.activeAfter ? settings.segments(m.planAfter, m.mrrAfterMinor) : null;
        boolean countsBefore = m.kind != MovementKind.NEW && m.kind != MovementKind.REACTIVATED;
        List<SegmentChange> out = new ArrayList<>(4);
        for (int i = 0; i < 3; i++) {
            String b = before == null ? null : before[i];
            String a = after == null ? null : after[i];
            if (b != null && b.equals(a)) {
                SegmentChange c = change(b, m);
                c.mrrMinor = m.mrrAfterMinor - m.mrrBeforeMinor;
                amounts(c, m);
                out.add(c);
                continue;
            }
            if (b != null) {
                SegmentChange c = change(b, m);
                c.accounts = -1;
                c.mrrMinor = -m.mrrBeforeMinor;
                if (countsBefore) amounts(c, m);
                out.add(c);
            }
            if (a != null) {
                SegmentChange c = change(a, m);
                c.accounts = 1;
                c.mrrMinor = m.mrrAfterMinor;
                if (!countsBefore) amounts(c, m);
                out.add(c);
            }
        }
        return out;
    }

    private static SegmentChange change(String segment, MrrMovement m) {
        SegmentChange c = new SegmentChange();
        c.segment = segment;
        c.at = m.at;
        return c;
    }

    private static void amounts(SegmentChange c, MrrMovement m) {
        long delta = m.mrrAfterMinor - m.mrrBeforeMinor;
        switch (m.kind) {
            case NEW -> c.newMinor = m.mrrAfterMinor;
            case REACTIVATED -> c.reactivatedMinor = m.mrrAfterMinor;
            case CHURNED -> {
                c.churnedMinor = m.mrrBeforeMinor;
                c.logoChurned = 1;
                c.reason = m.reason == null ? "unknown" : m.reason;
            }
            case EXPANSION -> c.expansionMinor = delta;
            case CONTRACTION -> c.contractionMinor = -delta;
            case PLAN_CHANGE -> {}
        }
    }
}
