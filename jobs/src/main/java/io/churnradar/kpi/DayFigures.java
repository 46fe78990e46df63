package io.churnradar.kpi;

import io.churnradar.retention.CancelReasonCount;
import io.churnradar.retention.RetentionKpi;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The changes of one segment on one day, summed, with the count of each cancellation reason (at most
 * {@link KpiSettings#MAX_REASONS} distinct ones, the rest as {@value KpiSettings#OTHER}). A POJO kept
 * in state by {@link SegmentKpis}; {@link #toRecord} applies the formulas of docs/analysts.md.
 */
public class DayFigures {
    public long accounts;
    public long mrrMinor;
    public long logoChurned;
    public long newMinor;
    public long expansionMinor;
    public long contractionMinor;
    public long churnedMinor;
    public long reactivatedMinor;
    /** Reason codes and their counts, index by index. */
    public String[] reasons = new String[0];
    public long[] reasonCounts = new long[0];

    public DayFigures() {}

    public DayFigures add(SegmentChange c) {
        accounts += c.accounts;
        mrrMinor += c.mrrMinor;
        logoChurned += c.logoChurned;
        newMinor += c.newMinor;
        expansionMinor += c.expansionMinor;
        contractionMinor += c.contractionMinor;
        churnedMinor += c.churnedMinor;
        reactivatedMinor += c.reactivatedMinor;
        if (c.reason != null) countReason(c.reason);
        return this;
    }

    private void countReason(String reason) {
        // Reasons are codes; a long one is cut so that one record cannot hold an essay per reason.
        String r = reason.length() > 100 ? reason.substring(0, 100) : reason;
        int i = Arrays.asList(reasons).indexOf(r);
        if (i < 0 && reasons.length >= KpiSettings.MAX_REASONS) {
            r = KpiSettings.OTHER;
            i = Arrays.asList(reasons).indexOf(r);
        }
        if (i < 0) {
            reasons = Arrays.copyOf(reasons, reasons.length + 1);
            reasonCounts = Arrays.copyOf(reasonCounts, reasonCounts.length + 1);
            i = reasons.length - 1;
            reasons[i] = r;
        }
        reasonCounts[i]++;
    }

    /**
     * The day's record for a segment that started it with {@code accountsStart} accounts and
     * {@code mrrStartMinor}: the rates are null where their denominator is 0.
     */
    public RetentionKpi toRecord(long epochDay, String segment, long accountsStart, long mrrStartMinor, int topReasons) {
        Double logoRate = accountsStart > 0 ? (double) logoChurned / accountsStart : null;
        Double gross = null;
        Double net = null;
        Double nrr = null;
        if (mrrStartMinor > 0) {
            double start = mrrStartMinor;
            gross = (churnedMinor + contractionMinor) / start;
            net = (churnedMinor + contractionMinor - expansionMinor - reactivatedMinor) / start;
            nrr = (mrrStartMinor + expansionMinor - contractionMinor - churnedMinor) / start;
        }
        return RetentionKpi.newBuilder()
                .setDay(LocalDate.ofEpochDay(epochDay).toString())
                .setSegment(segment)
                .setAccountsStart(accountsStart)
                .setAccountsEnd(accountsStart + accounts)
                .setLogoChurned(logoChurned)
                .setLogoChurnRate(logoRate)
                .setMrrStartMinor(mrrStartMinor)
                .setMrrEndMinor(mrrStartMinor + mrrMinor)
                .setNewMinor(newMinor)
                .setExpansionMinor(expansionMinor)
                .setContractionMinor(contractionMinor)
                .setChurnedMinor(churnedMinor)
                .setReactivatedMinor(reactivatedMinor)
                .setGrossMrrChurnRate(gross)
                .setNetMrrChurnRate(net)
                .setNrr(nrr)
                .setTopCancelReasons(top(topReasons))
                .build();
    }

    /** The {@code n} most frequent reasons, most frequent first, ties by reason. */
    List<CancelReasonCount> top(int n) {
        List<CancelReasonCount> all = new ArrayList<>();
        for (int i = 0; i < reasons.length; i++) all.add(new CancelReasonCount(reasons[i], reasonCounts[i]));
        all.sort((a, b) -> a.getCount() != b.getCount() ? Long.compare(b.getCount(), a.getCount()) : a.getReason().compareTo(b.getReason()));
        return new ArrayList<>(all.subList(0, Math.min(n, all.size())));
    }
}
