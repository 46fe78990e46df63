package io.churnradar.backtest.results;

import io.churnradar.alerts.RiskAlert;
import io.churnradar.detect.state.InstantText;
import java.util.Map;
import java.util.TreeMap;

/** An alert as one JSON line; instants as ISO-8601 UTC, evidence keys sorted for stable output. */
public final class AlertJson {
    private AlertJson() {}

    public static String toJson(RiskAlert a) {
        return JsonLine.object(n -> {
            n.put("alertId", a.getAlertId());
            n.put("accountId", a.getAccountId());
            n.put("signal", a.getSignal());
            n.put("severity", a.getSeverity().name());
            n.put("status", a.getStatus().name());
            n.put("detectedAt", InstantText.of(a.getDetectedAt()));
            n.put("episodeStart", InstantText.of(a.getEpisodeStart()));
            n.startObject("evidence");
            for (Map.Entry<String, String> e : new TreeMap<>(a.getEvidence()).entrySet()) {
                n.put(e.getKey(), e.getValue());
            }
            n.endObject();
            n.put("explanation", a.getExplanation());
            if (a.getHealthScore() != null) n.put("healthScore", a.getHealthScore());
            if (a.getHealthTier() != null) n.put("healthTier", a.getHealthTier());
            n.put("ruleVersion", a.getRuleVersion());
        });
    }
}
