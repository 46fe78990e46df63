package io.churnradar.report;

import java.util.List;

/**
 * Who flagged which customers over an evaluation period: the model at its thresholds and the alerts of the same
 * replay, each with the customers flagged, the precision and recall over the customers, and the median lead time.
 */
public record CustomerComparison(long customers, long churned, List<Flagger> flaggers) {

    /** One flagger ("model p >= 0.5", "INACTIVITY"); a figure is null when it has no denominator. */
    public record Flagger(String flaggedBy, long flagged, Double precision, Double recall, Double medianLeadDays) {}
}
