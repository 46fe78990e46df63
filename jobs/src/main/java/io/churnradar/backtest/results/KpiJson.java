package io.churnradar.backtest.results;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.churnradar.retention.CancelReasonCount;
import io.churnradar.retention.RetentionKpi;

/**
 * A retention KPI record as one line of {@code kpis.jsonl}: exactly the fields of {@link RetentionKpi}
 * in its order, rates as numbers or null where their denominator is 0 (docs/analysts.md, Retention KPIs).
 */
public final class KpiJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private KpiJson() {}

    public static String toJson(RetentionKpi k) {
        ObjectNode n = JSON.createObjectNode();
        n.put("day", k.getDay());
        n.put("segment", k.getSegment());
        n.put("accountsStart", k.getAccountsStart());
        n.put("accountsEnd", k.getAccountsEnd());
        n.put("logoChurned", k.getLogoChurned());
        n.put("logoChurnRate", k.getLogoChurnRate());
        n.put("mrrStartMinor", k.getMrrStartMinor());
        n.put("mrrEndMinor", k.getMrrEndMinor());
        n.put("newMinor", k.getNewMinor());
        n.put("expansionMinor", k.getExpansionMinor());
        n.put("contractionMinor", k.getContractionMinor());
        n.put("churnedMinor", k.getChurnedMinor());
        n.put("reactivatedMinor", k.getReactivatedMinor());
        n.put("grossMrrChurnRate", k.getGrossMrrChurnRate());
        n.put("netMrrChurnRate", k.getNetMrrChurnRate());
        n.put("nrr", k.getNrr());
        ArrayNode reasons = n.putArray("topCancelReasons");
        for (CancelReasonCount r : k.getTopCancelReasons()) reasons.addObject().put("reason", r.getReason()).put("count", r.getCount());
        return n.toString();
    }
}
